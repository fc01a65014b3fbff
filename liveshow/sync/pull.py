"""``liveshow pull``: the catalogue records a show screens, fetched before the show into its
own cache, so that the show needs no network.

Each record's media is downloaded to a temporary file beside the cache and its SHA-256 is
checked against the record's ``media.sha256`` before the file is probed and copied into the
content-addressed cache (:class:`MediaLibrary`), so a wrong or truncated download never
becomes visible. The record (its whole JSON, the catalogue's credits and its lineage) is
stored in ``catalogue_records`` only after its media is in place: a record either screens or
is reported, never half-stored. One record failing (unknown id, bad hash, unreachable
catalogue) does not stop the others.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import click

from .. import settings
from ..media import probe
from ..media.library import MediaLibrary, sha256_file
from ..show.cue_groups import all_cues
from ..show.demo import DEMO_SHOW
from ..show.loading import KIND_TYPES
from ..show.showfile import ShowFileError, load_file
from ..store.database import Store
from .client import Catalogue, CatalogueError, Unreachable

SHA256 = re.compile(r"^[0-9a-f]{64}\Z")

# progress(bytes just received, total bytes this pull downloads)
Progress = Callable[[int, int], None]


class PullError(Exception):
    """One record (or collaboration) could not be pulled; the message says why."""


@dataclass
class PullResult:
    """What a pull did. ``failed`` maps what was asked for ("record 12", "collaboration
    'x'") to why it is not cached; empty means everything asked for is here."""

    pulled: list[int] = field(default_factory=list)  # stored, with their media cached
    downloaded: list[int] = field(default_factory=list)  # of those: media downloaded now
    cached: list[int] = field(default_factory=list)  # of those: media already cached, verified
    failed: dict[str, str] = field(default_factory=dict)
    downloaded_bytes: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed


def pull(
    store: Store,
    media_library: MediaLibrary,
    catalogue: Catalogue,
    record_ids: Iterable[int],
    collaboration_slugs: Iterable[str] = (),
    progress: Progress | None = None,
) -> PullResult:
    """Fetch ``record_ids`` and every record of ``collaboration_slugs`` into the show's cache."""
    result = PullResult()
    records: dict[int, dict[str, Any]] = {}
    for slug in dict.fromkeys(collaboration_slugs):
        try:
            for record in catalogue.collaboration_records(slug):
                records[int(record["id"])] = record
        except (CatalogueError, KeyError, TypeError, ValueError) as exc:
            result.failed[f"collaboration {slug!r}"] = _reason(exc)
    for record_id in dict.fromkeys(record_ids):
        if record_id in records:
            continue
        try:
            records[record_id] = catalogue.record(record_id)
        except CatalogueError as exc:
            result.failed[f"record {record_id}"] = _reason(exc)
    plans: list[tuple[int, dict[str, Any], str | None]] = []
    for record_id, record in sorted(records.items()):
        try:
            plans.append((record_id, record, _checked(record_id, record)))
        except PullError as exc:
            result.failed[f"record {record_id}"] = str(exc)
    to_fetch = {sha: _size(rec) for _, rec, sha in plans if sha and not _cached(media_library, sha)}
    total = sum(to_fetch.values())
    if progress is not None:
        progress(0, total)
    for record_id, record, sha in plans:
        try:
            if sha is not None and sha in to_fetch:
                result.downloaded_bytes += _download(
                    media_library, catalogue, sha, record_id, progress, total
                )
                del to_fetch[sha]  # another record with the same media finds it cached
                result.downloaded.append(record_id)
            elif sha is not None:
                result.cached.append(record_id)
            _store_record(store, record, sha)
            result.pulled.append(record_id)
        except (CatalogueError, PullError, probe.ProbeError, OSError, sqlite3.Error) as exc:
            result.failed[f"record {record_id}"] = _reason(exc)
    return result


def _reason(exc: Exception) -> str:
    if isinstance(exc, Unreachable):
        return f"the catalogue did not answer ({exc}); pull again when it does"
    if isinstance(exc, (KeyError, TypeError, ValueError)):
        return f"the catalogue's answer is not a collaboration with records ({exc})"
    return str(exc)


def _checked(record_id: int, record: dict[str, Any]) -> str | None:
    """The record's media hash (None for a text); refuses an answer the show cannot use."""
    if not isinstance(record, dict) or record.get("id") != record_id:
        raise PullError(f"the catalogue answered another record than {record_id}")
    kind = record.get("kind")
    if kind not in KIND_TYPES:
        raise PullError(f"record {record_id} is of kind {kind!r}, which a show cannot screen")
    credits = record.get("credits")
    if not isinstance(credits, list) or not all(isinstance(c, dict) for c in credits):
        raise PullError(f"record {record_id} has no list of credits")
    if kind == "text":
        if not isinstance(record.get("text"), str):
            raise PullError(f"record {record_id} is a text with no text")
        return None
    media = record.get("media")
    sha = media.get("sha256") if isinstance(media, dict) else None
    if not isinstance(sha, str) or not SHA256.match(sha):
        raise PullError(f"record {record_id} is a {kind} with no media hash")
    return sha


def _size(record: dict[str, Any]) -> int:
    size = (record.get("media") or {}).get("bytes")
    return size if isinstance(size, int) and size > 0 else 0


def _cached(media_library: MediaLibrary, sha: str) -> bool:
    """Already in the cache, with its media row, and its bytes still match their name. A
    cached file that no longer matches is removed, so it is downloaded again."""
    path = media_library.path_for(sha)
    if path is None or media_library.info(sha) is None:
        return False
    if sha256_file(path) == sha:
        return True
    path.unlink(missing_ok=True)
    return False


class _HashingWriter:
    """Writes what the catalogue sends and hashes it on the way."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.digest = hashlib.sha256()
        self.received = 0

    def write(self, piece: bytes) -> None:
        self.digest.update(piece)
        self.received += len(piece)
        self.out.write(piece)


def _download(
    media_library: MediaLibrary,
    catalogue: Catalogue,
    sha: str,
    record_id: int,
    progress: Progress | None,
    total: int,
) -> int:
    """Download into a temporary file, check its hash, then probe it and copy it into the
    cache. Nothing is left behind when any step fails."""
    fd, name = tempfile.mkstemp(prefix=".pull-", dir=media_library.root)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            sink = _HashingWriter(out)
            catalogue.download(
                sha,
                sink,  # type: ignore[arg-type]
                (lambda n: progress(n, total)) if progress is not None else None,
            )
        digest, received = sink.digest, sink.received
        if digest.hexdigest() != sha:
            raise PullError(
                f"record {record_id}: the media downloaded does not match its SHA-256 "
                f"(expected {sha[:12]}…, got {digest.hexdigest()[:12]}…, {received} bytes): "
                "refused, nothing kept"
            )
        row = media_library.ingest(tmp)
        if row["sha256"] != sha:  # the file changed under us
            raise PullError(f"record {record_id}: the media changed while it was cached")
        with media_library.store.write() as db:
            db.table("media").update(
                sha,
                {"source_path": f"{catalogue.url}/api/v1/media/{sha}", "source_mtime": None},
            )
        return received
    finally:
        tmp.unlink(missing_ok=True)


def _store_record(store: Store, record: dict[str, Any], sha: str | None) -> None:
    credits = [
        {"artist": c.get("artist"), "name": c.get("name") or c.get("artist"), "role": c.get("role")}
        for c in record["credits"]
    ]
    with store.write() as db:
        db.table("catalogue_records").upsert(
            {
                "id": record["id"],
                "collaboration": record.get("collaboration"),
                "kind": record["kind"],
                "title": record.get("title") or "",
                "text": record.get("text"),
                "media_sha256": sha,
                "credits": json.dumps(credits),
                "record": json.dumps(record, sort_keys=True),
                "pulled_at": time.time(),
            },
            pk="id",
        )


def show_record_ids(store: Store, show_file: str | None) -> list[int]:
    """The catalogue records the show names: ``show_file``'s, else the stored show's, else
    the demo show's (the show `liveshow serve` would load)."""
    if show_file is None and list(store.db.query("select id from show")):
        rows = store.db.query(
            "select distinct catalogue_record from cues where catalogue_record is not null"
        )
        return sorted(row["catalogue_record"] for row in rows)
    cues = all_cues(load_file(Path(show_file or DEMO_SHOW)).cues)  # a group's cues too
    return sorted({c.catalogue_record for c in cues if c.catalogue_record is not None})


def pull_show(values: dict[str, Any], collaborations: Iterable[str] = ()) -> bool:
    """`liveshow pull` with these settings: a progress bar over the bytes, the failures with
    their reasons, a summary. True when everything asked for is cached."""
    if not values["catalogue_url"]:
        raise click.ClickException(
            "no catalogue to pull from: set LIVESHOW_CATALOGUE_URL or --catalogue-url"
        )
    try:
        catalogue = Catalogue(values["catalogue_url"], values["catalogue_token"])
    except CatalogueError as exc:
        raise click.ClickException(str(exc)) from None
    data = settings.data_dir(values)
    store = Store(data / "show.db")
    bar: Any = None

    def progress(received: int, total: int) -> None:
        nonlocal bar
        if bar is None and total:
            bar = click.progressbar(length=total, label="Pulling media", show_pos=True)
            bar.__enter__()
        if bar is not None:
            bar.update(received)

    try:
        try:
            ids = show_record_ids(store, values["show"])
        except ShowFileError as exc:
            raise click.ClickException(str(exc)) from None
        slugs = list(collaborations)
        if not ids and not slugs:
            click.echo("nothing to pull: the show names no catalogue record")
            return True
        click.echo(f"Pulling from {values['catalogue_url']} into {data}")
        media = MediaLibrary(store, data / "media")
        result = pull(store, media, catalogue, ids, slugs, progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
        store.close()
    for what, why in result.failed.items():
        click.echo(f"{what}: {why}", err=True)
    click.echo(
        f"pulled {len(result.pulled)} record(s): {len(result.downloaded)} media file(s) "
        f"downloaded ({result.downloaded_bytes} bytes), {len(result.cached)} already cached; "
        f"{len(result.failed)} failed"
    )
    return result.ok
