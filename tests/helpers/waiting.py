"""Bounded polling: a test waits for what it needs, for at most a given time, never longer."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
STEP = 0.05


def wait_until(check: Callable[[], T], timeout: float = 10.0, what: str = "") -> T:
    """Calls ``check`` until it returns something truthy and returns that; fails after
    ``timeout`` seconds, naming ``what`` it waited for."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or check}")
        time.sleep(STEP)


def never_within(check: Callable[[], Any], seconds: float, what: str = "") -> None:
    """Fails as soon as ``check`` is truthy during ``seconds``: for what must not happen."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert not check(), f"{what or check} happened"
        time.sleep(STEP)
    assert not check(), f"{what or check} happened"
