"""The sync survives the network a venue has: a path that fails 30% of requests and drops 10%
of answers after the catalogue committed, a catalogue killed (SIGKILL) and restarted
mid-sync, a background sender and `liveshow sync` draining at once, and a sender killed
mid-upload that resumes from the catalogue's offset. Every approved item arrives exactly
once, every hash matches, nothing rejected or unmoderated arrives."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import requests

from tests.helpers import CAMERA_KEY
from tests.helpers.catalogue import TOKEN, CatalogueProcess
from tests.helpers.crew import Crew
from tests.helpers.flaky import FlakyProxy
from tests.helpers.phone import LivePhone
from tests.helpers.samples import jpeg
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_show
from tests.helpers.sync import (
    NIGHT_SHOW,
    catalogue_records,
    performance_of,
    register_take,
    run_sync,
    upload_to_show,
)
from tests.helpers.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]
CLIP = ROOT / "media" / "demo" / "tide-pools.mp4"
OTHER_CLIP = ROOT / "media" / "demo" / "night-market.mp4"


def a_night(tmp_path: Path, texts: int, photos: int) -> tuple[ServerProcess, dict[str, set[str]]]:
    """A show server (no catalogue yet) after a night: approved, featured, rejected and
    unmoderated work and a keyed take. Returns the stopped server and the ids by fate."""
    show = write_show(tmp_path, NIGHT_SHOW, "night.yaml")
    srv = ServerProcess(tmp_path / "data", show, extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY})
    srv.start()
    crew = Crew(srv)
    phones = [LivePhone(srv, f"Guest {n}") for n in range(4)]
    fate: dict[str, set[str]] = {"sent": set(), "kept": set()}
    try:
        crew.goto("ask-story")
        for n in range(texts):
            sub = phones[n % 4].text("ask-story", f"story number {n}")["id"]
            action = ("approve", "feature", "reject", "approve", "approve")[n % 5]
            crew.moderate(sub, action)
            fate["kept" if action == "reject" else "sent"].add(sub)
        crew.goto("ask-photo")
        shown = []
        for n in range(photos):
            sub = phones[n % 4].photo("ask-photo", jpeg(colour=(n * 20 % 255, 90, 200 - n)))
            if n % 4 == 3:  # left unmoderated
                fate["kept"].add(sub)
            else:
                crew.moderate(sub, "approve")
                fate["sent"].add(sub)
                shown.append(sub)
        unmoderated = next(s for s in fate["kept"] if s not in shown)
        raw = upload_to_show(srv, CLIP.read_bytes())
        composite = upload_to_show(srv, OTHER_CLIP.read_bytes())
        register_take(
            srv,
            {
                "id": "take-flaky-0001",
                "camera": "cam1",
                "raw": raw,
                "composite": composite,
                "backgrounds": [
                    {"submission": shown[0], "start": 0.0, "end": 2.0},
                    {"submission": unmoderated, "start": 2.0, "end": 4.0},
                ],
            },
        )
        crew.goto("replay")
    finally:
        crew.close()
        for phone in phones:
            phone.close()
        srv.stop()
    return srv, fate


def check_arrived_once(url: str, performance: str, fate: dict[str, set[str]]) -> list[Any]:
    records = catalogue_records(url, performance)
    origins = [
        (r["origin"].get("submission") or r["origin"].get("take"), r["origin"].get("part"))
        for r in records
    ]
    assert len(origins) == len(set(origins)), "an item arrived twice"
    subs = {r["origin"]["submission"] for r in records if r["origin"].get("submission")}
    assert subs == fate["sent"], (
        f"missing {sorted(fate['sent'] - subs)}, unexpected {sorted(subs - fate['sent'])}"
    )
    takes = [r for r in records if r["origin"].get("take")]
    assert sorted(r["origin"]["part"] for r in takes) == ["composite", "plate"]
    for record in records:  # every hash matches what the catalogue serves
        if record["media"]:
            body = requests.get(f"{url}/api/v1/media/{record['media']['sha256']}", timeout=30)
            assert hashlib.sha256(body.content).hexdigest() == record["media"]["sha256"]
    composite = next(r for r in takes if r["origin"]["part"] == "composite")
    assert len(composite["parents"]) == 2, composite["parents"]  # the plate and one photo
    assert len(composite["screenings"]) == 1, composite["screenings"]
    return records


def test_a_flaky_path_and_a_killed_catalogue_still_deliver_every_item_exactly_once(
    tmp_path: Path,
) -> None:
    srv, fate = a_night(tmp_path, texts=40, photos=8)
    catalogue = CatalogueProcess(tmp_path / "catalogue", empty=True).start()
    proxy = FlakyProxy(f"127.0.0.1:{catalogue.port}", fail=0.3, drop=0.1)
    # the server's background sender and `liveshow sync` drain the same outbox at once
    srv.extra_env.update(
        LIVESHOW_CATALOGUE_URL=proxy.url,
        LIVESHOW_CATALOGUE_TOKEN=TOKEN,
        LIVESHOW_SYNC_DELAY="0",
        LIVESHOW_SYNC_CHUNK_BYTES="65536",
    )
    srv.start()
    cli = subprocess.Popen(
        [sys.executable, "-m", "liveshow", "sync", "--data", str(srv.data)]
        + ["--catalogue-url", proxy.url, "--catalogue-token", TOKEN, "--timeout", "120"]
        + ["--sync-chunk-bytes", "65536"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # mid-sync: some media is in, the batch is not: kill the catalogue hard, restart it
        wait_until(lambda: proxy.counts["PATCH requests"] >= 3, 60, "uploads under way")
        catalogue.proc.send_signal(signal.SIGKILL)  # type: ignore[union-attr]
        catalogue.proc.wait(10)  # type: ignore[union-attr]
        wait_until(lambda: proxy.counts["catalogue down"] >= 1, 30, "a request while it is down")
        catalogue.start()
        out, err = cli.communicate(timeout=180)
        assert cli.returncode == 0, out + err
        wait_until(
            lambda: not srv.rows("select 1 from outbox where status = 'pending'"),
            60,
            "the server's sender to finish too",
        )
        performance = performance_of(srv)
        assert performance is not None
        check_arrived_once(catalogue.url, performance, fate)
        assert not srv.rows("select 1 from outbox where status = 'failed'")
        sizes = {
            hashlib.sha256(p.read_bytes()).hexdigest(): p.stat().st_size for p in (CLIP, OTHER_CLIP)
        }
        resent = {sha[:8]: proxy.patch_bytes[sha] - size for sha, size in sizes.items()}
        print(f"\nflaky path: {dict(proxy.counts)}; media bytes re-sent {resent}; cli: {out}")
        assert proxy.counts["failed"] > 0 and proxy.counts["dropped"] > 0  # it was flaky
    finally:
        if cli.poll() is None:
            cli.kill()
        srv.stop()
        proxy.close()
        catalogue.stop()


def noise_video(path: Path, frames: int = 60) -> bytes:
    """An MP4 that does not compress (random pixels): a few MB for a short take."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 25, (640, 360))
    rng = np.random.default_rng(3)
    for _ in range(frames):
        writer.write(rng.integers(0, 255, (360, 640, 3), dtype=np.uint8))
    writer.release()
    return path.read_bytes()


