"""The archive: `liveshow archive` packs a demo night as a BagIt bag (a consistent copy of the
database taken while the show still holds it open, the media, the show file, the report and
a PROV-O lineage export); `--verify` passes on it and fails after one byte of one media file
changes. The lineage names every approved record and its contributor, and nothing rejected."""

from __future__ import annotations

import sqlite3
import subprocess
import tarfile
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF

from liveshow.reports.archive import verify
from liveshow.show.showfile import load_file
from tests.helpers.night import DemoNight, invoke, make_night, run_liveshow


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory, demo_show: Path) -> DemoNight:
    return make_night(
        tmp_path_factory.mktemp("night"), demo_show.parent / "demo" / "tide-pools.mp4"
    )


@pytest.fixture(scope="module")
def bag(night: DemoNight) -> Path:
    out = night.data.parent / "bag"
    done = run_liveshow("archive", "--data", str(night.data), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert f"wrote {out}: 5 records" in done.stdout
    return out


def test_the_bag_holds_the_night_and_verifies(bag: Path, night: DemoNight) -> None:
    for tag in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt"):
        assert (bag / tag).is_file(), tag
    payload = {str(p.relative_to(bag)) for p in (bag / "data").rglob("*") if p.is_file()}
    listed = {
        line.split(None, 1)[1] for line in (bag / "manifest-sha256.txt").read_text().splitlines()
    }
    assert listed == payload
    media = {p.name for p in (night.data / "media").iterdir() if len(p.name) == 64}
    assert {p.name for p in (bag / "data" / "media").iterdir()} == media
    assert set(night.photo_shas) <= media
    for name in ("index.html", "joins.png", "screenings.csv"):
        assert f"data/report/{name}" in payload
    show = load_file(bag / "data" / "show" / "show.yaml")  # a show file liveshow loads
    assert show.title == "Report night" and len(show.cues) == 10
    # A group's picture points at the bag's copy too (else the archived show would not load).
    (picture,) = [c for c in show.cues[-1].children if c.media]
    assert (show.base_dir / picture.media).resolve().parent == (bag / "data" / "media")
    assert "External-Identifier: report-night-" in (bag / "bag-info.txt").read_text()
    done = run_liveshow("archive", "--verify", str(bag))
    assert done.returncode == 0 and "is a valid bag" in done.stdout


def test_the_database_copy_is_whole_while_the_show_still_has_it_open(
    bag: Path, night: DemoNight
) -> None:
    copy = bag / "data" / "show.db"
    assert not (bag / "data" / "show.db-wal").exists()
    with sqlite3.connect(f"file:{copy}?mode=ro", uri=True) as conn:
        assert conn.execute("pragma journal_mode").fetchone()[0] == "delete"
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        copied = conn.execute("select id, status from submissions order by id").fetchall()
    with sqlite3.connect(night.data / "show.db") as live:
        assert live.execute("pragma journal_mode").fetchone()[0] == "wal"
        assert copied == live.execute("select id, status from submissions order by id").fetchall()


def test_one_changed_byte_in_one_media_file_fails_verification(bag: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged"
    subprocess.run(["cp", "-a", str(bag), str(damaged)], check=True)
    victim = sorted((damaged / "data" / "media").iterdir())[0]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    done = invoke("archive", "--verify", str(damaged))
    assert done.exit_code == 1
    assert "not a valid bag" in done.output and victim.name in done.output
    assert verify(bag) is None  # the original is untouched


def test_a_missing_or_extra_file_fails_verification(bag: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    subprocess.run(["cp", "-a", str(bag), str(extra)], check=True)
    (extra / "data" / "media" / ("0" * 64)).write_bytes(b"smuggled in")
    assert verify(extra) is not None
    missing = tmp_path / "missing"
    subprocess.run(["cp", "-a", str(bag), str(missing)], check=True)
    (missing / "data" / "show.db").unlink()
    assert "show.db" in (verify(missing) or "")
    assert verify(tmp_path / "nowhere") is not None


def test_the_lineage_names_every_approved_record_and_contributor_and_nothing_rejected(
    bag: Path, night: DemoNight
) -> None:
    path = bag / "data" / "provenance" / "lineage.jsonld"
    graph = rdflib.Graph().parse(path, format="json-ld")
    entities = {
        str(graph.value(e, DCTERMS.identifier)): e for e in graph.subjects(RDF.type, PROV.Entity)
    }
    submissions = {k: v for k, v in entities.items() if not k.startswith("take-")}
    assert set(submissions) == set(night.approved)
    for sub_id, handle in night.approved.items():
        agent = graph.value(submissions[sub_id], PROV.wasAttributedTo)
        assert str(graph.value(agent, FOAF.name)) == handle
        assert (agent, RDF.type, PROV.Agent) in graph
        assert "CC BY-NC 4.0" in str(
            graph.value(submissions[sub_id], DCTERMS.bibliographicCitation)
        )
    text = path.read_text(encoding="utf-8")
    for sub_id in [*night.rejected, *night.pending, "vote-0000-report"]:
        assert sub_id not in text
    assert "Something rude" not in text  # the rejected story
    # the take was filmed over an approved photo and a rejected one: only the approved one
    plate = entities["take-report-0001 (plate)"]
    parents = {str(p) for p in graph.objects(plate, PROV.wasDerivedFrom)}
    assert parents == {str(submissions["photo-0000-report"])}
    performers = {
        str(graph.value(a, FOAF.name)) for a in graph.objects(plate, PROV.wasAttributedTo)
    }
    assert performers == {"Jonas Lind", "Mia"}
    activities = list(graph.subjects(RDF.type, PROV.Activity))
    assert len(activities) == 1
    assert all((e, PROV.wasGeneratedBy, activities[0]) in graph for e in entities.values())
    lines = (bag / "data" / "provenance" / "attribution.txt").read_text().splitlines()
    assert len(lines) == len(entities)
    assert all(" by " in line and "Licence: CC BY-NC 4.0" in line for line in lines)


def test_a_tar_gz_archive_verifies_and_the_licence_is_a_setting(night: DemoNight) -> None:
    out = night.data.parent / "night.tar.gz"
    done = invoke("archive", "--data", str(night.data), "--out", str(out), "--licence", "CC-BY-4.0")
    assert done.exit_code == 0, done.output
    assert invoke("archive", "--verify", str(out)).exit_code == 0
    with tarfile.open(out) as tar:
        member = tar.extractfile("night/data/provenance/attribution.txt")
        assert member is not None
        lines = member.read().decode().splitlines()
    assert lines and all(
        line.endswith("Licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/).")
        for line in lines
    )
    again = invoke("archive", "--data", str(night.data), "--out", str(out))
    assert again.exit_code == 1 and "already exists" in again.output
