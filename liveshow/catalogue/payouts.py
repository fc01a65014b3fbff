"""A payment proposal's arithmetic: who is paid what, to the cent, and why (issue 9).

Pure computation on a frozen :class:`Lineage` (no database, no clock), in integers (cents,
and value in units of 1e-40 of the artists' half) and exact fractions for the rounding, so
the same lineage, amount and weights always give the same proposal, whatever order the rows
came in.

1. **Company and artists.** ``company_cents = amount * company_bp // 10000`` (rounded down);
   the artists get the rest, so the odd cent of an odd amount goes to the artists.
2. **Value through the lineage.** The finished record holds the whole artists' half. Each
   record reached keeps ``keep_bp`` (by its kind) for its own credited artists and passes the
   rest to its live parents, split by edge weight (by the edge's role); a record without a
   paid parent keeps all. What a record keeps is split across its credits by role weight.
   Withdrawn records and withdrawn edges are not walked: what they would have had stays with
   the records that used them.
3. **Weights in basis points.** The artists' exact shares are rounded to basis points that
   sum to exactly 10,000 by largest remainder (Hamilton): ties go to the largest fraction,
   then the earliest contribution, then the lowest artist id.
4. **Cents.** The artists' half is split over those basis points by the Balinski-Young quota
   method (cent by cent, each to the line with the most weight per cent held among those
   still below their exact share rounded up). Every line is within one cent of
   ``contributors_cents * weight_bp / 10000`` and one more cent in the pot never takes a
   cent from anyone: plain Hamilton cannot promise that (the Alabama paradox; see
   tests/test_catalogue_payout_rules.py), which is why it is used only where the total is
   fixed (the 10,000 basis points).
5. **Threshold.** A line whose cents (plus what it carried in from earlier proposals) are
   above zero but below ``threshold_cents`` is *carried*: recorded, not paid, and added to
   that artist's next proposal.
"""

from __future__ import annotations

import heapq
import re
from collections import defaultdict, deque
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any

