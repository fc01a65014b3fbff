"""Routes for claims and withdrawals: ``POST /api/v1/withdrawals`` (the show, with the
token), ``GET``/``POST /api/v1/claims/<token>`` (the claim link is the credential) and the
page a phone's claim link opens, ``/claim/<token>`` (a form: no scripts)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request

from . import claims
from .api import ApiError, json_body, require_token, run_batch
from .claims import ClaimError
from .service import current_catalogue
from .validation import BadInput

claims_api = Blueprint("catalogue_claims", __name__, template_folder="templates")
PRIVATE = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


@claims_api.post("/api/v1/withdrawals")
@require_token
def withdrawals() -> tuple[Response, int]:
    return run_batch(
        "withdrawals",
        claims.parse_withdrawals,
        lambda conn, items: {"withdrawn": claims.apply_withdrawals(conn, items)},
    )


def _claim(token: str, body: Any) -> dict[str, Any]:
    request_ = claims.parse_claim(body)
    with current_catalogue().db.write() as wdb:
        return claims.claim(wdb.conn, token, request_)


@claims_api.get("/api/v1/claims/<token>")
def claim_info(token: str) -> tuple[Response, int, dict[str, str]]:
    try:
        info = claims.claim_info(current_catalogue().db.read(), token)
    except ClaimError as exc:
        raise ApiError(exc.status, str(exc)) from None
    return jsonify(info), 200, PRIVATE


@claims_api.post("/api/v1/claims/<token>")
def claim_api(token: str) -> tuple[Response, int, dict[str, str]]:
    try:
        answer = _claim(token, json_body(4096))
    except ClaimError as exc:
        raise ApiError(exc.status, str(exc)) from None
    return jsonify(answer), 201, PRIVATE


@claims_api.route("/claim/<token>", methods=["GET", "POST"])
def claim_page(token: str) -> tuple[str, int, dict[str, str]]:
    conn = current_catalogue().db.read()
    error, done, status = "", None, 200
    form = {"handle": "", "name": "", "key": ""}
    if request.method == "POST":
        form = {k: request.form.get(k, "")[:200] for k in form}
        try:
            done = _claim(token, {k: val for k, val in form.items() if val or k != "key"})
            status = 201
        except BadInput as exc:
            error, status = str(exc), 400
        except ClaimError as exc:
            error, status = str(exc), exc.status
    try:
        info = claims.claim_info(conn, token)
    except ClaimError as exc:
        return render_template("catalogue/claim.html", missing=str(exc)), exc.status, PRIVATE
    return (
        render_template(
            "catalogue/claim.html", info=info, form=form, error=error, done=done, missing=""
        ),
        status,
        PRIVATE,
    )
