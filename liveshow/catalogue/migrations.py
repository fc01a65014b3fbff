"""The catalogue's schema, as small steps that each run once (see :func:`migration`).

Table and column names are meant to be read by people with Datasette: a record's show-side
origin is spelled out in ``origin_*`` columns, and ``origin_key`` is the one unique string
the show-side ids map through (see docs/catalogue.md, "How show-side ids map").
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(fn: Migration) -> Migration:
    """Register `fn` as the next schema step; steps run once each, in definition order."""
    MIGRATIONS.append((fn.__name__, fn))
    return fn


SCHEMA_V1 = """
CREATE TABLE collaborations (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE TABLE artists (
    id INTEGER PRIMARY KEY,
    handle TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE media (
    sha256 TEXT PRIMARY KEY,
    mime TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    duration REAL
);
CREATE TABLE performances (
    id TEXT PRIMARY KEY,
    show TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    venue TEXT NOT NULL DEFAULT '',
    started_at TEXT,
    ended_at TEXT
);
CREATE TABLE records (
    id INTEGER PRIMARY KEY,
    collaboration_id INTEGER NOT NULL REFERENCES collaborations(id),
    title TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    text TEXT,
    media_sha256 TEXT REFERENCES media(sha256),
    created_at TEXT NOT NULL,
    origin_key TEXT UNIQUE,
    origin_performance TEXT,
    origin_show TEXT,
    origin_cue TEXT,
    origin_prompt TEXT,
    origin_submission TEXT,
    origin_take TEXT,
    origin_part TEXT,
    origin_camera TEXT,
    origin_made_at TEXT
);
CREATE INDEX records_collaboration ON records(collaboration_id, id);
CREATE INDEX records_kind ON records(kind, id);
CREATE INDEX records_performance ON records(origin_performance, id);
CREATE TABLE credits (
    record_id INTEGER NOT NULL REFERENCES records(id),
    artist_id INTEGER NOT NULL REFERENCES artists(id),
    role TEXT NOT NULL,
    PRIMARY KEY (record_id, artist_id, role)
);
CREATE INDEX credits_artist ON credits(artist_id, record_id);
CREATE TABLE consents (
    record_id INTEGER NOT NULL REFERENCES records(id),
    artist_id INTEGER NOT NULL REFERENCES artists(id),
    terms_version TEXT NOT NULL,
    accepted_at TEXT NOT NULL,
    PRIMARY KEY (record_id, artist_id)
) WITHOUT ROWID;
CREATE TABLE lineage (
    id INTEGER PRIMARY KEY,
    child_id INTEGER NOT NULL REFERENCES records(id),
    parent_id INTEGER NOT NULL REFERENCES records(id),
    role TEXT NOT NULL DEFAULT '',
    start REAL,
    "end" REAL
);
CREATE INDEX lineage_child ON lineage(child_id, parent_id);
CREATE INDEX lineage_parent ON lineage(parent_id, child_id);
CREATE TABLE screenings (
    performance_id TEXT NOT NULL REFERENCES performances(id),
    record_id INTEGER NOT NULL REFERENCES records(id),
    at TEXT NOT NULL,
    cue TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (performance_id, record_id, at)
) WITHOUT ROWID;
CREATE INDEX screenings_record ON screenings(record_id);
CREATE TABLE idempotency_keys (
    route TEXT NOT NULL,
    key TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    state TEXT NOT NULL,
    server_instance TEXT NOT NULL,
    status INTEGER,
    response TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (route, key)
) WITHOUT ROWID;
"""


@migration
def m001_catalogue(db: sqlite_utils.Database) -> None:
    # plain SQL: foreign keys, composite keys and covering indexes say more here than the
    # table-builder would; executescript would COMMIT our BEGIN IMMEDIATE, so run each one
    for statement in SCHEMA_V1.split(";"):
        if statement.strip():
            db.execute(statement)


SCHEMA_V2 = """
ALTER TABLE records ADD COLUMN withdrawn_at TEXT;
ALTER TABLE lineage ADD COLUMN withdrawn_at TEXT;
ALTER TABLE consents ADD COLUMN terms_sha256 TEXT;
ALTER TABLE consents ADD COLUMN purposes TEXT NOT NULL DEFAULT '[]';
ALTER TABLE consents ADD COLUMN withdrawn_at TEXT;
ALTER TABLE artists ADD COLUMN key_sha256 TEXT;
CREATE TABLE claims (
    token_sha256 TEXT PRIMARY KEY,
    performance_id TEXT NOT NULL,
    artist_id INTEGER NOT NULL REFERENCES artists(id),
    created_at TEXT NOT NULL,
    claimed_at TEXT,
    claimed_by INTEGER REFERENCES artists(id)
) WITHOUT ROWID;
CREATE INDEX claims_artist ON claims(artist_id);
CREATE TABLE withdrawals (
    record_id INTEGER PRIMARY KEY REFERENCES records(id),
    at TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT ''
);
"""


@migration
def m002_claims_and_withdrawals(db: sqlite_utils.Database) -> None:
    """Credit that can be claimed and taken back (issue 9).

    - ``records.withdrawn_at``: its contributor withdrew it; reads hide it and its media,
      payouts never pay it from then on; ``withdrawals`` keeps when and why.
    - ``lineage.withdrawn_at``: an edge to or from a withdrawn record is kept, marked.
    - ``consents``: the consent receipt's terms hash, purposes (JSON list) and withdrawal.
    - ``artists.key_sha256``: the hash of an artist's key, which a later claim must show to
      attach more work to that account.
    - ``claims``: one per phone per performance: the SHA-256 of the phone's private claim token
      (never the token), the pseudonymous artist it credits, and who claimed it and when.
    """
    for statement in SCHEMA_V2.split(";"):
        if statement.strip():
            db.execute(statement)


SCHEMA_V3 = """
CREATE TABLE payout_proposals (
    id INTEGER PRIMARY KEY,
    record_id INTEGER NOT NULL REFERENCES records(id),
    version INTEGER NOT NULL DEFAULT 1,
    supersedes INTEGER REFERENCES payout_proposals(id),
    state TEXT NOT NULL DEFAULT 'draft',
    amount_cents INTEGER NOT NULL,
    company_cents INTEGER NOT NULL,
    contributors_cents INTEGER NOT NULL,
    weights TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    snapshot_sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL,
    opened_at TEXT,
    comments_close_at TEXT,
    finalized_at TEXT,
    paid_at TEXT,
    CHECK (company_cents + contributors_cents = amount_cents)
);
CREATE INDEX payout_proposals_record ON payout_proposals(record_id, id);
CREATE TABLE payout_lines (
    proposal_id INTEGER NOT NULL REFERENCES payout_proposals(id),
    artist_id INTEGER NOT NULL REFERENCES artists(id),
    artist TEXT NOT NULL,
    cents INTEGER NOT NULL,
    weight_bp INTEGER NOT NULL,
    carried_in_cents INTEGER NOT NULL DEFAULT 0,
    carried INTEGER NOT NULL DEFAULT 0,
    contributions TEXT NOT NULL,
    rationale TEXT NOT NULL,
    PRIMARY KEY (proposal_id, artist_id)
) WITHOUT ROWID;
CREATE TABLE payout_comments (
    id INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES payout_proposals(id),
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX payout_comments_proposal ON payout_comments(proposal_id, id);
CREATE TABLE payout_carries (
    artist_id INTEGER NOT NULL REFERENCES artists(id),
    from_proposal INTEGER NOT NULL REFERENCES payout_proposals(id),
    cents INTEGER NOT NULL,
    settled_by INTEGER REFERENCES payout_proposals(id),
    PRIMARY KEY (artist_id, from_proposal)
) WITHOUT ROWID;
CREATE TRIGGER payout_proposals_immutable
BEFORE UPDATE OF record_id, version, supersedes, amount_cents, company_cents,
    contributors_cents, weights, snapshot, snapshot_sha256, created_at ON payout_proposals
BEGIN SELECT RAISE(ABORT, 'a payment proposal is immutable: make a new version'); END;
CREATE TRIGGER payout_lines_immutable BEFORE UPDATE ON payout_lines
BEGIN SELECT RAISE(ABORT, 'a payment proposal is immutable: make a new version'); END;
CREATE TRIGGER payout_lines_kept BEFORE DELETE ON payout_lines
BEGIN SELECT RAISE(ABORT, 'a payment proposal is immutable: make a new version'); END
"""


@migration
def m003_payment_proposals(db: sqlite_utils.Database) -> None:
    """Payment proposals (issue 9): draft -> open for comments -> final -> paid.

    - ``payout_proposals``: one version of a proposal: the record, the amount and its split,
      the weights used and ``snapshot`` (JSON: the lineage and credits it was computed from,
      frozen, with its SHA-256); a change is a new row with ``supersedes`` and ``version``.
      Triggers refuse any change to what a proposal says (only its state and times move).
    - ``payout_lines``: each artist's cents, weight (basis points), contributions and
      rationale; ``carried`` lines are below the threshold, recorded and not paid.
    - ``payout_comments``: comments while a proposal is open.
    - ``payout_carries``: cents carried forward by a paid proposal, settled by the proposal
      that later pays them.
    """
    # a trigger holds a semicolon inside BEGIN … END: split only where one ends a line
    for statement in SCHEMA_V3.split(";\n"):
        if statement.strip():
            db.execute(statement)
