"""The one-way house (DESIGN §1): a lower layer never imports a higher one, and modules stay small.

Layers, lowest first: ``model`` and ``cypher`` (the shared contracts and the Cypher text) < ``graph`` <
``ingest``, ``correlate`` (siblings: neither imports the other) < ``api`` < ``causegraph`` (the composition root).
A package may import its own modules and any lower layer. ``bench`` and ``tests`` may import anything.
Imports are read from the source (an AST walk), so ones inside functions and under ``TYPE_CHECKING`` count too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RANK = {"model": 0, "cypher": 0, "graph": 1, "ingest": 2, "correlate": 2, "api": 3, "causegraph": 4}

# Imports that run against the flow today, each with why it is still there; the test fails when one goes away
# (take it off the list) as well as when a new one comes.
PENDING: dict[tuple[str, str], str] = {}

MAX_LINES = 400
# Modules over MAX_LINES: the most lines each may have, and why it is allowed; the test fails when one shrinks
# under MAX_LINES (take it off) or grows past its ceiling (split it, or raise the ceiling with a reason).
LARGE: dict[str, tuple[int, str]] = {
    "causegraph/demo/synthcluster.py": (760, "the cluster simulator the demo and the accuracy benchmark share"),
    "correlate/engine.py": (570, "the engine's shell: holding back, links, assessing, writing: one state machine"),
    "ingest/watch.py": (520, "the Reflector's state machine and the Watcher, drawn together in its docstring"),
    "ingest/normalize.py": (480, "three input formats sharing their field checks; one module a format is next"),
    "causegraph/commands/serve.py": (420, "the serve runtime: graph, NATS, leader, correlator, publisher, watch, API"),
}


def modules() -> Iterator[Path]:
    for package in RANK:
        yield from sorted((ROOT / package).rglob("*.py"))


def imported(path: Path) -> Iterator[tuple[str, int]]:
    """Top-level package names imported by ``path`` (absolute imports; relative ones stay in the package)."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.partition(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.partition(".")[0], node.lineno


def violations() -> dict[tuple[str, str], list[str]]:
    """(module, imported package) -> places, for every import of a package not strictly below the module's."""
    found: dict[tuple[str, str], list[str]] = {}
    for path in modules():
        rel = path.relative_to(ROOT).as_posix()
        own = rel.partition("/")[0]
        for target, line in imported(path):
            if target in RANK and target != own and RANK[target] >= RANK[own]:
                found.setdefault((rel, target), []).append(f"{rel}:{line}")
    return found


def test_the_walk_sees_every_package() -> None:
    seen = {p.relative_to(ROOT).parts[0] for p in modules()}
    assert seen == set(RANK)
    assert sum(1 for _ in modules()) > 50


def test_imports_go_one_way() -> None:
    found = violations()
    new = {k: v for k, v in found.items() if k not in PENDING}
    assert not new, "imports against the layers (DESIGN §1): " + ", ".join(p for v in new.values() for p in v)
    stale = sorted(set(PENDING) - set(found))
    assert not stale, f"no longer imported, take off PENDING: {stale}"


def test_the_walk_would_catch_an_upward_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from causegraph.settings import Settings\n    import api.app\n")
    assert [t for t, _ in imported(bad)] == ["causegraph", "api"]


def test_model_imports_no_other_layer() -> None:
    for path in (ROOT / "model").rglob("*.py"):
        assert {t for t, _ in imported(path)} & set(RANK) <= {"model"}, path


def test_only_the_composition_root_reads_the_environment() -> None:
    readers = set()
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
                readers.add(path.relative_to(ROOT).as_posix())
    assert readers <= {"causegraph/settings.py"}, readers


def _lines(path: Path) -> int:
    return len(path.read_text("utf-8").splitlines())


@pytest.mark.parametrize("path", sorted(LARGE))
def test_large_modules_are_listed_with_a_reason(path: str) -> None:
    lines, ceiling = _lines(ROOT / path), LARGE[path][0]
    assert lines > MAX_LINES, f"{path} has {lines} lines now: take it off LARGE"
    assert lines <= ceiling, f"{path} has grown to {lines} lines (ceiling {ceiling}): split it"


def test_modules_stay_small() -> None:
    over = {
        p.relative_to(ROOT).as_posix(): n
        for p in modules()
        if (n := _lines(p)) > MAX_LINES and p.relative_to(ROOT).as_posix() not in LARGE
    }
    assert not over, f"modules over {MAX_LINES} lines (split them, or list them in LARGE with a reason): {over}"