@pytest.mark.parametrize("chunk", [262_144])
def test_a_sync_killed_mid_upload_resumes_from_the_catalogues_offset(
    tmp_path: Path, chunk: int
) -> None:
    show = write_show(tmp_path, NIGHT_SHOW, "night.yaml")
    srv = ServerProcess(tmp_path / "data", show, extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY})
    srv.start()
    big = noise_video(tmp_path / "big.mp4")
    try:
        sha = upload_to_show(srv, big)
        register_take(srv, {"id": "take-big-00001", "camera": "cam1", "raw": sha})
    finally:
        srv.stop()
    assert len(big) > 8 * chunk, len(big)
    catalogue = CatalogueProcess(tmp_path / "catalogue", empty=True).start()
    slow = FlakyProxy(f"127.0.0.1:{catalogue.port}", patch_delay=0.3)
    args = [sys.executable, "-m", "liveshow", "sync", "--data", str(srv.data)]
    args += ["--catalogue-token", TOKEN, "--sync-chunk-bytes", str(chunk)]
    try:
        first = subprocess.Popen(
            [*args, "--catalogue-url", slow.url], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        wait_until(lambda: slow.patch_bytes[sha] >= 4 * chunk, 60, "four chunks sent")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        before = slow.patch_bytes[sha]
        offset = int(
            requests.head(f"{catalogue.url}/api/v1/media/{sha}", timeout=5).headers["Upload-Offset"]
        )
        assert 0 < offset < len(big)
        done = run_sync(srv.data, slow.url, TOKEN, "--sync-chunk-bytes", str(chunk))
        assert done.returncode == 0, done.stdout + done.stderr
        sent = slow.patch_bytes[sha]
        print(f"\nresume: {len(big)} bytes, {sent} sent, killed at {before}, stored {offset}")
        assert sent - len(big) <= chunk, "more than one chunk was sent twice"
        assert requests.head(f"{catalogue.url}/api/v1/media/{sha}", timeout=5).status_code == 200
        served = requests.get(f"{catalogue.url}/api/v1/media/{sha}", timeout=30).content
        assert hashlib.sha256(served).hexdigest() == sha
    finally:
        slow.close()
        catalogue.stop()
