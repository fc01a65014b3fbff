"""Token-bucket rate limits for untrusted clients: per device and per network address."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    rate: float  # tokens added per second
    burst: float  # bucket size

    @classmethod
    def per_minute(cls, count: float, burst: float | None = None) -> Limit:
        return cls(rate=count / 60.0, burst=burst if burst is not None else count)


class RateLimiter:
    """Buckets keyed by (limit name, key). Memory is bounded: idle full buckets are dropped."""

    def __init__(
        self, limits: dict[str, Limit], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits
        self.clock = clock
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._last_sweep = clock()

    def allow(self, name: str, key: str, cost: float = 1.0) -> bool:
        limit = self.limits[name]
        now = self.clock()
        tokens, stamp = self._buckets.get((name, key), (limit.burst, now))
        tokens = min(limit.burst, tokens + (now - stamp) * limit.rate)
        allowed = tokens >= cost
        if allowed:
            tokens -= cost
        self._buckets[(name, key)] = (tokens, now)
        if now - self._last_sweep > 60:
            self._sweep(now)
        return allowed

    def _sweep(self, now: float) -> None:
        self._last_sweep = now
        for (name, key), (tokens, stamp) in list(self._buckets.items()):
            limit = self.limits[name]
            if tokens + (now - stamp) * limit.rate >= limit.burst:
                del self._buckets[(name, key)]


# Per device, and per network address (generous: a venue may NAT many phones behind one).
AUDIENCE_LIMITS = {
    "connect-ip": Limit.per_minute(600, burst=300),
    "join-device": Limit.per_minute(6, burst=3),
    "join-ip": Limit.per_minute(600, burst=300),
    "event-device": Limit(rate=2.0, burst=10),
    "event-ip": Limit(rate=200.0, burst=400),
    "upload-device": Limit.per_minute(12, burst=6),
    "upload-ip": Limit.per_minute(1200, burst=600),
    # reactions: a burst of applause, then one a second (the projector shows at most a few)
    "react-device": Limit(rate=1.0, burst=5),
    "react-ip": Limit(rate=100.0, burst=500),
}
