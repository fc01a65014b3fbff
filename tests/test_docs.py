"""The docs name every setting, HTTP route (HEAD-only ones too), socket event, and CLI command
and subcommand: an undocumented one fails. Each check first asserts it found something, so
none can pass by finding nothing."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from flask_socketio import Namespace

import liveshow.realtime
from liveshow import settings
from liveshow.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Commands of a separate service (the catalogue) may be documented in its own page.
DOCS = README + "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))
# Socket.IO's own lifecycle handlers, not events a client sends.
LIFECYCLE = {"on_connect", "on_disconnect"}


def namespaces() -> list[type[Namespace]]:
    """Every Socket.IO namespace class in liveshow.realtime."""
    found: dict[str, type[Namespace]] = {}
    for info in pkgutil.walk_packages(liveshow.realtime.__path__, "liveshow.realtime."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Namespace) and cls.__module__.startswith("liveshow.realtime"):
                found[cls.__qualname__] = cls
    return sorted(found.values(), key=lambda c: c.__name__)


def events_of(namespace: type[Namespace]) -> list[str]:
    return sorted(
        name[3:]
        for name, _ in inspect.getmembers(namespace, inspect.isfunction)
        if name.startswith("on_") and name not in LIFECYCLE
    )


def commands(group: click.Command, path: str = "liveshow") -> Iterator[tuple[str, click.Command]]:
    """Every command and subcommand under ``group``, groups included, by full name."""
    yield path, group
    if isinstance(group, click.Group):
        for name, sub in sorted(group.commands.items()):
            yield from commands(sub, f"{path} {name}")


def routes(app: Any) -> list[str]:
    """Every (method, rule) the app answers. HEAD is dropped only where Flask adds it to a
    GET; OPTIONS is Flask's own."""
    found = []
    for rule in app.url_map.iter_rules():
        methods = set(rule.methods or ()) - {"OPTIONS"}
        if "GET" in methods:
            methods.discard("HEAD")
        found += [f"{method} {rule.rule}" for method in sorted(methods)]
    return sorted(found)


@pytest.mark.parametrize("setting", settings.SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented(setting: settings.Setting) -> None:
    assert f"`{setting.env}`" in README
    assert f"`{setting.option}`" in README


def test_there_are_settings_to_check() -> None:
    assert len(settings.SETTINGS) > 0


def test_every_route_is_documented_head_only_ones_too(app: Any) -> None:
    found = routes(app)
    assert found, "no routes found: the check would pass by itself"
    assert any(r.startswith("HEAD ") for r in found), "a HEAD-only route went missing"
    missing = [r for r in found if f"`{r}" not in README]
    assert not missing, f"routes missing from README.md: {missing}"


@pytest.mark.parametrize("namespace", namespaces(), ids=lambda n: n.__name__)
def test_every_socket_event_is_documented(namespace: type[Namespace]) -> None:
    events = events_of(namespace)
    assert events, f"{namespace.__name__} has no events: the check would pass by itself"
    missing = [e for e in events if f"`{e}" not in README]
    assert not missing, f"{namespace.__name__} events missing from README.md: {missing}"


def test_every_namespace_is_checked() -> None:
    names = {n.__name__ for n in namespaces()}
    assert {"CrewNamespace", "DisplayNamespace", "AudienceNamespace", "CameraNamespace"} <= names


def test_every_cli_command_and_subcommand_is_documented() -> None:
    found = dict(commands(main))
    assert len(found) > 1, "no CLI commands found: the check would pass by itself"
    missing = [name for name in found if name != "liveshow" and f"`{name}" not in DOCS]
    assert not missing, f"commands missing from README.md and docs/: {missing}"


def test_readme_quick_start_is_the_ci_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.MULTILINE)
    assert "make test" in README and "make demo" in README
