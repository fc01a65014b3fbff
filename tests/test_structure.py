"""The architecture stays the one README draws: dependencies point one way, no import cycle
(imports inside functions included), no module past 500 lines, a short top level, one copy
of each test helper, and a route in the fan-out table for every event."""

from __future__ import annotations

import ast
import functools
import inspect
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from liveshow import events
from liveshow.realtime import fanout

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "liveshow"
TESTS = ROOT / "tests"

# Lower layers never import higher ones. Equal numbers are one tier: web and realtime may
# use each other (crew login is checked by both), as may state and extensions.
LAYERS: dict[str, int] = {
    "liveshow": 0,
    "liveshow.events": 0,
    "liveshow.settings": 0,
    "liveshow.workers": 0,
    "liveshow.eventlet_fixes": 0,
    "liveshow.serving": 0,
    "liveshow.store": 1,
    "liveshow.media": 2,
    "liveshow.show": 3,
    "liveshow.audience": 4,
    "liveshow.filming": 5,
    "liveshow.agent": 6,
    "liveshow.sync": 6,
    "liveshow.reports": 6,
    "liveshow.book": 6,
    "liveshow.control": 6,
    "liveshow.state": 6,
    "liveshow.extensions": 7,
    "liveshow.web": 8,
    "liveshow.realtime": 8,
    "liveshow.scaleout": 8,
    "liveshow.app": 9,
    "liveshow.cli": 10,
    "liveshow.__main__": 11,
}
# The reference catalogue is its own service: it imports nothing of the show server.
SEPARATE = {"liveshow.catalogue"}
DOMAIN = (
    "liveshow.store",
    "liveshow.media",
    "liveshow.show",
    "liveshow.audience",
    "liveshow.filming",
    "liveshow.state",
    "liveshow.events",
    "liveshow.agent",
)
WEB_ONLY = (
    "flask",
    "flask_socketio",
    "liveshow.realtime",
    "liveshow.extensions",
    "liveshow.web",
    "liveshow.app",
)
# The only modules that may import inside functions (by path), and why. Monkey-patching for
# eventlet/gevent must come before Flask is imported; the heavy libraries of the after-show
# commands are loaded only when one of them runs. Nothing else imports late.
LATE_IMPORTS_ALLOWED = {
    "liveshow/cli.py": "`serve` patches for eventlet/gevent before Flask is imported",
    "liveshow/workers.py": "the thread pool of the async mode in use, known only at run time",
    "liveshow/eventlet_fixes.py": "eventlet is imported only when `serve` runs on it",
    "liveshow/catalogue/cli.py": "imported by liveshow/cli.py before patching: no werkzeug yet",
    "liveshow/reports/cli.py": "matplotlib and bagit only when `report` or `archive` runs",
    "liveshow/book/cli.py": "WeasyPrint (Pango, the fonts) only when `book` runs",
    "liveshow/audience/profanity.py": "the model (scikit-learn, a second) only if flag_text",
}
MAX_LINES = 500
MAX_TOP_LEVEL = 12


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


@functools.cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    if path.name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, path: Path, known: set[str]) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for every import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nested: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    nested.add(id(inner))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno, id(node) in nested) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = resolve(module, path, node)
            for alias in node.names:  # `from . import x` imports the module x
                sub = f"{target}.{alias.name}"
                name = sub if sub in known else target
                found.append((name, node.lineno, id(node) in nested))
    return found


def layer_of(module: str) -> tuple[str, int] | None:
    best = None
    for prefix, rank in LAYERS.items():
        if module == prefix or module.startswith(prefix + "."):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, rank)
    return best


@functools.cache
def graph() -> dict[str, list[tuple[str, int, bool]]]:
    mods = modules()
    known = set(mods)
    return {m: imports_of(m, p, known) for m, p in mods.items()}


def test_every_module_has_a_layer_or_is_a_separate_service() -> None:
    unplaced = [
        m for m in modules() if layer_of(m) is None and not any(m.startswith(s) for s in SEPARATE)
    ]
    assert unplaced == []


