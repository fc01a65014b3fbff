"""Flags text for the moderators with a maintained profanity model (alt-profanity-check).

A flag is advice for the crew, never an automatic rejection: the model is English-only
and makes mistakes both ways. The model (scikit-learn) takes about a second to load, so
`liveshow serve` loads it at start-up, before serving; scoring one text then takes ~4 ms.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

log = logging.getLogger("liveshow.profanity")
THRESHOLD = 0.8
_predict: Callable[[list[str]], Any] | None = None
_failed = False


def _model() -> Callable[[list[str]], Any] | None:
    # No lock: the import system serialises the import, and both racers store the same
    # function. (A threading.Lock here would be eventlet's green lock after monkey-patching.)
    global _predict, _failed
    if _predict is None and not _failed:
        try:
            from profanity_check import predict_prob
            _predict = predict_prob
        except Exception:          # a missing model must not stop the show
            log.exception("profanity model unavailable: nothing will be flagged")
            _failed = True
    return _predict


def score(text: str) -> float | None:
    """Probability (0-1) that ``text`` is offensive, or None when the model is unavailable."""
    predict = _model()
    if predict is None or not text.strip():
        return None if predict is None else 0.0
    return float(predict([text])[0])


def flagged(value: float | None) -> bool:
    return value is not None and value >= THRESHOLD
