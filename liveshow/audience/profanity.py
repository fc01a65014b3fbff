"""Flags text for the moderators with a maintained profanity model (alt-profanity-check).

A flag is advice for the crew, never an automatic rejection: the model is English-only
and makes mistakes both ways. The model (scikit-learn) takes about a second to load, so
the app loads it at start-up (``load``), before serving, unless the ``flag_text`` setting
turns flagging off (a night in another language: the model is English-only); scoring one
text then takes ~4 ms.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("liveshow.profanity")
THRESHOLD = 0.8

_predict: Callable[[list[str]], Any] | None = None
_loaded = False


def load() -> None:
    """Load the model (about a second): at start-up, before serving, never mid-show and
    never in a worker thread under eventlet's patched locks. A missing model must not stop
    the show: nothing is flagged then. Loading twice does nothing."""
    global _predict, _loaded
    if _loaded:
        return
    _loaded = True
    try:
        from profanity_check import predict_prob
    except Exception:  # noqa: BLE001 - any failure to load means "no flags", logged
        log.exception("profanity model unavailable: nothing will be flagged")
        return
    _predict = predict_prob


def score(text: str) -> float | None:
    """Probability (0-1) that ``text`` is offensive, or None when the model is unavailable."""
    load()  # done at start-up by the app; here for code that scores without one
    if _predict is None or not text.strip():
        return None if _predict is None else 0.0
    return float(_predict([text])[0])


def no_score(text: str) -> None:
    """Flagging turned off (the flag_text setting): nothing is scored."""
    return None


def flagged(value: float | None) -> bool:
    return value is not None and value >= THRESHOLD
