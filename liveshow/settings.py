"""Every setting liveshow reads, declared once as data.

Each setting has a name, an environment variable (``LIVESHOW_<NAME>``), a CLI option
(``--<name-with-dashes>``), a default and help text. README.md lists them all; a test fails
when one is undocumented.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str
    secret: bool = False

    @property
    def env(self) -> str:
        return "LIVESHOW_" + self.name.upper()

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true/false, got {text!r}")


def _async_mode(text: str) -> str:
    if text not in ASYNC_MODES:
        raise ValueError(f"async mode must be one of {', '.join(ASYNC_MODES)}, got {text!r}")
    return text


ASYNC_MODES = ("eventlet", "gevent", "threading")


def _port(text: str) -> int:
    port = int(text)
    if not 1 <= port <= 65535:
        raise ValueError(f"a UDP port is 1 to 65535, got {port}")
    return port


def osc_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """``10.0.0.5, 192.168.1.0/24, ::1`` as networks (an address is a network of one)."""
    found = []
    for item in (part.strip() for part in text.split(",")):
        if item:
            try:
                found.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or CIDR (10.0.0.0/24)") from None
    return found


def osc_targets(text: str) -> list[tuple[str, int]]:
    """``host:port,…`` as (host, port) pairs; an IPv6 host is written ``[::1]:53000``."""
    found = []
    for item in (part.strip() for part in text.split(",")):
        if item:
            found.append(host_port(item))
    return found


def host_port(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(f"{text!r} is not host:port (e.g. 10.0.0.20:53000)")
    if not re.fullmatch(r"[A-Za-z0-9.:_-]{1,253}", host):
        raise ValueError(f"{text!r}: {host!r} is not a host name or IP address")
    return host, int(port)


def _token(text: str) -> str:
    if len(text) < 16:
        raise ValueError("a control token needs at least 16 characters (it drives the show)")
    return text


def _redis_url(text: str) -> str:
    if not text.startswith(("redis://", "rediss://")):
        raise ValueError(f"the message queue is a redis:// URL, got {text!r}")
    return text


def _workers(text: str) -> int:
    count = int(text)
    if not 1 <= count <= 64:
        raise ValueError(f"workers is 1 to 64, got {count}")
    return count


def _checked(check: Callable[[str], Any]) -> Callable[[str], str]:
    """Parse as ``check`` does (so a typo fails at start-up) but keep the text."""

    def parse(text: str) -> str:
        check(text)
        return text

    return parse


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data", "./liveshow-data", "Data directory: the SQLite database and cached media.", str
    ),
    Setting(
        "show",
        None,
        "Show file (YAML) to load. Without it, the show in the data directory "
        "is resumed, or the bundled demo show is loaded.",
        str,
    ),
    Setting("host", "0.0.0.0", "Address to listen on.", str),
    Setting("port", 5000, "Port to listen on.", int),
    Setting(
        "crew_password",
        None,
        "Crew dashboard password. When unset, generated once per "
        "data directory, kept in it, and printed.",
        str,
        secret=True,
    ),
    Setting(
        "display_key",
        None,
        "Key a projector display needs (`/display/<name>?key=…`). "
        "When unset, generated once per data directory and kept.",
        str,
        secret=True,
    ),
    Setting(
        "join_code",
        None,
        "Join code in the audience URL (`/join/<code>`). When unset, "
        "generated once per data directory and kept (a crew rotation wins).",
        str,
        secret=True,
    ),
    Setting(
        "camera_key",
        None,
        "Key camera agents need (`liveshow camera --key`). When "
        "unset, generated once per data directory and kept.",
        str,
        secret=True,
    ),
    Setting(
        "secret_key",
        None,
        "Flask session signing key. Generated per data directory and kept in it when unset.",
        str,
        secret=True,
    ),
    Setting(
        "public_url",
        None,
        "Base URL phones and displays use (for QR codes and printed "
        "URLs). Auto-detected from the LAN address when unset.",
        str,
    ),
    Setting(
        "async_mode",
        "eventlet",
        "Socket.IO async mode: eventlet, gevent or threading.",
        _async_mode,
    ),
    Setting(
        "max_connections",
        5000,
        "Most concurrent connections the server accepts, under every async mode "
        "(eventlet's own default is 1,024).",
        int,
    ),
    Setting(
        "max_connections_per_address",
        300,
        "Most connections (and Socket.IO sessions) one network address may hold at once; "
        "more are refused at once. Phones behind one NAT share an address: raise it then.",
        int,
    ),
    Setting(
        "header_timeout",
        10.0,
        "Seconds a client has to send a request's line and headers (and an idle kept-alive "
        "connection to start its next request) before the server drops it.",
        float,
    ),
    Setting(
        "body_timeout",
        20.0,
        "Seconds of grace for a request body, on top of the time it takes at 16 KB/s; a "
        "slower body is dropped (408), so trickled uploads cannot hold the upload slots.",
        float,
    ),
    Setting(
        "https",
        False,
        "The server is reached over https (behind a TLS proxy): crew cookies are Secure "
        "and every answer carries Strict-Transport-Security.",
        _bool,
    ),
    Setting(
        "flag_text",
        True,
        "Flag phones' texts for the moderators with an English profanity model (advice, "
        "never a rejection); false for a night in another language, where its flags mislead "
        "(the server then also starts about a second sooner).",
        _bool,
    ),
    Setting(
        "min_free_mb",
        1000,
        "Megabytes the data folder should have free before doors (photos, sounds and takes "
        "are stored there): pre-flight says so when it has less.",
        int,
    ),
    Setting(
        "panic_fade",
        1.0,
        "Seconds a panic (Esc, the Panic button) takes to fade every display to black; "
        "a blackout always takes 1 s. 0 cuts to black at once.",
        float,
    ),
    Setting(
        "login_link_seconds",
        1800.0,
        "Seconds the one-time crew login link (and its QR code) printed at start-up stays "
        "valid; after that, log in with the password.",
        float,
    ),
    Setting(
        "min_go_interval",
        1.0,
        "Show mode: seconds that must pass between two GOs "
        "(a show file's `min_go_interval` overrides it).",
        float,
    ),
    Setting(
        "upload_workers",
        2,
        "Uploads processed at once (decoding, re-encoding); the "
        "rest wait their turn so cue broadcasts stay fast.",
        int,
    ),
    Setting(
        "tick_interval",
        0.05,
        "Seconds between checks of pre-waits, post-waits and auto-follows.",
        float,
    ),
    Setting(
        "heartbeat_interval",
        2.0,
        "Seconds between writes of the playback heartbeat, used "
        "to resume a running cue at the right place after a restart.",
        float,
    ),
    Setting(
        "catalogue_url",
        None,
        "The community catalogue's base URL (e.g. `http://127.0.0.1:5100`): "
        "`liveshow pull` fetches records from it, the outbox syncs to it. Unset = no sync.",
        str,
    ),
    Setting(
        "catalogue_public_url",
        None,
        "The catalogue's address as phones reach it, for their claim links "
        "(`<url>/claim/<token>`); unset = the catalogue URL.",
        str,
    ),
    Setting(
        "catalogue_token",
        None,
        "Bearer token for writing to the catalogue (its `<data>/token`).",
        str,
    ),
    Setting(
        "sync_delay",
        60.0,
        "Seconds the running server waits after a submission or take last changed before "
        "sending it, so a moderation mistake can be undone first (`liveshow sync` does not wait).",
        float,
    ),
    Setting(
        "sync_chunk_bytes",
        4 * 1024 * 1024,
        "Bytes per media upload request to the catalogue; an interrupted upload resumes "
        "from the catalogue's offset, so at most one chunk is sent twice.",
        int,
    ),
    Setting(
        "licence",
        "CC-BY-NC-4.0",
        "The licence the night's work is offered under (an SPDX id such as `CC-BY-NC-4.0`, "
        "or any text): the licence of each TASL line and `dcterms:license` in the archive's "
        "lineage export (`liveshow archive`). The audience's consent terms should say the same.",
        str,
    ),
    Setting(
        "osc_port",
        None,
        "UDP port to listen for OSC show control on (QLab, Eos, Companion); unset = no OSC.",
        _port,
    ),
    Setting(
        "osc_allow",
        "",
        "Addresses and CIDRs allowed to send OSC (`10.0.0.5,192.168.1.0/24`); "
        "empty = nobody: packets from anywhere else are dropped unanswered.",
        _checked(osc_networks),
    ),
    Setting(
        "osc_targets",
        "",
        "`host:port,…` told over OSC about every cue start, prompt open/close, blackout "
        "and panic (`/liveshow/cue/started <id> <kind> <title>`…); empty = nobody.",
        _checked(osc_targets),
    ),
    Setting(
        "control_token",
        None,
        "Bearer token for the HTTP control API (`POST /api/control/<action>`, "
        "`GET /api/control/status`); unset = the API is off (404). At least 16 characters.",
        _token,
    ),
    Setting(
        "message_queue",
        None,
        "Flask-SocketIO's message queue (`redis://127.0.0.1:6379/0`): set, this process "
        "shares its broadcasts with the other workers of the show; unset = one process.",
        _checked(_redis_url),
    ),
    Setting(
        "workers",
        1,
        "Worker processes (`liveshow serve --workers 2`): above 1, serve starts the show "
        "worker, phone workers, nginx in front and, without a message queue, a redis-server.",
        _workers,
    ),
    Setting(
        "show_worker",
        None,
        "Set by `serve --workers` on a phone worker: the show worker's internal URL. This "
        "process then holds phone sockets only and relays what phones do to the show worker.",
        str,
    ),
    Setting(
        "trust_proxy",
        False,
        "A proxy on this machine sits in front (as `serve --workers` sets it): a phone's "
        "address is taken from the proxy's X-Forwarded-For, for the per-address limits.",
        _bool,
    ),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def load(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Settings from defaults, then ``LIVESHOW_*`` variables, then explicit overrides.

    Overrides whose value is None are ignored, so CLI options left unset fall through.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        value = setting.default
        if setting.env in env and env[setting.env] != "":
            try:
                value = setting.parse(env[setting.env])
            except ValueError as exc:
                raise ValueError(f"{setting.env}: {exc}") from exc
        values[setting.name] = value
    for name, value in (overrides or {}).items():
        if name not in BY_NAME:
            raise KeyError(f"unknown setting {name!r}")
        if value is not None:
            values[name] = value
    return values


def fill_secrets(
    values: dict[str, Any], stored: Callable[[str], str | None], keep: Callable[[str, str], None]
) -> list[str]:
    """Fill unset secrets from the data directory, or generate and keep strong random ones,
    so a restarted server keeps its display URLs, printed QR codes and password.
    Returns the names that were generated (or brought back) rather than set."""
    generated = []
    for name, maker in (
        ("crew_password", lambda: secrets.token_urlsafe(12)),
        ("display_key", lambda: secrets.token_urlsafe(12)),
        ("join_code", new_join_code),
        ("camera_key", lambda: secrets.token_urlsafe(12)),
    ):
        if not values.get(name):
            values[name] = stored(name) or maker()
            keep(name, values[name])
            generated.append(name)
    return generated


def new_join_code() -> str:
    # Short enough to type from a printed programme; no 0/O/1/l confusion.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(6))


def data_dir(values: Mapping[str, Any]) -> Path:
    path = Path(values["data"]).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def lan_address() -> str:
    """The address other machines on the LAN reach us at (no packet is sent)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the outgoing interface
        return str(probe.getsockname()[0])
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


def public_url(values: Mapping[str, Any]) -> str:
    if values.get("public_url"):
        return str(values["public_url"]).rstrip("/")
    host = values.get("host") or "0.0.0.0"
    if host in WILDCARD_HOSTS:
        host = lan_address()
    return f"http://{url_host(host)}:{values['port']}"


WILDCARD_HOSTS = ("0.0.0.0", "::", "")  # a server listening on every address


def url_host(host: str) -> str:
    """``host`` as a URL spells it: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host else host
