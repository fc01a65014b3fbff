"""The payout arithmetic's promises, as properties (hypothesis): sums exact to the cent,
every line within one cent of exact, the order of the input changes nothing, zero weight pays
zero, one more cent in the pot takes no cent from anyone; and why plain Hamilton is not used
for the cents (the Alabama paradox)."""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liveshow.catalogue.payouts import (
    Credit,
    Edge,
    Lineage,
    Node,
    PayoutError,
    compute,
    hamilton,
    merge_weights,
    parse_amount,
    split_cents,
)

FEW = settings(max_examples=200, deadline=None)
weights_st = st.lists(st.integers(0, 60), min_size=1, max_size=9).filter(lambda w: sum(w) > 0)


def keys_for(weights: list[int]) -> list[Any]:
    return [(("2026-01-01", i), i) for i in range(len(weights))]


@FEW
@given(weights_st, st.integers(0, 5000))
def test_split_cents_sums_exactly_and_each_line_is_within_a_cent(w: list[int], total: int) -> None:
    out = split_cents(total, w, keys_for(w))
    assert sum(out) == total
    whole = sum(w)
    for cents, weight in zip(out, w, strict=True):
        assert abs(cents * whole - total * weight) < whole  # |cents - exact| < 1


@FEW
@given(st.lists(st.integers(0, 25), min_size=1, max_size=6).filter(lambda w: sum(w) > 0))
def test_one_more_cent_takes_no_cent_from_anyone(w: list[int]) -> None:
    keys = keys_for(w)
    before = split_cents(0, w, keys)
    for extra in range(1, 2 * sum(w) + 2):  # across a whole period and past it
        after = split_cents(extra, w, keys)
        assert all(a >= b for a, b in zip(after, before, strict=True)), (extra, w)
        before = after


@FEW
@given(weights_st, st.integers(0, 5000), st.randoms(use_true_random=False))
def test_the_order_of_the_lines_changes_nothing(
    w: list[int], total: int, rnd: random.Random
) -> None:
    keys = keys_for(w)
    out = dict(zip(keys, split_cents(total, w, keys), strict=True))
    order = list(range(len(w)))
    rnd.shuffle(order)
    shuffled = split_cents(total, [w[i] for i in order], [keys[i] for i in order])
    assert dict(zip([keys[i] for i in order], shuffled, strict=True)) == out


@FEW
@given(weights_st, st.integers(0, 5000))
def test_zero_weight_pays_zero(w: list[int], total: int) -> None:
    out = split_cents(total, w, keys_for(w))
    assert all(c == 0 for c, weight in zip(out, w, strict=True) if weight == 0)


@FEW
@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=12).filter(lambda q: sum(q) > 0))
def test_hamilton_to_basis_points_sums_to_10000_within_one(raw: list[int]) -> None:
    quotas = [Fraction(q * 10_000, sum(raw)) for q in raw]
    out = hamilton(10_000, quotas, keys_for(raw))
    assert sum(out) == 10_000
    assert all(abs(o - q) < 1 for o, q in zip(out, quotas, strict=True))
    assert all(o == 0 for o, q in zip(out, raw, strict=True) if q == 0)


def test_plain_hamilton_would_take_a_cent_when_the_pot_grows() -> None:
    """Why the cents are not split by plain Hamilton: with weights 6:6:2, 10 cents give
    4/4/2 and 11 cents give 5/5/1 (the Alabama paradox)."""
    keys = keys_for([6, 6, 2])
    at10 = hamilton(10, [Fraction(10 * w, 14) for w in (6, 6, 2)], keys)
    at11 = hamilton(11, [Fraction(11 * w, 14) for w in (6, 6, 2)], keys)
    assert (at10, at11) == ([4, 4, 2], [5, 5, 1])
    assert split_cents(10, [6, 6, 2], keys)[2] <= split_cents(11, [6, 6, 2], keys)[2]


