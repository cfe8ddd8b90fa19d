"""Read ``kubectl get -o json|yaml`` output from files and folders: a ``List``/``*List``, one object, multi-document
YAML. Pure reading (no graph); parse errors become ``FileProblem`` entries and the other files and documents go on.

A problem message names the file, the position (line:column, 1-based) and the parser's description of the problem;
never the text at that position, which could be a Secret's value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:  # the C loader is several times faster
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

SUFFIXES = (".json", ".yaml", ".yml")
_DOC_SEPARATOR = re.compile(r"^---[ \t]*(#.*)?$", re.MULTILINE)


@dataclass(frozen=True)
class FileProblem:
    """A file, or a part of one, that could not be read."""

    path: str
    position: str  # "line:column", "item N", or "" for the whole file
    message: str

    def __str__(self) -> str:
        return f"{self.path}{':' + self.position if self.position else ''}: {self.message}"


@dataclass
class FileContent:
    """The objects read from one file and the problems found in it."""

    path: Path
    objects: list[dict[str, Any]] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)


def expand(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileProblem]]:
    """Files named, and the ``.json``/``.yaml``/``.yml`` files under folders (sorted); missing paths are problems."""
    files: list[Path] = []
    problems: list[FileProblem] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES))
        elif p.is_file():
            files.append(p)
        else:
            problems.append(FileProblem(str(p), "", "no such file or folder"))
    return files, problems


def read_paths(paths: Iterable[str | Path]) -> Iterator[FileContent | FileProblem]:
    """Each file's content, in order; a path that does not exist as a ``FileProblem``."""
    files, problems = expand(paths)
    yield from problems
    for f in files:
        yield read_file(f)


def read_file(path: Path) -> FileContent:
    out = FileContent(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        out.problems.append(FileProblem(str(path), "", f"cannot read: {type(exc).__name__}"))
        return out
    if path.suffix.lower() == ".json" or text.lstrip().startswith(("{", "[")):
        _read_json(out, text)
    else:
        _read_yaml(out, text)
    return out


def _read_json(out: FileContent, text: str) -> None:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        out.problems.append(FileProblem(str(out.path), f"{exc.lineno}:{exc.colno}", f"invalid JSON: {exc.msg}"))
        return
    except RecursionError:
        out.problems.append(FileProblem(str(out.path), "1:1", "invalid JSON: nested deeper than the parser takes"))
        return
    _add(out, doc, "1:1")


def _read_yaml(out: FileContent, text: str) -> None:
    """Parse each ``---`` document on its own, so that one bad document does not hide the others."""
    starts = [0] + [m.end() for m in _DOC_SEPARATOR.finditer(text)]
    ends = [m.start() for m in _DOC_SEPARATOR.finditer(text)] + [len(text)]
    for start, end in zip(starts, ends, strict=True):
        chunk = text[start:end]
        if not chunk.strip():
            continue
        line_offset = text.count("\n", 0, start)
        try:
            docs = list(yaml.load_all(chunk, Loader=_Loader))
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            pos = f"{mark.line + 1 + line_offset}:{mark.column + 1}" if mark else f"{line_offset + 1}:1"
            what = "; ".join(s for s in (exc.context, exc.problem) if s)
            out.problems.append(FileProblem(str(out.path), pos, f"invalid YAML: {what}"))
            continue
        except yaml.YAMLError as exc:
            out.problems.append(
                FileProblem(str(out.path), f"{line_offset + 1}:1", f"invalid YAML ({type(exc).__name__})")
            )
            continue
        for doc in docs:
            _add(out, doc, f"{line_offset + 1}:1")


def _add(out: FileContent, doc: Any, position: str) -> None:
    """One object, or the items of a List/``*List`` (items of a typed list may omit their kind)."""
    if doc is None:
        return
    if not isinstance(doc, Mapping):
        out.problems.append(FileProblem(str(out.path), position, "not a Kubernetes object (no mapping)"))
        return
    kind = doc.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(doc.get("items"), list):
        item_kind = kind[: -len("List")] or None
        for i, item in enumerate(doc["items"]):
            if not isinstance(item, Mapping):
                out.problems.append(FileProblem(str(out.path), f"item {i}", "not a Kubernetes object (no mapping)"))
                continue
            if not item.get("kind"):
                if not item_kind:
                    out.problems.append(FileProblem(str(out.path), f"item {i}", "object without kind"))
                    continue
                item = {**item, "kind": item_kind}
            out.objects.append(dict(item))
        return
    if not kind:
        out.problems.append(FileProblem(str(out.path), position, "object without kind"))
        return
    out.objects.append(dict(doc))
