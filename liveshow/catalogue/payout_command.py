"""``liveshow catalogue payout``: make, show and move payment proposals from a terminal.

It works on the data directory itself (the catalogue's SQLite file, through the same one
writer and ``BEGIN IMMEDIATE``), so it runs beside a serving catalogue or without one.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from . import proposals
from .db import CatalogueDB
from .payouts import PayoutError, parse_amount


@dataclass(frozen=True)
class Request:
    data: str
    record: int | None
    amount: str | None
    weights: str | None
    save: bool
    proposal: int | None
    open_: bool
    days: int
    revise: bool
    finalize: bool
    paid: bool


def _weights(path: str | None) -> Any:
    if path is None:
        return None
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        message = f"cannot read {path} as JSON: {exc}"
        raise click.BadParameter(message, param_hint="--weights") from None


def _check(req: Request) -> None:
    for name, value in (("--record", req.record), ("--proposal", req.proposal)):
        if value is not None and not 0 < value < 2**62:
            raise click.BadParameter("must be a positive whole number (an id)", param_hint=name)
    moves = sum([req.revise, req.finalize, req.paid])
    if req.proposal is None:
        if req.record is None or req.amount is None:
            raise click.UsageError("give --record and --amount (or --proposal ID)")
        if moves:
            raise click.UsageError("--revise, --finalize and --paid need --proposal ID")
    else:
        if req.record is not None or req.save:
            raise click.UsageError("--record and --save make a new proposal: drop --proposal")
        if moves + req.open_ > 1:
            raise click.UsageError("one of --open, --revise, --finalize, --paid at a time")
        if (req.amount is not None or req.weights) and not req.revise:
            raise click.UsageError("--amount and --weights with --proposal need --revise")


def run(req: Request, fmt: str) -> str:
    _check(req)
    path = Path(req.data) / "catalogue.db"
    if not path.exists():
        raise click.ClickException(f"there is no catalogue in {req.data} (no catalogue.db)")
    weights = _weights(req.weights)
    db = CatalogueDB(path)
    now = datetime.now(UTC)
    try:
        amount = parse_amount(req.amount) if req.amount is not None else None
        if req.proposal is None and not (req.save or req.open_):
            assert req.record is not None and amount is not None
            _, payout = proposals.preview(db.read(), req.record, amount, weights)
            shown = {**payout.to_json(), "state": "preview (not stored)"}
            shown["record_title"] = _title(db, req.record)
            return render(shown, fmt)
        with db.write() as wdb:
            proposal_id = _apply(wdb.conn, req, amount, weights, now)
        return render(proposals.get(db.read(), proposal_id), fmt)
    except PayoutError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        db.close()


def _title(db: CatalogueDB, record: int) -> str:
    row = db.read().execute("SELECT title FROM records WHERE id = ?", (record,)).fetchone()
    return str(row[0]) if row else ""


def _apply(conn: Any, req: Request, amount: int | None, weights: Any, now: datetime) -> int:
    if req.proposal is None:
        assert req.record is not None and amount is not None
        proposal_id = proposals.create(conn, req.record, amount, weights, now)
        if req.open_:
            proposals.open_for_comments(conn, proposal_id, now, req.days)
        return proposal_id
    proposal_id = req.proposal
    if req.open_:
        proposals.open_for_comments(conn, proposal_id, now, req.days)
    elif req.revise:
        proposal_id = proposals.revise(conn, proposal_id, amount, weights, now)
    elif req.finalize:
        proposals.finalize(conn, proposal_id, now)
    elif req.paid:
        proposals.mark_paid(conn, proposal_id, now)
    else:
        proposals.get(conn, proposal_id)  # 'there is no payment proposal N' when unknown
    return proposal_id


def money(cents: int) -> str:
    return f"{cents // 100:,}.{cents % 100:02d}"


def render(p: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(p, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            ["artist", "cents", "weight_bp", "carried_in_cents", "carried", "records", "rationale"]
        )
        for ln in p["lines"]:
            records = " ".join(str(c["record"]) for c in ln["contributions"])
            writer.writerow(
                [
                    ln["artist"],
                    ln["cents"],
                    ln["weight_bp"],
                    ln["carried_in_cents"],
                    int(ln["carried"]),
                    records,
                    ln["rationale"],
                ]
            )
        return out.getvalue()
    return table(p)


def table(p: dict[str, Any]) -> str:
    name = f"proposal {p['id']} (version {p['version']})" if "id" in p else "proposal"
    head = [
        f"Payment {name} for record {p['record']} '{p.get('record_title', '')}': {p['state']}",
        f"  amount      {money(p['amount_cents']):>14}",
        f"  company     {money(p['company_cents']):>14}",
        f"  artists     {money(p['contributors_cents']):>14}",
    ]
    if p.get("comments_close_at"):
        head.append(f"  comments until {p['comments_close_at']} ({len(p['comments'])} so far)")
    width = max([6, *(len(ln["artist"]) for ln in p["lines"])])
    rows = [f"{'artist':<{width}}  {'amount':>12}  {'weight':>7}  status   why"]
    for ln in p["lines"]:
        status = "carried" if ln["carried"] else "pay" if ln["cents"] else "-"
        weight = f"{ln['weight_bp'] / 100:.2f}%"
        rows.append(
            f"{ln['artist']:<{width}}  {money(ln['cents']):>12}  {weight:>7}  {status:<7}  "
            f"{ln['rationale']}"
        )
    return "\n".join(head + [""] + rows) + "\n"