def test_imports_point_down_the_layers() -> None:
    wrong = []
    for module, found in graph().items():
        if any(module.startswith(s) for s in SEPARATE):
            continue
        mine = layer_of(module)
        assert mine is not None
        for target, line, _ in found:
            theirs = layer_of(target) if target.startswith("liveshow") else None
            if any(target.startswith(s) for s in SEPARATE) and module != "liveshow.cli":
                wrong.append(f"{module}:{line} imports the separate service {target}")
            elif theirs is not None and theirs[1] > mine[1]:
                wrong.append(
                    f"{module}:{line} imports {target} (layer {theirs[0]} is above {mine[0]})"
                )
    assert wrong == []


def test_the_catalogue_service_imports_nothing_of_the_show_server() -> None:
    wrong = [
        f"{m}:{line} imports {t}"
        for m, found in graph().items()
        if m.startswith("liveshow.catalogue")
        for t, line, _ in found
        if t.startswith("liveshow") and not t.startswith("liveshow.catalogue")
    ]
    assert wrong == []


def test_domain_packages_never_import_flask_or_the_views() -> None:
    wrong = [
        f"{m}:{line} imports {t}"
        for m, found in graph().items()
        if m.startswith(DOMAIN)
        for t, line, _ in found
        if t == "flask" or t.startswith(WEB_ONLY)
    ]
    assert wrong == []


def test_no_import_cycle_counting_imports_inside_functions() -> None:
    edges = {m: {t for t, _, _ in found if t in set(graph())} - {m} for m, found in graph().items()}
    # A package's __init__ importing its own submodules, and those importing siblings, is
    # still a cycle if a submodule imports the package back: count every edge.
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt) :] + [nxt] if nxt in trail else [nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    assert cycles == []


def test_imports_inside_functions_only_where_listed_with_a_reason() -> None:
    late = [
        f"{m}:{line} imports {t}"
        for m, found in graph().items()
        for t, line, nested in found
        if nested and modules()[m].relative_to(ROOT).as_posix() not in LATE_IMPORTS_ALLOWED
    ]
    assert late == []
    assert [p for p in LATE_IMPORTS_ALLOWED if not (ROOT / p).is_file()] == []


def test_no_module_is_over_500_lines() -> None:
    long = {
        m: n
        for m, p in modules().items()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_top_level_holds_at_most_12_modules() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL, top


def test_every_event_has_a_route_in_the_fan_out_table() -> None:
    kinds = [
        c
        for _, c in inspect.getmembers(events, inspect.isclass)
        if issubclass(c, events.Event) and c is not events.Event
    ]
    assert kinds, "no events found: the check would pass by itself"
    missing = [c.__name__ for c in kinds if c not in fanout.ROUTES]
    assert missing == []


# ---- tests ------------------------------------------------------------------------------

HELPER_NAMES = {
    "Crew",
    "CrewSocket",
    "Phone",
    "wait_until",
    "free_port",
    "_free_port",
    "start_agent",
    "stop_agent",
    "ServerProcess",
}


def modules_under_test() -> list[Path]:
    return [p for p in TESTS.rglob("*.py") if "helpers" not in p.relative_to(TESTS).parts]


def test_test_helpers_exist_once_in_tests_helpers() -> None:
    defined: dict[str, list[str]] = defaultdict(list)
    bodies: dict[str, list[str]] = defaultdict(list)
    for path in modules_under_test():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                if node.name in HELPER_NAMES:
                    defined[node.name].append(path.name)
                if not node.name.startswith("test_") and not node.decorator_list:
                    node.name = "_"  # the same body under another name is still a copy
                    bodies[ast.dump(node)].append(path.name)
    copies = [files for files in bodies.values() if len(files) > 1]
    assert dict(defined) == {}, "helpers belong in tests/helpers/"
    assert copies == []


@pytest.mark.parametrize("name", sorted(HELPER_NAMES & {"wait_until", "free_port"}))
def test_the_shared_helpers_are_in_tests_helpers(name: str) -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in (TESTS / "helpers").glob("*.py"))
    assert f"def {name}(" in text


def test_the_cli_imports_no_flask_before_monkey_patching() -> None:
    """`liveshow serve` patches for eventlet after `liveshow.cli` is imported: Flask (and its
    locals) imported earlier break the patching (seen: a traceback at every start)."""
    probe = (
        "import sys, liveshow.cli; print(sorted(m for m in sys.modules if m in "
        "('flask', 'werkzeug', 'flask_socketio', 'eventlet')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"
