"""Take the README screenshots of the night's book: ``docs/screenshots/book.png`` (two facing
pages) and ``docs/screenshots/book-preview.png`` (the dashboard's preview).

    python scripts/book_screenshot.py [--keep DIR]

The demo night of the book's tests is played on a real ``liveshow serve`` (the test suite's
helpers: stories in six scripts, drawings, a photo, a rejected, a withdrawn and an
unmoderated story), with two hand-drawn-looking sketches for its drawings. Then ``liveshow
book`` makes the PDF, ``pdftoppm`` renders pages 2 and 3 side by side as a spread, and
Debian's chromium (Playwright) photographs ``/crew/book/`` logged in as the crew.
"""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageFilter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers.book import SHOW, VENUE, Night, make_night  # noqa: E402
from tests.helpers.server import ServerProcess  # noqa: E402
from tests.helpers.shows import write_show  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
INK = (30, 30, 40, 255)


def sketch(n: int) -> bytes:
    """A drawing as a phone's canvas sends it (transparent PNG): a lighthouse, or waves."""
    image = np.zeros((360, 480, 4), np.uint8)
    if n % 2 == 0:
        base = np.array([[200, 320], [280, 320], [262, 110], [218, 110]], np.int32)
        cv2.polylines(image, [base], True, INK, 5, cv2.LINE_AA)
        for y in (170, 230, 290):
            cv2.line(image, (205, y), (275, y), INK, 3, cv2.LINE_AA)
        cv2.rectangle(image, (212, 70), (268, 110), INK, 4, cv2.LINE_AA)
        cv2.line(image, (208, 70), (240, 40), INK, 4, cv2.LINE_AA)
        cv2.line(image, (272, 70), (240, 40), INK, 4, cv2.LINE_AA)
        for angle in (-20, -8, 8, 20):
            for side in (-1, 1):
                a = math.radians(angle)
                end = (int(240 + side * 210 * math.cos(a)), int(90 + 210 * math.sin(a)))
                cv2.line(image, (240 + side * 30, 90), end, (230, 170, 20, 255), 2, cv2.LINE_AA)
    else:
        for row in range(5):
            points = [
                (x, int(120 + row * 45 + 14 * math.sin(x / 28 + row))) for x in range(20, 461, 8)
            ]
            cv2.polylines(
                image, [np.array(points, np.int32)], False, (40, 90, 180, 255), 4, cv2.LINE_AA
            )
        cv2.circle(image, (380, 60), 32, (230, 170, 20, 255), 4, cv2.LINE_AA)
    return bytes(cv2.imencode(".png", image)[1].tobytes())


def spread(pdf: Path, folder: Path) -> Path:
    """Pages 2 and 3 side by side, as the open booklet shows them, on a grey table."""
    subprocess.run(
        ["pdftoppm", "-r", "110", "-f", "2", "-l", "3", "-png", str(pdf), str(folder / "s")],
        check=True,
    )
    left, right = (Image.open(p).convert("RGB") for p in sorted(folder.glob("s-*.png")))
    width, height = left.size
    pad = 36
    canvas = Image.new("RGB", (2 * width + 2 * pad, height + 2 * pad), (58, 62, 70))
    shadow = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    shadow.paste((0, 0, 0, 140), (pad + 6, pad + 8, pad + 2 * width + 6, pad + height + 8))
    canvas.paste(
        shadow.filter(ImageFilter.GaussianBlur(8)),
        (0, 0),
        shadow.filter(ImageFilter.GaussianBlur(8)),
    )
    canvas.paste(left, (pad, pad))
    canvas.paste(right, (pad + width, pad))
    out = OUT / "book.png"
    canvas.save(out, optimize=True)
    return out


def preview(srv: ServerProcess) -> Path:
    from playwright.sync_api import sync_playwright

    out = OUT / "book-preview.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(srv.url + "/crew/login")
            page.fill("#password", srv.password)
            page.click("button[type=submit]")
            page.goto(f"{srv.url}/crew/book/?order=written&venue={VENUE}", timeout=120_000)
            page.wait_for_selector(".book-pages img")
            page.wait_for_function("[...document.images].every(i => i.complete)")
            page.screenshot(path=str(out))
        finally:
            browser.close()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="keep the night's data folder here")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="book-shot-"))
    srv = ServerProcess(folder / "data", write_show(folder, SHOW, "book.yaml")).start()
    try:
        make_night(Night(srv), drawing=sketch)
        pdf = folder / "book.pdf"
        command = [sys.executable, "-m", "liveshow", "book", "--data", str(srv.data)]
        subprocess.run([*command, "--venue", VENUE, "--out", str(pdf)], check=True)
        OUT.mkdir(parents=True, exist_ok=True)
        print(spread(pdf, folder))
        print(preview(srv))
    finally:
        srv.stop()
        if args.keep:
            shutil.copytree(folder, args.keep, dirs_exist_ok=True)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
