"""A soak (issue 12): N phones held on one ``liveshow serve`` for a long time, with a GO every
minute, a vote round every five minutes and steady text submissions (tiny stories, a few a
second over all the phones). What a long night does that a short benchmark cannot see:
phones the server drops, GOs that miss a phone, submissions acknowledged but not stored,
memory that only grows.

    flock /tmp/rs/bench.lock .venv/bin/python benchmarks/soak.py --phones 5000 --minutes 30
    # issue 12's hour:           ... benchmarks/soak.py --phones 1000 --minutes 60

The phones are benchmarks/loadgen's (raw Engine.IO/Socket.IO over a websocket, each from its
own 127/8 address, in client processes); CPU and RSS are the server's whole process group
from /proc (``loadgen.procstat``). Every 30 s the RSS and the CPU of the last 30 s are
sampled. A window holding no GO or vote (the second half of every minute) is an idle window:
its CPU is the idle CPU. RSS growth is the last sample minus the first one taken after every
phone joined and the first vote round was done (the first round's rows and buffers are a
one-off, not a leak). A phone the server drops stays dropped (loadgen phones do not
reconnect), so "unexpected disconnects" counts every phone lost over the run.

liveshow runs as at ``--server-commit`` (HEAD by default, pinned when the run starts and
exported from git, as loadgen's ``--server-commit``): on a shared checkout, others'
half-done edits must not be what a half-hour run measures; ``--working-tree`` runs the
checkout as it is.

The stories: from the first GO (to the story prompt, which each vote round closes and the
next GO reopens) to the end, the phones, in turn, send ``--submit-rate`` stories a second in
all, each with its own id, and keep every acknowledgement. At the end the acknowledged ids
are checked against the rows in the server's database: "lost" is an id acknowledged ok with
no row, "duplicated" a story stored in more than one row.

Each vote round uses new submission ids (a repeated id would only be answered as a repeat),
so the phones' worker here adds one command to loadgen's; everything else is loadgen's own.
Results are appended to benchmarks/results/soak.md."""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sqlite3
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import socketio
from loadgen import report
from loadgen.clients import Clients, Worker, _raise_file_limit
from loadgen.phones import Phone
from loadgen.session import Session, flat, pct, start_target
from loadgen.targets import ROOT, SHOW, VOTE_OPTIONS, export_commit, resolve

RESULTS = ROOT / "benchmarks" / "results" / "soak.md"
MB = 1024 * 1024
SAMPLE_S = 30.0  # one RSS/CPU sample every 30 s; a GO on every second one
STORY = "ask-story"
SOAK_SHOW = SHOW + (
    f"  - {{id: {STORY}, kind: prompt, title: A story, "
    "prompt: {kind: text, question: A tiny story}}\n"
)


class SoakWorker(Worker):
    """loadgen's phone worker, plus a vote round whose submission ids are new each round,
    steady stories, and the errors of the phones that lost their connection."""

    stories: asyncio.Task[None] | None = None
    sent: list[asyncio.Task[tuple[str, bool, str | None]]]

    async def cmd_stories(self, prompt: str, rate: float, timeout: float) -> int:
        """Starts sending ``rate`` stories a second, from the joined phones in turn."""
        self.sent = []
        self.stories = asyncio.get_running_loop().create_task(self._stories(prompt, rate, timeout))
        return 0

    async def _stories(self, prompt: str, rate: float, timeout: float) -> None:
        async def one(phone: Phone, sub_id: str) -> tuple[str, bool, str | None]:
            data = {"id": sub_id, "prompt": prompt, "kind": "text", "text": f"Story {sub_id}"}
            try:
                ack = await phone.call("submit", data, timeout)
            except TimeoutError:
                return sub_id, False, "no acknowledgement"
            ok = isinstance(ack, dict) and bool(ack.get("ok"))
            return sub_id, ok, None if ok else str(ack)[:120]

        start, k = time.monotonic(), 0
        while True:
            await asyncio.sleep(max(0.0, start + k / rate - time.monotonic()))
            phones = [p for p in self.fleet.phones if p.connected and p.token]
            if phones:
                phone = phones[k % len(phones)]
                sub_id = f"story-{k}-{phone.device}"
                self.sent.append(asyncio.get_running_loop().create_task(one(phone, sub_id)))
            k += 1

    async def cmd_stories_end(self) -> list[tuple[str, bool, str | None]]:
        """Stops sending; every story sent, once its acknowledgement came (or timed out)."""
        if self.stories is not None:
            self.stories.cancel()
        return list(await asyncio.gather(*getattr(self, "sent", [])))

    async def cmd_vote_round(
        self, prompt: str, options: list[str], round_no: int, timeout: float
    ) -> list[tuple]:
        async def one(phone: Phone) -> tuple:
            data = {
                "id": f"vote-{round_no}-{phone.device}",
                "prompt": prompt,
                "kind": "vote",
                "option": options[(phone.index + round_no) % len(options)],
            }
            sent = time.monotonic()
            try:
                ack = await phone.call("submit", data, timeout)
            except TimeoutError:
                return sent, None, False, "no acknowledgement"
            ok = isinstance(ack, dict) and bool(ack.get("ok"))
            return sent, time.monotonic(), ok, None if ok else str(ack)[:120]

        return await asyncio.gather(*(one(p) for p in self.fleet.phones if p.connected))

    async def cmd_lost(self) -> list[str]:
        """Why each phone that is not connected lost its connection (its last error)."""
        return [f"{p.index}: {p.error or 'closed'}" for p in self.fleet.phones if not p.connected]


