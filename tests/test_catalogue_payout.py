"""`liveshow catalogue payout` and the proposal routes against a real catalogue process with
the demo community: on the deepest record of The Lighthouse Cat's remix chain, company +
artists = the amount to the cent, the lines sum to the artists' half and exactly the artists
of the lineage are paid; a withdrawn record is not; the lifecycle draft -> open -> final ->
paid with comments; bad input gets a clear 4xx (or exit 1) and changes nothing."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import requests

from liveshow.catalogue import proposals
from liveshow.catalogue.payouts import Lineage, compute
from tests.test_catalogue_structure import AUTH, ROOT, CatalogueProcess, make_app, table_counts


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CatalogueProcess]:
    proc = CatalogueProcess(tmp_path_factory.mktemp("payout") / "data").start()
    yield proc
    proc.stop()


def payout_cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVESHOW_")}
    cmd = [sys.executable, "-m", "liveshow", "catalogue", "payout", "--data", str(data), *args]
    return subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


def lineage_of(url: str, record: int) -> dict[str, Any]:
    resp = requests.get(f"{url}/api/v1/records/{record}?lineage=1", timeout=10)
    assert resp.status_code == 200, resp.text
    return resp.json()["lineage"]  # type: ignore[no-any-return]


def depth(edges: list[dict[str, Any]], record: int) -> int:
    parents: dict[int, list[int]] = {}
    for e in edges:
        parents.setdefault(e["child"], []).append(e["parent"])
    return 1 + max((depth(edges, p) for p in parents.get(record, [])), default=0)


def deepest_record(url: str) -> tuple[int, set[int]]:
    """The Lighthouse Cat's deepest record, found through the API, and its lineage's ids."""
    resp = requests.get(f"{url}/api/v1/collaborations/the-lighthouse-cat", timeout=10)
    best: tuple[int, int] = (0, 0)
    for rec in resp.json()["records"]:
        best = max(best, (depth(lineage_of(url, rec["id"])["made_from"], rec["id"]), rec["id"]))
    assert best[0] >= 5, "the demo's remix chain should be several levels deep"
    made_from = lineage_of(url, best[1])["made_from"]
    return best[1], {best[1]} | {e["parent"] for e in made_from}


def credited_artists(url: str, ids: set[int]) -> set[str]:
    out: set[str] = set()
    for record in ids:
        resp = requests.get(f"{url}/api/v1/records/{record}", timeout=10)
        out |= {c["artist"] for c in resp.json()["credits"]}
    return out


def assert_adds_up(p: dict[str, Any], amount_cents: int) -> None:
    assert p["amount_cents"] == amount_cents
    assert p["company_cents"] + p["contributors_cents"] == amount_cents
    assert p["contributors_cents"] - p["company_cents"] in (0, 1)
    assert sum(line["cents"] for line in p["lines"]) == p["contributors_cents"]
    assert sum(line["weight_bp"] for line in p["lines"]) == 10_000
    for line in p["lines"]:
        exact = Fraction(p["contributors_cents"] * line["weight_bp"], 10_000)
        assert abs(line["cents"] - exact) < 1, line
        assert set(line) >= {"artist", "cents", "weight_bp", "contributions", "rationale"}


def test_payout_json_on_the_deepest_record_pays_exactly_the_lineage(
    server: CatalogueProcess,
) -> None:
    record, ids = deepest_record(server.url)
    result = payout_cli(server.data, "--record", str(record), "--amount", "1234.57", "--json")
    assert result.returncode == 0, result.stderr
    p = json.loads(result.stdout)
    assert p["record"] == record
    assert_adds_up(p, 123457)
    assert (p["company_cents"], p["contributors_cents"]) == (61728, 61729)  # odd cent: artists
    paid = {line["artist"] for line in p["lines"] if line["cents"] > 0}
    assert paid == credited_artists(server.url, ids)
    deep = next(line for line in p["lines"] if line["artist"] == "sol")
    assert "background of take 'Green-screen take 3' used in" in deep["rationale"]
    # the same request over HTTP (nothing stored) says the same
    resp = requests.get(
        f"{server.url}/api/v1/payout", params={"record": record, "amount": "1234.57"}, timeout=10
    )
    assert resp.status_code == 200
    assert [(ln["artist"], ln["cents"]) for ln in resp.json()["lines"]] == [
        (ln["artist"], ln["cents"]) for ln in p["lines"]
    ]


def test_table_and_csv_say_the_same(server: CatalogueProcess) -> None:
    record, _ = deepest_record(server.url)
    table = payout_cli(server.data, "--record", str(record), "--amount", "100")
    assert table.returncode == 0, table.stderr
    assert "preview (not stored)" in table.stdout and "50.00" in table.stdout
    rows = list(csv.DictReader(io.StringIO(
        payout_cli(server.data, "--record", str(record), "--amount", "100", "--csv").stdout
    )))  # fmt: skip
    assert sum(int(r["cents"]) for r in rows) == 5000
    assert all(r["artist"] in table.stdout for r in rows)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--record", "8", "--amount", "NaN"], "amount must be"),
        (["--record", "8", "--amount", "-5"], "amount must be"),
        (["--record", "8", "--amount", "1.234"], "at most two decimals"),
        (["--record", "8", "--amount", "12abc"], "amount must be"),
        (["--record", "8", "--amount", "0"], "above zero"),
        (["--record", "999999", "--amount", "5", "--save"], "there is no record 999999"),
        (["--proposal", "999999", "--finalize"], "there is no payment proposal 999999"),
        (["--record", "8", "--amount", "5", "--json", "--csv"], "choose one"),
        (["--amount", "5"], "give --record and --amount"),
        (["--record", "0", "--amount", "5"], "positive whole number"),
        (["--record", str(2**64), "--amount", "5"], "positive whole number"),
        (["--proposal", "-3"], "positive whole number"),
    ],
)
def test_bad_cli_input_is_refused_and_changes_nothing(
    server: CatalogueProcess, args: list[str], message: str
) -> None:
    before = table_counts(server.data)
    result = payout_cli(server.data, *args)
    assert result.returncode != 0
    assert message in result.stderr
    assert table_counts(server.data) == before


def post(server: CatalogueProcess, path: str, body: Any = None, **kw: Any) -> requests.Response:
    headers = kw.pop("headers", AUTH)
    return requests.post(f"{server.url}/api/v1{path}", json=body, headers=headers, timeout=10)


def age(server: CatalogueProcess, proposal_id: int, days: int) -> None:
    """Move a proposal's comment period `days` into the past (state times are not frozen)."""
    db = sqlite3.connect(str(server.data / "catalogue.db"))
    with db:
        db.execute(
            "UPDATE payout_proposals SET opened_at = datetime(opened_at, ?),"
            " comments_close_at = replace(datetime(comments_close_at, ?), ' ', 'T') || '+00:00'"
            " WHERE id = ?",
            (f"-{days} days", f"-{days} days", proposal_id),
        )
    db.close()


