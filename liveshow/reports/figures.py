"""The report's figures, drawn with matplotlib's object API on the Agg canvas.

No pyplot: it keeps global state and picks a GUI backend by itself; a ``Figure`` saved as
PNG needs neither a display nor a lock shared with anything else.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from matplotlib import dates
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .night import Table

MINUTE = 1 / (24 * 60)  # one minute, in matplotlib's date units (days)
KIND_COLOURS = {
    "record": "#3b6ea5",
    "title": "#8c8c8c",
    "join": "#6aa84f",
    "prompt": "#e69138",
    "wall": "#c27ba0",
    "poll": "#a64d79",
    "camera": "#cc0000",
    "replay": "#e06666",
    "credits": "#674ea7",
    "blackout": "#222222",
}
STATUS_COLOURS = {
    "approved": "#6aa84f",
    "featured": "#38761d",
    "rejected": "#cc0000",
    "pending": "#b7b7b7",
}


def when(text: str) -> float:
    """A ``minute_utc`` cell as matplotlib's date number."""
    return float(dates.date2num(datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)))


def new_figure(height: float = 3.6) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(9, height), dpi=100, layout="constrained")
    return fig, fig.add_subplot()


def clock_axis(ax: Axes, first: float, last: float, pad: float = MINUTE) -> None:
    """A clock along x from ``first`` to ``last`` (date numbers), with seconds when short."""
    ax.set_xlim(first - pad, last + pad)
    ax.xaxis.set_major_locator(dates.AutoDateLocator(tz=UTC, minticks=3, maxticks=10))
    short = last - first < 10 * MINUTE
    ax.xaxis.set_major_formatter(dates.DateFormatter("%H:%M:%S" if short else "%H:%M", tz=UTC))
    ax.set_xlabel("time (UTC)")


def nothing(ax: Axes, what: str) -> None:
    ax.text(0.5, 0.5, what, ha="center", va="center", transform=ax.transAxes, color="#666666")
    ax.set_xticks([])
    ax.set_yticks([])


def save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, format="png")
    return path


def joins(table: Table, path: Path) -> Path:
    fig, ax = new_figure()
    if not table.rows:
        nothing(ax, "Nobody joined")
        return save(fig, path)
    x = [when(r[0]) for r in table.rows]
    ax.bar(x, [r[1] for r in table.rows], width=MINUTE * 0.8, label="joins", color="#3b6ea5")
    ax.plot(x, [r[3] for r in table.rows], "o-", color="#e69138", label="phones contributing")
    ax.set_ylabel("phones per minute")
    twin = ax.twinx()
    twin.step(x, [r[2] for r in table.rows], where="post", color="#674ea7", label="joined so far")
    twin.set_ylabel("joined so far")
    twin.set_ylim(0, max(r[2] for r in table.rows) * 1.1 + 1)
    clock_axis(ax, x[0], x[-1])
    handles = ax.get_legend_handles_labels()
    more = twin.get_legend_handles_labels()
    ax.legend(handles[0] + more[0], handles[1] + more[1], loc="upper left")
    ax.set_title(table.title)
    return save(fig, path)


def submissions(table: Table, path: Path) -> Path:
    fig, ax = new_figure()
    if not table.rows:
        nothing(ax, "No submissions")
        return save(fig, path)
    per_prompt: dict[str, dict[float, int]] = defaultdict(dict)
    for at, prompt, kind, n in table.rows:
        per_prompt[f"{prompt} ({kind})"][when(at)] = n
    minutes = sorted({m for counts in per_prompt.values() for m in counts})
    bottom = [0] * len(minutes)
    for label, counts in per_prompt.items():
        heights = [counts.get(m, 0) for m in minutes]
        ax.bar(minutes, heights, bottom=bottom, width=MINUTE * 0.8, label=label)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_ylabel("submissions per minute")
    clock_axis(ax, minutes[0], minutes[-1])
    ax.legend(loc="upper left", fontsize="small")
    ax.set_title(table.title)
    return save(fig, path)


def approval(table: Table, path: Path) -> Path:
    fig, ax = new_figure(max(2.4, 0.6 * len(table.rows) + 1.4))
    if not table.rows:
        nothing(ax, "Nothing to moderate")
        return save(fig, path)
    col = {name: i for i, name in enumerate(table.columns)}
    labels = [f"{r[col['prompt']]} ({r[col['kind']]})" for r in table.rows]
    left = [0] * len(table.rows)
    for status, colour in STATUS_COLOURS.items():
        widths = [r[col[status]] for r in table.rows]
        ax.barh(labels, widths, left=left, color=colour, label=status)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    for y, r in enumerate(table.rows):
        rate = r[col["approval_rate"]]
        note = f"{rate:.0%} approved" if rate != "" else "not decided"
        ax.text(left[y], y, f"  {note}", va="center", fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel("submissions")
    ax.set_xlim(0, max(left) * 1.35 + 1)
    ax.legend(loc="lower right", fontsize="small")
    ax.set_title(table.title)
    return save(fig, path)


def decisions(table: Table, path: Path) -> Path:
    fig, ax = new_figure()
    if not table.rows:
        nothing(ax, "No decisions yet")
        return save(fig, path)
    per_prompt: dict[str, list[float]] = defaultdict(list)
    for r in table.rows:
        per_prompt[f"{r[1]} ({r[2]})"].append(float(r[6]))
    labels = list(per_prompt)
    ax.boxplot([per_prompt[k] for k in labels], orientation="horizontal", tick_labels=labels)
    for y, label in enumerate(labels, start=1):
        values = per_prompt[label]
        ax.scatter(values, [y] * len(values), s=14, color="#3b6ea5", zorder=3)
    ax.invert_yaxis()
    ax.set_xlabel("seconds from submission to decision")
    ax.set_title(table.title)
    return save(fig, path)


def screenings(table: Table, path: Path) -> Path:
    fig, ax = new_figure(max(2.4, 0.32 * len(table.rows) + 1.4))
    if not table.rows:
        nothing(ax, "Nothing screened")
        return save(fig, path)
    col = {name: i for i, name in enumerate(table.columns)}
    seen: set[str] = set()
    first = float(dates.date2num(datetime.fromtimestamp(table.rows[0][col["started_at"]], UTC)))
    last = first
    for y, r in enumerate(table.rows):
        start = float(dates.date2num(datetime.fromtimestamp(r[col["started_at"]], UTC)))
        length = max(r[col["seconds"]], 1.0) / 86400
        last = max(last, start + length)
        kind = r[col["kind"]]
        ax.broken_barh(
            [(start, length)],
            (y - 0.4, 0.8),
            color=KIND_COLOURS.get(kind, "#999999"),
            label=None if kind in seen else kind,
        )
        seen.add(kind)
    ax.set_yticks(
        range(len(table.rows)), [short(r[col["cue"]], r[col["title"]]) for r in table.rows]
    )
    ax.invert_yaxis()
    clock_axis(ax, first, last, pad=(last - first) * 0.02)
    ax.legend(loc="upper right", fontsize="small")
    ax.set_title(table.title)
    return save(fig, path)


def short(cue: str, title: str) -> str:
    text = f"{cue}: {title}" if title and title != cue else cue
    return text if len(text) <= 32 else text[:31] + "…"


DRAW: dict[str, Any] = {
    "joins": joins,
    "submissions": submissions,
    "approval": approval,
    "decisions": decisions,
    "screenings": screenings,
}
