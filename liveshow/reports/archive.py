"""``liveshow archive``: the night as one BagIt bag (RFC 8493), and ``--verify`` to check one.

The bag's payload (``data/``):

- ``show.db``: a consistent copy of the show database (SQLite's backup API, then out of WAL
  mode: one self-contained file), openable with Datasette or the sqlite-utils CLI;
- ``media/<sha256>``: every cached and uploaded media file, content-addressed as in the data
  directory;
- ``show/show.yaml``: the show as it was stored (with the crew's edits), its media pointing
  at ``../media/<sha256>`` so the file loads from the bag itself;
- ``report/``: the show report (``index.html``, its PNG figures and CSV files);
- ``provenance/lineage.jsonld``: W3C PROV-O of every approved record, and
  ``provenance/attribution.txt``: one TASL line per record.

``manifest-sha256.txt`` covers every payload file, ``tagmanifest-sha256.txt`` the tag files.
A bag is checked whole: every checksum, nothing missing, nothing extra (``bagit``), and every
media file still named by its own hash.
"""

from __future__ import annotations

import json
import re
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import bagit
import yaml

from ..show.loading import read_show
from ..store.database import Store
from .lineage import Lineage
from .report import report_from_database
from .snapshot import database_of, open_read_only, snapshot

ARCHIVES = (".tar", ".tar.gz", ".tgz")
HASH_NAME = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class Archive:
    bag: Path  # the bag's folder, or the .tar/.tar.gz holding it
    performance: str
    records: int
    media: int


class ArchiveError(Exception):
    """The archive could not be made (the reason is in the message)."""


def make_archive(data_dir: Path, out: Path, licence: str) -> Archive:
    """Pack the night in ``data_dir`` as a bag at ``out`` (a new folder, or a .tar/.tar.gz)."""
    source = database_of(data_dir)
    if out.exists():
        raise ArchiveError(f"{out} already exists: archive to a new path")
    with tempfile.TemporaryDirectory(prefix="liveshow-archive-") as tmp:
        work = Path(tmp)
        serialised = out.name.endswith(ARCHIVES)
        folder = work / out.name.split(".tar")[0].removesuffix(".tgz") if serialised else out
        folder.mkdir(parents=True)
        try:
            made = fill_bag(folder, source, data_dir / "media", work, licence)
            if serialised:
                with (
                    tarfile.open(out, "w")
                    if out.suffix == ".tar"
                    else tarfile.open(out, "w:gz") as tar
                ):
                    tar.add(folder, arcname=folder.name)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    made.bag = out
    return made


def fill_bag(folder: Path, source: Path, media: Path, work: Path, licence: str) -> Archive:
    copy = snapshot(source, work / "snapshot.db")
    shutil.copyfile(copy, folder / "show.db")
    count = 0
    if media.is_dir():
        (folder / "media").mkdir()
        for item in sorted(media.iterdir()):
            if item.is_file() and HASH_NAME.match(item.name):  # not partial/temp files
                shutil.copyfile(item, folder / "media" / item.name)
                count += 1
    report_from_database(folder / "show.db", folder / "report")
    conn = open_read_only(folder / "show.db")
    try:
        lineage = Lineage(conn, licence)
        graph = lineage.build()
    finally:
        conn.close()
    (folder / "provenance").mkdir()
    (folder / "provenance" / "lineage.jsonld").write_text(
        json.dumps(graph, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (folder / "provenance" / "attribution.txt").write_text(
        "".join(f"{a.record}\t{a.line}\n" for a in lineage.attributions), encoding="utf-8"
    )
    write_show(folder / "show", copy)
    bagit.make_bag(
        str(folder),
        {
            "Source-Organization": "liveshow",
            "External-Identifier": lineage.performance,
            "External-Description": f"{lineage.title}: the night as archived by liveshow "
            "(database, media, show file, report, PROV-O lineage)",
            "Liveshow-Licence": lineage.licence.name,
        },
        processes=1,
        checksums=["sha256"],
    )
    return Archive(folder, lineage.performance, len(lineage.attributions), count)


def write_show(folder: Path, database: Path) -> None:
    """The stored show as a show file whose media are the bag's own copies."""
    store = Store(database)  # the working snapshot, not the bag's copy: Store sets WAL mode
    try:
        stored = read_show(store)
    finally:
        store.close()
    if stored is None:
        return
    data = stored.show.to_showfile()
    # Every cue with media, a group's cues too (else the archived show does not load).
    cues = [*data["cues"], *(c for g in data["cues"] for c in g.get("cues", []))]
    for cue in cues:
        sha = stored.media_of.get(cue.get("id", ""))
        if "media" in cue and sha:
            cue["media"] = f"../media/{sha}"
    folder.mkdir()
    header = (
        f"# The show as stored in show.db (loaded from {stored.source_path or 'the dashboard'})\n"
    )
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    (folder / "show.yaml").write_text(header + text, encoding="utf-8")


def verify(path: Path) -> str | None:
    """None when the bag at ``path`` (a folder, or a .tar/.tar.gz of one) is whole; else why."""
    if path.is_file() and path.name.endswith(ARCHIVES):
        with tempfile.TemporaryDirectory(prefix="liveshow-verify-") as tmp:
            with tarfile.open(path) as tar:
                tar.extractall(tmp, filter="data")
            inside = [p for p in Path(tmp).iterdir() if p.is_dir()]
            if len(inside) != 1:
                return f"{path} should hold one bag folder, it holds {len(inside)}"
            return verify(inside[0])
    if not path.is_dir():
        return f"{path} is not a bag (no such folder)"
    try:
        bag = bagit.Bag(str(path))
        bag.validate(processes=1)
    except bagit.BagValidationError as exc:
        details = [str(d) for d in exc.details or []]
        if not details:  # a count or size mismatch (Payload-Oxum): name the files too
            missing, extra = bag.compare_manifests_with_fs()
            details = [f"{name} is missing" for name in missing]
            details += [f"{name} is not in the manifest" for name in extra]
        shown = "; ".join(details[:5]) + (
            f" (and {len(details) - 5} more)" if len(details) > 5 else ""
        )
        return f"{exc.message}" + (f": {shown}" if shown else "")
    except bagit.BagError as exc:
        return str(exc)
    if "sha256" not in bag.algorithms:
        return "the bag has no manifest-sha256.txt"
    for name, hashes in bag.entries.items():
        parts = Path(name).parts
        if parts[:2] == ("data", "media") and hashes.get("sha256") != parts[-1]:
            return f"{name} is not named by its own SHA-256 (the bag's media are content-addressed)"
    return None
