"""A consistent copy of a show database that may be live (WAL mode, a server writing to it).

Copying ``show.db`` byte by byte while the server runs can miss what is still in the WAL file
or catch a page mid-write; SQLite's online backup API copies a consistent state instead. The
copy is switched out of WAL mode, so it is one self-contained file (nothing beside it).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


class NoShow(Exception):
    """The data directory holds no show database."""


def database_of(data_dir: Path) -> Path:
    path = data_dir / "show.db"
    if not path.is_file():
        raise NoShow(f"no show in {data_dir} (no show.db)")
    return path


def snapshot(source: Path, dest: Path) -> Path:
    """Copy the database at ``source`` to ``dest`` (a new file) with the backup API."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        out = sqlite3.connect(str(dest))
        try:
            src.backup(out)
            out.execute("PRAGMA journal_mode=DELETE")
            out.commit()
        finally:
            out.close()
    finally:
        src.close()
    return dest


def open_read_only(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn
