"""Take the README screenshots from a real server running the demo show.

    python scripts/screenshots.py            # writes docs/screenshots/*.png

Starts `python -m liveshow serve` on a free port with a temporary data directory, opens the
projector display and the crew dashboard in Debian's chromium (Playwright), runs the demo
show to the middle of a film, and saves:

    docs/screenshots/dashboard.png       1440x900  crew dashboard, show mode, a video running
    docs/screenshots/display.png         1280x720  the projector: a video with its credits
    docs/screenshots/display-story.png   1280x720  the projector: a tiny-story text cue
    docs/screenshots/display-prompt.png  1280x720  the projector: a prompt with the join QR code
    docs/screenshots/phone.png           390x844   the phone app answering that prompt
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from liveshow.show.demo import DEMO_SHOW, ensure_demo_media  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
CHROMIUM_CANDIDATES = (
    os.environ.get("CHROMIUM", ""),
    "/usr/bin/chromium",
    "/usr/lib/chromium/chromium",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def demo_server() -> Iterator[dict[str, str]]:
    """A real `liveshow serve` on the demo show, in its own process and data directory."""
    ensure_demo_media()
    workdir = Path(tempfile.mkdtemp(prefix="liveshow-screens-"))
    port = free_port()
    settings = {
        "LIVESHOW_CREW_PASSWORD": secrets.token_urlsafe(12),
        "LIVESHOW_DISPLAY_KEY": secrets.token_urlsafe(12),
        "LIVESHOW_JOIN_CODE": "harbour",
        "LIVESHOW_DATA": str(workdir / "data"),
        "LIVESHOW_HOST": "127.0.0.1",
        "LIVESHOW_PORT": str(port),
        "LIVESHOW_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    log = open(workdir / "server.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "liveshow", "serve", "--show", str(DEMO_SHOW)],
        env={**os.environ, **settings, "PYTHONUNBUFFERED": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"server exited:\n{(workdir / 'server.log').read_text()[-2000:]}")
            try:
                if requests.get(url + "/api/state", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("server did not start in 60 s")
            time.sleep(0.1)
        yield {
            "url": url,
            "password": settings["LIVESHOW_CREW_PASSWORD"],
            "display_key": settings["LIVESHOW_DISPLAY_KEY"],
        }
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


def chromium() -> str:
    for path in CHROMIUM_CANDIDATES:
        if path and Path(path).exists():
            return path
    raise SystemExit("chromium not found: `make chromium` installs Debian's chromium")


def state(srv: dict[str, str]) -> dict[str, Any]:
    return requests.get(srv["url"] + "/api/state", timeout=5).json()  # type: ignore[no-any-return]


def wait_for(check: Any, timeout: float = 15.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise SystemExit(f"timed out waiting for {what}")


def wait_for_cue(srv: dict[str, str], cue_id: str) -> None:
    wait_for(lambda: (state(srv).get("cue") or {}).get("id") == cue_id, what=f"cue {cue_id}")


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with demo_server() as srv, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium(),
            args=[
                "--autoplay-policy=no-user-gesture-required",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
            ],
        )
        projector = browser.new_context(viewport={"width": 1280, "height": 720})
        display = projector.new_page()
        display.goto(f"{srv['url']}/display/main?key={srv['display_key']}")

        crew = browser.new_context(viewport={"width": 1440, "height": 900})
        page = crew.new_page()
        page.goto(srv["url"] + "/crew/login")
        page.fill("#password", srv["password"])
        page.click("button[type=submit]")
        page.wait_for_selector('#displays li[data-status="connected"]', timeout=15000)

        # Walk into the show: three cues played, then jump to the part-two title.
        for cue_id in ("welcome", "join-us", "tide-pools"):
            page.keyboard.press("Space")
            wait_for_cue(srv, cue_id)
            time.sleep(1.2)
        page.click('#cue-rows tr[data-cue="part-two"]')
        page.keyboard.press("Enter")
        wait_for_cue(srv, "part-two")
        page.click(".mode-option.mode-show")
        page.wait_for_selector("body.mode-show")
        page.click("#preflight-run")
        page.wait_for_selector(
            "#preflight-summary.good, #preflight-summary.warn, #preflight-summary.bad"
        )
        time.sleep(1.2)

        # GO the film (2 s pre-wait), then stop at a moment with its credits on screen.
        page.keyboard.press("Space")
        wait_for_cue(srv, "night-market")
        page.click('#cue-rows tr[data-cue="harbour"]')
        page.mouse.move(5, 895)
        display.wait_for_function(
            "() => [...document.querySelectorAll('video')]"
            ".some(v => !v.paused && v.currentTime > 2.5)",
            timeout=15000,
        )
        page.wait_for_selector("#displays .preload-ok", timeout=10000)
        display.screenshot(path=str(OUT / "display.png"))
        page.screenshot(path=str(OUT / "dashboard.png"))

        # A tiny story, reached with go-to (show mode asks first).
        time.sleep(1.2)
        page.click('#cue-rows tr[data-cue="story-lighthouse-cat"]')
        page.keyboard.press("Enter")
        page.click("#confirm-ok")
        wait_for_cue(srv, "story-lighthouse-cat")
        time.sleep(2.5)  # let the dissolve finish
        display.screenshot(path=str(OUT / "display-story.png"))

        # The audience half: a prompt on the projector, and the phone that answers it.
        time.sleep(1.2)
        page.click('#cue-rows tr[data-cue="ask-story"]')
        page.keyboard.press("Enter")
        page.click("#confirm-ok")
        wait_for_cue(srv, "ask-story")
        phone = browser.new_context(
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
        ).new_page()
        phone.goto(f"{srv['url']}/join/harbour")
        phone.fill("#handle", "Mira")
        phone.check("#consent")
        phone.click("#join-button")
        phone.wait_for_selector("textarea", timeout=15000)
        phone.fill("textarea", "The harbour lights blinked twice, and every boat came home.")
        time.sleep(2.5)
        display.screenshot(path=str(OUT / "display-prompt.png"))
        phone.screenshot(path=str(OUT / "phone.png"))
        browser.close()
    for name in (
        "dashboard.png",
        "display.png",
        "display-story.png",
        "display-prompt.png",
        "phone.png",
    ):
        print(OUT / name)


if __name__ == "__main__":
    main()
