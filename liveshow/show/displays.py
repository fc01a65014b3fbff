"""The projector displays connected right now, and what each has preloaded."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class DisplayInfo:
    sid: str
    name: str
    address: str
    connected_at: float = field(default_factory=time.time)
    showing: str | None = None
    preloaded: str | None = None
    rev: int = 0
    problem: str | None = None


class DisplayRegistry:
    def __init__(self) -> None:
        self._by_sid: dict[str, DisplayInfo] = {}

    def add(self, sid: str, name: str, address: str) -> DisplayInfo:
        info = DisplayInfo(sid=sid, name=name, address=address)
        self._by_sid[sid] = info
        return info

    def remove(self, sid: str) -> DisplayInfo | None:
        return self._by_sid.pop(sid, None)

    def get(self, sid: str) -> DisplayInfo | None:
        return self._by_sid.get(sid)

    def names(self) -> set[str]:
        return {d.name for d in self._by_sid.values()}

    def listing(self) -> list[dict[str, Any]]:
        return [
            asdict(d) for d in sorted(self._by_sid.values(), key=lambda d: (d.name, d.connected_at))
        ]
