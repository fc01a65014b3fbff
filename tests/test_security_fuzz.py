"""A property-based fuzzer (hypothesis) against a real server: every event on every
namespace with wrong types, NaN and Infinity, huge and nested payloads, extra arguments,
reserved and unknown names; and the HTTP routes a client can reach with random bodies and
headers. Properties: every event is acknowledged (an ``{"ok": ...}`` object where the event
answers), no answer is a 5xx, nothing invalid changes the show (its ``rev``), and the
server logs no traceback."""

from __future__ import annotations

import inspect
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liveshow.realtime.audience import AudienceNamespace
from liveshow.realtime.camera import CameraNamespace
from liveshow.realtime.crew import CrewNamespace
from liveshow.realtime.display import DisplayNamespace
from tests.helpers import CAMERA_KEY
from tests.helpers.app import make_app
from tests.helpers.raw import RawSocket
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_prompt_show

MAX_MESSAGE = 1_000_000 - 20  # the server's max_http_buffer_size, less the frame's header
EXAMPLES = 150  # per property; `LIVESHOW_FUZZ_EXAMPLES` style knobs are not needed: raise here
EXAMPLES_PER_ROUTE = 6  # HTTP: every route gets its own examples
COUNTS: dict[str, int] = {"events": 0, "http": 0}


def events_of(cls: type) -> list[str]:
    return sorted(
        name[3:]
        for name, _ in inspect.getmembers(cls, inspect.isfunction)
        if name.startswith("on_") and name not in ("on_connect", "on_disconnect")
    )


NAMESPACES = {
    "/audience": events_of(AudienceNamespace),
    "/display": events_of(DisplayNamespace),
    "/camera": events_of(CameraNamespace),
    "/crew": events_of(CrewNamespace),
}
RESERVED = ["connect", "disconnect", "connect_error", "message", ""]
# fire-and-forget events (binary pictures from cameras) answer with an empty ack
SILENT = {("/camera", "preview"), ("/camera", "key_preview"), ("/camera", "frame")}

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from(["x" * 300_000, "\u202e\u0000\ud7ff", "../../etc/passwd", "a\n"])
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=25,
)
# what the crew sends is never an object here: any object could be a valid command
not_objects = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=5), max_leaves=10
).filter(lambda v: v is not None)


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    server = ServerProcess(
        data=folder / "data",
        show=write_prompt_show(folder),
        extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY, "LIVESHOW_CONTROL_TOKEN": CONTROL_TOKEN},
    ).start()
    yield server
    server.stop()
    assert "Traceback" not in server.log_text(), server.log_text()[-3000:]
    print(f"\nfuzzer: {COUNTS} over {len(ROUTES)} routes")


class Sockets:
    """One raw connection per namespace, replaced when the server asks it to slow down."""

    def __init__(self, srv: ServerProcess) -> None:
        self.srv = srv
        self.open: dict[str, RawSocket] = {}
        self.ids = itertools.count(1)
        self.devices = itertools.count(1)

    def auth(self, namespace: str) -> dict[str, Any]:
        return {
            "/audience": {
                "code": self.srv.join_code,
                "device": f"fuzz-device-{next(self.devices):08d}",
            },
            "/display": {"key": self.srv.display_key, "name": "fuzz"},
            "/camera": {"key": CAMERA_KEY, "camera": "fuzzcam"},
            "/crew": {"password": self.srv.password},
        }[namespace]

    def call(self, namespace: str, frame: str) -> Any:
        """The acknowledgement; None for a message over Engine.IO's 1 MB buffer (the
        server closes that connection, by design: it is replaced)."""
        if namespace not in self.open:
            self.open[namespace] = RawSocket(self.srv, namespace, self.auth(namespace))
        if len(frame.encode()) > MAX_MESSAGE:
            raw = self.open.pop(namespace)
            try:
                raw.call_raw(next(self.ids), frame, timeout=5)
            except Exception:  # closed by the server: what must happen
                return None
            finally:
                raw.close()
            raise AssertionError("a message over the buffer size was answered")
        ack = self.open[namespace].call_raw(next(self.ids), frame)
        if ack and isinstance(ack[0], dict) and ack[0].get("retry"):
            self.open.pop(namespace).close()  # rate-limited: a fresh connection next time
        return ack

    def close(self) -> None:
        for raw in self.open.values():
            raw.close()


