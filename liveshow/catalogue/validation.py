"""Checking untrusted JSON field by field, with errors that say where and what.

Every check raises :class:`BadInput` with a path such as ``items[3].parents[0].start``, so
the sender (a show's outbox, or a person with curl) can find the field that was wrong.
"""

from __future__ import annotations

import math
import re
from collections.abc import Set
from datetime import datetime
from typing import Any

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}\Z")
HANDLE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")
ROLE_RE = re.compile(r"^[a-z][a-z -]{0,39}\Z")
MIME_RE = re.compile(r"^[a-z]+/[a-z0-9][a-z0-9.+-]{0,99}\Z")
SHA256_RE = re.compile(r"^[0-9a-f]{64}\Z")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}\Z")


class BadInput(ValueError):
    """Input that is refused as a whole; the message is safe to show to the sender."""


def obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadInput(f"{where} must be a JSON object")
    return value


def array(value: Any, where: str, max_len: int, min_len: int = 0) -> list[Any]:
    if not isinstance(value, list):
        raise BadInput(f"{where} must be a JSON array")
    if not min_len <= len(value) <= max_len:
        raise BadInput(f"{where} must hold {min_len} to {max_len} entries, not {len(value)}")
    return value


def only_keys(value: dict[str, Any], allowed: Set[str], where: str) -> None:
    # an unknown field is usually a misspelt known one: refusing it beats silently dropping
    extra = sorted(set(value) - allowed)
    if extra:
        raise BadInput(f"{where} has unknown field(s): {', '.join(extra)}")


def text(value: Any, where: str, max_len: int, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise BadInput(f"{where} must be a string")
    if required and not value.strip():
        raise BadInput(f"{where} must not be empty")
    if len(value) > max_len:
        raise BadInput(f"{where} is longer than {max_len} characters")
    if "\x00" in value:
        raise BadInput(f"{where} contains a NUL character")
    return value


def pattern(value: Any, where: str, regex: re.Pattern[str], what: str) -> str:
    if not isinstance(value, str) or not regex.match(value):
        raise BadInput(f"{where} must be {what}")
    return value


def slug(value: Any, where: str) -> str:
    return pattern(value, where, SLUG_RE, "a slug (lowercase letters, digits, '-')")


def handle(value: Any, where: str) -> str:
    return pattern(value, where, HANDLE_RE, "a handle (letters, digits, '_', '.', '-')")


def show_id(value: Any, where: str, required: bool = False) -> str:
    if value is None and not required:
        return ""
    return pattern(value, where, ID_RE, "an id (letters, digits, '_', '.', ':', '-')")


def sha256(value: Any, where: str) -> str:
    return pattern(value, where, SHA256_RE, "64 lowercase hex digits (SHA-256)")


def number(value: Any, where: str, minimum: float = 0.0, maximum: float = 1e9) -> float | None:
    if value is None:
        return None
    # bool is an int in Python; true as a time offset is a bug in the sender
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadInput(f"{where} must be a number")
    # an int is finite (and math.isfinite cannot take one too big for a float)
    if (isinstance(value, float) and not math.isfinite(value)) or not minimum <= value <= maximum:
        raise BadInput(f"{where} must be a finite number from {minimum:g} to {maximum:g}")
    return float(value)


def record_id(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value < 2**62:
        raise BadInput(f"{where} must be a catalogue record id (a positive integer)")
    return value


def timestamp(value: Any, where: str, required: bool = False) -> str:
    """An ISO 8601 time, kept as sent (normalising would change what the sender hashed)."""
    if value is None and not required:
        return ""
    if not isinstance(value, str) or len(value) > 40:
        raise BadInput(f"{where} must be an ISO 8601 time string")
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{where} must be an ISO 8601 time string") from None
    return value
