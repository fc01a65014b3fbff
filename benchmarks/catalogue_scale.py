#!/usr/bin/env python3
"""Catalogue at community scale: a record page, a record with its whole lineage, a sync batch.

Builds a synthetic community (default: the size of a real one: 125,000 artists, 10,000
collaborations, 1,000,000 records, lineage up to 10 deep) straight into a catalogue
database with bulk inserts, starts a real ``liveshow catalogue serve`` on it, and measures
over HTTP (127.0.0.1):

- the record page (``GET /records/<id>``, HTML, with its lineage graph),
- a record with its whole lineage (``GET /api/v1/records/<id>?lineage=1``), and the lineage
  query alone in-process (no HTTP),
- a 1,000-item sync batch (``POST /api/v1/contributions``: texts and takes, each take made
  from earlier records by catalogue id and by origin).

Usage::

    python benchmarks/catalogue_scale.py [--scale 1.0] [--samples 300] [--batches 10]

``--scale 0.1`` builds a tenth of the community (quicker). Results are appended to
benchmarks/results/catalogue_scale.md with the machine they ran on.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from liveshow.catalogue.batches import KNOWN_ROLES  # noqa: E402
from liveshow.catalogue.db import CatalogueDB  # noqa: E402
from liveshow.catalogue.reading import lineage  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "catalogue_scale.md"
TOKEN = "bench-token"
KINDS = ("text", "picture", "drawing", "sound", "video", "take")
ROLES = KNOWN_ROLES
MAX_DEPTH = 10
NOW = "2026-11-25T12:00:00+00:00"


def fake_sha(i: int) -> str:
    return hashlib.sha256(i.to_bytes(8, "little")).hexdigest()


def record_rows(
    n_records: int, n_collabs: int, rng: random.Random, depth: list[int]
) -> Iterator[tuple[Any, ...]]:
    per = max(1, n_records // n_collabs)
    for rid in range(1, n_records + 1):
        kind = KINDS[rid % len(KINDS)]
        media = fake_sha(rid) if kind != "text" else None
        yield (
            rid,
            min(n_collabs, (rid - 1) // per + 1),
            f"Record {rid}",
            kind,
            "A tiny story." if kind == "text" else None,
            media,
            NOW,
        )


def lineage_rows(
    n_records: int, n_collabs: int, rng: random.Random, depth: list[int]
) -> Iterator[tuple[int, int, str, float | None, float | None]]:
    """Parents among earlier records of the same collaboration, never deeper than 10."""
    per = max(1, n_records // n_collabs)
    for rid in range(1, n_records + 1):
        first = (rid - 1) // per * per + 1
        if rid == first or rng.random() < 0.25:
            continue  # an original
        best = 0
        for _ in range(rng.choice((1, 1, 2, 3))):
            # lean to the latest records, so chains grow long
            parent = max(first, rid - 1 - int(rng.expovariate(0.5)))
            if depth[parent] >= MAX_DEPTH:
                continue
            best = max(best, depth[parent] + 1)
            start = float(rng.randint(0, 20)) if rng.random() < 0.3 else None
            yield (
                rid,
                parent,
                "background" if start is not None else "source",
                start,
                None if start is None else start + 5.0,
            )
        depth[rid] = best


def credit_rows(n_records: int, n_artists: int, seed: int) -> Iterator[tuple[int, int, str]]:
    """The same rows on every call with the same seed (credits, then the matching consent)."""
    rng = random.Random(seed + 1)
    for rid in range(1, n_records + 1):
        for k in range(rng.choice((1, 1, 2, 3))):
            yield rid, rng.randint(1, n_artists), ROLES[(rid + k) % len(ROLES)]


def build(db_path: Path, scale: float, seed: int = 7) -> dict[str, Any]:
    n_artists, n_collabs = int(125_000 * scale), max(1, int(10_000 * scale))
    n_records = int(1_000_000 * scale)
    CatalogueDB(db_path).close()  # the schema, through the service's own migrations
    conn = sqlite3.connect(str(db_path), isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    rng = random.Random(seed)
    depth = [0] * (n_records + 1)
    t0 = time.monotonic()
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO collaborations (id, slug, title, description, created_at)"
        " VALUES (?, ?, ?, '', ?)",
        ((i, f"collab-{i}", f"Collaboration {i}", NOW) for i in range(1, n_collabs + 1)),
    )
    conn.executemany(
        "INSERT INTO artists (id, handle, name, created_at) VALUES (?, ?, ?, ?)",
        ((i, f"artist-{i}", f"Artist {i}", NOW) for i in range(1, n_artists + 1)),
    )
    conn.executemany(
        "INSERT INTO media (sha256, mime, bytes, duration) VALUES (?, ?, ?, ?)",
        (
            (fake_sha(i), "video/mp4", 1_000_000, 10.0)
            for i in range(1, n_records + 1)
            if KINDS[i % len(KINDS)] != "text"
        ),
    )
    conn.executemany(
        "INSERT INTO records (id, collaboration_id, title, kind, text,"
        " media_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        record_rows(n_records, n_collabs, rng, depth),
    )
    conn.executemany(
        'INSERT INTO lineage (child_id, parent_id, role, start, "end") VALUES (?, ?, ?, ?, ?)',
        lineage_rows(n_records, n_collabs, rng, depth),
    )
    conn.executemany(
        "INSERT OR IGNORE INTO credits (record_id, artist_id, role) VALUES (?, ?, ?)",
        credit_rows(n_records, n_artists, seed),
    )
    conn.executemany(
        "INSERT OR IGNORE INTO consents (record_id, artist_id, terms_version,"
        " accepted_at) VALUES (?, ?, 't1', ?)",
        ((rid, aid, NOW) for rid, aid, _ in credit_rows(n_records, n_artists, seed)),
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    counts = {
        t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("artists", "collaborations", "records", "lineage", "credits")
    }
    conn.close()
    deep = [i for i, d in enumerate(depth) if d == MAX_DEPTH]
    return {
        "seconds": time.monotonic() - t0,
        "counts": counts,
        "deep": deep,
        "max_depth": max(depth),
        "bytes": db_path.stat().st_size,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "liveshow",
            "catalogue",
            "serve",
            "--data",
            str(data),
            "--port",
            str(port),
            "--empty",
        ],
        cwd=ROOT,
        env={**os.environ, "LIVESHOW_CATALOGUE_TOKEN": TOKEN},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}/api/v1/records/1", timeout=5)
            return proc, url
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the catalogue did not start")


def timed(samples: int, call: Callable[[int], None]) -> list[float]:
    out = []
    for i in range(samples):
        t0 = time.perf_counter()
        call(i)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def summary(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"n": len(ms), "p50": statistics.median(ms), "p99": p99, "max": ordered[-1]}


def sync_batch(b: int, n_records: int, rng: random.Random, media: str) -> dict[str, Any]:
    """1,000 items: 800 texts, 200 takes made from two texts of this batch and an old record."""
    perf = f"bench-night-{b}"
    items: list[dict[str, Any]] = []
    for k in range(800):
        items.append(
            {
                "origin": {"performance": perf, "submission": f"s{k}", "prompt": "p1"},
                "collaboration": {"slug": f"night-{b}", "title": f"Night {b}"},
                "kind": "text",
                "title": f"Story {k}",
                "text": "A tiny story " * 5,
                "contributors": [{"handle": f"guest-{b}-{k}", "role": "audience contributor"}],
                "consent": [
                    {"artist": f"guest-{b}-{k}", "terms_version": "t1", "accepted_at": NOW}
                ],
            }
        )
    for k in range(200):
        parents = [
            {
                "origin": {"performance": perf, "submission": f"s{(k * 4 + j) % 800}"},
                "role": "background",
                "start": j * 2.0,
                "end": j * 2.0 + 2,
            }
            for j in range(2)
        ]
        parents.append({"record": rng.randint(1, n_records), "role": "source"})
        items.append(
            {
                "origin": {"performance": perf, "take": f"t{k}", "camera": "cam1"},
                "collaboration": f"night-{b}",
                "kind": "take",
                "title": f"Take {k}",
                "media": {"sha256": media, "mime": "video/mp4", "duration": 4.0},
                "contributors": [{"handle": "performer-1", "role": "performer"}],
                "parents": parents,
            }
        )
    return {"items": items}


def upload_media(url: str) -> str:
    data = b"bench take" * 1000
    digest = hashlib.sha256(data).hexdigest()
    requests.patch(
        f"{url}/api/v1/media/{digest}",
        data=data,
        timeout=30,
        headers={
            "Authorization": f"Bearer {TOKEN}",
            "Upload-Offset": "0",
            "Upload-Length": str(len(data)),
            "Content-Type": "application/offset+octet-stream",
        },
    )
    return digest


def measure(data: Path, built: dict[str, Any], samples: int, batches: int) -> dict[str, Any]:
    rng = random.Random(11)
    n_records = built["counts"]["records"]
    deep = built["deep"] or [n_records]
    ids = [rng.choice(deep) if i % 2 else rng.randint(1, n_records) for i in range(samples)]
    reader = sqlite3.connect(str(data / "catalogue.db"))
    out: dict[str, Any] = {
        "lineage query (in-process)": summary(timed(samples, lambda i: lineage(reader, ids[i])))
    }
    proc, url = start_server(data)
    try:
        with requests.Session() as http:
            out["record page (HTML)"] = summary(
                timed(
                    samples,
                    lambda i: http.get(f"{url}/records/{ids[i]}", timeout=30).raise_for_status(),
                )
            )
            out["record + whole lineage (JSON)"] = summary(
                timed(
                    samples,
                    lambda i: http.get(
                        f"{url}/api/v1/records/{ids[i]}", params={"lineage": "1"}, timeout=30
                    ).raise_for_status(),
                )
            )
            media = upload_media(url)
            bodies = [sync_batch(b, n_records, rng, media) for b in range(batches)]
            out["sync batch, 1,000 items (POST /contributions)"] = summary(
                timed(
                    batches,
                    lambda i: http.post(
                        f"{url}/api/v1/contributions",
                        json=bodies[i],
                        timeout=120,
                        headers={
                            "Authorization": f"Bearer {TOKEN}",
                            "Idempotency-Key": f"bench-{i}",
                        },
                    ).raise_for_status(),
                )
            )
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    return out


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{platform.node() or 'host'}, {os.cpu_count()} cores ({model or platform.machine()}),"
        f" load {load}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def write_results(
    args: argparse.Namespace, built: dict[str, Any], results: dict[str, Any], load_before: str
) -> str:
    c = built["counts"]
    lines = [
        f"## {time.strftime('%Y-%m-%d %H:%M')} — scale {args.scale:g}",
        "",
        f"Machine: {machine()} (load before the run: {load_before})",
        (
            f"Command: `python benchmarks/catalogue_scale.py --scale {args.scale:g}"
            f" --samples {args.samples} --batches {args.batches}`"
        ),
        (
            f"Community: {c['artists']:,} artists, {c['collaborations']:,} collaborations,"
            f" {c['records']:,} records, {c['lineage']:,} lineage edges (deepest chain"
            f" {built['max_depth']}), {c['credits']:,} credits; database"
            f" {built['bytes'] / 1e6:,.0f} MB, built in {built['seconds']:.0f} s."
        ),
        "Half the sampled records are at the end of a 10-deep chain, half are random.",
        "",
        "| what | samples | p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, s in results.items():
        lines.append(f"| {name} | {s['n']} | {s['p50']:.1f} | {s['p99']:.1f} | {s['max']:.1f} |")
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="1.0 = 125k artists, 10k collaborations, 1M records",
    )
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--data", type=Path, help="keep the built catalogue here")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    load_before = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="catalogue-bench-") as tmp:
        data = args.data or Path(tmp)
        data.mkdir(parents=True, exist_ok=True)
        print(f"building the community (scale {args.scale:g}) in {data} ...", flush=True)
        built = build(data / "catalogue.db", args.scale)
        print(json.dumps(built["counts"]), f"{built['seconds']:.0f} s", flush=True)
        results = measure(data, built, args.samples, args.batches)
    text = write_results(args, built, results, load_before)
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        if not RESULTS.exists():
            RESULTS.write_text(
                "# Catalogue at community scale\n\nWritten by "
                "`benchmarks/catalogue_scale.py`; newest last.\n\n"
            )
        with RESULTS.open("a") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
