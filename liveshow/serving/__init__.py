"""The HTTP servers `liveshow serve` runs, one per async mode, and the limits they share: a
capped share of the connections per address (with room kept for the crew), a deadline for a
request's head and one for its body. eventlet's server is in ``liveshow/eventlet_fixes.py``;
these modules are imported only after the monkey-patching (``cli.run_server``)."""
