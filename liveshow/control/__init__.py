"""Show control from outside: the theatre's own tools (QLab, a lighting desk, Companion
button panels) drive the show over OSC and HTTP, and follow it over OSC.

``actions`` (what an outside surface may do, and the status a panel shows), ``osc`` (OSC
packets in and out, parsed with python-osc), ``targets`` (who is told over OSC, and the
sending). The OSC listener and the fan-out deliveries live in ``realtime/``, the HTTP views
in ``web/control.py``."""
