"""Server-rendered pages for people: collaborations, a record, an artist.

Jinja autoescapes every value, so user text reaches the page only as text. No scripts, no
build step, no CDN: the media plays in the browser's own <video>/<audio>/<img> elements.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, abort, render_template, request

from . import reading
from .api import MAX_PAGE
from .service import current_catalogue

pages = Blueprint("catalogue_pages", __name__, template_folder="templates")

TREE_DEPTH = 12  # levels drawn; the JSON API (?lineage=1) has the whole graph
TREE_NODES = 300


@dataclass
class TreeNode:
    """One record in a drawn "made from" / "used in" tree."""

    id: int
    title: str
    kind: str
    role: str = ""
    span: str = ""
    children: list[TreeNode] = field(default_factory=list)
    repeat: bool = False  # already drawn elsewhere in this tree (a shared ancestor)


def _span(start: float | None, end: float | None) -> str:
    if start is None and end is None:
        return ""
    return f"{start or 0:g}–{end:g} s" if end is not None else f"from {start:g} s"


def build_tree(
    root: int, edges: list[dict[str, Any]], titles: dict[int, dict[str, Any]], near: str, far: str
) -> list[TreeNode]:
    """Nested nodes from the edges, breadth-limited so a huge family stays a page."""
    links: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for e in edges:
        links[e[near]].append(e)
    seen: set[int] = {root}
    budget = [TREE_NODES]

    def grow(node_id: int, depth: int) -> list[TreeNode]:
        out = []
        for e in links.get(node_id, []):
            if budget[0] <= 0:
                break
            budget[0] -= 1
            other = e[far]
            info = titles.get(other, {"title": "", "kind": ""})
            node = TreeNode(
                other,
                info["title"],
                info["kind"],
                e["role"],
                _span(e["start"], e["end"]),
                repeat=other in seen,
            )
            seen.add(other)
            if not node.repeat and depth < TREE_DEPTH:
                node.children = grow(other, depth + 1)
            out.append(node)
        return out

    return grow(root, 1)


def _page_args() -> tuple[int, int]:
    after = request.args.get("after", "0")
    after_id = int(after) if after.isascii() and after.isdigit() else 0
    return 100, min(after_id, 2**62)


@pages.get("/")
def collaborations_page() -> str:
    rows = reading.collaborations(current_catalogue().db.read())
    return render_template("catalogue/collaborations.html", collaborations=rows)


@pages.get("/collaborations/<slug>")
def collaboration_page(slug: str) -> str:
    conn = current_catalogue().db.read()
    found = reading.collaboration(conn, slug)
    if found is None:
        abort(404)
    limit, after = _page_args()
    ids = reading.record_ids(conn, reading.Filters(collaboration=slug), limit, after)
    return render_template(
        "catalogue/collaboration.html",
        collaboration=found,
        records=reading.records_by_id(conn, ids),
        next_after=ids[-1] if len(ids) == limit else None,
    )


@pages.get("/records/<int:record_id>")
def record_page(record_id: int) -> str:
    with current_catalogue().db.snapshot() as conn:
        found = reading.record(conn, record_id) if record_id < 2**62 else None
        if found is None:
            abort(404)
        if found["withdrawn_at"]:
            abort(410, "This record was withdrawn by its contributor.")
        graph = reading.lineage(conn, record_id)
    titles = {r["id"]: r for r in graph["records"]}
    made_from = build_tree(record_id, graph["made_from"], titles, "child", "parent")
    used_in = build_tree(record_id, graph["used_in"], titles, "parent", "child")
    credited = {c["artist"] for c in found["credits"]}
    consented = {c["artist"] for c in found["consent"]}
    return render_template(
        "catalogue/record.html",
        record=found,
        made_from=made_from,
        used_in=used_in,
        all_consented=credited <= consented,
        terms={c["terms_version"] for c in found["consent"]},
    )


@pages.get("/artists/<handle>")
def artist_page(handle: str) -> str:
    conn = current_catalogue().db.read()
    found = reading.artist(conn, handle)
    if found is None:
        abort(404)
    ids = reading.record_ids(conn, reading.Filters(artist=handle), MAX_PAGE, 0)
    records = reading.records_by_id(conn, ids)
    roles = {
        r["id"]: sorted({c["role"] for c in r["credits"] if c["artist"] == handle}) for r in records
    }
    return render_template("catalogue/artist.html", artist=found, records=records, roles=roles)
