"""A load generator for a full house (issue 10): simulated phones against liveshow and against
a minimal Node.js socket.io 4 server doing the same broadcast, measured in the same run.

What it is made of
- ``wire``: an RFC 6455 websocket client over asyncio streams (client frames masked) and a
  plain HTTP/1.1 POST; ``phones``: a phone speaking Engine.IO v4 / Socket.IO v5 by hand
  (``40/audience,{auth}``, answers ping ``2`` with ``3``, keeps the newest ``state``'s rev and
  cue with a ``time.monotonic()`` stamp). Each phone connects from its own loopback address
  (127.10.x.y: Linux routes all of 127/8 to lo), so per-address caps and limits see a room,
  not one address; ``LIVESHOW_MAX_CONNECTIONS_PER_ADDRESS`` is raised anyway.
  ``client_cost`` measures why not python-socketio's AsyncClient.
- ``clients``: client processes (2 by default) holding the phones, driven over pipes;
  ``session``: one server with its phones and a crew socket (python-socketio, logged in with
  the crew password) that GOes; ``procstat``: the server's CPU (per-thread schedstat, ns) and
  RSS summed over its process group from /proc; ``targets``: starting liveshow (the working
  tree, or ``--server-commit REV`` exported from git) and ``node_reference/server.mjs``, each
  in its own session; ``scenarios`` and ``report``: what is measured and the tables.

How to run (from the repository root; wrap anything over ~200 phones in
``flock /tmp/rs/bench.lock`` on the shared machine). Every run appends its tables, with the
machine, date, server commit and command, to benchmarks/results/full_house.md.

    P=.venv/bin/python; F=benchmarks/full_house.py
    # cue fan-out, the headline: liveshow vs Node at 1,000 and 3,000 phones
    $P $F fanout --phones 1000,3000 --against both [--gos 30] [--gap 0.5] [--idle 10]
    # connect ramp: N phones at --rate a second; connected, time, memory, idle CPU
    $P $F ramp --phones 3000 --rate 500 --against both
    # prompt burst: phones join, a photo prompt opens, --photos phones POST a 1920x1440 JPEG
    # to /api/submissions at once while the crew GOes; fan-out idle vs during (liveshow only)
    $P $F burst --phones 1000 --photos 200 --gos 10
    # vote storm: every phone joins, the poll opens, every phone votes at the same moment
    $P $F votes --phones 1000 --against both
    # reconnect storm: every phone drops at once and comes back with its last rev
    $P $F reconnect --phones 3000 --against both
    # the client's own cost: 1,000 light phones vs 1,000 AsyncClients (one process)
    cd benchmarks && ../.venv/bin/python -m loadgen.client_cost --phones 1000

Other flags: ``--processes`` (client processes), ``--timeout`` (per GO or storm),
``--settle``, ``--async-mode`` (liveshow's), ``--server-commit``, ``--results FILE``,
``--no-results``.

What a figure means
- server CPU per GO: the server group's CPU time from just before the crew's ``goto`` to
  0.2 s after the last phone had the new cue, minus the idle rate over the same window
  (the mean of idle before and after the GOs). Cross-check: the whole GO phase, gaps and
  all, minus idle, shared out over the GOs (it catches work a GO's window would miss).
  liveshow also sends the crew (one dashboard socket) its state on a GO; Node only acks.
- last phone: crew send -> the last phone's new ``state`` with the new cue, per GO; p50/p99
  over the GOs. "GOs every phone got" counts GOs that reached every phone within --timeout.
- idle CPU: server CPU per second with every phone connected and nothing happening (the
  Engine.IO pings), over whole ping intervals (--idle rounded up), before and after the GOs;
  RSS: resident memory summed over the server's process group, all phones connected.
"""
