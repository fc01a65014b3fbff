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

import _thread
import os
import sys
from collections.abc import Callable
from types import SimpleNamespace
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


def _native_thread_module() -> Any:
    """``_thread`` as the operating system has it, even where eventlet or gevent has made it
    green: a green lock cannot put an OS thread (the worker pool's) to sleep, and a green
    thread is not a thread of its own."""
    if "eventlet" in sys.modules:
        from eventlet import patcher

        if patcher.is_monkey_patched("thread"):
            return patcher.original("_thread")
    if "gevent" in sys.modules:
        from gevent import monkey

        if monkey.is_module_patched("threading"):
            allocate_lock, start_new_thread = monkey.get_original(
                "_thread", ["allocate_lock", "start_new_thread"]
            )
            return SimpleNamespace(allocate_lock=allocate_lock, start_new_thread=start_new_thread)
    return _thread


def native_lock() -> Any:
    """A lock between OS threads (any thread may release it, so it also serves to wait for
    another thread's signal)."""
    return _native_thread_module().allocate_lock()


def start_native_thread(fn: Callable[[], None]) -> None:
    """An OS thread running ``fn`` (it inherits the calling thread's CPU priority)."""
    _native_thread_module().start_new_thread(fn, ())