def test_ties_go_to_the_earliest_contribution_then_the_artist_id() -> None:
    # three equal lines and one spare cent: the earliest contribution takes it
    keys = [(("2026-03-01", 9), 1), (("2026-01-01", 7), 3), (("2026-01-01", 7), 2)]
    assert split_cents(7, [1, 1, 1], keys) == [2, 2, 3]
    assert hamilton(7, [Fraction(7, 3)] * 3, keys) == [2, 2, 3]


@pytest.mark.parametrize(
    "raw, cents",
    [("1234.56", 123456), ("0.01", 1), ("7", 700), ("12.5", 1250), (99.99, 9999), (3, 300)],
)
def test_amounts_are_read_to_the_cent(raw: Any, cents: int) -> None:
    assert parse_amount(raw) == cents


@pytest.mark.parametrize(
    "raw",
    ["-5", "0", "0.00", "1.234", "NaN", "nan", "inf", "1e3", "1,000", "", " ", "12.", ".5",
     "+3", True, None, float("nan"), float("inf"), -1.5, "0x10", "١٢٣"],
)  # fmt: skip
def test_bad_amounts_are_refused(raw: Any) -> None:
    with pytest.raises(PayoutError):
        parse_amount(raw)


# ------------------------------------------------------------------------------------------
# whole proposals on generated lineages
# ------------------------------------------------------------------------------------------

ROLES = ["writer", "performer", "camera", "music", "audience contributor", "odd role"]
EDGE_ROLES = ["background", "plate", "soundtrack", "", "other"]


@st.composite
def lineages(draw: Any) -> Lineage:
    n = draw(st.integers(1, 9))
    nodes = tuple(
        Node(
            i,
            f"Record {i}",
            draw(st.sampled_from(["text", "picture", "take", "video", "sound"])),
            f"2026-01-{i:02d}",
            withdrawn=i > 1 and draw(st.booleans()) and draw(st.booleans()),
        )
        for i in range(1, n + 1)
    )
    edges = []
    for child in range(1, n + 1):  # parents have higher ids: no cycle
        for parent in range(child + 1, n + 1):
            if draw(st.integers(0, 2)) == 0:
                withdrawn = draw(st.integers(0, 5)) == 0
                edges.append(Edge(child, parent, draw(st.sampled_from(EDGE_ROLES)), withdrawn))
    credits = []
    for i in range(1, n + 1):
        for artist in draw(st.sets(st.integers(1, 6), min_size=1 if i == 1 else 0, max_size=3)):
            credits.append(Credit(i, artist, f"artist{artist}", draw(st.sampled_from(ROLES))))
    return Lineage(1, nodes, tuple(credits), tuple(edges))


def shuffled(lineage: Lineage, rnd: random.Random) -> Lineage:
    parts = [list(lineage.nodes), list(lineage.credits), list(lineage.edges)]
    for part in parts:
        rnd.shuffle(part)
    return Lineage(lineage.record, tuple(parts[0]), tuple(parts[1]), tuple(parts[2]))


@FEW
@given(lineages(), st.integers(1, 10**9), st.randoms(use_true_random=False))
def test_a_proposal_adds_up_to_the_cent_and_ignores_input_order(
    lineage: Lineage, amount: int, rnd: random.Random
) -> None:
    payout = compute(lineage, amount)
    assert payout.company_cents + payout.contributors_cents == amount
    assert payout.contributors_cents - payout.company_cents in (0, 1)  # odd cent: artists
    assert sum(line.cents for line in payout.lines) == payout.contributors_cents
    assert sum(line.weight_bp for line in payout.lines) == 10_000
    for line in payout.lines:
        exact = Fraction(payout.contributors_cents * line.weight_bp, 10_000)
        assert abs(line.cents - exact) < 1
    assert compute(shuffled(lineage, rnd), amount).to_json() == payout.to_json()


@FEW
@given(lineages(), st.integers(1, 10**6))
def test_one_more_cent_in_the_amount_takes_no_cent_from_any_artist(
    lineage: Lineage, amount: int
) -> None:
    one, more = compute(lineage, amount), compute(lineage, amount + 1)
    before = {ln.artist: ln.cents for ln in one.lines}
    after = {ln.artist: ln.cents for ln in more.lines}
    assert all(after[a] >= cents for a, cents in before.items())
    assert more.company_cents >= one.company_cents


