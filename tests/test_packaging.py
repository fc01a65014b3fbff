"""A non-editable `pip install .` serves the projector and the phone app, with their shared
browser code and the Socket.IO client, from the installed package (not from a checkout)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import requests

from tests.helpers.server import free_port
from tests.helpers.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent
SHOW = """title: Packaged
displays: [main]
cues:
  - {id: hello, kind: title, title: Hello}
  - {id: join, kind: join, title: Join us}
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with liveshow built and installed as a wheel would be. Its
    dependencies come from the test's own environment (a .pth line), so nothing is
    downloaded; liveshow itself only from the new install."""
    home = tmp_path_factory.mktemp("venv")
    venv = home / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    )
    (Path(site.stdout.strip()) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    source = home / "source"  # a copy: building must not litter the checkout
    skip_here = {
        ".venv",
        ".git",
        "liveshow-data",
        "catalogue-data",
        "build",
        "media",
        "node_modules",
        "benchmarks",
        "docs",
    }

    def ignore(folder: str, names: list[str]) -> set[str]:
        top = Path(folder) == ROOT
        return {
            n
            for n in names
            if n == "__pycache__" or n.endswith(".egg-info") or (top and n in skip_here)
        }

    shutil.copytree(ROOT, source, ignore=ignore)
    client = Path("node_modules/socket.io-client/dist")
    shutil.copytree(ROOT / client, source / client)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--disable-pip-version-check",
            str(source),
        ],
        check=True,
        cwd=home,
    )
    shutil.rmtree(source)
    return python


def test_pip_install_serves_the_projector_and_the_phone_from_the_package(
    installed: Path, tmp_path: Path
) -> None:
    where = subprocess.run(
        [
            str(installed),
            "-c",
            "import liveshow, stage_display; "
            "print(liveshow.__file__); print(list(stage_display.__path__)[0])",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert str(ROOT) not in where.stdout, "the test must exercise the installed copy"
    show = tmp_path / "show.yaml"
    show.write_text(SHOW)
    port = free_port()
    env = {
        **os.environ,
        "LIVESHOW_DISPLAY_KEY": "packaged-display-key",
        "LIVESHOW_JOIN_CODE": "packaged",
        "LIVESHOW_CREW_PASSWORD": "packaged-crew-pw",
    }
    server = subprocess.Popen(
        [
            str(installed),
            "-m",
            "liveshow",
            "serve",
            "--show",
            str(show),
            "--data",
            str(tmp_path / "data"),
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            try:
                return requests.get(f"{base}/api/state", timeout=2).ok
            except requests.ConnectionError:
                return False

        wait_until(up, timeout=60, what="the installed server")
        display = requests.get(f"{base}/display/main?key=packaged-display-key", timeout=5)
        phone = requests.get(f"{base}/join/packaged", timeout=5)
        assert display.status_code == 200 and "<html" in display.text.lower()
        assert phone.status_code == 200 and "<html" in phone.text.lower()
        for asset in (
            "/display-app/display.js",
            "/phone-app/phone.js",
            "/static/shared/dom.js",
            "/static/crew.js",
            "/vendor/socket.io.min.js",
        ):
            got = requests.get(base + asset, timeout=5)
            assert got.status_code == 200 and len(got.content) > 100, asset
    finally:
        server.terminate()
        server.wait(timeout=20)
