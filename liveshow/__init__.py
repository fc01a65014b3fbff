"""liveshow: the live half of a collaborative art community's theatre shows.

The package import stays light (no Flask, no eventlet) so that `liveshow serve` can
monkey-patch for eventlet or gevent before anything else is imported. ``create_app``,
``socketio`` and ``runtime`` live in :mod:`liveshow.app` and are re-exported lazily.
"""
from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["create_app", "socketio", "runtime", "Runtime"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import app
        return getattr(app, name)
    raise AttributeError(f"module 'liveshow' has no attribute {name!r}")
