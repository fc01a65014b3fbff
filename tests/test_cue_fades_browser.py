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

# Every opacity the cue's layer shows, frame by frame, from the moment it is put on the stage
# (a MutationObserver: no round trip through the test, which a loaded machine stretches)
# until it is fully on, as [opacity, ms since it was put there]. Set up before the GO.
WATCH_FADE_IN_JS = """(id) => {
    window.__fadeIn = null;
    const stage = document.getElementById('stage');
    const observer = new MutationObserver(() => {
        const layer = stage.querySelector(`:scope > .layer[data-cue="${id}"]`);
        if (!layer) return;
        observer.disconnect();
        const seen = [], t0 = performance.now();
        const look = () => {
            const opacity = Number(getComputedStyle(layer).opacity);
            seen.push([opacity, performance.now() - t0]);
            if (opacity >= 0.999) window.__fadeIn = seen;
            else requestAnimationFrame(look);
        };
        look();
    });
    observer.observe(stage, {childList: true});
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

    page.evaluate(WATCH_FADE_IN_JS, "slow")
    crew.goto("slow")
    on_screen(page, "slow")  # it gets there
    seen = wait_until(lambda: page.evaluate("window.__fadeIn"), 10, "the fade in watched")
    assert seen[0][0] < 0.3, seen  # it starts faint
    assert any(0.1 < opacity < 0.95 for opacity, _ in seen), seen  # a fade, not a cut
    # A 1 s fade, not the usual 0.4 s dissolve: fully on only after 0.7 s or more (a floor
    # only: a loaded machine draws its frames late, never early).
    assert seen[-1][1] >= 700, seen


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
