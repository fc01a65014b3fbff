"""Acknowledgements: every client-to-server event is answered ``{"ok": true, ...}`` or
``{"ok": false, "error": "...", "retry": true?}``."""

from __future__ import annotations

from typing import Any


def ok(**extra: Any) -> dict[str, Any]:
    return {"ok": True, **extra}


def error(message: str, retry: bool = False) -> dict[str, Any]:
    """A refusal. ``retry``: the same request may succeed later (rate limit, not joined yet),
    so a phone keeps the work queued instead of marking it rejected."""
    return {"ok": False, "error": message, **({"retry": True} if retry else {})}
