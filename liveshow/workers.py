"""Heavy work (image decoding, audio conversion) off the event loop, in OS threads.

OpenCV and ffmpeg release the GIL, so a few threads use both cores while the event loop
keeps broadcasting cues. Under eventlet this is eventlet's thread pool (size set by
EVENTLET_THREADPOOL_SIZE), under gevent the hub's thread pool, under threading a direct call
(each request already has its own thread).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def direct(fn: Callable[..., Any], *args: Any) -> Any:
    """Run in this thread (threading mode, tests, tools)."""
    return fn(*args)


def offload(async_mode: str) -> Callable[..., Any]:
    if async_mode == "eventlet":
        from eventlet import tpool

        def run_eventlet(fn: Callable[..., Any], *args: Any) -> Any:
            return tpool.execute(fn, *args)

        return run_eventlet
    if async_mode == "gevent":
        import gevent

        def run_gevent(fn: Callable[..., Any], *args: Any) -> Any:
            return gevent.get_hub().threadpool.apply(fn, args)

        return run_gevent
    return direct
