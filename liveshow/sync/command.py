"""``liveshow sync``: drain the outbox once, from the command line, with a progress bar.

Exits 0 only when nothing is left to send. It retries with backoff and jitter while the
catalogue does not answer, for at most ``--timeout`` seconds; the running server's own
background sender may work at the same time without harm (rows it holds are waited for).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from .. import settings
from ..store import outbox
from ..store.database import Store
from .client import Catalogue, CatalogueError, Refused, Unreachable
from .sender import Sender, Tally
from .service import backoff


@click.command("sync")
@click.option(
    "--data",
    default=None,
    help="The show's data directory [env LIVESHOW_DATA; default: ./liveshow-data]",
)
@click.option("--catalogue-url", default=None, help="The catalogue [env LIVESHOW_CATALOGUE_URL]")
@click.option(
    "--catalogue-token", default=None, help="Its write token [env LIVESHOW_CATALOGUE_TOKEN]"
)
@click.option(
    "--sync-chunk-bytes",
    type=int,
    default=None,
    help="Bytes per upload request [env LIVESHOW_SYNC_CHUNK_BYTES; default 4194304]",
)
@click.option(
    "--timeout",
    type=float,
    default=300.0,
    show_default=True,
    help="Give up after this many seconds without an answer from the catalogue.",
)
def sync(
    data: str | None,
    catalogue_url: str | None,
    catalogue_token: str | None,
    sync_chunk_bytes: int | None,
    timeout: float,
) -> None:
    """Send the night's approved work, takes and screenings to the catalogue, once."""
    values = settings.load(
        {
            "data": data,
            "catalogue_url": catalogue_url,
            "catalogue_token": catalogue_token,
            "sync_chunk_bytes": sync_chunk_bytes,
        }
    )
    if not values["catalogue_url"]:
        raise click.ClickException("no catalogue: set LIVESHOW_CATALOGUE_URL or --catalogue-url")
    folder = Path(values["data"]).expanduser()
    if not (folder / "show.db").is_file():
        raise click.ClickException(f"no show in {folder} (no show.db): is --data right?")
    store = Store(folder / "show.db")
    try:
        catalogue = Catalogue(values["catalogue_url"], values["catalogue_token"])
    except CatalogueError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        code = drain_with_retries(store, folder / "media", catalogue, values, timeout)
    finally:
        store.close()
    raise SystemExit(code)


def drain_with_retries(
    store: Store, media_root: Path, catalogue: Catalogue, values: dict[str, Any], timeout: float
) -> int:
    sender = Sender(store, media_root, catalogue, chunk=int(values["sync_chunk_bytes"]))
    tally = Tally()
    pending = outbox.counts(store.db)["pending"]
    deadline = time.monotonic() + timeout
    failures = retries = 0
    progress_at = (0, 0)
    settled = (0, 0, 0)
    with click.progressbar(length=max(pending, 1), label="Sending to the catalogue") as bar:
        sender.progress = bar.update
        while True:
            try:
                sender.drain(tally)
            except Unreachable as exc:
                retries += 1
                moved = (tally.sent, tally.bytes_uploaded) != progress_at
                progress_at = (tally.sent, tally.bytes_uploaded)
                failures = 1 if moved else failures + 1  # backoff grows only while stuck
                wait = backoff(failures)
                if time.monotonic() + wait > deadline:
                    click.echo(f"\nthe catalogue did not answer: {exc}", err=True)
                    break
                click.echo(f"\n{exc}: trying again in {wait:.1f} s", err=True)
                time.sleep(wait)
                continue
            except Refused as exc:
                click.echo(f"\n{exc}", err=True)
                break
            if not outbox.counts(store.db)["pending"] or time.monotonic() > deadline:
                break
            if (tally.sent, tally.failed, tally.dropped) == settled:
                # nothing moved: another sender (the running server) holds what is left, or
                # a screening waits for its take: wait for them
                time.sleep(0.5)
            settled = (tally.sent, tally.failed, tally.dropped)
    counts = outbox.counts(store.db)
    click.echo(
        f"sent {tally.sent}, dropped {tally.dropped}, failed {tally.failed} "
        f"({tally.requests} batches, {tally.bytes_uploaded:,} media bytes, "
        f"{catalogue.tally['requests']} requests, {catalogue.tally['retries']} request retries, "
        f"{retries} round retries); in the outbox now: {counts['sent']} sent, "
        f"{counts['pending']} pending, {counts['failed']} failed, {counts['dropped']} dropped"
    )
    for row in store.db.query(
        "select kind, ref, last_error from outbox where status = 'failed' order by id limit 50"
    ):
        click.echo(f"  failed: {row['kind']} {row['ref']}: {row['last_error']}", err=True)
    if counts["pending"] and not sender.ready():
        click.echo("  (another sender still holds the pending rows)", err=True)
    return 0 if counts["pending"] == 0 and counts["failed"] == 0 else 1
