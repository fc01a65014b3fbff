"""The one check that a number from outside (a show file, a dashboard, a phone, a camera
agent) is a real number: an int or a float, not a bool (``true`` is an int in Python), not
NaN or an Infinity (strict JSON cannot carry them: one sent to every screen would break
them all), and, where a range is given, inside it. Each caller words its own error, so it
can name the field and say what a good value looks like."""

from __future__ import annotations

import math
import sys
from typing import Any


def is_finite(value: Any) -> bool:
    """An int or a float, not a bool, NaN or an Infinity. An int is finite (and
    ``math.isfinite`` cannot take one too big for a float): its range is for ``finite_in``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return not isinstance(value, float) or math.isfinite(value)


def finite_in(value: Any, low: float, high: float) -> bool:
    """A finite number from ``low`` to ``high`` (both included) that a float can hold: with
    no bound (``math.inf``), an int too big for a float is refused here, not by the
    OverflowError of a ``float()`` after."""
    if not is_finite(value) or not low <= value <= high:
        return False
    return not isinstance(value, int) or abs(value) <= sys.float_info.max
