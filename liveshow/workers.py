"""Heavy work (image decoding, audio conversion) off the event loop, in OS threads.

OpenCV and ffmpeg release the GIL, so a few threads use both cores while the event loop
keeps broadcasting cues. Under eventlet this is eventlet's thread pool (size set by
EVENTLET_THREADPOOL_SIZE), under gevent the hub's thread pool, under threading a direct call
(each request already has its own thread).

The pool's threads run at a lower CPU priority than the event loop's thread (Linux keeps a
nice value per thread): when a burst of photos keeps both cores busy, a cue broadcast still
gets a core at once, and the photos take what is left.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

BACKGROUND_NICE = 10  # above the process's own nice value; 19 is the lowest priority


def direct(fn: Callable[..., Any], *args: Any) -> Any:
    """Run in this thread (threading mode, tests, tools)."""
    return fn(*args)


def lower_priority() -> None:
    """Put the calling worker thread BACKGROUND_NICE below the process (once; Linux only:
    elsewhere the nice value belongs to the whole process, event loop included)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        want = min(19, os.getpriority(os.PRIO_PROCESS, os.getpid()) + BACKGROUND_NICE)
        if os.getpriority(os.PRIO_PROCESS, 0) < want:  # 0: this thread, on Linux
            os.setpriority(os.PRIO_PROCESS, 0, want)
    except OSError:
        pass


def in_background(fn: Callable[..., Any], *args: Any) -> Any:
    lower_priority()
    return fn(*args)


def offload(async_mode: str) -> Callable[..., Any]:
    if async_mode == "eventlet":
        from eventlet import tpool

        def run_eventlet(fn: Callable[..., Any], *args: Any) -> Any:
            return tpool.execute(in_background, fn, *args)

        return run_eventlet
    if async_mode == "gevent":
        import gevent

        def run_gevent(fn: Callable[..., Any], *args: Any) -> Any:
            return gevent.get_hub().threadpool.apply(in_background, (fn, *args))

        return run_gevent
    return direct


def native_lock() -> AbstractContextManager[Any]:
    """A lock between OS threads (the worker pool's), even where eventlet or gevent has
    made threading's locks green: a green lock cannot put an OS thread to sleep."""
    if "eventlet" in sys.modules:
        from eventlet import patcher

        if patcher.is_monkey_patched("thread"):
            return patcher.original("threading").Lock()  # type: ignore[no-any-return]
    if "gevent" in sys.modules:
        from gevent import monkey

        if monkey.is_module_patched("threading"):
            return monkey.get_original("threading", "Lock")()  # type: ignore[no-any-return]
    return threading.Lock()
