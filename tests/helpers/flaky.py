"""A flaky path between a show and its catalogue: an HTTP proxy on 127.0.0.1 that fails some
requests before they reach the catalogue, drops some answers after the catalogue committed,
can slow uploads down, and counts everything (requests, failures, bytes of media bodies)."""

from __future__ import annotations

import http.client
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


@dataclass
class FlakyProxy:
    """Forwards to ``target`` (``host:port``). ``fail``: share of requests answered 503
    without reaching the catalogue; ``drop``: share whose answer is thrown away after the
    catalogue handled it (the connection just closes); ``patch_delay``: seconds each media
    PATCH waits before it is forwarded (to kill a sender mid-upload). Seeded: repeatable."""

    target: str
    fail: float = 0.0
    drop: float = 0.0
    patch_delay: float = 0.0
    seed: int = 8
    counts: Counter[str] = field(default_factory=Counter)
    patch_bytes: dict[str, int] = field(default_factory=Counter)  # sha256 -> body bytes
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                try:
                    proxy.forward(self)
                except (BrokenPipeError, ConnectionResetError):
                    proxy.count("client gone")  # a sender killed mid-request

            do_HEAD = do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def roll(self) -> float:
        with self.lock:
            return self.rng.random()

    def count(self, what: str, n: int = 1) -> None:
        with self.lock:
            self.counts[what] += n

    def forward(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        self.count("requests")
        self.count(f"{handler.command} requests")
        if handler.command == "PATCH":
            sha = handler.path.rsplit("/", 1)[-1]
            with self.lock:
                self.patch_bytes[sha] += len(body)
            if self.patch_delay:
                time.sleep(self.patch_delay)
        if self.roll() < self.fail:
            self.count("failed")
            handler.send_response(503)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        host, port = self.target.rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        try:
            headers = {k: v for k, v in handler.headers.items() if k.lower() not in HOP}
            conn.request(handler.command, handler.path, body=body or None, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
        except OSError:
            self.count("catalogue down")
            handler.send_response(502)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        finally:
            conn.close()
        if self.roll() < self.drop:  # the catalogue did it; the sender never hears
            self.count("dropped")
            handler.close_connection = True
            return
        handler.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in HOP:
                handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(data)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
