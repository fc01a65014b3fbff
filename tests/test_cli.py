"""The command line: QR codes for printed programmes, export, and secrets that persist."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cv2

from tests.helpers.app import make_app


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "liveshow", *args],
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )


def test_qr_png_and_svg_encode_the_join_url_of_the_data_directory(
    tmp_path: Path, text_show: Path
) -> None:
    data = tmp_path / "data"
    make_app(data, text_show, join_code=None, public_url="http://10.9.8.7:5000")
    png, svg = tmp_path / "join.png", tmp_path / "join.svg"
    for out in (png, svg):
        result = run(
            "qr", "--data", str(data), "--public-url", "http://10.9.8.7:5000", "--out", str(out)
        )
        assert result.returncode == 0, result.stderr
    decoded = cv2.QRCodeDetector().detectAndDecode(cv2.imread(str(png)))[0]
    again = make_app(data, text_show, join_code=None, public_url="http://10.9.8.7:5000")
    assert decoded == again.extensions["liveshow"].join_url()
    assert svg.read_text().lstrip().startswith("<?xml") and "<svg" in svg.read_text()
    assert run("qr", "--data", str(data), "--out", str(tmp_path / "x.gif")).returncode != 0


def test_generated_secrets_survive_a_restart(tmp_path: Path, text_show: Path) -> None:
    first = make_app(
        tmp_path / "data", text_show, crew_password=None, display_key=None, join_code=None
    ).extensions["liveshow"]
    second = make_app(
        tmp_path / "data", text_show, crew_password=None, display_key=None, join_code=None
    ).extensions["liveshow"]
    names = {"crew_password", "display_key", "join_code", "camera_key"}
    for name in names:
        assert first.settings[name] == second.settings[name]
        assert len(first.settings[name]) >= 6
    assert set(first.generated) == names


def test_a_rotated_join_code_wins_after_a_restart(tmp_path: Path, text_show: Path) -> None:
    rt = make_app(tmp_path / "data", text_show).extensions["liveshow"]
    code = rt.rotate_join_code()
    again = make_app(tmp_path / "data", text_show).extensions["liveshow"]
    assert again.settings["join_code"] == code


def test_export_writes_the_stored_show_with_its_edits(tmp_path: Path, text_show: Path) -> None:
    from liveshow.show import editing

    rt = make_app(tmp_path / "data", text_show).extensions["liveshow"]
    editing.update_cue(rt.engine, "welcome", {"title": "Edited title"})
    rt.store.close()
    out = tmp_path / "exported.yaml"
    result = run("export", "--data", str(tmp_path / "data"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Edited title" in out.read_text()
    missing = run("export", "--data", str(tmp_path / "nowhere"), "--out", str(out))
    assert missing.returncode != 0 and "no show" in missing.stderr
