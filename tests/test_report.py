"""The show report: `liveshow report` on a demo night writes a page that opens from disk, its
figures as PNGs and the numbers behind them as CSV files that match the database; the crew
gets the same page on the dashboard, and nobody else does."""

from __future__ import annotations

import csv
import re
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from tests.helpers import CREW_PASSWORD
from tests.helpers.night import DemoNight, invoke, make_night, run_liveshow

FIGURES = ("joins", "submissions", "approval", "decisions", "screenings")


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory, demo_show: Path) -> DemoNight:
    return make_night(
        tmp_path_factory.mktemp("night"), demo_show.parent / "demo" / "tide-pools.mp4"
    )


@pytest.fixture(scope="module")
def report(night: DemoNight) -> Path:
    """`liveshow report` run as the crew would, while the show's database is still open."""
    out = night.data.parent / "report"
    done = run_liveshow("report", "--data", str(night.data), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "index.html" in done.stdout
    return out


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def query(night: DemoNight, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(night.data / "show.db") as conn:
        return list(conn.execute(sql))


def test_every_figure_is_a_png_that_decodes_with_a_csv_beside_it(report: Path) -> None:
    for name in FIGURES:
        image = cv2.imdecode(np.frombuffer((report / f"{name}.png").read_bytes(), np.uint8), 1)
        assert image is not None and image.shape[0] > 200 and image.shape[1] > 600, name
        assert image.std() > 10, f"{name}.png is blank"
        assert read_csv(report / f"{name}.csv") is not None


def test_the_csv_files_hold_the_databases_counts(report: Path, night: DemoNight) -> None:
    joins = read_csv(report / "joins.csv")
    assert sum(int(r["joins"]) for r in joins) == query(night, "select count(*) from devices")[0][0]
    assert int(joins[-1]["joined_so_far"]) == 4

    per_prompt = Counter[str]()
    for row in read_csv(report / "submissions.csv"):
        per_prompt[row["prompt"]] += int(row["submissions"])
    assert per_prompt == dict(query(night, "select prompt, count(*) from submissions group by 1"))
    assert per_prompt == {"ask-text": 4, "ask-photo": 3, "ask-vote": 3}

    approval = {r["prompt"]: r for r in read_csv(report / "approval.csv")}
    assert set(approval) == {"ask-text", "ask-photo"}  # votes are counted, not moderated
    for prompt, status, n in query(
        night, "select prompt, status, count(*) from submissions where kind != 'vote' group by 1, 2"
    ):
        assert int(approval[prompt][status]) == n
    assert approval["ask-text"]["approval_rate"] == "0.6667"  # approved + featured of 3 decided

    decisions = read_csv(report / "decisions.csv")
    assert sorted(r["submission"] for r in decisions) == sorted([*night.approved, *night.rejected])
    assert all(float(r["seconds"]) >= 0 for r in decisions)

    screened = read_csv(report / "screenings.csv")
    played = query(night, "select cue_id from play_log order by id")
    assert [r["cue"] for r in screened] == [cue for (cue,) in played]
    assert [r["cue"] for r in screened][:2] == ["hello", "ask-text"]


def test_the_page_opens_from_disk_in_chromium_showing_every_figure(
    report: Path, page: Any, night: DemoNight
) -> None:
    text = (report / "index.html").read_text(encoding="utf-8")
    assert set(re.findall(r'<img src="([^"]+)"', text)) == {f"{n}.png" for n in FIGURES}
    assert set(re.findall(r'<a href="([^"]+)"', text)) == {f"{n}.csv" for n in FIGURES}
    page.goto((report / "index.html").as_uri())
    page.wait_for_function("() => [...document.images].every((i) => i.complete)")
    sizes = page.eval_on_selector_all("img", "imgs => imgs.map((i) => i.naturalWidth)")
    assert len(sizes) == len(FIGURES) and all(w >= 600 for w in sizes)
    assert page.title() == "Show report: Report night"
    assert "phones joined" in page.inner_text(".numbers")
    # Cues the room saw: a group's cues count, the group's own line does not.
    numbers = page.inner_text(".numbers")
    (seen,) = query(night, "select count(*) from play_log where kind != 'group'")[0]
    assert query(night, "select count(*) from play_log where kind = 'group'") == [(1,)]
    assert re.search(rf"\b{seen}\s+cues screened", numbers), numbers


def test_a_folder_without_a_show_is_refused_with_exit_1(tmp_path: Path) -> None:
    done = invoke("report", "--data", str(tmp_path), "--out", str(tmp_path / "r"))
    assert done.exit_code == 1 and "no show.db" in done.output
    assert not (tmp_path / "r").exists()


def test_the_dashboard_serves_the_report_to_the_crew_only(night: DemoNight) -> None:
    client = night.app.test_client()
    assert client.get("/crew/report/").status_code == 302  # to the login page
    assert client.get("/crew/report/joins.png").status_code == 302
    client.post("/crew/login", data={"password": CREW_PASSWORD})
    page = client.get("/crew/report/")
    assert page.status_code == 200 and b"Show report: Report night" in page.data
    assert (night.data / "report" / "index.html").is_file()
    png = client.get("/crew/report/joins.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert client.get("/crew/report/approval.csv").data.startswith(b"prompt,kind,")
    assert client.get("/crew/report/..%2Fshow.db").status_code == 404
    assert client.get("/crew/report/index.py").status_code == 404
