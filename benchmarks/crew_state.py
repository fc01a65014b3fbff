"""The crew's state on a long show: how long the server takes to build it, in process.

Every GO, stop, edit and moderation sends the crew a fresh state: every cue with its state
(running, standby, stopped inside its group...), its length and its media's details. This
builds a show of N cues (titles, pictures and videos, and groups of a picture with a sound
under it, all with the demo's media), goes to a cue in the middle and one inside a group is
stopped, then times ``state.crew_state`` (and the public state it starts from), median of
R runs.

    .venv/bin/python benchmarks/crew_state.py [--cues 500] [--runs 30]

Results are appended to benchmarks/results/crew_state.md with the machine they ran on and
the code that ran (the working tree, and whether its server code had uncommitted changes);
a "before" row is this script copied into an export of an older commit (``git archive``)
and run from there.
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

from liveshow import state  # noqa: E402
from liveshow.media.library import MediaLibrary  # noqa: E402
from liveshow.show import showfile  # noqa: E402
from liveshow.show.demo import DEMO_SHOW, ensure_demo_media  # noqa: E402
from liveshow.show.engine import ShowEngine  # noqa: E402
from liveshow.store.database import Store  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "crew_state.md"
HEADER = (
    "# The crew's state on a long show\n\n"
    "`benchmarks/crew_state.py`: ms to build the crew's state (in process), median of the "
    "runs.\n\n| when | commit | cues (groups) | runs | median ms | max ms | load | machine |\n"
    "|---|---|---|---|---|---|---|---|\n"
)


def show_text(cues: int) -> str:
    media = DEMO_SHOW.parent / "demo"
    lines = ["title: Long show", "cues:"]
    for i in range(cues):
        kind = i % 4
        if kind == 0:
            lines.append(f"  - {{id: t{i}, kind: title, title: Title {i}}}")
        elif kind == 1:
            lines.append(f"  - {{id: p{i}, kind: record, media: {media / 'harbour.jpg'}}}")
        elif kind == 2:
            lines.append(f"  - {{id: v{i}, kind: record, media: {media / 'tide-pools.mp4'}}}")
        else:
            lines += [
                f"  - id: g{i}",
                "    kind: group",
                "    cues:",
                f"      - {{id: g{i}-picture, kind: record, media: {media / 'kites.png'}}}",
                f"      - {{id: g{i}-sound, kind: record, media: {media / 'gull-song.m4a'}}}",
            ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cues", type=int, default=500)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    ensure_demo_media()
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "show.db")
        engine = ShowEngine(store, MediaLibrary(store, Path(folder) / "media"))
        show = showfile.parse(show_text(args.cues), name="long show", base_dir=Path(folder))
        engine.load(show, None, None)
        group = next(c for c in engine.cues[len(engine.cues) // 2 :] if c.children)
        engine.goto(group.id)
        engine.stop_cue(group.children[1].id)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            state.crew_state(engine, [], state.public_state(engine))
            times.append((time.perf_counter() - start) * 1000)
        store.close()
    groups = sum(1 for c in engine.cues if c.children)
    median, most = statistics.median(times), max(times)
    print(f"{args.cues} cues ({groups} groups): median {median:.1f} ms, max {most:.1f} ms")
    append(
        f"| {time.strftime('%Y-%m-%d %H:%M')} | {commit()} | {args.cues} ({groups}) | "
        f"{args.runs} | {median:.1f} | {most:.1f} | {load_average()} | {machine()} |\n",
        RESULTS,
        HEADER,
    )


if __name__ == "__main__":
    main()
