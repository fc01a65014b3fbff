"""On the projector, in a real browser: a cue with a fade in really fades in (not the usual
0.4 s dissolve), and the crew's master volume and a cue's level really set a playing video's
volume, on a display that was open and on one that reloads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.helpers.display import on_screen, playing
from tests.helpers.waiting import wait_until

VIDEO = Path(__file__).resolve().parents[1] / "media" / "demo" / "tide-pools.mp4"

TOP_OPACITY_JS = """async (id) => {
    const top = () => {
        const layers = document.querySelectorAll('#stage > .layer');
        const layer = layers[layers.length - 1];
        return layer && layer.dataset.cue === id ? layer : null;
    };
    const t0 = performance.now();
    while (!top()) {
        if (performance.now() - t0 > 10000) return null;
        await new Promise((r) => setTimeout(r, 10));
    }
    const first = Number(getComputedStyle(top()).opacity);
    await new Promise((r) => setTimeout(r, 500));
    return {first, half: Number(getComputedStyle(top()).opacity)};
}"""

VOLUME_JS = """() => {
    const v = document.querySelector('#stage > .layer:last-child video');
    return v ? v.volume : null;
}"""


def write_show(folder: Path) -> Path:
    show = folder / "fades.yaml"
    show.write_text(
        yaml.safe_dump(
            {
                "title": "Fades",
                "cues": [
                    {"id": "plain", "kind": "title", "title": "Plain"},
                    {"id": "slow", "kind": "title", "title": "Slow", "fade_in": 1},
                    {
                        "id": "film",
                        "kind": "record",
                        "title": "Film",
                        "media": str(VIDEO),
                        "level": -6,
                    },
                ],
            }
        )
    )
    return show


def test_a_cue_with_fade_in_starts_faint_and_reaches_full_opacity(
    server_factory: Any, crew_of: Any, open_display: Any, tmp_path: Path
) -> None:
    srv = server_factory(write_show(tmp_path))
    crew = crew_of(srv)
    page = open_display(srv)
    crew.goto("plain")
    on_screen(page, "plain")

    crew.goto("slow")
    seen = page.evaluate(TOP_OPACITY_JS, "slow")
    assert seen is not None, "the faded cue never reached the screen"
    assert seen["first"] < 0.3, seen
    # Half-way through a 1 s fade: the usual 0.4 s dissolve would be over by now.
    assert 0.1 < seen["half"] < 0.95, seen
    on_screen(page, "slow")  # and it gets there


def test_the_master_volume_and_the_cue_level_set_a_playing_videos_volume(
    server_factory: Any, crew_of: Any, open_display: Any, tmp_path: Path
) -> None:
    srv = server_factory(write_show(tmp_path))
    crew = crew_of(srv)
    page = open_display(srv)
    crew.goto("film")
    on_screen(page, "film")
    wait_until(lambda: playing(page), timeout=15, what="the film plays")
    level = 10 ** (-6 / 20)  # the cue's -6 dB
    wait_until(lambda: abs(page.evaluate(VOLUME_JS) - level) < 0.01, what="the cue's level")

    crew.command("volume", {"level": 0.25})
    wait_until(
        lambda: abs(page.evaluate(VOLUME_JS) - level * 0.25) < 0.01,
        timeout=3,
        what="the master volume reaches the playing video",
    )
    assert playing(page)

    page.reload()
    page.wait_for_function("() => window.liveshowDisplay && window.liveshowDisplay.rev")
    wait_until(lambda: page.evaluate("() => window.liveshowDisplay.volume") == 0.25)
    wait_until(
        lambda: abs((page.evaluate(VOLUME_JS) or 0) - level * 0.25) < 0.01,
        timeout=10,
        what="a reloaded display plays at the master volume",
    )
