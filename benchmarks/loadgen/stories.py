"""Phones that write stories (issue 12's fault runs, benchmarks/faults.py): each sends a
story every few seconds, one at a time, each with its own client id, and keeps every story it
has no acknowledgement for; those go again, with the same id, before any new one (after a
reconnect too), as the phone app does from IndexedDB. An acknowledgement can be thrown away
on arrival (``lose``) to play a lost answer. Each phone keeps a ``Book`` of what it sent and
was told, which the parent compares with the server's database."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from .clients import Worker, _raise_file_limit
from .phones import Phone


@dataclass
class Book:
    """One phone's stories: what it still has to get acknowledged, and what it was told."""

    device: str
    made: int = 0
    pending: dict[str, str] = field(default_factory=dict)  # id -> text, not acknowledged
    acked: dict[str, str] = field(default_factory=dict)  # id -> status it was told
    first: dict[str, str] = field(default_factory=dict)  # id -> first answer (even a lost one)
    sent: set[str] = field(default_factory=set)
    sends: int = 0
    resends: int = 0
    lost_acks: int = 0
    mismatched: int = 0  # a repeat answered unlike the first answer
    retry: int = 0  # refusals that said "retry" (rate limit, not joined yet)
    errors: list[str] = field(default_factory=list)

    def story(self) -> tuple[str, str]:
        if not self.pending:
            self.made += 1
            sub = f"s-{self.device[-8:]}-{self.made}"
            self.pending[sub] = f"story {self.made} from {self.device}"
        return next(iter(self.pending.items()))


class StoryWorker(Worker):
    """loadgen's phone worker, plus phones that send stories steadily and keep a book."""

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)
        self.books: dict[int, Book] = {}
        self.streams: list[asyncio.Task[None]] = []
        self.streaming = 0  # the streams' generation: a halt starts a new one

    def book(self, phone: Phone) -> Book:
        return self.books.setdefault(phone.index, Book(phone.device))

    async def send_one(self, phone: Phone, prompt: str, lose: float, rng: random.Random) -> None:
        """One attempt at the phone's oldest story not acknowledged (a new one if none)."""
        book = self.book(phone)
        sub, text = book.story()
        if not phone.connected:
            await asyncio.sleep(0.5)
            return
        book.sends += 1
        book.resends += sub in book.sent
        book.sent.add(sub)
        data = {"id": sub, "prompt": prompt, "kind": "text", "text": text}
        try:
            ack = await phone.call("submit", data, timeout=20)
        except TimeoutError:
            return
        if isinstance(ack, dict) and ack.get("ok"):
            status = str(ack.get("status"))
            book.mismatched += book.first.setdefault(sub, status) != status
            if lose and rng.random() < lose:
                book.lost_acks += 1  # lost on the way: the phone never saw it
                return
            book.acked[sub] = status
            book.pending.pop(sub, None)
        elif isinstance(ack, dict) and ack.get("retry"):
            book.retry += 1
            await asyncio.sleep(rng.uniform(0.3, 1.0))
        else:
            book.errors.append(f"{sub}: {str(ack)[:120]}")
            await asyncio.sleep(1.0)

    async def cmd_stream(self, prompt: str, every: float, lose: float, seed: int) -> int:
        """Every joined phone sends a story every ``every`` s (+-20%) until ``halt``;
        one not acknowledged is sent again (same id) before any new one."""
        await self.cmd_halt()
        generation = self.streaming
        rng = random.Random(seed)

        async def run(phone: Phone) -> None:
            await asyncio.sleep(rng.uniform(0, every))
            while self.streaming == generation:
                await self.send_one(phone, prompt, lose, rng)
                gap = rng.uniform(0.2, 0.6) if self.book(phone).pending else every
                await asyncio.sleep(gap * rng.uniform(0.8, 1.2))

        phones = [p for p in self.fleet.phones if p.token]
        self.streams = [asyncio.create_task(run(p)) for p in phones]
        return len(phones)

    async def cmd_halt(self) -> int:
        """Stops the streams; a story in flight stays pending (its answer never came)."""
        self.streaming += 1  # a task whose cancel asyncio.wait_for swallowed stops too
        while self.streams:
            for task in self.streams:
                task.cancel()
            await asyncio.wait(self.streams, timeout=1.0)
            self.streams = [t for t in self.streams if not t.done()]
        return sum(len(b.pending) for b in self.books.values())

    async def cmd_flush(self, prompt: str, lose: float, seed: int, timeout: float) -> int:
        """Every phone sends what it has no acknowledgement for until it has one; the
        stories still pending after ``timeout`` (0 is the only good answer)."""
        rng = random.Random(seed)
        deadline = time.monotonic() + timeout

        async def run(phone: Phone) -> None:
            while self.book(phone).pending and time.monotonic() < deadline:
                await self.send_one(phone, prompt, lose, rng)

        await asyncio.gather(*(run(p) for p in self.fleet.phones if self.book(p).pending))
        return sum(len(b.pending) for b in self.books.values())

    async def cmd_ledger(self) -> dict[str, Any]:
        books = self.books.values()
        return {
            "acked": [s for b in books for s in b.acked],
            "pending": [s for b in books for s in b.pending],
            **{
                k: sum(getattr(b, k) for b in books)
                for k in ("sends", "resends", "lost_acks", "mismatched", "retry")
            },
            "errors": [e for b in books for e in b.errors][:5],
        }

    async def cmd_revs(self) -> list[int]:
        return [p.rev for p in self.fleet.phones if p.connected]


def story_worker_main(conn: Connection) -> None:
    _raise_file_limit()

    async def run() -> None:
        await StoryWorker(conn).serve()

    asyncio.run(run())
