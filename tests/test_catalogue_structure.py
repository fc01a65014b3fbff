"""The catalogue is a separate service: its package imports nothing else of liveshow, stays
in small modules, and its docs name every route, setting and command.

Also home of the catalogue tests' shared helpers (an in-process app, a real server process,
tiny valid batches), imported by the other tests/test_catalogue_*.py files.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.catalogue import TOKEN, CatalogueProcess

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "liveshow" / "catalogue"
DOC = ROOT / "docs" / "catalogue.md"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PERFORMANCE = "perf-test-1"


# ----------------------------------------------------------------------------------------
# helpers shared by the catalogue tests
# ----------------------------------------------------------------------------------------


def make_app(data: Path, demo: bool = False) -> Any:
    from liveshow.catalogue.app import create_catalogue_app

    app = create_catalogue_app({"data": str(data), "token": TOKEN, "demo": demo})
    app.config["TESTING"] = True
    return app


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def upload(client: Any, data: bytes) -> str:
    """Upload `data` in one PATCH through a Flask test client; return its hash."""
    digest = sha(data)
    resp = client.patch(
        f"/api/v1/media/{digest}",
        data=data,
        headers={
            **AUTH,
            "Upload-Offset": "0",
            "Upload-Length": str(len(data)),
            "Content-Type": "application/offset+octet-stream",
        },
    )
    assert resp.status_code == 204, resp.get_data(as_text=True)
    return digest


def origin(submission: str = "", take: str = "", **extra: str) -> dict[str, str]:
    out = {"performance": PERFORMANCE, "show": "test-show", **extra}
    out.update({"submission": submission} if submission else {"take": take})
    return out


def text_item(submission: str, text: str = "A tiny story", **extra: Any) -> dict[str, Any]:
    return {
        "origin": origin(submission, prompt="stories"),
        "collaboration": {"slug": "test-night", "title": "Test night"},
        "kind": "text",
        "title": f"Story {submission}",
        "text": text,
        "contributors": [{"handle": "ana", "name": "Ana", "role": "audience contributor"}],
        "consent": [
            {"artist": "ana", "terms_version": "t1", "accepted_at": "2026-11-01T20:00:00+00:00"}
        ],
        **extra,
    }


def take_item(take: str, media: str, parents: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "origin": origin(take=take, camera="cam1", made_at="2026-11-01T20:30:00+00:00"),
        "collaboration": "test-night",
        "kind": "take",
        "title": f"Take {take}",
        "media": {"sha256": media, "mime": "video/mp4", "duration": 4.0},
        "contributors": [{"handle": "jo", "name": "Jo", "role": "performer"}],
        "parents": parents,
    }


def table_counts(data: Path) -> dict[str, Any]:
    """Every table's row count and every media file: "nothing changed" made checkable."""
    import sqlite3

    conn = sqlite3.connect(str(data / "catalogue.db"))
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        counts: dict[str, Any] = {
            t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables
        }
    finally:
        conn.close()
    counts["files"] = sorted(
        str(p.relative_to(data)) for p in (data / "media").rglob("*") if p.is_file()
    )
    return counts


@pytest.fixture
def catalogue_app(tmp_path: Path) -> Any:
    return make_app(tmp_path / "catalogue")


@pytest.fixture
def client(catalogue_app: Any) -> Any:
    return catalogue_app.test_client()


@pytest.fixture(scope="module")
def demo_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CatalogueProcess]:
    """One real catalogue process with the demo community, shared by a test module."""
    server = CatalogueProcess(tmp_path_factory.mktemp("catalogue") / "data").start()
    yield server
    server.stop()


# ----------------------------------------------------------------------------------------
# the structure and docs checks
# ----------------------------------------------------------------------------------------


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
    return found


def test_the_catalogue_package_imports_nothing_else_of_liveshow() -> None:
    for path in PACKAGE.rglob("*.py"):
        for name in _imports(path):
            assert not name.startswith("liveshow"), f"{path.name} imports {name}"
            assert not name.startswith(".."), f"{path.name} reaches outside: {name}"


def test_catalogue_cli_imports_only_click_and_the_standard_library_at_module_level() -> None:
    tree = ast.parse((PACKAGE / "cli.py").read_text())
    top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    names = {a.name for n in top if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module or "" for n in top if isinstance(n, ast.ImportFrom)}
    assert names <= {"__future__", "click"}, names


def test_catalogue_modules_stay_small() -> None:
    for path in PACKAGE.rglob("*.py"):
        assert len(path.read_text().splitlines()) < 500, path.name


def test_the_docs_name_every_route_setting_and_command() -> None:
    from liveshow.catalogue.settings import SETTINGS

    doc = DOC.read_text()
    app = make_app(Path(os.environ.get("TMPDIR", "/tmp")) / f"catalogue-docs-{os.getpid()}")
    rules = {
        re.sub(r"<(int:)?(raw_id|record_id)>", "<id>", r.rule)
        for r in app.url_map.iter_rules()
        if r.endpoint != "static"
    }
    for rule in rules:
        shown = rule.removeprefix("/api/v1") or "/"
        assert f"`{rule}`" in doc or f"{shown}`" in doc, f"docs/catalogue.md misses {rule}"
    for setting in SETTINGS:
        assert setting.env in doc, f"docs/catalogue.md misses {setting.env}"
    for words in ("liveshow catalogue serve", "--data", "--host", "--port", "--empty"):
        assert words in doc, f"docs/catalogue.md misses {words}"
