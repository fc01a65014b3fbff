"""A TCP proxy on 127.0.0.1 in front of a server that, when armed, lets only the first half of
the next media PUT's body through and holds the rest back: an uploader, or the server, can
then be killed mid-upload. When the uploader's side closes, the proxy closes the server's
side, as the kernel would for a directly connected process."""

from __future__ import annotations

import re
import socket
import threading

HEAD_END = b"\r\n\r\n"


class StallingProxy:
    def __init__(self, port: int) -> None:
        self.target = ("127.0.0.1", port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.armed = threading.Event()
        self.stalled = threading.Event()
        self.ranges: list[str] = []  # the Content-Range of every media PUT, in order
        self.let_through = 0  # bytes of the stalled PUT's body that reached the server
        self.held: socket.socket | None = None  # the stalled PUT's uploader side
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def close(self) -> None:
        self.listener.close()

    def drop(self) -> None:
        """Cuts the stalled PUT's connection, as a network drop would: the server keeps the
        part that reached it and the uploader sees its request fail."""
        if self.held is not None:
            _close(self.held)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=10)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        threading.Thread(target=_pipe, args=(upstream, client), daemon=True).start()
        try:
            self._requests(client, upstream)
        except OSError:
            pass
        finally:
            _close(upstream)
            _close(client)

    def _requests(self, client: socket.socket, upstream: socket.socket) -> None:
        """Client to server; a media PUT is looked at (a request starts a read here, as an
        HTTP client waits for each answer before it sends the next request)."""
        while data := client.recv(65536):
            if not data.startswith(b"PUT /api/media/"):
                upstream.sendall(data)
                continue
            while HEAD_END not in data and (more := client.recv(65536)):
                data += more
            head, _, body = data.partition(HEAD_END)
            found = re.search(rb"(?im)^content-range:\s*(.+?)\s*$", head)
            with self.lock:
                self.ranges.append(found.group(1).decode() if found else "")
            if not self.armed.is_set():
                upstream.sendall(data)
                continue
            self.armed.clear()
            length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            half = int(length.group(1)) // 2 if length else 0
            while len(body) < half and (more := client.recv(65536)):
                body += more
            upstream.sendall(head + HEAD_END + body[:half])
            self.let_through = half
            self.held = client
            self.stalled.set()
            while client.recv(65536):  # the rest is held back until the uploader goes
                pass
            return


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        _close(sink)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
