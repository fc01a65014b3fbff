"""README names every setting, route, socket event and CLI command: undocumented ones fail."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from liveshow import settings
from liveshow.cli import main
from liveshow.realtime.audience import AudienceNamespace
from liveshow.realtime.camera import CameraNamespace
from liveshow.realtime.crew import CrewNamespace
from liveshow.realtime.display import DisplayNamespace

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


@pytest.mark.parametrize("setting", settings.SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented(setting: settings.Setting) -> None:
    assert f"`{setting.env}`" in README
    assert f"`{setting.option}`" in README


def test_every_route_is_documented(app: Any) -> None:
    missing = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if f"`{method} {rule.rule}" not in README:
                missing.append(f"{method} {rule.rule}")
    assert not missing, f"routes missing from README.md: {missing}"


@pytest.mark.parametrize("namespace", [CrewNamespace, DisplayNamespace, AudienceNamespace,
                                       CameraNamespace])
def test_every_socket_event_is_documented(namespace: type) -> None:
    events = [name[3:] for name in vars(namespace) if name.startswith("on_")
              and name not in ("on_connect", "on_disconnect")]
    assert events
    missing = [e for e in events if f"`{e}" not in README]
    assert not missing, f"{namespace.__name__} events missing from README.md: {missing}"


def test_every_cli_command_is_documented() -> None:
    for name in main.commands:
        assert f"`liveshow {name}" in README, name


def test_readme_quick_start_is_the_ci_command() -> None:
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)
    assert "make test" in README and "make demo" in README
