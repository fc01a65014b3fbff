"""Take the README screenshots from a real server running the demo show, and the pages of a
real reference catalogue holding the demo community.

    python scripts/screenshots.py                   # writes docs/screenshots/*.png
    python scripts/screenshots.py --only show       # only the show's seven
    python scripts/screenshots.py --only catalogue  # only the catalogue's four (a few seconds)

The show: starts `python -m liveshow demo` (the server, the demo catalogue it pulls from and
the synthetic camera) on a free port with a temporary data directory,
opens the projector display and the crew dashboard in Debian's chromium (Playwright), runs the
demo show to the middle of a film, and saves:

    docs/screenshots/dashboard.png       1440x900  crew dashboard, show mode, a video running
    docs/screenshots/display.png         1280x720  the projector: a video with its credits
    docs/screenshots/display-story.png   1280x720  the projector: a tiny-story text cue
    docs/screenshots/display-prompt.png  1280x720  the projector: a prompt with the join QR code
    docs/screenshots/phone.png           390x844   the phone app answering that prompt
    docs/screenshots/dashboard-group.png 1440x900  crew dashboard, a cue group running: its
                                                   picture and sound under it, each with Stop
    docs/screenshots/display-cloud.png   1280x720  the projector: a word cloud of the room's
                                                   one-word answers (eighteen phones, approved)

The catalogue: starts `python -m liveshow catalogue serve` on a free port with a new temporary
data directory (so it holds the demo community), finds the deepest record of The Lighthouse
Cat's remix chain through the API (the one with the most ancestors: the animation), opens the
pages at 1280x800, stops the catalogue by its PID and saves:

    docs/screenshots/catalogue-collaborations.png  1280x800  /, every collaboration
    docs/screenshots/catalogue-collaboration.png   1280x800  /collaborations/the-lighthouse-cat
    docs/screenshots/catalogue-record.png          1280 wide /records/<id>, the whole page: its
                                                   video, credits, consent badge, "made from"
    docs/screenshots/catalogue-artist.png          1280x800  /artists/<handle>, an artist of it
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
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
SHOW_SHOTS = (
    "dashboard.png",
    "display.png",
    "display-story.png",
    "display-prompt.png",
    "phone.png",
    "display-cloud.png",
    "dashboard-group.png",
)
CATALOGUE_SHOTS = (
    "catalogue-collaborations.png",
    "catalogue-collaboration.png",
    "catalogue-record.png",
    "catalogue-artist.png",
)
REMIX_CHAIN = "the-lighthouse-cat"
BROWSER_ARGS = [
    "--autoplay-policy=no-user-gesture-required",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]
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
        # `liveshow demo`, as a new user runs it: the demo catalogue (its records pulled,
        # so pre-flight is clean) and the synthetic camera agent come with it, as children
        # that stop with it.
        [sys.executable, "-m", "liveshow", "demo", "--show", str(DEMO_SHOW)],
        env={**os.environ, **settings, "PYTHONUNBUFFERED": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # the demo catalogue starts and is pulled first
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"server exited:\n{(workdir / 'server.log').read_text()[-2000:]}")
            try:
                if requests.get(url + "/api/state", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("server did not start in 180 s")
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


@contextmanager
def catalogue_server() -> Iterator[str]:
    """A real `liveshow catalogue serve` in its own process and a new data directory (so it
    starts with the demo community); stopped by its PID when done. Yields its base URL."""
    workdir = Path(tempfile.mkdtemp(prefix="liveshow-catalogue-screens-"))
    port = free_port()
    log = open(workdir / "catalogue.log", "wb")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVESHOW_CATALOGUE_")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "liveshow",
            "catalogue",
            "serve",
            "--data",
            str(workdir / "data"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # the first run makes the demo media (about 5 s)
        while True:
            if proc.poll() is not None:
                text = (workdir / "catalogue.log").read_text(errors="replace")
                raise SystemExit(f"catalogue exited:\n{text[-2000:]}")
            try:
                if requests.get(url + "/api/v1/collaborations", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("catalogue did not start in 120 s")
            time.sleep(0.1)
        yield url
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGINT)  # its own clean stop: closes the server and db
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


def deepest_record(url: str, slug: str) -> dict[str, Any]:
    """The record of a collaboration with the most ancestors (the end of its remix chain)."""
    api = f"{url}/api/v1"
    records: list[dict[str, Any]] = []
    page: str | None = f"{api}/collaborations/{slug}"
    while page:
        body = requests.get(page, timeout=10).json()
        records += body["records"]
        page = body.get("next")

    def ancestors(record: dict[str, Any]) -> int:
        full = requests.get(f"{api}/records/{record['id']}?lineage=1", timeout=10).json()
        return len({edge["parent"] for edge in full["lineage"]["made_from"]})

    if not records:
        raise SystemExit(f"collaboration {slug} has no records")
    return max(records, key=lambda r: (ancestors(r), r["id"]))


def most_credited(url: str, handles: list[str]) -> str:
    """Of these artists, the one with the most records (the fullest artist page)."""

    def count(handle: str) -> int:
        body = requests.get(f"{url}/api/v1/artists/{handle}", params={"limit": 500}, timeout=10)
        return len(body.json()["records"])

    return max(handles, key=count)


def shoot_catalogue(browser: Any) -> None:
    """The catalogue's four pages, from a real catalogue holding the demo community."""
    with catalogue_server() as url:
        record = deepest_record(url, REMIX_CHAIN)
        artist = most_credited(url, [c["artist"] for c in record["credits"]])
        page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()

        def shoot(path: str, name: str, full_page: bool = False) -> None:
            response = page.goto(url + path, wait_until="networkidle")
            if response is None or not response.ok:
                raise SystemExit(f"{path}: {response.status if response else 'no answer'}")
            page.screenshot(path=str(OUT / name), full_page=full_page)

        shoot("/", "catalogue-collaborations.png")
        shoot(f"/collaborations/{REMIX_CHAIN}", "catalogue-collaboration.png")
        # The record's video, played (muted) past its middle and paused there: a real frame
        # under the player's controls, not the black first one behind a loading spinner.
        page.goto(f"{url}/records/{record['id']}", wait_until="networkidle")
        page.wait_for_function(
            """() => {
                const v = document.querySelector('.player video');
                if (!v) return true;
                if (!v.dataset.started) {
                    v.dataset.started = '1';
                    v.muted = true;
                    v.play();
                }
                if (v.readyState < 3 || !(v.currentTime > (v.duration || 2) / 2)) return false;
                v.pause();
                return true;
            }""",
            timeout=15000,
        )
        page.mouse.move(640, 300)  # over the player, so its controls show
        time.sleep(1.0)
        page.screenshot(path=str(OUT / "catalogue-record.png"), full_page=True)
        shoot(f"/artists/{artist}", "catalogue-artist.png")
        page.context.close()


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