def _soak_worker_main(conn: Connection) -> None:
    _raise_file_limit()

    async def run() -> None:
        await SoakWorker(conn).serve()

    asyncio.run(run())


class SoakClients(Clients):
    """loadgen's ``Clients``, with ``SoakWorker`` in each process."""

    def __init__(self, processes: int = 2) -> None:
        super().__init__(processes, _soak_worker_main)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="soak.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--phones", type=int, default=5000)
    p.add_argument("--minutes", type=float, default=30.0, help="length of the soak")
    p.add_argument("--go-every", type=float, default=60.0, help="seconds between GOs")
    p.add_argument("--vote-every", type=int, default=5, help="a vote round every N GOs")
    p.add_argument("--processes", type=int, default=2, help="client processes")
    p.add_argument("--rate", type=float, default=500.0, help="new phones a second")
    p.add_argument("--timeout", type=float, default=60.0, help="per GO / vote round, seconds")
    p.add_argument("--join-rate", type=float, default=100.0, help="phones joining a second")
    p.add_argument(
        "--submit-rate", type=float, default=3.0, help="stories a second, over all phones"
    )
    p.add_argument(
        "--max-connections",
        type=int,
        default=None,
        help="LIVESHOW_MAX_CONNECTIONS (8,000 or phones+500)",
    )
    p.add_argument(
        "--server-commit",
        default="HEAD",
        help="run liveshow as at this commit, exported from git (others' uncommitted edits "
        "are not soaked); pinned when the run starts",
    )
    p.add_argument("--working-tree", action="store_true", help="run the working tree instead")
    p.add_argument("--results", type=Path, default=RESULTS)
    p.add_argument("--no-results", action="store_true", help="print only")
    return p


