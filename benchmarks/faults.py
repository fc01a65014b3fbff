"""Faults at full size (issue 12): N phones send acknowledged stories while the server is
killed with SIGKILL at a random moment, R rounds; then a run with 30% of acknowledgements
lost; then a reconnect storm. Correctness, not speed: every figure is a count.

    flock /tmp/rs/bench.lock .venv/bin/python benchmarks/faults.py   # 1,000 phones, 10 rounds
    .venv/bin/python benchmarks/faults.py --phones 100 --rounds 2 --lost-seconds 10  # a taste

The phones are benchmarks/loadgen's (raw Engine.IO/Socket.IO over a websocket, each from its
own 127/8 address, in client processes). Each joins, then sends a story every ``--every``
seconds (jittered), one at a time, each with its own client id (``s-<device>-<n>``), and
keeps every story it has no acknowledgement for; after a reconnect it sends those again
with the same id, as the phone app does from IndexedDB. The show is on a timed cue (a
one-hour text record, started after the text prompt opened), running when the kill comes.

A kill round: the phones send for a random 3-15 s (``--kill-after``), then the server's
whole process group gets SIGKILL; it is started again on the same data directory and port.
Then, before any phone resends: every story a phone had an acknowledgement for is stored
(0 lost), ``pragma integrity_check`` is ``ok``, the show is on the cue it was on and paused,
and its rev is past every rev a client had seen. The phones all reconnect at once (a storm
onto a restarted server: each must hold the server's current rev), resend what was never
acknowledged until it is, and then the stories table must hold every acknowledged id
exactly once and nothing else (no row twice under another id: every story's text is
unique). The crew resumes the cue and the next round starts.

Lost acknowledgements: the phones send for ``--lost-seconds`` while each acknowledgement is
thrown away with probability ``--lose`` (0.3) on arrival; the phone sends the same id again
until one arrives. Exactly once, and every repeat is answered like the first.

Reconnect storm: every phone drops at once, the crew GOes while they are away, and every
phone reconnects at once with its last rev: each must end on the server's current rev.

liveshow runs as at ``--server-commit`` (HEAD by default, exported from git, as the soak) or
the working tree (``--working-tree``). Results are appended to benchmarks/results/faults.md
with the machine, the date and the commit."""

from __future__ import annotations

import argparse
import os
import random
import shlex
import signal
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
import socketio
from loadgen import report
from loadgen.clients import JOIN_CODE, Clients, _raise_file_limit
from loadgen.session import flat, probe
from loadgen.stories import story_worker_main
from loadgen.targets import ROOT, Target, export_commit, free_port, resolve, start_liveshow

RESULTS = ROOT / "benchmarks" / "results" / "faults.md"
PROMPT, FILM, INTERVAL = "ask-story", "film", "interval"
SHOW = f"""\
title: Faults bench
cues:
  - {{id: {PROMPT}, kind: prompt, title: A story,
     prompt: {{kind: text, question: "A tiny story", max_length: 200}}}}
  - {{id: {FILM}, kind: record, title: The film, text: "An hour of film", duration: 3600}}
  - {{id: {INTERVAL}, kind: title, title: Interval}}
"""


