"""Payment proposals over HTTP: a page per proposal with its comments, and JSON routes.

Reads are public, as the proposal is meant to be (the comment period exists so the artists
can check it). JSON writes need the catalogue's token like every other write; the page's
comment form is the community's, so it needs none, and is checked, limited and escaped
(Jinja) instead. Every refusal is a 4xx that changes nothing: checks run before the one
write transaction, and a refusal inside it rolls it back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from . import proposals
from .api import ApiError, json_body, parse_record_id, require_token
from .payouts import PayoutError, merge_weights, parse_amount
from .service import current_catalogue
from .validation import BadInput, only_keys, text

proposal_routes = Blueprint("catalogue_proposals", __name__, template_folder="templates")

MAX_BODY = 64 * 1024
MAX_AUTHOR = 80
MAX_COMMENT = 4000


def _now() -> datetime:
    return datetime.now(UTC)


def proposal_number(raw: str) -> int:
    """A proposal id from a URL; anything else is a proposal that does not exist."""
    if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) < 2**62:
        raise ApiError(404, f"there is no payment proposal {raw[:40]!r}")
    return int(raw)


def _page_number(raw: str) -> int:
    if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) < 2**62:
        abort(404)
    return int(raw)


def _status(exc: PayoutError) -> int:
    if isinstance(exc, proposals.NotFound):
        return 404
    if isinstance(exc, proposals.Conflict):
        return 409
    return 422


def _write(action: Any) -> Any:
    """Run `action(conn)` in one write transaction; a refusal becomes a 4xx, nothing kept."""
    try:
        with current_catalogue().db.write() as wdb:
            return action(wdb.conn)
    except PayoutError as exc:
        raise ApiError(_status(exc), str(exc)) from None


def _checked(parse: Any, *args: Any) -> Any:
    try:
        return parse(*args)
    except PayoutError as exc:
        raise ApiError(400, str(exc)) from None


def _proposal_json(proposal_id: int, status: int = 200) -> tuple[Response, int]:
    try:
        found = proposals.get(current_catalogue().db.read(), proposal_id, snapshot=True)
    except PayoutError as exc:
        raise ApiError(_status(exc), str(exc)) from None
    return jsonify(found), status


def _body(allowed: set[str]) -> dict[str, Any]:
    body = json_body(MAX_BODY) if request.content_length else {}
    if not isinstance(body, dict):
        raise BadInput("the body must be a JSON object")
    only_keys(body, allowed, "the body")
    return body


# ------------------------------------------------------------------------------------------
# JSON
# ------------------------------------------------------------------------------------------


@proposal_routes.get("/api/v1/payout")
def payout_preview() -> Response:
    """What a proposal would say now (nothing stored): ?record=ID&amount=1234.56."""
    record = parse_record_id(request.args.get("record", ""))
    amount = _checked(parse_amount, request.args.get("amount", ""))
    try:
        _, payout = proposals.preview(current_catalogue().db.read(), record, amount)
    except PayoutError as exc:
        raise ApiError(_status(exc), str(exc)) from None
    return jsonify(payout.to_json())


@proposal_routes.get("/api/v1/proposals")
def proposal_list() -> Response:
    raw = request.args.get("record")
    record = parse_record_id(raw) if raw is not None else None
    return jsonify({"proposals": proposals.listing(current_catalogue().db.read(), record)})


@proposal_routes.get("/api/v1/proposals/<raw_id>")
def proposal_get(raw_id: str) -> tuple[Response, int]:
    proposal_id = proposal_number(raw_id)
    return _proposal_json(proposal_id)


@proposal_routes.post("/api/v1/proposals")
@require_token
def proposal_create() -> tuple[Response, int]:
    body = _body({"record", "amount", "weights", "open", "days"})
    record = body.get("record")
    if isinstance(record, bool) or not isinstance(record, int) or not 0 < record < 2**62:
        raise ApiError(400, "record must be a catalogue record id (a positive integer)")
    amount = _checked(parse_amount, body.get("amount"))
    weights = body.get("weights")
    _checked(merge_weights, weights)
    opening, days = _opening(body)

    def make(conn: Any) -> int:
        proposal_id = proposals.create(conn, record, amount, weights, _now())
        if opening:
            proposals.open_for_comments(conn, proposal_id, _now(), days)
        return proposal_id

    return _proposal_json(_write(make), 201)


def _opening(body: dict[str, Any]) -> tuple[bool, int]:
    opening = body.get("open", False)
    days = body.get("days", proposals.MIN_COMMENT_DAYS)
    if not isinstance(opening, bool):
        raise ApiError(400, "open must be true or false")
    low = proposals.MIN_COMMENT_DAYS
    if isinstance(days, bool) or not isinstance(days, int) or not low <= days <= 365:
        raise ApiError(400, f"days must be a whole number from {low} to 365")
    return opening, days


@proposal_routes.post("/api/v1/proposals/<raw_id>/open")
@require_token
def proposal_open(raw_id: str) -> tuple[Response, int]:
    proposal_id = proposal_number(raw_id)
    _, days = _opening({"open": True, **_body({"days"})})
    _write(lambda conn: proposals.open_for_comments(conn, proposal_id, _now(), days))
    return _proposal_json(proposal_id)


@proposal_routes.post("/api/v1/proposals/<raw_id>/revise")
@require_token
def proposal_revise(raw_id: str) -> tuple[Response, int]:
    proposal_id = proposal_number(raw_id)
    body = _body({"amount", "weights"})
    amount = _checked(parse_amount, body["amount"]) if "amount" in body else None
    weights = body.get("weights")
    _checked(merge_weights, weights)
    new_id = _write(lambda conn: proposals.revise(conn, proposal_id, amount, weights, _now()))
    return _proposal_json(new_id, 201)


@proposal_routes.post("/api/v1/proposals/<raw_id>/finalize")
@require_token
def proposal_finalize(raw_id: str) -> tuple[Response, int]:
    proposal_id = proposal_number(raw_id)
    _body(set())
    _write(lambda conn: proposals.finalize(conn, proposal_id, _now()))
    return _proposal_json(proposal_id)


@proposal_routes.post("/api/v1/proposals/<raw_id>/paid")
@require_token
def proposal_paid(raw_id: str) -> tuple[Response, int]:
    proposal_id = proposal_number(raw_id)
    _body(set())
    _write(lambda conn: proposals.mark_paid(conn, proposal_id, _now()))
    return _proposal_json(proposal_id)


def _comment_fields(raw: dict[str, Any]) -> tuple[str, str]:
    author = text(raw.get("author"), "author", MAX_AUTHOR, required=True).strip()
    body = text(raw.get("body"), "body", MAX_COMMENT, required=True).strip()
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in author + body):
        raise BadInput("a comment may not hold control characters")
    return author, body


@proposal_routes.post("/api/v1/proposals/<raw_id>/comments")
@require_token
def proposal_comment(raw_id: str) -> tuple[Response, int]:
    proposal_id = proposal_number(raw_id)
    author, body = _comment_fields(_body({"author", "body"}))
    _write(lambda conn: proposals.add_comment(conn, proposal_id, author, body, _now()))
    return _proposal_json(proposal_id, 201)


# ------------------------------------------------------------------------------------------
# pages
# ------------------------------------------------------------------------------------------


@proposal_routes.get("/proposals")
def proposals_page() -> str:
    rows = proposals.listing(current_catalogue().db.read())
    return render_template("catalogue/proposals.html", proposals=rows)


def _render(proposal_id: int, error: str = "", form: dict[str, str] | None = None) -> str:
    try:
        found = proposals.get(current_catalogue().db.read(), proposal_id)
    except proposals.NotFound:
        abort(404)
    return render_template(
        "catalogue/proposal.html", p=found, error=error, form=form or {"author": "", "body": ""}
    )


@proposal_routes.get("/proposals/<raw_id>")
def proposal_page(raw_id: str) -> str:
    proposal_id = _page_number(raw_id)
    return _render(proposal_id)


@proposal_routes.post("/proposals/<raw_id>/comments")
def proposal_comment_form(raw_id: str) -> BaseResponse | tuple[str, int]:
    proposal_id = _page_number(raw_id)
    if (request.content_length or 0) > MAX_BODY:
        abort(413)
    form = {"author": request.form.get("author", ""), "body": request.form.get("body", "")}
    shown = {k: v[:MAX_COMMENT] for k, v in form.items()}
    try:
        author, body = _comment_fields(form)
        with current_catalogue().db.write() as wdb:
            proposals.add_comment(wdb.conn, proposal_id, author, body, _now())
    except proposals.NotFound:
        abort(404)
    except (BadInput, PayoutError) as exc:
        status = 409 if isinstance(exc, proposals.Conflict) else 400
        return _render(proposal_id, str(exc), shown), status
    # post/redirect/get: a reload does not post the comment twice
    url = url_for(".proposal_page", raw_id=proposal_id) + "#comments"
    return redirect(url, code=303)
