"""The one copy of each test helper, and the secrets every test server is started with.

Modules by what they stand in for: ``server`` (a real `liveshow serve` process), ``sockets``
(a python-socketio client that keeps what it hears), ``crew`` and ``phone`` (the people
using the show), ``agent`` (a real camera agent process), ``shows`` and ``samples`` (show
files and the files a phone uploads), ``waiting`` (bounded polling, never a bare sleep).
Tests import them as ``from tests.helpers.<module> import ...``: ``tests`` is a package, so
pytest puts the repository root on ``sys.path``.
"""

CREW_PASSWORD = "test-crew-password"
DISPLAY_KEY = "test-display-key"
JOIN_CODE = "testjoin"
CAMERA_KEY = "test-camera-key"