def test_the_lifecycle_with_comments_over_http(server: CatalogueProcess) -> None:
    record, _ = deepest_record(server.url)
    unsigned = post(server, "/proposals", {"record": record, "amount": "50"}, headers={})
    assert unsigned.status_code == 401
    made = post(server, "/proposals", {"record": record, "amount": "1234.56", "open": True})
    assert made.status_code == 201, made.text
    p = made.json()
    assert p["state"] == "open" and p["snapshot"]["record"] == record
    assert_adds_up(p, 123456)
    pid = p["id"]
    page = f"{server.url}/proposals/{pid}"
    hostile = {"author": "mara", "body": "<script>alert(1)</script> my share?"}
    resp = requests.post(f"{page}/comments", data=hostile, allow_redirects=False, timeout=10)
    assert resp.status_code == 303
    html = requests.get(page, timeout=10).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; my share?" in html
    assert "<script" not in html and "<form" in html
    assert all(line["artist"] in html for line in p["lines"])
    before = table_counts(server.data)
    empty = requests.post(f"{page}/comments", data={"author": "x", "body": " "}, timeout=10)
    assert empty.status_code == 400 and "must not be empty" in empty.text
    assert post(server, f"/proposals/{pid}/finalize").status_code == 409  # 14 days not over
    assert table_counts(server.data) == before
    assert post(server, f"/proposals/{pid}/comments", {"author": "teo", "body": "ok"}).ok
    age(server, pid, 15)
    assert post(server, f"/proposals/{pid}/finalize").status_code == 200
    before = table_counts(server.data)
    late = post(server, f"/proposals/{pid}/comments", {"author": "teo", "body": "late"})
    assert late.status_code == 409 and "final" in late.json()["error"]
    late_form = requests.post(f"{page}/comments", data={"author": "a", "body": "b"}, timeout=10)
    assert late_form.status_code == 409
    assert post(server, f"/proposals/{pid}/revise", {}).status_code == 409
    assert table_counts(server.data) == before
    paid = post(server, f"/proposals/{pid}/paid")
    assert paid.status_code == 200 and paid.json()["state"] == "paid"
    shown = requests.get(f"{server.url}/api/v1/proposals/{pid}", timeout=10).json()
    assert [c["author"] for c in shown["comments"]] == ["mara", "teo"]
    assert shown["lines"] == p["lines"]  # nothing it said has moved
    listed = requests.get(f"{server.url}/api/v1/proposals?record={record}", timeout=10).json()
    assert pid in [x["id"] for x in listed["proposals"]]
    assert f"/proposals/{pid}" in requests.get(f"{server.url}/proposals", timeout=10).text


