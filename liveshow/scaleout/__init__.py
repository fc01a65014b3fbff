"""Past one process: several workers of one show behind nginx, on Flask-SocketIO's Redis
message queue.

One worker, the *show worker*, owns the show: the cue engine, the clock, every database
write, the crew, displays and cameras, and phones too. The other workers are *phone
workers*: they hold phone sockets only. What a phone does (connect, join, submit, react,
withdraw) they relay to the show worker over HTTP (``owner``); what the show worker
broadcasts reaches their phones through the message queue (``queue``). nginx sends HTTP
and the crew's, displays' and cameras' sockets to the show worker and spreads phone sockets
over all workers, sticky by address (``nginx``). ``cluster`` is `liveshow serve --workers N`.

This package's ``__init__`` imports nothing: the CLI imports ``cluster`` before it has
monkey-patched for eventlet, so nothing here may pull in Flask on the way.
"""
