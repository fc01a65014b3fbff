"""The running server's side of the sync: drain the outbox whenever the catalogue answers,
back off (with jitter) while it does not, and tell the crew what is pending, sent and failed.

Framework-free: the server gives it a ``sleep`` (green under eventlet) and a ``notify`` that
refreshes the crew's dashboard; ``realtime/sync.py`` runs :meth:`SyncService.run` as a
background task.
"""

from __future__ import annotations

import enum
import logging
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..store import outbox
from ..store.database import Store
from .client import Catalogue, CatalogueError, Refused, Unreachable
from .sender import Sender, Tally, retry_failed

log = logging.getLogger("liveshow.sync")

POLL = 2.0  # seconds between looks at the outbox while all is quiet
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 60.0
FAILED_SHOWN = 20


class SyncState(str, enum.Enum):
    OFF = "off"  # no catalogue configured
    IDLE = "idle"  # nothing ready to send, or all sent
    SENDING = "sending"
    OFFLINE = "offline"  # the catalogue does not answer: retrying with backoff
    REFUSED = "refused"  # the catalogue refused the token (or similar): fix the settings


def backoff(failures: int, rng: random.Random = random.Random()) -> float:
    """Exponential, capped, with full jitter (0.5x-1.5x): a hall of venues coming back
    online does not retry in step."""
    base = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** max(0, failures - 1))
    return base * rng.uniform(0.5, 1.5)


class SyncService:
    def __init__(
        self,
        store: Store,
        media_root: Path,
        settings: dict[str, Any],
        sleep: Callable[[float], Any] = time.sleep,
        notify: Callable[[], None] = lambda: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store, self.sleep, self.notify, self.clock = store, sleep, notify, clock
        self.url: str | None = settings.get("catalogue_url") or None
        self.sender: Sender | None = None
        if self.url:
            try:
                catalogue = Catalogue(self.url, settings.get("catalogue_token"))
            except CatalogueError as exc:
                log.error("sync off: %s", exc)
                self.url = None
            else:
                self.sender = Sender(
                    store,
                    media_root,
                    catalogue,
                    chunk=int(settings["sync_chunk_bytes"]),
                    delay=float(settings["sync_delay"]),
                    clock=clock,
                )
        self.state = SyncState.IDLE if self.sender else SyncState.OFF
        self.failures = 0
        self.last_error: str | None = None
        self.last_success: float | None = None
        self.next_attempt: float | None = None
        self.woken = False
        self.stopped = False

    # ---- what the crew sees -----------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        failed = [
            {
                "kind": r["kind"],
                "ref": r["ref"],
                "error": r["last_error"],
                "attempts": r["attempts"],
            }
            for r in self.store.db.query(
                "select kind, ref, last_error, attempts from outbox where status = 'failed' "
                "order by id limit ?",
                [FAILED_SHOWN],
            )
        ]
        return {
            "configured": self.sender is not None,
            "catalogue": self.url,
            "state": self.state.value,
            "counts": outbox.counts(self.store.db),
            "last_error": self.last_error,
            "last_success": self.last_success,
            "next_attempt": self.next_attempt,
            "failed": failed,
        }

    def retry(self) -> int:
        """The crew's Retry: failed rows go back to the queue and the sender wakes now."""
        requeued = retry_failed(self.store, self.clock())
        self.wake()
        return requeued

    def wake(self) -> None:
        self.woken = True
        self.next_attempt = None

    # ---- the loop ---------------------------------------------------------------------------
    def run(self, rounds: int | None = None) -> None:
        """For the life of the server (``rounds`` bounds it in tests)."""
        done = 0
        while not self.stopped and (rounds is None or done < rounds):
            done += 1
            wait = self.step()
            slept = 0.0
            while slept < wait and not self.woken and not self.stopped:
                self.sleep(min(POLL, wait - slept))
                slept += POLL
            self.woken = False

    def step(self) -> float:
        """One look at the outbox; the seconds to wait before the next."""
        if self.sender is None or self.sender.ready() == 0:
            return POLL
        self._set(SyncState.SENDING)
        tally = Tally()
        try:
            self.sender.drain(tally)
        except Unreachable as exc:
            if tally.sent:  # it got somewhere: the backoff starts again from short
                self.failures = 0
            return self._failed(SyncState.OFFLINE, str(exc))
        except Refused as exc:  # a 401 on an upload: the token (nothing a retry fixes soon)
            return self._failed(SyncState.REFUSED, str(exc))
        except Exception as exc:  # the show must go on: log it, show it, try again later
            log.exception("sync round failed")
            return self._failed(SyncState.OFFLINE, f"{type(exc).__name__}: {exc}")
        self.failures = 0
        self.last_success = self.clock()
        self.next_attempt = None
        self.last_error = tally.errors[-1] if tally.errors else None
        self._set(SyncState.IDLE)
        return POLL

    def _failed(self, state: SyncState, error: str) -> float:
        self.failures += 1
        wait = backoff(self.failures)
        self.last_error = error
        self.next_attempt = self.clock() + wait
        log.warning("sync: %s (next try in %.0f s)", error, wait)
        self._set(state)
        return wait

    def _set(self, state: SyncState) -> None:
        self.state = state
        self.notify()
