"""The projector page in Playwright: when a cue is really on screen, and whether its video
really plays."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page


def on_screen(page: Page, cue_id: str) -> Any:
    """The cue's layer once it is the top layer and fully faded in."""
    page.wait_for_function(
        """id => {
        const layers = document.querySelectorAll('#stage > .layer');
        const top = layers[layers.length - 1];
        return window.liveshowDisplay.cueId === id && top && top.dataset.cue === id
            && getComputedStyle(top).opacity === '1';
    }""",
        arg=cue_id,
        timeout=10000,
    )
    return page.locator(f'#stage > .layer[data-cue="{cue_id}"]').last


VIDEO_JS = """() => {
    const v = document.querySelector('#stage > .layer:last-child video');
    const d = window.liveshowDisplay;
    return v && {t: v.currentTime, paused: v.paused, ready: v.readyState, ended: v.ended,
                 hook: d.videoPosition(), expected: d.expectedPosition()};
}"""


def playing(page: Page) -> bool:
    """Not paused, enough data, and the picture really moving (play() alone is not enough)."""
    a = page.evaluate(VIDEO_JS)
    time.sleep(0.05)
    b = page.evaluate(VIDEO_JS)
    return bool(a and b and not b["paused"] and b["ready"] >= 3 and b["t"] > a["t"])


# An <img> that loaded: its pixels arrived and decoded (not a broken image).
IMG_LOADED = """sel => {
    const img = document.querySelector(sel);
    return Boolean(img && img.complete && img.naturalWidth > 0);
}"""