def test_an_open_proposal_changes_only_by_a_new_version(server: CatalogueProcess) -> None:
    first = post(server, "/proposals", {"record": 8, "amount": "10", "open": True}).json()
    db = sqlite3.connect(str(server.data / "catalogue.db"))
    with pytest.raises(sqlite3.DatabaseError, match="immutable"):
        db.execute("UPDATE payout_lines SET cents = 0 WHERE proposal_id = ?", (first["id"],))
    with pytest.raises(sqlite3.DatabaseError, match="immutable"):
        db.execute("UPDATE payout_proposals SET amount_cents = 1 WHERE id = ?", (first["id"],))
    db.close()
    second = post(server, f"/proposals/{first['id']}/revise", {"amount": "20"})
    assert second.status_code == 201
    new = second.json()
    assert (new["version"], new["supersedes"], new["state"]) == (2, first["id"], "draft")
    assert post(server, f"/proposals/{new['id']}/open", {"days": 13}).status_code == 400
    assert post(server, f"/proposals/{new['id']}/open", {"days": 21}).status_code == 200
    old = requests.get(f"{server.url}/api/v1/proposals/{first['id']}", timeout=10).json()
    assert (old["state"], old["superseded_by"], old["amount_cents"]) == (
        "superseded",
        new["id"],
        1000,
    )
    cli = payout_cli(server.data, "--proposal", str(new["id"]), "--finalize")
    assert cli.returncode == 1 and "open for comments until" in cli.stderr


@pytest.mark.parametrize(
    "body, status",
    [
        ({"record": 8, "amount": "NaN"}, 400),
        ({"record": 8, "amount": "-1"}, 400),
        ({"record": 8, "amount": -1}, 400),
        ({"record": 8, "amount": "1.001"}, 400),
        ({"record": 8, "amount": 1e300}, 400),
        ({"record": 8, "amount": True}, 400),
        ({"record": 8}, 400),
        ({"record": "8", "amount": "5"}, 400),
        ({"record": 999999, "amount": "5"}, 404),
        ({"record": 8, "amount": "5", "colour": "red"}, 400),
        ({"record": 8, "amount": "5", "weights": {"role": {"camera": -1}}}, 400),
        ({"record": 8, "amount": "5", "open": True, "days": 3}, 400),
        ([], 400),
    ],
)
def test_bad_proposals_over_http_are_refused_and_change_nothing(
    server: CatalogueProcess, body: Any, status: int
) -> None:
    before = table_counts(server.data)
    resp = post(server, "/proposals", body)
    assert resp.status_code == status, resp.text
    assert resp.json()["error"]
    assert table_counts(server.data) == before


