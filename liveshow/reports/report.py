"""``liveshow report``: the night as a page that opens from disk (no server), its figures as
PNG files beside it and the numbers behind each figure as a CSV file.

The page is plain HTML with relative links, so the folder can be zipped, mailed, archived or
served by the dashboard (``GET /crew/report/``) as it is. Every text from the show (titles,
prompt questions) is escaped.
"""

from __future__ import annotations

import csv
import html
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import figures
from .night import Night, Table, read_night, stamp
from .snapshot import database_of, open_read_only, snapshot

PAGE = "index.html"
CAPTIONS = {
    "joins": "Phones joining (bars), phones sending something (dots) and everyone joined so "
    "far (line), per minute.",
    "submissions": "Everything sent, per minute, stacked by prompt.",
    "approval": "What the crew did with each prompt's work; the rate is approved or featured "
    "over everything decided.",
    "decisions": "How long work waited for the crew: seconds from arrival to the (latest) "
    "decision, per prompt.",
    "screenings": "The play log: each cue from when it started to when the next one did.",
}
STYLE = """
body { font: 16px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 960px;
       padding: 0 1rem; color: #1d1d1d; background: #fafafa; }
h1 { margin-bottom: 0.2rem; } .when { color: #555; margin-top: 0; }
.numbers { display: flex; flex-wrap: wrap; gap: 0.8rem; padding: 0; list-style: none; }
.numbers li { background: #fff; border: 1px solid #ddd; border-radius: 6px;
              padding: 0.5rem 0.9rem; }
.numbers b { display: block; font-size: 1.6rem; }
figure { background: #fff; border: 1px solid #ddd; border-radius: 6px; margin: 1.5rem 0;
         padding: 1rem; }
figure img { max-width: 100%; height: auto; display: block; }
figcaption { color: #444; margin-top: 0.5rem; }
table { border-collapse: collapse; margin-top: 0.6rem; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.2rem 0.6rem; text-align: left; }
"""


@dataclass
class Report:
    folder: Path
    page: Path
    images: dict[str, Path]
    tables: dict[str, Path]
    night: Night


def build_report(data_dir: Path, out: Path) -> Report:
    """The report of the show in ``data_dir``, written into the folder ``out``."""
    source = database_of(data_dir)
    with tempfile.TemporaryDirectory(prefix="liveshow-report-") as tmp:
        copy = snapshot(source, Path(tmp) / "show.db")
        return report_from_database(copy, out)


def report_from_database(database: Path, out: Path) -> Report:
    """The report of a database that nothing writes to (a snapshot)."""
    conn = open_read_only(database)
    try:
        night = read_night(conn)
    finally:
        conn.close()
    out.mkdir(parents=True, exist_ok=True)
    images, tables = {}, {}
    for name, table in night.tables.items():
        tables[name] = write_csv(table, out / f"{name}.csv")
        images[name] = figures.DRAW[name](table, out / f"{name}.png")
    page = out / PAGE
    page.write_text(render(night), encoding="utf-8")
    return Report(out, page, images, tables, night)


def write_csv(table: Table, path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(table.columns)
        writer.writerows(table.rows)
    return path


def render(night: Night) -> str:
    e = html.escape
    numbers = [
        ("phones joined", night.joined),
        ("contributors", night.contributors),
        ("submissions", night.submissions),
        ("approved or featured", night.on_screen),
        ("rejected", night.rejected),
        ("waiting", night.pending),
        ("cues screened", night.screened),
    ]
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Show report: {e(night.title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>Show report: {e(night.title)}</h1>",
        f'<p class="when">{e(stamp(night.started_at))} to {e(stamp(night.ended_at))} (UTC)</p>',
        '<ul class="numbers">',
        *(f"<li><b>{n}</b>{e(label)}</li>" for label, n in numbers),
        "</ul>",
    ]
    for name, table in night.tables.items():
        parts += [
            f'<figure id="{name}">',
            f'<img src="{name}.png" alt="{e(table.title)}" width="900">',
            f"<figcaption>{e(CAPTIONS[name])} Data: "
            f'<a href="{name}.csv">{name}.csv</a> ({len(table.rows)} rows).</figcaption>',
        ]
        if name == "approval" and table.rows:
            parts.append(html_table(table))
        parts.append("</figure>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def html_table(table: Table) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in table.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
