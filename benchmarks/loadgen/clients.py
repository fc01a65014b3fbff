"""Client processes: each holds a share of the phones on its own asyncio loop and does what
the parent asks over a pipe (connect, join, wait for a cue, vote, upload, reconnect).

Every request carries a ticket and is answered with it, so the parent can start uploads in
every process and go on GOing while they run."""

from __future__ import annotations

import asyncio
import multiprocessing
import resource
import time
from multiprocessing.connection import Connection
from typing import Any

from .phones import Fleet, Phone
from .wire import multipart, post

JOIN_CODE = "bench"


def _raise_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Worker:
    """The phones ``indices`` of one process and the commands it answers."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.fleet = Fleet("127.0.0.1", 0)
        self.stopped = asyncio.Event()

    async def cmd_setup(self, host: str, port: int, first: int, count: int) -> int:
        """Drops any phones held and makes ``count`` new ones for the server at host:port."""
        for phone in self.fleet.phones:
            phone.drop()
        self.fleet = Fleet(host, port)
        self.fleet.phones = [Phone(self.fleet, i) for i in range(first, first + count)]
        return count

    def auth(self, phone: Phone) -> dict[str, Any]:
        auth: dict[str, Any] = {"code": JOIN_CODE, "device": phone.device, "rev": phone.rev}
        if phone.token:
            auth["token"] = phone.token
        return auth

    async def cmd_connect(self, rate: float, timeout: float = 60.0) -> dict[str, Any]:
        """Connects every phone that is not connected, ``rate`` new phones a second."""
        todo = [p for p in self.fleet.phones if not p.connected]
        start = time.monotonic()

        async def one(k: int, phone: Phone) -> float | None:
            await asyncio.sleep(max(0.0, start + k / rate - time.monotonic()))
            began = time.monotonic()
            return (
                time.monotonic() - began if await phone.connect(self.auth(phone), timeout) else None
            )

        took = await asyncio.gather(*(one(k, p) for k, p in enumerate(todo)))
        errors = [p.error for p in todo if not p.connected and p.error]
        return {
            "tried": len(todo),
            "ok": sum(t is not None for t in took),
            "seconds": [t for t in took if t is not None],
            "start": start,
            "end": time.monotonic(),
            "errors": errors[:5],
        }

    async def cmd_join(
        self, terms_version: str, timeout: float = 60.0, rate: float | None = None
    ) -> dict[str, Any]:
        """Every connected phone joins (handle and consent), as before any submission: all at
        once, or ``rate`` phones a second (an audience joining over a minute or two)."""
        phones = [p for p in self.fleet.phones if p.connected]
        start = time.monotonic()

        async def one(k: int, phone: Phone) -> str | None:
            if rate:
                await asyncio.sleep(max(0.0, start + k / rate - time.monotonic()))
            consent = {"accepted": True, "terms_version": terms_version}
            try:
                ack = await phone.call(
                    "join", {"handle": f"P{phone.index}", "consent": consent}, timeout
                )
            except TimeoutError:
                return "no acknowledgement"
            if isinstance(ack, dict) and ack.get("ok"):
                phone.token = ack.get("token")
                return None
            return str(ack)[:200]

        answers = await asyncio.gather(*(one(k, p) for k, p in enumerate(phones)))
        errors = [a for a in answers if a]
        return {"ok": len(answers) - len(errors), "errors": errors[:5]}

    async def cmd_wait_cue(self, cue: str, since: float, timeout: float) -> list[float | None]:
        """Each phone's time of changing to ``cue`` after ``since`` (None: not in time)."""

        def stamp(p: Phone) -> float | None:
            return p.cue_at if p.cue == cue and p.cue_at and p.cue_at >= since else None

        return await self.fleet.wait_all(stamp, timeout)

    async def cmd_wait_rev(self, rev: int, since: float, timeout: float) -> list[float | None]:
        """Each phone's time of first holding ``rev`` or newer on a connection opened after
        ``since`` (None: not in time)."""

        def stamp(p: Phone) -> float | None:
            return p.rev_at if p.rev >= rev and p.rev_at and p.rev_at >= since else None

        return await self.fleet.wait_all(stamp, timeout)

    async def cmd_vote(self, prompt: str, options: list[str], timeout: float) -> list[tuple]:
        """Every connected phone votes at once: (sent, acknowledged or None, ok, error)."""

        async def one(phone: Phone) -> tuple:
            data = {
                "id": f"vote-{phone.device}",
                "prompt": prompt,
                "kind": "vote",
                "option": options[phone.index % len(options)],
            }
            sent = time.monotonic()
            try:
                ack = await phone.call("submit", data, timeout)
            except TimeoutError:
                return sent, None, False, "no acknowledgement"
            ok = isinstance(ack, dict) and bool(ack.get("ok"))
            return sent, time.monotonic(), ok, None if ok else str(ack)[:120]

        return await asyncio.gather(*(one(p) for p in self.fleet.phones if p.connected))

    async def cmd_upload(
        self, count: int, prompt: str, photos: list[bytes], timeout: float
    ) -> list[tuple]:
        """The first ``count`` joined phones POST a photo at once: (start, end, status)."""
        fleet = self.fleet
        senders = [p for p in fleet.phones if p.token][:count]

        async def one(phone: Phone) -> tuple:
            body, ctype = multipart(
                {
                    "id": f"photo-{phone.device}-{time.monotonic_ns()}",
                    "prompt": prompt,
                    "kind": "photo",
                },
                "file",
                "photo.jpg",
                photos[phone.index % len(photos)],
            )
            start = time.monotonic()
            try:
                status, _ = await post(
                    fleet.host,
                    fleet.port,
                    phone.address,
                    "/api/submissions",
                    body,
                    ctype,
                    {"Authorization": f"Bearer {phone.token}"},
                    timeout,
                )
            except (TimeoutError, OSError):
                status = 0
            return start, time.monotonic(), status

        return await asyncio.gather(*(one(p) for p in senders))

    async def cmd_drop(self) -> float:
        """Every phone loses its connection at once; the moment it happened."""
        for phone in self.fleet.phones:
            phone.drop()
        return time.monotonic()

    async def cmd_count(self) -> dict[str, int]:
        phones = self.fleet.phones
        return {
            "connected": sum(p.connected for p in phones),
            "phones": len(phones),
            "rev": max((p.rev for p in phones), default=0),
        }

    async def cmd_stop(self) -> None:
        for phone in self.fleet.phones:
            phone.drop()
        self.stopped.set()

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        tasks: set[asyncio.Task[None]] = set()

        async def answer(ticket: int, name: str, kwargs: dict[str, Any]) -> None:
            try:
                result: Any = await getattr(self, f"cmd_{name}")(**kwargs)
            except Exception as exc:  # reported to the parent, which stops the run
                result = {"exception": f"{type(exc).__name__}: {exc}"}
            self.conn.send((ticket, result))

        def readable() -> None:
            try:
                ticket, name, kwargs = self.conn.recv()
            except EOFError:  # the parent is gone
                self.stopped.set()
                return
            task = loop.create_task(answer(ticket, name, kwargs))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

        loop.add_reader(self.conn.fileno(), readable)
        await self.stopped.wait()
        loop.remove_reader(self.conn.fileno())
        await asyncio.sleep(0.1)