def test_nan_in_the_json_and_unknown_proposals_are_refused(server: CatalogueProcess) -> None:
    raw = requests.post(
        f"{server.url}/api/v1/proposals",
        data='{"record": 8, "amount": NaN}',
        headers={**AUTH, "Content-Type": "application/json"},
        timeout=10,
    )
    assert raw.status_code == 400
    assert requests.get(f"{server.url}/api/v1/proposals/99999", timeout=10).status_code == 404
    assert requests.get(f"{server.url}/proposals/99999", timeout=10).status_code == 404
    assert (
        post(server, "/proposals/99999/comments", {"author": "a", "body": "b"}).status_code == 404
    )
    bad = requests.get(f"{server.url}/api/v1/payout?record=8&amount=nan", timeout=10)
    assert bad.status_code == 400


def test_a_withdrawn_record_is_not_paid(tmp_path: Path) -> None:
    server = CatalogueProcess(tmp_path / "data").start()
    try:
        record, ids = deepest_record(server.url)
        by_title = {
            r["title"]: r
            for r in (
                requests.get(f"{server.url}/api/v1/records/{i}", timeout=10).json() for i in ids
            )
        }
        harbour, drawing = by_title["Harbour at dusk"], by_title["The cat on the rocks"]
        frozen = post(server, "/proposals", {"record": record, "amount": "1000", "open": True})
        assert frozen.status_code == 201
        assert {"sol", "guest-ana"} <= {ln["artist"] for ln in frozen.json()["lines"]}
        # the photo (online work) marked as the withdrawal feature leaves a record and its edges
        db = sqlite3.connect(str(server.data / "catalogue.db"))
        with db:
            at = "2026-12-01T12:00:00+00:00"
            db.execute("UPDATE records SET withdrawn_at = ? WHERE id = ?", (at, harbour["id"]))
            db.execute(
                "UPDATE lineage SET withdrawn_at = ? WHERE parent_id = ? OR child_id = ?",
                (at, harbour["id"], harbour["id"]),
            )
        db.close()
        # the audience drawing (made at a show) through the catalogue's withdrawal route
        withdrawn = requests.post(
            f"{server.url}/api/v1/withdrawals",
            json={"items": [{"origin": drawing["origin"], "at": "2026-12-01T13:00:00+00:00"}]},
            headers={**AUTH, "Idempotency-Key": "payout-test-withdraw-1"},
            timeout=10,
        )
        assert withdrawn.status_code == 201, withdrawn.text
        result = payout_cli(server.data, "--record", str(record), "--amount", "1000", "--json")
        assert result.returncode == 0, result.stderr
        p = json.loads(result.stdout)
        assert_adds_up(p, 100000)
        paid = {line["artist"] for line in p["lines"]}
        assert not paid & {"sol", "guest-ana"}  # each made only the withdrawn one here
        assert paid == credited_artists(server.url, ids - {harbour["id"], drawing["id"]})
        contributed = {c["record"] for ln in p["lines"] for c in ln["contributions"]}
        assert not contributed & {harbour["id"], drawing["id"]}
        # the open proposal still says what it said, from the lineage it froze, but it can
        # no longer be made final: withdrawn work is never paid from then on
        fid = frozen.json()["id"]
        again = requests.get(f"{server.url}/api/v1/proposals/{fid}", timeout=10).json()
        assert (again["lines"], again["snapshot"]) == (
            frozen.json()["lines"],
            frozen.json()["snapshot"],
        )
        age(server, fid, 15)
        refused = post(server, f"/proposals/{fid}/finalize")
        assert refused.status_code == 409, refused.text
        assert f"record(s) {harbour['id']}, {drawing['id']}" in refused.json()["error"]
        whole = payout_cli(server.data, "--record", str(harbour["id"]), "--amount", "10")
        assert whole.returncode == 1 and "withdrawn" in whole.stderr
        resp = post(server, "/proposals", {"record": harbour["id"], "amount": "10"})
        assert resp.status_code == 422 and "withdrawn" in resp.json()["error"]
    finally:
        server.stop()