@pytest.fixture(scope="module")
def sockets(srv: ServerProcess) -> Iterator[Sockets]:
    pool = Sockets(srv)
    yield pool
    pool.close()


def encoded(name: Any, args: list[Any]) -> str:
    return json.dumps([name, *args])  # NaN and Infinity as Python writes them


def check_ack(namespace: str, name: Any, ack: Any) -> None:
    COUNTS["events"] += 1
    if ack is None:  # over the buffer size: the connection was closed
        COUNTS["oversized"] = COUNTS.get("oversized", 0) + 1
        return
    assert isinstance(ack, list), ack
    if (namespace, name) in SILENT and not ack:
        return
    assert len(ack) == 1 and isinstance(ack[0], dict) and isinstance(ack[0].get("ok"), bool), (
        namespace,
        name,
        ack,
    )


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    namespace=st.sampled_from(["/audience", "/display", "/camera"]),
    data=st.data(),
)
def test_every_event_of_the_untrusted_namespaces_is_answered(
    srv: ServerProcess, sockets: Sockets, namespace: str, data: st.DataObject
) -> None:
    rev = srv.state()["rev"]
    name = data.draw(
        st.sampled_from(NAMESPACES[namespace] + RESERVED) | st.text(max_size=20), label="name"
    )
    args = data.draw(st.lists(json_values, max_size=3), label="args")
    check_ack(namespace, name, sockets.call(namespace, encoded(name, args)))
    assert srv.state()["rev"] == rev, "an event from a phone, display or camera changed the show"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_crew_event_with_bad_arguments_is_refused(
    srv: ServerProcess, sockets: Sockets, data: st.DataObject
) -> None:
    rev = srv.state()["rev"]
    name = data.draw(st.sampled_from(NAMESPACES["/crew"] + RESERVED), label="name")
    args = data.draw(
        st.lists(not_objects, min_size=1, max_size=1)
        | st.lists(json_values, min_size=2, max_size=3),
        label="args",
    )
    ack = sockets.call("/crew", encoded(name, args))
    check_ack("/crew", name, ack)
    assert ack is None or ack[0]["ok"] is False, (name, args, ack)
    assert srv.state()["rev"] == rev


# Every route of the show server (Flask's rule -> the URL the fuzzer fills in); the test
# below fails when a route is added without being fuzzed.
ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/"): "/",
    ("GET", "/crew"): "/crew",
    ("GET", "/join"): "/join",
    ("GET", "/join/<code>"): "/join/{text}",
    ("GET", "/display/<name>"): "/display/{text}",
    ("GET", "/display-app/<path:filename>"): "/display-app/{text}",
    ("GET", "/phone-app/<path:filename>"): "/phone-app/{text}",
    ("GET", "/static/<path:filename>"): "/static/{text}",
    ("GET", "/vendor/socket.io.min.js"): "/vendor/socket.io.min.js",
    ("GET", "/qr/join.svg"): "/qr/join.svg",
    ("GET", "/api/state"): "/api/state",
    ("GET", "/api/events"): "/api/events",
    ("GET", "/api/preflight"): "/api/preflight",
    ("GET", "/media/<sha256>"): "/media/{sha}",
    ("HEAD", "/api/media/<sha256>"): "/api/media/{sha}",
    ("PUT", "/api/media/<sha256>"): "/api/media/{sha}",
    ("POST", "/api/submissions"): "/api/submissions",
    ("POST", "/api/takes"): "/api/takes",
    ("GET", "/api/takes"): "/api/takes",
    ("GET", "/camera/<name>/live.mjpg"): "/camera/{text}/live.mjpg",
    ("GET", "/camera/<name>/preview.jpg"): "/camera/{text}/preview.jpg",
    ("GET", "/crew/login"): "/crew/login",
    ("POST", "/crew/login"): "/crew/login",
    ("POST", "/crew/logout"): "/crew/logout",
    ("GET", "/crew/show.yaml"): "/crew/show.yaml",
    ("GET", "/crew/results.csv"): "/crew/results.csv",
    ("POST", "/api/control/<action>"): "/api/control/{text}",
    ("GET", "/api/control/status"): "/api/control/status",
    ("GET", "/crew/book/"): "/crew/book/",
    ("GET", "/crew/book/book-imposed.pdf"): "/crew/book/book-imposed.pdf",
    ("GET", "/crew/book/<name>"): "/crew/book/{text}",
    ("GET", "/crew/report/"): "/crew/report/",
    ("GET", "/crew/report/<name>"): "/crew/report/{text}",
}
# These build the night's book or report (seconds each): fuzzed for their refusals only, never
# with the crew's session (test_book.py and test_report.py drive them logged in).
BUILDS = {"/crew/book/", "/crew/book/book-imposed.pdf", "/crew/report/"}
CONTROL_TOKEN = "fuzz-control-token"
CREW = "crew session"  # an `auth` choice: the crew's logged-in cookie
header_values = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60
).map(str.strip)  # requests refuses to send a value with leading spaces