@FEW
@given(lineages(), st.integers(1, 10**7))
def test_withdrawn_records_and_zero_weights_pay_nothing(lineage: Lineage, amount: int) -> None:
    weights = merge_weights({"role": {"camera": 0}})
    try:
        payout = compute(lineage, amount, weights)
    except PayoutError as exc:  # only when nobody left has a weight
        assert "weight above zero" in str(exc)
        return
    withdrawn = {n.id for n in lineage.nodes if n.withdrawn}
    for line in payout.lines:
        paid_for = [c for c in line.contributions if c["exact_bp"] > 0]
        assert all(c["record"] not in withdrawn for c in line.contributions)
        if not any(c["role"] != "camera" for c in line.contributions):
            assert line.cents == 0 and line.weight_bp == 0
        if line.cents:
            assert paid_for


def test_a_withdrawn_edge_is_not_walked_and_the_value_stays_with_the_user() -> None:
    nodes = (Node(1, "Film", "video", "2026-01-03"), Node(2, "Photo", "picture", "2026-01-01"))
    credits = (Credit(1, 1, "ed", "editor"), Credit(2, 2, "ph", "photographer"))
    live = compute(Lineage(1, nodes, credits, (Edge(1, 2, "background"),)), 10_000)
    assert {ln.artist: ln.cents for ln in live.lines} == {"ed": 2500, "ph": 2500}
    assert "your picture 'Photo' (photographer) is a background of video 'Film'" in (
        live.lines[1].rationale
    )
    cut = compute(Lineage(1, nodes, credits, (Edge(1, 2, "background", True),)), 10_000)
    assert {ln.artist: ln.cents for ln in cut.lines} == {"ed": 5000}


def test_a_line_below_the_threshold_is_carried_not_paid() -> None:
    nodes = (Node(1, "Film", "video", "2026-01-03"), Node(2, "Photo", "picture", "2026-01-01"))
    credits = (Credit(1, 1, "ed", "editor"), Credit(2, 2, "ph", "photographer"))
    lineage = Lineage(1, nodes, credits, (Edge(1, 2, "background"),))
    payout = compute(lineage, 1500, merge_weights({"threshold_cents": 400}))
    assert {(ln.artist, ln.cents, ln.carried) for ln in payout.lines} == {
        ("ed", 375, True),
        ("ph", 375, True),
    }
    carried = compute(lineage, 1500, merge_weights({"threshold_cents": 400}), {"ph": 100})
    assert {(ln.artist, ln.carried) for ln in carried.lines} == {("ed", True), ("ph", False)}


def test_weights_are_checked() -> None:
    for bad in ({"role": {"x": -1}}, {"nope": 1}, {"company_bp": 10_001}, {"edge": []}, []):
        with pytest.raises(PayoutError):
            merge_weights(bad)


def test_a_deep_lineage_is_fast_and_its_rationale_short() -> None:
    """A remix chain 2,000 records deep: every ancestor is paid something, and a rationale
    names the first steps and the finished record, not all 2,000."""
    n = 2000
    nodes = tuple(
        Node(i, f"R{i}", "video", f"2026-01-01T00:00:{i % 60:02d}") for i in range(1, n + 1)
    )
    edges = tuple(Edge(i, i + 1, "plate") for i in range(1, n))
    credits = tuple(Credit(i, i, f"a{i}", "editor") for i in range(1, n + 1))
    payout = compute(Lineage(1, nodes, credits, edges), 10**9)
    assert len(payout.lines) == n and sum(ln.cents for ln in payout.lines) == 5 * 10**8
    deepest = next(ln for ln in payout.lines if ln.artist == f"a{n}")
    assert deepest.rationale == (
        f"your video 'R{n}' (editor) is a plate of video 'R{n - 1}' used in 'R{n - 2}'"
        f" used in 'R{n - 3}' used in 'R{n - 4}' … ({n - 6} more) … used in 'R1'"
    )
