"""The HTTP JSON API, prefix ``/api/v1`` (docs/catalogue.md lists every route).

Views are thin: check the request, call :mod:`.reading` or :mod:`.writing`, answer JSON.
Every refusal is ``4xx {"error": "<what was wrong>"}`` and happens before anything is
written, or inside the one transaction that is then rolled back.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Response, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from . import batches, reading, writing
from .idempotency import KeyConflict, body_fingerprint, parse_key
from .service import current_catalogue
from .validation import BadInput

api = Blueprint("catalogue_api", __name__, url_prefix="/api/v1")

T = TypeVar("T")
View = TypeVar("View", bound=Callable[..., Any])
MAX_PAGE = 500


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def error(status: int, message: str) -> tuple[Response, int]:
    return jsonify({"error": message}), status


@api.app_errorhandler(ApiError)
def _api_error(exc: ApiError) -> tuple[Response, int]:
    return error(exc.status, str(exc))


@api.app_errorhandler(BadInput)
def _bad_input(exc: BadInput) -> tuple[Response, int]:
    return error(422 if isinstance(exc, writing.Refused) else 400, str(exc))


@api.app_errorhandler(KeyConflict)
def _key_conflict(exc: KeyConflict) -> tuple[Response, int]:
    return error(exc.status, str(exc))


@api.app_errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> tuple[Response, int] | HTTPException:
    # JSON, not Werkzeug's HTML page, for every refusal under /api/v1 (pages keep HTML)
    if not request.path.startswith(api.url_prefix or "/api/v1"):
        return exc
    return error(exc.code or 500, exc.description or exc.name)


def require_token(view: View) -> View:
    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        token = current_catalogue().settings.token
        given = request.headers.get("Authorization", "")
        if not given.startswith("Bearer ") or not hmac.compare_digest(
            given[7:].strip().encode(), token.encode()
        ):
            raise ApiError(401, "writes need Authorization: Bearer <LIVESHOW_CATALOGUE_TOKEN>")
        return view(*args, **kwargs)

    return checked  # type: ignore[return-value]


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise ApiError(400, f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def _page() -> tuple[int, int]:
    return _int_arg("limit", 100, 1, MAX_PAGE), _int_arg("after", 0, 0, 2**62)


def _paged(ids: Sequence[int], limit: int, endpoint: str, **values: Any) -> dict[str, Any]:
    conn = current_catalogue().db.read()
    more = len(ids) == limit and limit > 0
    nxt = url_for(endpoint, **values, limit=limit, after=ids[-1]) if more else None
    return {"records": reading.records_by_id(conn, ids), "next": nxt}


@api.get("/collaborations")
def collaborations() -> Response:
    return jsonify({"collaborations": reading.collaborations(current_catalogue().db.read())})


@api.get("/collaborations/<slug>")
def collaboration(slug: str) -> Response:
    conn = current_catalogue().db.read()
    found = reading.collaboration(conn, slug)
    if found is None:
        raise ApiError(404, f"there is no collaboration {slug!r}")
    limit, after = _page()
    ids = reading.record_ids(conn, reading.Filters(collaboration=slug), limit, after)
    return jsonify({**found, **_paged(ids, limit, ".collaboration", slug=slug)})


FILTER_ARGS = ("collaboration", "artist", "kind", "performance", "screened_in")


@api.get("/records")
def records() -> Response:
    unknown = sorted(set(request.args) - {*FILTER_ARGS, "limit", "after"})
    if unknown:
        raise ApiError(400, f"unknown query parameter(s): {', '.join(unknown)}")
    values = {name: request.args.get(name, "") for name in FILTER_ARGS}
    if any(len(v) > 200 for v in values.values()):
        raise ApiError(400, "a filter value is longer than 200 characters")
    if values["kind"] and values["kind"] not in {k.value for k in batches.Kind}:
        raise ApiError(400, f"kind must be one of {', '.join(k.value for k in batches.Kind)}")
    limit, after = _page()
    ids = reading.record_ids(current_catalogue().db.read(), reading.Filters(**values), limit, after)
    return jsonify(_paged(ids, limit, ".records", **{k: v for k, v in values.items() if v}))


def parse_record_id(raw: str) -> int:
    if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) < 2**62:
        raise ApiError(400, "a record id is a positive whole number")
    return int(raw)


@api.get("/records/<raw_id>")
def record(raw_id: str) -> Response:
    record_id = parse_record_id(raw_id)
    with current_catalogue().db.snapshot() as conn:
        found = reading.record(conn, record_id)
        if found is None:
            raise ApiError(404, f"there is no record {record_id}")
        if found["withdrawn_at"]:
            raise ApiError(410, f"record {record_id} was withdrawn by its contributor")
        if request.args.get("lineage") in ("1", "true", "all"):
            found["lineage"] = reading.lineage(conn, record_id)
    return jsonify(found)


@api.get("/artists/<handle>")
def artist(handle: str) -> Response:
    conn = current_catalogue().db.read()
    found = reading.artist(conn, handle)
    if found is None:
        raise ApiError(404, f"there is no artist {handle!r}")
    limit, after = _page()
    ids = reading.record_ids(conn, reading.Filters(artist=handle), limit, after)
    return jsonify({**found, **_paged(ids, limit, ".artist", handle=handle)})


def _reject_constant(name: str) -> Any:
    raise BadInput(f"the body contains {name}, which is not JSON")


def json_body(max_bytes: int) -> Any:
    length = request.content_length
    if length is None:
        raise ApiError(411, "send the body with a Content-Length")
    if length > max_bytes:
        raise ApiError(413, f"the body is larger than {max_bytes} bytes")
    if request.mimetype != "application/json":
        raise ApiError(415, "the body must be application/json")
    raw = request.stream.read(length)
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ApiError(400, "the body is not valid UTF-8 JSON") from None


def run_batch(
    route: str,
    parse: Callable[[Any, int], list[T]],
    apply: Callable[[Any, list[T]], dict[str, Any]],
) -> tuple[Response, int]:
    """Idempotent, all-or-nothing batch: parse, claim the key, apply + answer in one COMMIT."""
    catalogue = current_catalogue()
    key = parse_key(request.headers.get("Idempotency-Key"))
    if key is None:
        raise ApiError(400, "send an Idempotency-Key header (1-255 visible ASCII characters)")
    body = json_body(catalogue.settings.max_batch_bytes)
    items = parse(body, catalogue.settings.max_batch_items)
    replay = catalogue.keys.claim(route, key, body_fingerprint(body))
    if replay is not None:
        return jsonify(replay.body), replay.status
    try:
        with catalogue.db.write() as wdb:
            answer = apply(wdb.conn, items)
            catalogue.keys.finish(wdb.conn, route, key, 201, answer)
    except BaseException:
        catalogue.keys.release(route, key)
        raise
    return jsonify(answer), 201


@api.post("/contributions")
@require_token
def contributions() -> tuple[Response, int]:
    store = current_catalogue().store
    return run_batch(
        "contributions",
        batches.parse_contributions,
        lambda conn, items: {"records": writing.apply_contributions(conn, store, items)},
    )


@api.post("/performances")
@require_token
def performances() -> tuple[Response, int]:
    return run_batch(
        "performances",
        batches.parse_performances,
        lambda conn, items: {
            "records": [],
            "performances": writing.apply_performances(conn, items),
        },
    )
