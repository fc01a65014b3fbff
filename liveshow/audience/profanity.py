"""Flags text for the moderators with a maintained profanity model (alt-profanity-check).

A flag is advice for the crew, never an automatic rejection: the model is English-only
and makes mistakes both ways. The model (scikit-learn) takes about a second to load, so
it is loaded when this module is imported (at start-up, before serving); scoring one text
then takes ~4 ms.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("liveshow.profanity")
THRESHOLD = 0.8

# Loaded with this module (about a second), so at start-up, never mid-show and never in a
# worker thread under eventlet's patched locks. A missing model must not stop the show.
try:
    from profanity_check import predict_prob as _predict
except Exception:  # noqa: BLE001 - any failure to load means "no flags", logged
    log.exception("profanity model unavailable: nothing will be flagged")
    _predict = None


def _model() -> Callable[[list[str]], Any] | None:
    return _predict


def score(text: str) -> float | None:
    """Probability (0-1) that ``text`` is offensive, or None when the model is unavailable."""
    predict = _model()
    if predict is None or not text.strip():
        return None if predict is None else 0.0
    return float(predict([text])[0])


def flagged(value: float | None) -> bool:
    return value is not None and value >= THRESHOLD