class Stage:
    """The server under test: started, killed with SIGKILL and started again on the same
    data directory and port; its crew socket; its database, read as an auditor would."""

    def __init__(self, folder: Path, source: Path, phones: int) -> None:
        self.folder = folder
        self.source = source
        self.port = free_port()
        self.phones = phones
        self.target: Target | None = None
        self.crew: socketio.Client | None = None
        self.crew_rev = 0

    def start(self) -> float:
        """Starts ``liveshow serve``; the seconds until it answered /api/state."""
        began = time.monotonic()
        self.target = start_liveshow(
            self.folder,
            port=self.port,
            source=self.source,
            show=SHOW,
            LIVESHOW_JOIN_CODE=JOIN_CODE,
            LIVESHOW_MAX_CONNECTIONS=str(max(8000, self.phones + 500)),
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # listening is not yet serving: the show loads
            self.target.wait_listening()  # raises, with the log, if the server exited
            try:
                if requests.get(self.target.url + "/api/state", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise RuntimeError("liveshow did not answer in 120 s")
        took = time.monotonic() - began
        self.connect_crew()
        return took

    def connect_crew(self) -> None:
        assert self.target is not None
        crew = socketio.Client(reconnection=False)

        def heard(state: dict[str, Any]) -> None:
            self.crew_rev = max(self.crew_rev, int(state.get("rev") or 0))

        crew.on("state", heard, namespace="/crew")
        crew.connect(
            self.target.url,
            namespaces=["/crew"],
            transports=["websocket"],
            auth={"password": "bench"},
            wait_timeout=30,
        )
        self.crew = crew

    def command(self, event: str, data: Any = None) -> dict[str, Any]:
        assert self.crew is not None
        answer = self.crew.call(event, data or {}, namespace="/crew", timeout=60)
        if not (isinstance(answer, dict) and answer.get("ok")):
            raise RuntimeError(f"crew {event}: {answer}")
        return answer

    def kill(self) -> None:
        """SIGKILL to the server's whole process group: no goodbye, no flush."""
        assert self.target is not None
        os.killpg(self.target.proc.pid, signal.SIGKILL)
        self.target.proc.wait(30)
        if self.crew is not None:
            self.crew.disconnect()
            self.crew = None

    def stop(self) -> None:
        if self.crew is not None:
            self.crew.disconnect()
        if self.target is not None:
            self.target.stop()

    def state(self) -> dict[str, Any]:
        assert self.target is not None
        answer = requests.get(self.target.url + "/api/state", params={"key": "bench"}, timeout=30)
        return dict(answer.json())

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        db = sqlite3.connect(
            f"file:{self.folder / 'data' / 'show.db'}?mode=ro", uri=True, timeout=30
        )
        try:
            return list(db.execute(sql))
        finally:
            db.close()

    def stories(self) -> dict[str, Any]:
        """What the database holds: ids (with how often), and stories stored twice."""
        rows = self.rows(f"select id, text from submissions where prompt = '{PROMPT}'")
        ids = [r[0] for r in rows]
        texts = [r[1] for r in rows]
        return {
            "ids": set(ids),
            "rows": len(rows),
            "twice_by_id": len(ids) - len(set(ids)),
            "twice_by_text": len(texts) - len(set(texts)),
            "integrity": self.rows("pragma integrity_check")[0][0],
        }


def ledger(clients: Clients) -> dict[str, Any]:
    parts = clients.ask("ledger")
    out: dict[str, Any] = {
        k: sum(p[k] for p in parts) for k in parts[0] if k not in ("acked", "pending", "errors")
    }
    out["acked"] = set(flat([p["acked"] for p in parts]))
    out["pending"] = set(flat([p["pending"] for p in parts]))
    out["errors"] = flat([p["errors"] for p in parts])[:5]
    return out


def flush(clients: Clients, lose: float, seed: int, timeout: float) -> int:
    """Every phone resends what was never acknowledged until it is; what is left (0)."""
    return sum(clients.ask("flush", prompt=PROMPT, lose=lose, seed=seed, timeout=timeout))


def storm(stage: Stage, clients: Clients, timeout: float) -> dict[str, Any]:
    """Every phone not connected reconnects at once with its last rev: how many came back,
    how many hold the server's current rev, and how long until the last one did."""
    rev = int(stage.state()["rev"])
    since = time.monotonic()
    tickets = clients.send("wait_rev", rev=rev, since=since, timeout=timeout)
    again = clients.ask("connect", rate=100000.0, timeout=timeout)
    stamps = flat(clients.collect(tickets, timeout + 60))
    revs = flat(clients.ask("revs"))
    back = [s - since for s in stamps if s is not None]
    return {
        "rev": rev,
        "reconnected": sum(a["ok"] for a in again),
        "on_rev": sum(r == rev for r in revs),
        "past_rev": sum(r > rev for r in revs),
        "storm_s": max(back) if back else float("nan"),
        "errors": flat([a["errors"] for a in again])[:3],
    }


def check_stored(stage: Stage, book: dict[str, Any]) -> dict[str, Any]:
    """After a flush: every acknowledged id stored exactly once, and nothing else."""
    held = stage.stories()
    return {
        "acked_total": len(book["acked"]),
        "rows": held["rows"],
        "missing": len(book["acked"] - held["ids"]),
        "unknown": len(held["ids"] - book["acked"] - book["pending"]),
        "twice": held["twice_by_id"] + held["twice_by_text"],
        "still_pending": len(book["pending"]),
        "integrity": held["integrity"],
    }


def kill_round(stage: Stage, clients: Clients, args: argparse.Namespace, k: int) -> dict[str, Any]:
    rng = random.Random(args.seed * 1000 + k)
    state = stage.state()
    if state.get("paused"):
        stage.command("resume")
    clients.ask("stream", prompt=PROMPT, every=args.every, lose=0.0, seed=rng.randrange(1 << 30))
    wait = rng.uniform(*args.kill_after)
    before = len(ledger(clients)["acked"])
    time.sleep(wait)
    seen_rev = max(stage.crew_rev, max(c["rev"] for c in clients.ask("count")))
    stage.kill()
    in_flight = sum(clients.ask("halt"))
    clients.ask("drop")
    book = ledger(clients)
    restart_s = stage.start()
    held = stage.stories()
    state = stage.state()
    row: dict[str, Any] = {
        "round": k + 1,
        "killed_after_s": wait,
        "acked_this_round": len(book["acked"]) - before,
        "acked_before_kill": len(book["acked"]),
        "in_flight": in_flight,
        "lost": len(book["acked"] - held["ids"]),
        # committed, but the server died before the answer went out: resent, answered as a repeat
        "stored_unanswered": len(book["pending"] & held["ids"]),
        "integrity": held["integrity"],
        "cue": (state.get("cue") or {}).get("id"),
        "paused": state.get("paused"),
        "rev_seen": seen_rev,
        "rev_after": int(state["rev"]),
        "restart_s": restart_s,
    }
    row["storm"] = storm(stage, clients, args.timeout)
    started = time.monotonic()
    row["unsent_after_flush"] = flush(clients, 0.0, k, args.timeout)
    row["flush_s"] = time.monotonic() - started
    row["stored"] = check_stored(stage, ledger(clients))
    row["ok"] = (
        row["lost"] == 0
        and row["integrity"] == "ok"
        and row["cue"] == FILM
        and row["paused"] is True
        and row["rev_after"] > row["rev_seen"]
        and row["storm"]["on_rev"] == stage.phones
        and row["stored"]["missing"] == row["stored"]["unknown"] == row["stored"]["twice"] == 0
        and row["stored"]["still_pending"] == 0
    )
    print(
        f"  round {k + 1}: killed after {wait:.1f} s, {row['acked_this_round']} acked this "
        f"round, {in_flight} in flight ({row['stored_unanswered']} stored); "
        f"lost {row['lost']}, {row['integrity']}, "
        f"{row['cue']} paused={row['paused']}, rev {seen_rev}->{row['rev_after']}, "
        f"{row['storm']['on_rev']}/{stage.phones} on rev; stored {row['stored']} "
        f"{'OK' if row['ok'] else 'FAILED'}",
        flush=True,
    )
    return row


def lost_acks(stage: Stage, clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    if stage.state().get("paused"):
        stage.command("resume")
    before = ledger(clients)
    clients.ask("stream", prompt=PROMPT, every=args.every, lose=args.lose, seed=args.seed + 7)
    time.sleep(args.lost_seconds)
    clients.ask("halt")
    left = flush(clients, args.lose, args.seed + 8, args.timeout)
    after = ledger(clients)
    row = {
        "seconds": args.lost_seconds,
        "lose": args.lose,
        "stories": len(after["acked"]) - len(before["acked"]),
        "lost_acks": after["lost_acks"] - before["lost_acks"],
        "resends": after["resends"] - before["resends"],
        "mismatched": after["mismatched"] - before["mismatched"],
        "unsent": left,
        "stored": check_stored(stage, after),
    }
    s = row["stored"]
    row["ok"] = left == 0 and s["missing"] == s["unknown"] == s["twice"] == row["mismatched"] == 0
    print(f"  lost acknowledgements: {row}", flush=True)
    return row


def reconnect_storm(stage: Stage, clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    clients.ask("drop")
    stage.command("goto", {"cue": INTERVAL})  # the show moves on while every phone is away
    row = storm(stage, clients, args.timeout)
    row["ok"] = row["on_rev"] == row["reconnected"] == stage.phones
    print(f"  reconnect storm: {row}", flush=True)
    return row


def run(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    source = ROOT
    if not args.working_tree:
        args.server_commit = resolve(args.server_commit)
        source = export_commit(args.server_commit, tmp / "source")
    stage = Stage(tmp / "stage", source, args.phones)
    clients = Clients(args.processes, story_worker_main)
    head: dict[str, Any] = {"phones": args.phones, "rounds": [], "started": time.time()}
    try:
        stage.start()
        stage.command("goto", {"cue": PROMPT})
        stage.command("goto", {"cue": FILM})
        clients.setup(stage.port, args.phones)
        ramp = clients.ask("connect", rate=args.rate / args.processes, timeout=args.timeout)
        head["connected"] = sum(a["ok"] for a in ramp)
        joined = clients.ask("join", terms_version=terms_version(stage), timeout=args.timeout)
        head["joined"] = sum(j["ok"] for j in joined)
        print(f"  {head['connected']} connected, {head['joined']} joined", flush=True)
        for k in range(args.rounds):
            head["rounds"].append(kill_round(stage, clients, args, k))
        if args.lost_seconds > 0:
            head["lost_acks"] = lost_acks(stage, clients, args)
        head["storm"] = reconnect_storm(stage, clients, args)
    except Exception as exc:  # a run that breaks is a result too
        print(f"  the run failed: {exc!r}", flush=True)
        head["failed"] = repr(exc)[:300]
    finally:
        head["minutes"] = (time.time() - head["started"]) / 60
        try:
            book = ledger(clients)
            head["ledger"] = {k: v for k, v in book.items() if k not in ("acked", "pending")}
            head["ledger"]["stories"] = len(book["acked"])
        finally:
            clients.close()
            stage.stop()
    return head


def terms_version(stage: Stage) -> str:
    """The contribution terms' version, as the welcome tells a phone (the probe's sample)."""
    welcome = probe(stage.port).get("welcome") or {}
    return str((welcome.get("terms") or {}).get("version", ""))


def verdict(ok: bool) -> str:
    return "ok" if ok else "**FAILED**"


def write(head: dict[str, Any], load: str, args: argparse.Namespace) -> str:
    command = "python benchmarks/faults.py " + shlex.join(sys.argv[1:])
    rounds = head["rounds"]
    lines = [
        f"\n## {time.strftime('%Y-%m-%d %H:%M', time.localtime(head['started']))}: "
        f"{args.phones} phones, {len(rounds)} kill rounds, {head['minutes']:.1f} minutes",
        "",
        f"Machine: {report.machine()}",
        f"Server: {report.commit(None if args.working_tree else args.server_commit)} · "
        f"load average before: {load}",
        f"Command: `{command}`",
        f"Phones connected / joined: {head.get('connected', 0)} / {head.get('joined', 0)} of "
        f"{args.phones}; a story every {args.every:g} s per phone",
        "",
        "| round | killed after s | acked that round | in flight at the kill | of them stored | "
        "lost | integrity | cue, paused | rev seen -> after | restart s | phones on the rev | "
        "storm s | acked in all | rows | missing / unknown / twice | verdict |",
        "|---:|---:|---:|---:|---:|---:|---|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rounds:
        s, st = r["stored"], r["storm"]
        lines.append(
            f"| {r['round']} | {r['killed_after_s']:.1f} | {r['acked_this_round']} | "
            f"{r['in_flight']} | {r['stored_unanswered']} | {r['lost']} | {r['integrity']} | "
            f"{r['cue']}, "
            f"{'paused' if r['paused'] else 'RUNNING'} | {r['rev_seen']} -> {r['rev_after']} | "
            f"{r['restart_s']:.1f} | {st['on_rev']} / {args.phones} | {st['storm_s']:.1f} | "
            f"{s['acked_total']} | {s['rows']} | {s['missing']} / {s['unknown']} / "
            f"{s['twice']} | {verdict(r['ok'])} |"
        )
    if head.get("lost_acks"):
        a = head["lost_acks"]
        s = a["stored"]
        lines += [
            "",
            f"Lost acknowledgements ({a['lose']:.0%} thrown away on arrival, "
            f"{a['seconds']:g} s of stories): {a['stories']} stories, {a['lost_acks']} "
            f"acknowledgements lost, {a['resends']} resends of an id, {a['mismatched']} "
            f"repeats answered unlike the first; stored {s['rows']} rows for "
            f"{s['acked_total']} acknowledged ids: {s['missing']} missing, {s['unknown']} "
            f"unknown, {s['twice']} twice; integrity {s['integrity']}: {verdict(a['ok'])}",
        ]
    if head.get("storm"):
        st = head["storm"]
        lines += [
            "",
            f"Reconnect storm (every phone dropped at once, the crew GOes, every phone back "
            f"at once): {st['reconnected']} / {args.phones} reconnected, {st['on_rev']} on "
            f"the server's rev {st['rev']} ({st['past_rev']} past it), the last after "
            f"{st['storm_s']:.1f} s: {verdict(st['ok'])}",
        ]
    book = head.get("ledger") or {}
    if book:
        lines += [
            "",
            f"Over the run: {book.get('stories', 0)} stories acknowledged, {book.get('sends', 0)} "
            f"sends, {book.get('resends', 0)} resends, {book.get('retry', 0)} refusals saying "
            f"retry (rate limit), phone errors: {book.get('errors') or 'none'}",
        ]
    if head.get("failed"):
        lines += ["", f"**The run failed**: {head['failed']}"]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_results:
        header = (
            "# Faults: results\n\nbenchmarks/faults.py: loadgen phones send "
            "acknowledged stories while `liveshow serve` is killed with SIGKILL, "
            "acknowledgements are lost, and every phone reconnects at once. Counts, "
            "not speed. See RELIABILITY.md, 'Faults'.\n"
        )
        report.append(text, args.results, header)
    return text


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="faults.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--phones", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=10, help="SIGKILL rounds")
    p.add_argument("--every", type=float, default=10.0, help="seconds between a phone's stories")
    p.add_argument(
        "--kill-after",
        type=float,
        nargs=2,
        default=(3.0, 15.0),
        metavar=("MIN", "MAX"),
        help="the kill comes a random MIN..MAX seconds into a round",
    )
    p.add_argument("--lose", type=float, default=0.3, help="share of acknowledgements lost")
    p.add_argument(
        "--lost-seconds",
        type=float,
        default=30.0,
        help="seconds of stories with lost acks (0: skip)",
    )
    p.add_argument("--processes", type=int, default=2, help="client processes")
    p.add_argument("--rate", type=float, default=500.0, help="new phones a second at the start")
    p.add_argument("--timeout", type=float, default=120.0, help="per storm / flush, seconds")
    p.add_argument("--seed", type=int, default=12)
    p.add_argument(
        "--server-commit",
        default="HEAD",
        help="run liveshow as at this commit, exported from git; pinned when the run starts",
    )
    p.add_argument("--working-tree", action="store_true", help="run the working tree instead")
    p.add_argument("--results", type=Path, default=RESULTS)
    p.add_argument("--no-results", action="store_true", help="print only")
    return p


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parser().parse_args(argv)
    _raise_file_limit()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server on the way out
    load = report.load_average()
    with tempfile.TemporaryDirectory(prefix="faults-") as tmp:
        head = run(args, Path(tmp))
    write(head, load, args)
    failed = head.get("failed") or not all(r["ok"] for r in head["rounds"])
    failed = failed or not (head.get("storm") or {}).get("ok")
    failed = failed or (args.lost_seconds > 0 and not (head.get("lost_acks") or {}).get("ok"))
    if failed:
        sys.exit(1)
    return head


if __name__ == "__main__":
    main()