CLOUD_WORDS = (
    "Lanterns",
    "silver",
    "lanterns",
    "whispers",
    "Silver",
    "deep",
    "lanterns",
    "gulls",
    "salt",
    "silver",
    "Quiet",
    "lanterns",
    "moon",
    "waves",
    "ink",
    "Moon",
    "foghorn",
    "waves",
)


def answer_one_word(srv: dict[str, str], words: tuple[str, ...]) -> None:
    """Phones (real Socket.IO clients) answer the one-word prompt; the crew approves each."""
    import socketio

    from liveshow.audience.terms import TERMS_VERSION

    crew = socketio.Client(reconnection=False)
    crew.connect(
        srv["url"],
        namespaces=["/crew"],
        auth={"password": srv["password"]},
        transports=["websocket"],
        wait_timeout=10,
    )
    try:
        for n, word in enumerate(words):
            phone = socketio.Client(reconnection=False)
            phone.connect(
                srv["url"],
                namespaces=["/audience"],
                auth={"code": "harbour", "device": f"screenshot-phone-{n:04d}"},
                transports=["websocket"],
                wait_timeout=10,
            )
            consent = {"accepted": True, "terms_version": TERMS_VERSION}
            joined = phone.call(
                "join",
                {"handle": f"Guest {n + 1}", "consent": consent},
                namespace="/audience",
                timeout=10,
            )
            assert joined["ok"], joined
            sub = f"screenshot-word-{n:04d}"
            ack = phone.call(
                "submit",
                {"id": sub, "prompt": "ask-word", "kind": "text", "text": word},
                namespace="/audience",
                timeout=10,
            )
            assert ack["ok"], ack
            done = crew.call(
                "moderate", {"submission": sub, "action": "approve"}, namespace="/crew", timeout=10
            )
            assert done["ok"], done
            phone.disconnect()
    finally:
        crew.disconnect()


def shoot_show(browser: Any) -> None:
    """The show's seven: dashboard, projector (video, story, prompt) and phone."""
    with demo_server() as srv:
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
        page.evaluate("document.querySelector('aside.side').scrollTop = 0")  # the click scrolled it
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

        # A cue group running: its picture and its sound, indented under it, each with Stop.
        time.sleep(1.2)
        page.click('#cue-rows tr[data-cue="harbour-at-night"]')
        page.keyboard.press("Enter")
        page.click("#confirm-ok")
        wait_for_cue(srv, "harbour-at-night")
        page.wait_for_selector('#cue-rows tr[data-child="harbour-at-night-gulls"] .stop-cue')
        page.locator(
            '#cue-rows tr[data-child="harbour-at-night-gulls"]'
        ).scroll_into_view_if_needed()
        page.mouse.move(5, 895)
        time.sleep(2.5)
        page.screenshot(path=str(OUT / "dashboard-group.png"))

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
        phone.context.close()

        # A word cloud: eighteen phones answer the one-word prompt, the crew approves them all.
        time.sleep(1.2)
        page.click('#cue-rows tr[data-cue="ask-word"]')
        page.keyboard.press("Enter")
        page.click("#confirm-ok")
        wait_for_cue(srv, "ask-word")
        answer_one_word(srv, CLOUD_WORDS)
        time.sleep(1.2)
        page.click('#cue-rows tr[data-cue="word-cloud"]')
        page.keyboard.press("Enter")
        page.click("#confirm-ok")
        wait_for_cue(srv, "word-cloud")
        display.wait_for_function(
            f"() => document.querySelectorAll('#stage .cloud-word').length"
            f" >= {len(set(w.lower() for w in CLOUD_WORDS))}",
            timeout=15000,
        )
        time.sleep(2.5)  # let the dissolve finish
        display.screenshot(path=str(OUT / "display-cloud.png"))
        crew.close()
        projector.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Take the README screenshots.")
    parser.add_argument(
        "--only",
        choices=("show", "catalogue"),
        help="take only the show's screenshots or only the catalogue's",
    )
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=BROWSER_ARGS)
        try:
            if args.only in (None, "show"):
                shoot_show(browser)
                names += SHOW_SHOTS
            if args.only in (None, "catalogue"):
                shoot_catalogue(browser)
                names += CATALOGUE_SHOTS
        finally:
            browser.close()
    for name in names:
        print(OUT / name)


if __name__ == "__main__":
    main()
