#!/usr/bin/env python3
"""How fast a night's outbox drains into the catalogue, on a clean path and a flaky one.

Builds a show data directory whose outbox holds a night's approved work (default 1,000 tiny
stories and 100 photos of about 100 KB each, straight into the real schema), starts a real
``liveshow catalogue serve --empty``, and times ``liveshow sync`` (a real process) draining
it: directly, and through the tests' flaky proxy (30% of requests failed, 10% of answers
dropped after the catalogue committed). Each scenario runs ``--runs`` times on fresh copies;
the report gives medians and the flaky/clean ratio from the same sitting.

Usage::

    python benchmarks/sync_drain.py [--texts 1000] [--photos 100] [--runs 3]

Results are appended to benchmarks/results/sync_drain.md with the machine they ran on.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from liveshow.media.library import MediaLibrary  # noqa: E402
from liveshow.store import outbox  # noqa: E402
from liveshow.store.database import Store  # noqa: E402
from liveshow.store.outbox import OutboxKind  # noqa: E402
from tests.helpers.flaky import FlakyProxy  # noqa: E402
from tests.helpers.server import free_port  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "sync_drain.md"
TOKEN = "bench-token"


def build_night(data: Path, texts: int, photos: int) -> int:
    """A data directory with ``texts`` + ``photos`` approved submissions queued; bytes."""
    data.mkdir(parents=True)
    store = Store(data / "show.db")
    media = MediaLibrary(store, data / "media")
    rng = np.random.default_rng(5)
    now = time.time()
    total = 0
    with store.write() as db:
        db.table("show").insert({"id": 1, "title": "Bench Night", "displays": "[]"})
        rows = []
        for n in range(texts + photos):
            photo = n >= texts
            row = {
                "id": f"bench-sub-{n:06d}",
                "seq": n + 1,
                "device": f"bench-device-{n % 400:05d}",
                "handle": f"Guest {n % 400}",
                "prompt": "ask-photo" if photo else "ask-story",
                "kind": "photo" if photo else "text",
                "status": "approved",
                "text": None if photo else f"Tiny story number {n}: the tide came in singing.",
                "terms_version": "2026-1",
                "consented_at": now,
                "created_at": now,
                "body_sha256": f"{n:064x}",
            }
            if photo:
                pixels = rng.integers(0, 255, (180, 240, 3), dtype=np.uint8)
                jpeg = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes()
                sha = media.place_bytes(jpeg)
                media.record(sha, len(jpeg), "image/jpeg", "image", 240, 180)
                row.update(media_sha256=sha, mime="image/jpeg", width=240, height=180)
                total += len(jpeg)
            rows.append(row)
        db.table("submissions").insert_all(rows)
        for row in rows:
            outbox.enqueue(db, OutboxKind.SUBMISSION, row["id"], now)
    store.close()
    return total


class Catalogue:
    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        env = {**os.environ, "LIVESHOW_CATALOGUE_TOKEN": TOKEN}
        args = [sys.executable, "-m", "liveshow", "catalogue", "serve", "--empty"]
        args += ["--data", str(folder), "--port", str(self.port)]
        self.proc = subprocess.Popen(
            args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT
        )
        for _ in range(600):
            try:
                requests.get(f"{self.url}/api/v1/collaborations", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("the catalogue did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def run(template: Path, scratch: Path, flaky: bool) -> dict[str, float]:
    data = scratch / "data"
    shutil.copytree(template, data)
    catalogue = Catalogue(scratch / "catalogue")
    proxy = FlakyProxy(f"127.0.0.1:{catalogue.port}", fail=0.3, drop=0.1) if flaky else None
    url = proxy.url if proxy else catalogue.url
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVESHOW_")}
    args = [sys.executable, "-m", "liveshow", "sync", "--data", str(data)]
    args += ["--catalogue-url", url, "--catalogue-token", TOKEN, "--timeout", "600"]
    try:
        started = time.perf_counter()
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=900)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(done.stdout + done.stderr)
        figures = {"seconds": seconds}
        for name, pattern in (
            ("requests", r"(\d+) requests"),
            ("request retries", r"(\d+) request retries"),
            ("round retries", r"(\d+) round retries"),
            ("batches", r"(\d+) batches"),
        ):
            found = re.search(pattern, done.stdout)
            figures[name] = float(found.group(1)) if found else 0.0
        if proxy:
            figures["failed by the proxy"] = proxy.counts["failed"]
            figures["answers dropped"] = proxy.counts["dropped"]
        return figures
    finally:
        if proxy:
            proxy.close()
        catalogue.stop()
        shutil.rmtree(scratch, ignore_errors=True)


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{platform.node() or 'host'}, {os.cpu_count()} cores, load {load}, "
        f"Python {platform.python_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--photos", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    opts = parser.parse_args()
    before = machine()
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "night"
        media_bytes = build_night(template, opts.texts, opts.photos)
        results: dict[str, list[dict[str, float]]] = {"clean": [], "flaky": []}
        for n in range(opts.runs):
            for scenario in ("clean", "flaky"):
                scratch = Path(tmp) / f"{scenario}-{n}"
                results[scenario].append(run(template, scratch, scenario == "flaky"))
                print(scenario, n, results[scenario][-1], flush=True)
    items = opts.texts + opts.photos
    load_before = before.split("load ")[1].split(", Python")[0]
    lines = [
        f"\n## {time.strftime('%Y-%m-%d %H:%M')} — {opts.texts} texts + {opts.photos} photos\n",
        f"Machine: {machine()} (load before the run: {load_before})",
        f"Command: `python benchmarks/sync_drain.py --texts {opts.texts} --photos "
        f"{opts.photos} --runs {opts.runs}`",
        f"Outbox: {items:,} rows, {media_bytes / 1e6:.1f} MB of photos. Medians of {opts.runs}.\n",
        "| path | drain s | items/s | requests | request retries | round retries |"
        " failed by proxy | answers dropped |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    medians = {}
    for scenario, runs in results.items():
        med = {k: statistics.median(r.get(k, 0.0) for r in runs) for k in runs[0]}
        medians[scenario] = med
        lines.append(
            f"| {scenario} | {med['seconds']:.1f} | {items / med['seconds']:.0f} | "
            f"{med['requests']:.0f} | {med['request retries']:.0f} | "
            f"{med['round retries']:.0f} | {med.get('failed by the proxy', 0):.0f} | "
            f"{med.get('answers dropped', 0):.0f} |"
        )
    ratio = medians["flaky"]["seconds"] / medians["clean"]["seconds"]
    lines.append(f"\nFlaky path / clean path drain time: {ratio:.2f}x.\n")
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Draining the outbox\n\nWritten by `benchmarks/sync_drain.py`; newest last.\n"
        )
    with RESULTS.open("a") as out:
        out.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