def test_cli_lifecycle_and_carried_lines(server: CatalogueProcess, tmp_path: Path) -> None:
    weights = tmp_path / "weights.json"
    weights.write_text(json.dumps({"threshold_cents": 2000}))
    made = payout_cli(
        server.data, "--record", "8", "--amount", "100", "--weights", str(weights), "--save",
        "--json",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    p = json.loads(made.stdout)
    assert p["state"] == "draft" and p["weights"]["threshold_cents"] == 2000
    carried = {ln["artist"] for ln in p["lines"] if ln["carried"]}
    assert carried and carried == {ln["artist"] for ln in p["lines"] if 0 < ln["cents"] < 2000}
    pid = str(p["id"])
    assert payout_cli(server.data, "--proposal", pid, "--open").returncode == 0
    age(server, int(pid), 15)
    assert payout_cli(server.data, "--proposal", pid, "--finalize").returncode == 0
    done = payout_cli(server.data, "--proposal", pid, "--paid")
    assert done.returncode == 0 and ": paid" in done.stdout and "carried" in done.stdout
    later = json.loads(payout_cli(server.data, "--record", "8", "--amount", "100", "--json").stdout)
    carried_in = {ln["artist"]: ln["carried_in_cents"] for ln in later["lines"]}
    for ln in p["lines"]:
        assert carried_in[ln["artist"]] == (ln["cents"] if ln["carried"] else 0)


def test_a_stored_proposal_can_be_recomputed_from_its_snapshot(server: CatalogueProcess) -> None:
    made = post(
        server, "/proposals", {"record": 8, "amount": "777.77", "weights": {"edge": {"plate": 5}}}
    )
    p = made.json()
    carried = {ln["artist"]: ln["carried_in_cents"] for ln in p["lines"]}
    again = compute(Lineage.from_json(p["snapshot"]), p["amount_cents"], p["weights"], carried)
    assert [ln.to_json() | {"artist_id": 0} for ln in again.lines] == [
        ln | {"artist_id": 0} for ln in p["lines"]
    ]
    assert p["weights"]["edge"]["plate"] == 5 and p["weights"]["edge"]["background"] == 1


def test_carried_cents_are_paid_once(tmp_path: Path) -> None:
    """Two proposals made while the same cents were carried: the second to be paid is
    refused (409 over HTTP), so nobody is paid a carried cent twice."""
    app = make_app(tmp_path / "data", demo=True)
    db = app.extensions["catalogue"].db
    t0 = datetime(2026, 12, 1, tzinfo=UTC)

    def through(conn: Any, pid: int, start: datetime) -> None:
        proposals.open_for_comments(conn, pid, start)
        proposals.finalize(conn, pid, start + timedelta(days=14))
        proposals.mark_paid(conn, pid, start + timedelta(days=15))

    with db.write() as w:
        small = proposals.create(w.conn, 8, 1000, {"threshold_cents": 100_000}, t0)
        through(w.conn, small, t0)
        first = proposals.create(w.conn, 8, 10**7, None, t0)
        second = proposals.create(w.conn, 8, 10**7, None, t0)
        through(w.conn, first, t0)
    shown = proposals.get(db.read(), first)
    assert all(ln["carried_in_cents"] > 0 for ln in shown["lines"] if ln["cents"])
    assert sum(ln["carried_in_cents"] for ln in shown["lines"]) == 500  # the artists' half
    with pytest.raises(proposals.Conflict, match="carried forward"):
        with db.write() as w:
            through(w.conn, second, t0)
    assert proposals.get(db.read(), second)["state"] == "draft"  # rolled back, nothing kept
    db.close()
