"""liveshow: the live half of a collaborative art community's theatre shows.

Importing the package stays light (no Flask, no eventlet) so that `liveshow serve` can
monkey-patch for eventlet or gevent first. The app factory is ``liveshow.app.create_app``;
the shared Socket.IO server and runtime are in ``liveshow.extensions``.
"""

__version__ = "0.1.0"