# The one place the default weights live; a proposal may override any entry ("weights").
DEFAULT_WEIGHTS: dict[str, Any] = {
    "company_bp": 5000,  # the company's half of the amount, in basis points
    "threshold_cents": 500,  # a line below this is carried forward, not paid
    # share a record keeps for its own credited artists when it has paid parents, by kind
    "keep_bp": {
        "default": 5000,
        "take": 6000,
        "video": 5000,
        "sound": 5000,
        "picture": 5000,
        "drawing": 5000,
        "text": 5000,
    },
    # how a record's kept share is split across its credits, by role
    "role": {
        "default": 1,
        "writer": 2,
        "performer": 2,
        "director": 2,
        "animator": 2,
        "music": 2,
        "voice": 1,
        "camera": 1,
        "photographer": 1,
        "illustrator": 1,
        "editor": 1,
        "audience contributor": 1,
    },
    # how the passed-on share is split across a record's parents, by the edge's role
    "edge": {
        "default": 1,
        "plate": 2,
        "visuals": 2,
        "soundtrack": 1,
        "music": 1,
        "background": 1,
        "script": 1,
        "voice-over": 1,
        "drawing": 1,
        "picture": 1,
        "illustrates": 1,
    },
}
BP = 10_000
# Value flows in integer units (rounded down at each split, which loses under 1e-30 of the
# half even through 5,000 records): exact fractions grow digits with every level of a deep
# lineage and took seconds on a 5,000-record one. The arithmetic stays deterministic.
UNIT = 10**40
LIMITS = {"company_bp": BP, "threshold_cents": 10**8, "keep_bp": BP, "role": 1000, "edge": 1000}
AMOUNT_RE = re.compile(r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?\Z")
NAME_RE = re.compile(r"^[a-z][a-z -]{0,39}\Z")


class PayoutError(ValueError):
    """A proposal that cannot be made; the message is safe to show."""


def parse_amount(raw: Any) -> int:
    """An amount of money as integer cents: digits with at most two decimals, above zero."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise PayoutError("amount must be a number of money such as 1234.56")
    text = raw if isinstance(raw, str) else repr(raw)
    if not AMOUNT_RE.match(text.strip()):
        raise PayoutError(
            "amount must be a positive number of money with at most two decimals, "
            "such as 1234.56 (no sign, exponent, NaN or thousands separator)"
        )
    whole, _, frac = text.strip().partition(".")
    cents = int(whole) * 100 + int((frac + "00")[:2])
    if cents <= 0:
        raise PayoutError("amount must be above zero")
    return cents


def merge_weights(overrides: Any) -> dict[str, Any]:
    """The default weights with `overrides` (same shape, any subset) laid over, checked."""
    merged: dict[str, Any] = {
        k: dict(v) if isinstance(v, dict) else v for k, v in DEFAULT_WEIGHTS.items()
    }
    if overrides is None:
        return merged
    if not isinstance(overrides, dict):
        raise PayoutError("weights must be a JSON object")
    for key, value in overrides.items():
        if key not in DEFAULT_WEIGHTS:
            raise PayoutError(f"weights has an unknown entry {key!r}")
        if isinstance(DEFAULT_WEIGHTS[key], dict):
            if not isinstance(value, dict) or len(value) > 200:
                raise PayoutError(f"weights.{key} must be an object of at most 200 names")
            for name, number in value.items():
                if not isinstance(name, str) or not NAME_RE.match(name):
                    raise PayoutError(f"weights.{key} has a bad name {name!r}")
                merged[key][name] = _weight(number, f"weights.{key}.{name}", LIMITS[key])
        else:
            merged[key] = _weight(value, f"weights.{key}", LIMITS[key])
    return merged


def _weight(value: Any, where: str, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise PayoutError(f"{where} must be a whole number from 0 to {high}")
    return value


def _lookup(table: dict[str, int], name: str) -> int:
    return table.get(name, table.get("default", 1))


@dataclass(frozen=True)
class Node:
    id: int
    title: str
    kind: str
    created_at: str
    withdrawn: bool = False


@dataclass(frozen=True)
class Credit:
    record: int
    artist_id: int
    artist: str
    role: str


@dataclass(frozen=True)
class Edge:
    child: int
    parent: int
    role: str
    withdrawn: bool = False


@dataclass(frozen=True)
class Lineage:
    """The finished record and everything its lineage reaches, as frozen in a proposal."""

    record: int
    nodes: tuple[Node, ...]
    credits: tuple[Credit, ...]
    edges: tuple[Edge, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "nodes": [asdict(n) for n in sorted(self.nodes, key=lambda n: n.id)],
            "credits": [asdict(c) for c in sorted(self.credits, key=_credit_key)],
            "edges": [asdict(e) for e in sorted(self.edges, key=_edge_key)],
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Lineage:
        return cls(
            raw["record"],
            tuple(Node(**n) for n in raw["nodes"]),
            tuple(Credit(**c) for c in raw["credits"]),
            tuple(Edge(**e) for e in raw["edges"]),
        )


def _credit_key(c: Credit) -> tuple[int, int, str]:
    return (c.record, c.artist_id, c.role)


def _edge_key(e: Edge) -> tuple[int, int, str]:
    return (e.child, e.parent, e.role)


@dataclass
class Line:
    artist: str
    artist_id: int
    cents: int
    weight_bp: int
    contributions: list[dict[str, Any]]
    rationale: str
    carried_in_cents: int = 0
    carried: bool = False  # below the threshold: recorded, not paid, added to the next one

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Payout:
    record: int
    amount_cents: int
    company_cents: int
    contributors_cents: int
    lines: list[Line]
    weights: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "amount_cents": self.amount_cents,
            "company_cents": self.company_cents,
            "contributors_cents": self.contributors_cents,
            "lines": [line.to_json() for line in self.lines],
            "weights": self.weights,
        }


# ------------------------------------------------------------------------------------------
# rounding
# ------------------------------------------------------------------------------------------


def hamilton(total: int, quotas: list[Fraction], keys: list[Any]) -> list[int]:
    """Largest remainder: floors, then one more to the largest fractions (ties by `keys`).

    `quotas` must sum to `total` exactly; a zero quota gets nothing.
    """
    out = [int(q) for q in quotas]  # floor: quotas are never negative
    left = total - sum(out)
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - out[i]), keys[i]))
    for i in order[:left]:
        out[i] += 1
    return out


def split_cents(total: int, weights: list[int], keys: list[Any]) -> list[int]:
    """`total` cents over integer `weights` by the Balinski-Young quota method.

    Each line ends within one cent of ``total * w / sum(w)``, a line of weight 0 gets
    nothing, and ``split_cents(total + 1)`` gives nobody less than ``split_cents(total)``.
    Whole rounds of ``sum(w)`` cents are exact, so only the rest is handed out cent by cent.
    """
    whole = sum(weights)
    if whole <= 0:
        raise PayoutError("nobody has a weight above zero")
    rounds, rest = divmod(total, whole)
    given = [0] * len(weights)
    # Jefferson priority, most weight per cent first: a float orders w/(a+1) exactly while
    # w and a stay below 2**20 (distinct ratios differ by far more than its rounding)
    exact = whole >= 2**20

    def priority(w: int, held: int) -> Fraction | float:
        return -Fraction(w, held + 1) if exact else -w / (held + 1)

    ready: list[tuple[Fraction | float, Any, int]] = []
    waiting: list[tuple[int, Any, int]] = []  # step from which a line may take its next cent
    for i, w in enumerate(weights):
        if w > 0:
            ready.append((priority(w, 0), keys[i], i))
    heapq.heapify(ready)
    for step in range(rest):
        while waiting and waiting[0][0] <= step:
            _, key, i = heapq.heappop(waiting)
            heapq.heappush(ready, (priority(weights[i], given[i]), key, i))
        _, key, i = heapq.heappop(ready)
        given[i] += 1
        # eligible again while its cents stay below its exact share rounded up
        heapq.heappush(waiting, (given[i] * whole // weights[i], key, i))
    return [rounds * w + g for w, g in zip(weights, given, strict=True)]


# ------------------------------------------------------------------------------------------
# value through the lineage
# ------------------------------------------------------------------------------------------


@dataclass
class _Walk:
    value: dict[int, int]  # in units of 1 / UNIT of the artists' half
    via: dict[int, tuple[int, str]]  # record -> (the child it was first reached from, role)
    depth: dict[int, int]  # steps from the finished record along that first path
    own: dict[tuple[int, int, str], int]  # (artist id, record, role) -> share, in units


def _live_parents(lineage: Lineage) -> dict[int, list[Edge]]:
    nodes = {n.id: n for n in lineage.nodes}
    out: dict[int, list[Edge]] = defaultdict(list)
    for e in sorted(lineage.edges, key=_edge_key):
        child, parent = nodes.get(e.child), nodes.get(e.parent)
        if e.withdrawn or child is None or parent is None:
            continue
        if child.withdrawn or parent.withdrawn:
            continue
        out[e.child].append(e)
    return out


def walk(lineage: Lineage, weights: dict[str, Any]) -> _Walk:
    """Each reached record's exact value, and each credit's exact share of the artists' half."""
    nodes = {n.id: n for n in lineage.nodes}
    root = nodes.get(lineage.record)
    if root is None:
        raise PayoutError(f"there is no record {lineage.record}")
    if root.withdrawn:
        raise PayoutError(f"record {root.id} is withdrawn: it is never paid")
    parents = _live_parents(lineage)
    via: dict[int, tuple[int, str]] = {}
    depth = {root.id: 0}
    reached, queue = {root.id}, deque([root.id])
    pending: dict[int, int] = defaultdict(int)  # live edges from reached children, per parent
    while queue:  # breadth first: a record's rationale follows its shortest path
        at = queue.popleft()
        for e in parents[at]:
            pending[e.parent] += 1
            if e.parent not in reached:
                reached.add(e.parent)
                via[e.parent] = (at, e.role)
                depth[e.parent] = depth[at] + 1
                queue.append(e.parent)
    credits: dict[int, list[Credit]] = defaultdict(list)
    for c in sorted(lineage.credits, key=_credit_key):
        credits[c.record].append(c)
    value: dict[int, int] = defaultdict(int)
    value[root.id] = UNIT
    own: dict[tuple[int, int, str], int] = defaultdict(int)
    ready, done = deque([root.id]), 0
    while ready:  # children before parents, so a record's value is whole when it is split
        at = ready.popleft()
        done += 1
        edge_w = [(e, _lookup(weights["edge"], e.role)) for e in parents[at]]
        passed_w = sum(w for _, w in edge_w)
        keep_bp = _lookup(weights["keep_bp"], nodes[at].kind) if passed_w else BP
        kept = value[at] * keep_bp // BP
        role_w = [(c, _lookup(weights["role"], c.role)) for c in credits[at]]
        kept_w = sum(w for _, w in role_w)
        for c, w in role_w:
            if w:
                own[(c.artist_id, at, c.role)] += kept * w // kept_w
        for e, w in edge_w:
            if w:
                value[e.parent] += (value[at] - kept) * w // passed_w
            pending[e.parent] -= 1
            if pending[e.parent] == 0:
                ready.append(e.parent)
    if done != len(reached):
        raise PayoutError(f"the lineage of record {root.id} has a cycle")
    return _Walk(dict(value), via, depth, dict(own))


RATIONALE_HOPS = 6  # a longer path is shortened in the middle
RATIONALE_PARTS = 10  # contributions spelt out per line; the rest are counted


def _rationale(lineage: Lineage, nodes: dict[int, Node], w: _Walk, record: int, role: str) -> str:
    here = nodes[record]
    if record == lineage.record:
        return f"you are credited as {role} on {here.kind} '{here.title}'"
    child, edge_role = w.via[record]
    up = nodes[child]
    text = f"your {here.kind} '{here.title}' ({role}) is a {edge_role or 'resource'} of"
    text += f" {up.kind} '{up.title}'"
    hops = w.depth[record] - 1  # the "used in" steps after the first, down to the root
    shown = hops if hops <= RATIONALE_HOPS else 3
    chain: list[str] = []
    while len(chain) < shown:
        child = w.via[child][0]
        chain.append(f" used in '{nodes[child].title}'")
    if hops > shown:
        root = nodes[lineage.record]
        chain += [f" … ({hops - shown - 1} more) …", f" used in '{root.title}'"]
    return text + "".join(chain)


def compute(
    lineage: Lineage,
    amount_cents: int,
    weights: dict[str, Any] | None = None,
    carried_in: dict[str, int] | None = None,
) -> Payout:
    """The proposal for `amount_cents` earned by `lineage.record`."""
    if amount_cents <= 0:
        raise PayoutError("amount must be above zero")
    weights = weights if weights is not None else merge_weights(None)
    carried_in = carried_in or {}
    company = amount_cents * weights["company_bp"] // BP
    artists_cents = amount_cents - company  # the odd cent goes to the artists
    w = walk(lineage, weights)
    nodes = {n.id: n for n in lineage.nodes}
    handles: dict[int, str] = {c.artist_id: c.artist for c in lineage.credits}
    per_artist: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    reached_credits = {
        (c.artist_id, c.record, c.role) for c in lineage.credits if c.record in w.value
    }
    for artist_id, record, role in sorted(reached_credits):
        per_artist[artist_id].append((record, role, w.own.get((artist_id, record, role), 0)))
    total = sum(w.own.values())
    if total == 0:
        raise PayoutError("nobody in this record's lineage has a weight above zero")
    artist_ids = sorted(per_artist)
    shares = [Fraction(sum(s for _, _, s in per_artist[a]), total) for a in artist_ids]

    def earliest(a: int) -> tuple[str, int]:
        return min((nodes[r].created_at, r) for r, _, s in per_artist[a])

    keys = [(earliest(a), a) for a in artist_ids]
    bp = hamilton(BP, [s * BP for s in shares], keys)
    cents = split_cents(artists_cents, bp, keys)
    lines = []
    for a, line_bp, line_cents in zip(artist_ids, bp, cents, strict=True):
        parts = sorted(per_artist[a], key=lambda p: (-p[2], p[0], p[1]))
        contributions = [
            {
                "record": r,
                "title": nodes[r].title,
                "kind": nodes[r].kind,
                "role": role,
                "exact_bp": round(float(Fraction(s * BP, total)), 2),
            }
            for r, role, s in parts
        ]
        why = "; ".join(
            _rationale(lineage, nodes, w, r, role) for r, role, _ in parts[:RATIONALE_PARTS]
        )
        if len(parts) > RATIONALE_PARTS:
            why += f"; and {len(parts) - RATIONALE_PARTS} more contributions"
        carried_cents = carried_in.get(handles[a], 0)
        payable = line_cents + carried_cents
        line = Line(handles[a], a, line_cents, line_bp, contributions, why, carried_cents)
        line.carried = 0 < payable < weights["threshold_cents"]
        lines.append(line)
    lines.sort(key=lambda ln: (-ln.cents, -ln.weight_bp, ln.artist))
    return Payout(lineage.record, amount_cents, company, artists_cents, lines, weights)
