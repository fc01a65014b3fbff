"""How long `liveshow serve` takes to answer after it is started (after a crash, this is how
long the room waits), with the profanity model loaded (flag_text, the default) and without.

Each round starts a real server on a fresh data folder with the demo show, times it from
the process's start to its first `GET /api/state` answer, and stops it; the two settings
take turns, so a noisy machine weighs on both alike. Reported: the median of each and their
ratio.

    .venv/bin/python benchmarks/server_start.py [--rounds 7]

Results are appended to benchmarks/results/server_start.md with the machine and commit.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loadgen.report import append, commit, load_average, machine  # noqa: E402

from liveshow.show.demo import DEMO_SHOW, ensure_demo_media  # noqa: E402
from tests.helpers.server import ServerProcess  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "server_start.md"
HEADER = (
    "# `liveshow serve`: from start to its first answer\n\n"
    "`benchmarks/server_start.py`: seconds from the process's start to its first "
    "`GET /api/state` answer (the demo show, a fresh data folder), median of the rounds, "
    "with the profanity model (flag_text true, the default) and without.\n\n"
    "| when | commit | rounds | flag_text true s | flag_text false s | ratio | load | machine |\n"
    "|---|---|---|---|---|---|---|---|\n"
)


def start_once(flag_text: bool) -> float:
    with tempfile.TemporaryDirectory() as folder:
        server = ServerProcess(
            Path(folder) / "data",
            DEMO_SHOW,
            extra_env={"LIVESHOW_FLAG_TEXT": "true" if flag_text else "false"},
        )
        began = time.monotonic()
        server.start()
        took = time.monotonic() - began
        server.stop()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    ensure_demo_media()
    start_once(True)  # warm the disk cache for both
    on, off = [], []
    for _ in range(args.rounds):
        on.append(start_once(True))
        off.append(start_once(False))
    with_model, without = statistics.median(on), statistics.median(off)
    print(f"flag_text true: median {with_model:.2f} s; false: {without:.2f} s")
    append(
        f"| {time.strftime('%Y-%m-%d %H:%M')} | {commit()} | {args.rounds} | {with_model:.2f} | "
        f"{without:.2f} | {without / with_model:.2f} | {load_average()} | {machine()} |\n",
        RESULTS,
        HEADER,
    )


if __name__ == "__main__":
    main()