@pytest.fixture(scope="module")
def crew_cookies(srv: ServerProcess) -> dict[str, str]:
    """The crew's logged-in session, so routes behind the login are fuzzed past it."""
    login = requests.post(
        srv.url + "/crew/login",
        data={"password": srv.password},
        allow_redirects=False,
        timeout=30,
    )
    assert login.status_code in (302, 303), login.text
    return dict(login.cookies)


def test_every_route_of_the_server_is_fuzzed(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", write_prompt_show(tmp_path))
    served = set()
    for rule in app.url_map.iter_rules():
        methods = set(rule.methods or ()) - {"OPTIONS"}
        if "GET" in methods:
            methods.discard("HEAD")  # Flask answers HEAD for every GET
        served |= {(method, rule.rule) for method in methods}
    assert served == set(ROUTES), {"not fuzzed": served - set(ROUTES), "gone": set(ROUTES) - served}


@pytest.mark.parametrize("route", sorted(ROUTES), ids="{0[0]} {0[1]}".format)
@settings(
    max_examples=EXAMPLES_PER_ROUTE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sha=st.sampled_from(["0" * 64, "a" * 63, "A" * 64, "0" * 64 + "%0a", ".."]),
    text=st.text(alphabet="abc-_./%0", min_size=1, max_size=20),
    body=json_values,
    form=st.dictionaries(st.sampled_from(["id", "prompt", "kind", "password", "x"]), st.text()),
    auth=st.sampled_from(
        ["", f"Bearer {CAMERA_KEY}", f"Bearer {CONTROL_TOKEN}", "Bearer nope", "Basic x", CREW]
    ),
    content_range=header_values,
    query=st.dictionaries(
        st.sampled_from(["since", "key", "token", "order", "stills", "x"]), header_values
    ),
)
def test_http_routes_never_answer_5xx_nor_change_the_show(
    srv: ServerProcess,
    crew_cookies: dict[str, str],
    route: tuple[str, str],
    sha: str,
    text: str,
    body: Any,
    form: dict[str, str],
    auth: str,
    content_range: str,
    query: dict[str, str],
) -> None:
    method, rule = route
    path = ROUTES[route]
    url = srv.url + path.format(sha=sha, text=text)
    cookies: dict[str, str] = {}
    if auth == CREW:
        auth = ""
        # logging the crew out would end the session every later example uses
        if path not in BUILDS and path != "/crew/logout":
            cookies = crew_cookies
    headers = {"Authorization": auth, "Content-Range": content_range}
    if method == "POST" and path in ("/api/takes", "/api/control/{text}"):
        kwargs: dict[str, Any] = {
            "data": json.dumps(body),
            "headers": {**headers, "Content-Type": "application/json"},
        }
    elif method == "POST":
        kwargs = {
            "data": form,
            "files": {"file": ("a.jpg", json.dumps(body).encode())},
            "headers": headers,
        }
    elif method == "PUT":
        kwargs = {"data": json.dumps(body).encode(), "headers": headers}
    else:
        kwargs = {"headers": headers}
    rev = srv.state()["rev"]
    # A camera's live stream, asked for by the crew, waits for the camera's first frame
    # before it answers (the headers come with it): no camera sends here.
    waits = path == "/camera/{text}/live.mjpg" and bool(cookies)
    try:
        answer = requests.request(
            method,
            url,
            params=query,
            cookies=cookies,
            timeout=(30, 3) if waits else 30,
            stream=True,
            allow_redirects=False,
            **kwargs,
        )
    except requests.ReadTimeout:
        assert waits, (method, url)
    else:
        answer.close()
        assert answer.status_code < 500, (method, url, answer.status_code)
    COUNTS["http"] += 1
    assert srv.state()["rev"] == rev, (method, url)