def _worker_main(conn: Connection) -> None:
    _raise_file_limit()

    async def run() -> None:
        await Worker(conn).serve()

    asyncio.run(run())


class Clients:
    """The parent's side: ``processes`` client processes (spawned: a fresh interpreter
    each, whatever threads the parent runs)."""

    def __init__(self, processes: int = 2, worker_main: Any = None) -> None:
        """``worker_main(conn)`` runs in each process (default: a plain ``Worker``)."""
        ctx = multiprocessing.get_context("spawn")
        self.conns: list[Connection] = []
        self.procs: list[Any] = []
        self.ticket = 0
        self.waiting: dict[int, Any] = {}
        for _ in range(processes):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=worker_main or _worker_main, args=(child,), daemon=True)
            proc.start()
            child.close()
            self.conns.append(parent)
            self.procs.append(proc)

    def setup(self, port: int, phones: int) -> None:
        """Shares ``phones`` new phones for the server on ``port`` between the processes."""
        share = -(-phones // len(self.conns))
        tickets = []
        for k, conn in enumerate(self.conns):
            first = k * share
            count = max(0, min(phones, first + share) - first)
            self.ticket += 1
            conn.send(
                (
                    self.ticket,
                    "setup",
                    {"host": "127.0.0.1", "port": port, "first": first, "count": count},
                )
            )
            tickets.append((k, self.ticket))
        self.collect(tickets)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def send(self, name: str, **kwargs: Any) -> list[tuple[int, int]]:
        """Asks every process; returns the tickets to ``collect``."""
        tickets = []
        for k, conn in enumerate(self.conns):
            self.ticket += 1
            conn.send((self.ticket, name, kwargs))
            tickets.append((k, self.ticket))
        return tickets

    def collect(self, tickets: list[tuple[int, int]], timeout: float = 600.0) -> list[Any]:
        """Every process's answer to ``tickets``, in process order."""
        answers = []
        for k, ticket in tickets:
            conn = self.conns[k]
            deadline = time.monotonic() + timeout
            while ticket not in self.waiting:
                if not conn.poll(max(0.0, deadline - time.monotonic())):
                    raise TimeoutError(f"client process {k} did not answer in {timeout} s")
                got, result = conn.recv()
                self.waiting[got] = result
            result = self.waiting.pop(ticket)
            if isinstance(result, dict) and "exception" in result:
                raise RuntimeError(f"client process {k}: {result['exception']}")
            answers.append(result)
        return answers

    def ask(self, name: str, *, wait: float = 600.0, **kwargs: Any) -> list[Any]:
        """Asks every process and waits (at most ``wait`` s) for every answer."""
        return self.collect(self.send(name, **kwargs), wait)

    def close(self) -> None:
        for conn in self.conns:
            try:
                conn.send((0, "stop", {}))
            except OSError:
                pass
        for proc in self.procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
                proc.join(5)
