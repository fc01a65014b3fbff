"""Take the README screenshot of the show report: ``docs/screenshots/report.png``.

    python scripts/report_screenshot.py [--keep DIR]

A demo night is played on the in-process app (the test suite's helpers): 24 phones join over
the evening, send 30 stories and 12 photos and vote, the crew approves, features and rejects
in batches, a take is filmed over two photos, and every cue of the show is walked. That takes
a few seconds; so the figures read like an evening, the script then sets the night's clock to
a scripted 45-minute timeline (joins, submissions, decisions and cue starts get the times of
the plan below, in the same order they happened). Then it runs ``liveshow report`` on it and
photographs the page, whole, at 1100 px wide, in Debian's chromium (Playwright).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from liveshow.extensions import socketio  # noqa: E402
from liveshow.show.demo import DEMO_SHOW, ensure_demo_media  # noqa: E402
from tests.helpers import CAMERA_KEY, CREW_PASSWORD  # noqa: E402
from tests.helpers.app import make_app  # noqa: E402
from tests.helpers.night import NIGHT_SHOW, film_a_take  # noqa: E402
from tests.helpers.phone import Phone  # noqa: E402
from tests.helpers.samples import jpeg  # noqa: E402
from tests.helpers.shows import write_show  # noqa: E402

OUT = ROOT / "docs" / "screenshots" / "report.png"
CHROMIUM = "/usr/bin/chromium"
MINUTE = 60.0
# minute of the evening each cue starts at
CUE_AT = {
    "hello": 0,
    "ask-text": 4,
    "text-wall": 14,
    "ask-photo": 17,
    "photo-wall": 27,
    "ask-vote": 30,
    "results": 34,
    "replay": 37,
    "roll": 43,
}
WORDS = "tide lantern ferry gull harbour rope moon kite salt letter cat boat".split()


def play(folder: Path, rng: random.Random) -> tuple[Path, dict[str, Any]]:
    """Play the night; return its data folder and the planned time of each row."""
    show = write_show(folder, NIGHT_SHOW, "night.yaml")
    app = make_app(folder / "data", show, camera_key=CAMERA_KEY)
    http = app.test_client()
    crew = socketio.test_client(app, namespace="/crew", auth={"password": CREW_PASSWORD})
    plan: dict[str, Any] = {"devices": {}, "created": {}, "decided": {}}

    def crew_says(event: str, data: dict[str, Any]) -> None:
        ack = crew.emit(event, data, namespace="/crew", callback=True)
        assert ack["ok"], ack

    phones: list[Phone] = []

    def join(count: int, start: float, end: float) -> None:
        for _ in range(count):
            phone = Phone(app, f"report-shot-{len(phones):04d}")
            assert phone.join(f"Guest {len(phones) + 1}")["ok"]
            plan["devices"][phone.device] = rng.uniform(start, end) * MINUTE
            phones.append(phone)

    def decide(ids: list[str], when: float) -> None:
        for sub_id in ids:
            roll = rng.random()
            action = "reject" if roll < 0.2 else "feature" if roll > 0.93 else "approve"
            if roll < 0.08:
                continue  # left waiting
            crew_says("moderate", {"submission": sub_id, "action": action})
            plan["decided"][sub_id] = when * MINUTE

    join(14, -8, 3)
    for cue in CUE_AT:
        crew_says("goto", {"cue": cue})
        if cue == "ask-text":
            join(6, 4, 12)
            batch: list[str] = []
            for n in range(30):
                phone = rng.choice(phones)
                sub_id = f"story-{n:04d}-shot"
                text = " ".join(rng.choice(WORDS) for _ in range(6))
                data = {"id": sub_id, "prompt": "ask-text", "kind": "text", "text": text}
                assert phone.emit("submit", data)["ok"]
                at = 4.5 + 9 * (n / 30) ** 0.7
                plan["created"][sub_id] = at * MINUTE
                batch.append(sub_id)
                if len(batch) == 6:
                    decide(batch, at + rng.uniform(0.3, 1.5))
                    batch = []
        elif cue == "ask-photo":
            join(4, 17, 24)
            ids = []
            for n in range(12):
                sub_id = f"photo-{n:04d}-shot"
                picture = jpeg(colour=(rng.randrange(256), rng.randrange(256), 200))
                answer = rng.choice(phones).upload(http, sub_id, "ask-photo", "photo", picture)
                assert answer.status_code == 201
                plan["created"][sub_id] = (17.5 + 9 * n / 12) * MINUTE
                ids.append(sub_id)
            decide(ids[:6], 22.5)
            decide(ids[6:], 27.0)
        elif cue == "ask-vote":
            for n, phone in enumerate(phones[:20]):
                vote = {"id": f"vote-{n:04d}-shot", "prompt": "ask-vote", "kind": "vote"}
                assert phone.emit("submit", {**vote, "option": rng.choice("AB")})["ok"]
                plan["created"][vote["id"]] = rng.uniform(30.2, 33.5) * MINUTE
        elif cue == "results":
            ensure_demo_media()
            clip = DEMO_SHOW.parent / "demo" / "tide-pools.mp4"
            take = film_a_take(http, clip, ["photo-0000-shot", "photo-0003-shot"])
            crew_says("take_credit", {"take": take, "performer": "Jonas Lind"})
    return folder / "data", plan


def set_clock(data: Path, plan: dict[str, Any]) -> None:
    """Give every joined, sent, decided and screened row its planned time."""
    with sqlite3.connect(data / "show.db") as conn:
        t0 = conn.execute("select min(started_at) from play_log").fetchone()[0]
        for device, at in plan["devices"].items():
            conn.execute("update devices set joined_at = ? where id = ?", (t0 + at, device))
        for sub_id, at in plan["created"].items():
            conn.execute("update submissions set created_at = ? where id = ?", (t0 + at, sub_id))
        for sub_id, at in plan["decided"].items():
            conn.execute(
                "update submissions set moderated_at = ?, featured_at = "
                "case when featured_at is null then null else ? end where id = ?",
                (t0 + at, t0 + at, sub_id),
            )
        starts = list(CUE_AT.items())
        for (cue, minute), nxt in zip(starts, [*starts[1:], ("", 45)], strict=True):
            conn.execute(
                "update play_log set started_at = ?, ended_at = ? where cue_id = ?",
                (t0 + minute * MINUTE, t0 + nxt[1] * MINUTE, cue),
            )


def photograph(page_file: Path, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto(page_file.as_uri())
        page.wait_for_function("() => [...document.images].every((i) => i.complete)")
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out), full_page=True)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", type=Path, help="keep the night and its report in DIR")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="liveshow-report-shot-"))
    try:
        data, plan = play(folder, random.Random(9))
        set_clock(data, plan)
        report = folder / "report"
        subprocess.run(
            [sys.executable, "-m", "liveshow", "report", "--data", str(data), "--out", str(report)],
            check=True,
        )
        photograph(report / "index.html", OUT)
        print(f"wrote {OUT}")
        if args.keep:
            shutil.copytree(folder, args.keep, dirs_exist_ok=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