class Soak:
    """The run: a server, its phones, the schedule and what was seen."""

    def __init__(self, session: Session, args: argparse.Namespace, terms: str) -> None:
        self.session = session
        self.args = args
        self.terms = terms
        self.group = session.target.group
        self.samples: list[dict[str, Any]] = []
        self.gos: list[dict[str, Any]] = []
        self.rounds: list[dict[str, Any]] = []
        self.activity = False  # a GO or vote in the current window
        self.crew_drops = 0
        self.cpu0 = self.group.cpu_seconds()
        self.t0 = time.monotonic()
        self.started = self.t0

    def sample(self, label: str = "") -> dict[str, Any]:
        cpu, now = self.group.cpu_seconds(), time.monotonic()
        row = {
            "t": now - self.started,
            "rss_mb": self.group.rss_bytes() / MB,
            "cpu_ms_per_s": (cpu - self.cpu0) * 1000 / max(1e-9, now - self.t0),
            "idle": not self.activity,
            "connected": self.session.connected(),
            "label": label,
        }
        self.cpu0, self.t0, self.activity = cpu, now, False
        self.samples.append(row)
        print(
            f"  {row['t'] / 60:5.1f} min  RSS {row['rss_mb']:6.0f} MB  "
            f"CPU {row['cpu_ms_per_s']:6.1f} ms/s  connected {row['connected']}  "
            f"{'idle' if row['idle'] else 'GO/vote'} {label}",
            flush=True,
        )
        return row

    def crew_back(self) -> None:
        """The crew's socket, reconnected if the server dropped it (each drop counted: the
        crew must never be starved by the audience)."""
        if self.session.crew.connected and "/crew" in self.session.crew.namespaces:
            return
        self.crew_drops += 1
        print(f"    the crew's socket was dropped ({self.crew_drops})", flush=True)
        crew = socketio.Client(reconnection=False)
        crew.connect(
            self.session.target.url,
            namespaces=["/crew"],
            transports=["websocket"],
            auth={"password": "bench"},
            wait_timeout=30,
        )
        self.session.crew = crew

    def go(self) -> None:
        self.crew_back()
        self.activity = True
        cue = "b" if self.session.cue == "a" else "a"
        self.go_to(cue)

    def go_to(self, cue: str) -> None:
        result = self.session.go(cue, self.args.timeout)
        self.gos.append(result)
        if result["received"] < result["phones"] or not result["ok"]:
            print(f"    GO to {cue}: {result['received']}/{result['phones']}", flush=True)

    def vote_round(self) -> None:
        """The poll opens (a GO), every phone votes at once with new ids; then a GO back to
        the story prompt (the vote closed it; stories sent meanwhile are in its grace)."""
        self.crew_back()
        self.activity = True
        self.gos.append(self.session.go("ask-vote", self.args.timeout))
        started = time.monotonic()
        answers = flat(
            self.session.clients.ask(
                "vote_round",
                prompt="ask-vote",
                options=VOTE_OPTIONS,
                round_no=len(self.rounds) + 1,
                timeout=self.args.timeout,
                wait=self.args.timeout + 120,
            )
        )
        acked = [a[1] - a[0] for a in answers if a[1] is not None]
        row = {
            "votes": len(answers),
            "ok": sum(a[2] for a in answers),
            "storm_s": time.monotonic() - started,
            "ack_p99": pct(acked, 0.99),
            "errors": sorted({a[3] for a in answers if a[3]})[:3],
        }
        self.rounds.append(row)
        print(
            f"    vote round {len(self.rounds)}: {row['ok']}/{row['votes']} ok in "
            f"{row['storm_s']:.1f} s",
            flush=True,
        )
        self.go_to(STORY)

    def run(self) -> None:
        """Samples every 30 s; on every other one a GO (every ``vote_every``-th of them a vote
        round instead), to the minute from the start."""
        per_go = max(1, round(self.args.go_every / SAMPLE_S))
        windows = max(1, round(self.args.minutes * 60 / SAMPLE_S))
        self.started = time.monotonic()
        self.cpu0, self.t0 = self.group.cpu_seconds(), self.started
        self.go_to(STORY)
        self.session.clients.ask(
            "stories",
            prompt=STORY,
            rate=self.args.submit_rate / len(self.session.clients.conns),
            timeout=self.args.timeout,
        )
        self.vote_round()  # the first round, before the baseline sample
        self.sample("after the first vote round (baseline)")
        for k in range(windows):
            due = self.started + (k + 1) * SAMPLE_S
            time.sleep(max(0.0, due - time.monotonic()))
            if k + 1 == windows:
                self.sample("end")
                break
            self.sample()
            if (k + 1) % per_go == 0:
                if ((k + 1) // per_go) % self.args.vote_every == 0:
                    self.vote_round()
                else:
                    self.go()

    def figures(self) -> dict[str, Any]:
        if not self.samples:
            return {"gos": len(self.gos), "crew_drops": self.crew_drops}
        base, end = self.samples[0], self.samples[-1]
        idle = [s["cpu_ms_per_s"] for s in self.samples[1:] if s["idle"]]
        busy = [s["cpu_ms_per_s"] for s in self.samples[1:] if not s["idle"]]
        return {
            "gos": len(self.gos),
            "gos_all": sum(g["ok"] and g["received"] == g["phones"] for g in self.gos),
            "go_last_p50": pct([g["last"] for g in self.gos if g["received"]], 0.5),
            "go_last_p99": pct([g["last"] for g in self.gos if g["received"]], 0.99),
            "go_last_max": max((g["last"] for g in self.gos if g["received"]), default=0.0),
            "rounds": len(self.rounds),
            "votes": sum(r["votes"] for r in self.rounds),
            "votes_ok": sum(r["ok"] for r in self.rounds),
            "vote_storm_max": max((r["storm_s"] for r in self.rounds), default=0.0),
            "vote_errors": sorted({e for r in self.rounds for e in r["errors"]})[:3],
            "rss_base": base["rss_mb"],
            "rss_end": end["rss_mb"],
            "rss_max": max(s["rss_mb"] for s in self.samples),
            "idle_ms": statistics.median(idle) if idle else float("nan"),
            "busy_ms": statistics.median(busy) if busy else float("nan"),
            "rss_per_hour": (end["rss_mb"] - base["rss_mb"])
            * 3600
            / max(1.0, end["t"] - base["t"]),
            "connected_end": end["connected"],
            "crew_drops": self.crew_drops,
            "minutes": (time.monotonic() - self.started) / 60,
        }


def stories_kept(clients: SoakClients, database: Path) -> dict[str, Any]:
    """Every story's acknowledgement against the rows in the server's database."""
    sent = flat(clients.ask("stories_end"))
    acked = {s[0] for s in sent if s[1]}
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        rows = conn.execute("select id, text from submissions where prompt = ?", [STORY])
        stored = {sub_id: text for sub_id, text in rows}
    texts = list(stored.values())
    return {
        "stories_sent": len(sent),
        "stories_acked": len(acked),
        "stories_stored": len(stored),
        "stories_lost": len(acked - stored.keys()),
        "stories_duplicated": len(texts) - len(set(texts)),
        "stories_stored_unacked": len(stored.keys() - acked),
        "story_errors": sorted({s[2] for s in sent if s[2]})[:3],
    }


def soak(args: argparse.Namespace, tmp: Path) -> tuple[dict[str, Any], Soak | None]:
    cap = args.max_connections or max(8000, args.phones + 500)  # loadgen starts at 8,000
    env = {"LIVESHOW_MAX_CONNECTIONS": str(cap)}
    source = ROOT
    if not args.working_tree:
        args.server_commit = resolve(args.server_commit)
        source = export_commit(args.server_commit, tmp / "source")
    target, sample = start_target("liveshow", tmp / "soak", None, env, source, SOAK_SHOW)
    clients = SoakClients(args.processes)
    session = None
    head: dict[str, Any] = {"phones": args.phones}
    try:
        session = Session(target, args.phones, clients)
        head["rss_empty"] = target.group.rss_bytes() / MB
        ramp = session.connect(args.rate, timeout=max(120.0, 2 * args.phones / args.rate))
        head.update(connected=ramp["ok"], failed=ramp["tried"] - ramp["ok"], ramp_s=ramp["wall"])
        head["connect_errors"] = ramp["errors"]
        print(f"  {ramp['ok']}/{args.phones} phones in {ramp['wall']:.1f} s", flush=True)
        terms = ((sample.get("welcome") or {}).get("terms") or {}).get("version", "")
        started = time.monotonic()
        # paced: 5,000 joins at once stalled the server (see soak.md)
        joined = clients.ask(
            "join",
            terms_version=terms,
            rate=args.join_rate / len(clients.conns),
            timeout=max(120.0, args.timeout),
        )
        head["joined"] = sum(a["ok"] for a in joined)
        head["join_errors"] = flat([a["errors"] for a in joined])[:3]
        head["join_s"] = time.monotonic() - started
        print(f"  {head['joined']} joined in {head['join_s']:.1f} s", flush=True)
        head["rss_joined"] = target.group.rss_bytes() / MB
        run = Soak(session, args, terms)
        try:
            run.run()
        except KeyboardInterrupt:
            print("  interrupted: reporting what was seen", flush=True)
        except Exception as exc:  # a server that falls over is a result too
            print(f"  the run failed: {exc!r}", flush=True)
            head["failed"] = repr(exc)[:300]
        head.update(run.figures())
        head.update(stories_kept(clients, target.log.parent / "data" / "show.db"))
        head["lost"] = flat(clients.ask("lost"))
        head["server_alive"] = target.proc.poll() is None
        return head, run
    finally:
        try:
            if session is not None:
                session.close()
        finally:
            clients.close()
            target.stop()


def write(head: dict[str, Any], run: Soak | None, load: str, args: argparse.Namespace) -> str:
    command = "python benchmarks/soak.py " + shlex.join(sys.argv[1:])
    f = head
    lost = head.get("lost", [])
    lines = [
        f"\n## {time.strftime('%Y-%m-%d %H:%M')}: {f['phones']} phones, "
        f"{f.get('minutes', 0):.1f} minutes",
        "",
        f"Machine: {report.machine()}",
        f"Server: {report.commit(None if args.working_tree else args.server_commit)} · "
        f"load average before: {load}",
        f"Command: `{command}`",
        "",
        "| figure | value |",
        "|---|---:|",
        f"| phones connected / asked | {f.get('connected', 0)} / {f['phones']} |",
        f"| failed connects | {f.get('failed', '-')} |",
        f"| joined | {f.get('joined', '-')} (in {f.get('join_s', 0):.1f} s) |",
        f"| unexpected disconnects (phones the server dropped) | {len(lost)} |",
        f"| still connected at the end | {f.get('connected_end', '-')} |",
        f"| GOs that reached every phone | {f.get('gos_all', 0)} / {f.get('gos', 0)} |",
        f"| last phone per GO, p50 / p99 / max ms | {report.cell(f.get('go_last_p50'), 'ms')}"
        f" / {report.cell(f.get('go_last_p99'), 'ms')}"
        f" / {report.cell(f.get('go_last_max'), 'ms')} |",
        f"| vote rounds; votes acknowledged ok | {f.get('rounds', 0)}; "
        f"{f.get('votes_ok', 0)} / {f.get('votes', 0)} |",
        f"| slowest vote round s | {f.get('vote_storm_max', 0):.1f} |",
        f"| stories sent / acknowledged ok / stored | {f.get('stories_sent', '-')} / "
        f"{f.get('stories_acked', '-')} / {f.get('stories_stored', '-')} |",
        f"| stories lost (acknowledged, no row) / duplicated | {f.get('stories_lost', '-')}"
        f" / {f.get('stories_duplicated', '-')} |",
        f"| stories stored without an ok acknowledgement | "
        f"{f.get('stories_stored_unacked', '-')} |",
        f"| RSS empty / all joined MB | {f.get('rss_empty', 0):.0f} / "
        f"{f.get('rss_joined', 0):.0f} |",
        f"| RSS baseline (after the first vote round) -> end MB | {f.get('rss_base', 0):.0f} -> "
        f"{f.get('rss_end', 0):.0f} ({f.get('rss_end', 0) - f.get('rss_base', 0):+.1f}; "
        f"{f.get('rss_per_hour', 0):+.1f} an hour) |",
        f"| RSS max MB | {f.get('rss_max', 0):.0f} |",
        f"| idle CPU, median of 30 s windows with no GO or vote (stories still coming) "
        f"ms/s | {f.get('idle_ms', float('nan')):.1f} |",
        f"| CPU in windows with a GO or vote, median ms/s | {f.get('busy_ms', float('nan')):.1f} |",
        f"| the crew's socket dropped by the server | {f.get('crew_drops', '-')} |",
        f"| server still running | {'yes' if f.get('server_alive') else 'NO'} |",
        *([f"| **the run failed** | {f['failed']} |"] if f.get("failed") else []),
    ]
    problems = ("connect_errors", "join_errors", "vote_errors", "story_errors")
    if any(f.get(k) for k in problems) or lost:
        lines += [
            "",
            f"Problems: connect {f.get('connect_errors')}, joins {f.get('join_errors')}, "
            f"votes {f.get('vote_errors')}, stories {f.get('story_errors')}",
        ]
        lines += [f", dropped phones (first 5): {lost[:5]}"]
    if run is not None:
        lines += [
            "",
            "<details><summary>every 30 s sample</summary>",
            "",
            "| min | RSS MB | CPU ms/s | connected | window |",
            "|---:|---:|---:|---:|---|",
        ]
        for s in run.samples:
            what = "idle" if s["idle"] else "GO/vote"
            lines.append(
                f"| {s['t'] / 60:.1f} | {s['rss_mb']:.1f} | {s['cpu_ms_per_s']:.1f} | "
                f"{s['connected']} | {what} {s['label']} |"
            )
        lines += ["", "</details>"]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_results:
        header = (
            "# Soak: results\n\nbenchmarks/soak.py: loadgen phones held on one "
            "`liveshow serve` with a GO a minute, a vote round every five and steady stories; "
            "the server's process group from /proc. See BENCHMARKS.md.\n"
        )
        report.append(text, args.results, header)
    return text


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parser().parse_args(argv)
    _raise_file_limit()
    load = report.load_average()
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        head, run = soak(args, Path(tmp))
    write(head, run, load, args)
    return head


if __name__ == "__main__":
    main()
