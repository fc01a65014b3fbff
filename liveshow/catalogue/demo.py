"""The bundled demo community, loaded into a new, empty catalogue.

Its media and ``community.json`` are made offline by ``media/make_demo_catalogue.py``
(never committed; made on first use, then reused). Loading goes through the same parsing and
writing code as ``POST /contributions``, so the demo is held to the API's own rules.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

from . import batches, writing
from .batches import CollaborationRef, Contribution, MediaRef, ParentLink, RecordRef
from .service import Catalogue

REPO_ROOT = Path(__file__).resolve().parents[2]
GENERATOR = REPO_ROOT / "media" / "make_demo_catalogue.py"
DEMO_DIR = REPO_ROOT / "media" / "demo" / "catalogue"


def make_demo_files(out_dir: Path = DEMO_DIR) -> Path:
    """Run the generator (a script, not a package module); return community.json's path."""
    spec = importlib.util.spec_from_file_location("make_demo_catalogue", GENERATOR)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"demo catalogue generator not found at {GENERATOR}")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_demo_catalogue", module)
    spec.loader.exec_module(module)
    return Path(module.generate(out_dir))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _contribution(
    raw: dict[str, Any],
    ids: dict[str, int],
    media: MediaRef | None,
    collaborations: dict[str, dict[str, str]],
) -> Contribution:
    collab = collaborations[raw["collaboration"]]
    where = f"demo record {raw['name']}"
    return Contribution(
        origin=batches.parse_origin(raw["origin"], where) if raw.get("origin") else None,
        collaboration=CollaborationRef(collab["slug"], collab["title"], collab["description"]),
        kind=batches.Kind(raw["kind"]),
        title=raw["title"],
        text=raw.get("text", ""),
        media=media,
        credits=tuple(batches.parse_credit(c, where) for c in raw["contributors"]),
        consent=tuple(batches.parse_consent(c, where) for c in raw["consent"]),
        parents=tuple(
            ParentLink(RecordRef(ids[p["ref"]], None), p["role"], p["start"], p["end"])
            for p in raw["parents"]
        ),
    )


def load_demo_community(catalogue: Catalogue, manifest: Path | None = None) -> bool:
    """Load the demo into an empty catalogue; False (and no change) when it holds anything."""
    conn = catalogue.db.read()
    if conn.execute("SELECT 1 FROM collaborations LIMIT 1").fetchone():
        return False
    manifest = manifest or make_demo_files()
    data = json.loads(manifest.read_text(encoding="utf-8"))
    collaborations = {c["slug"]: c for c in data["collaborations"]}
    ids: dict[str, int] = {}
    with catalogue.db.write() as wdb:
        for raw in data["records"]:
            media = None
            if raw["file"]:
                path = manifest.parent / raw["file"]
                sha = _sha256(path)
                catalogue.store.put(sha, path)
                media = MediaRef(sha, raw["mime"], raw["duration"])
            item = _contribution(raw, ids, media, collaborations)
            [answer] = writing.apply_contributions(wdb.conn, catalogue.store, [item])
            ids[raw["name"]] = answer["id"]
        for perf in data["performances"]:
            screenings = [{"record": ids[s["ref"]], "at": s["at"]} for s in perf["screenings"]]
            parsed = batches.parse_performance({**perf, "screenings": screenings}, "demo")
            writing.apply_performances(wdb.conn, [parsed])
    return True
