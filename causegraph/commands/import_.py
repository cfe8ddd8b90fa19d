"""``causegraph import PATH... [--cluster NAME]``: load ``kubectl get -o json|yaml`` output into the graph.

Exit codes: 0 everything read was imported; 1 nothing could be imported (no objects, or only problems);
4 objects were imported but some files or objects had problems (listed with file and position).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import itertools
import json
import multiprocessing
import sys
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from causegraph.settings import Settings
from causegraph.wiring import open_graph
from graph import GraphStore
from graph.pipelined import PipelinedStore
from ingest.files import expand, read_file
from ingest.loader import Prepared, TopologyLoader, prepare

EXIT_OK = 0
EXIT_NOTHING_IMPORTED = 1
EXIT_SOME_FAILED = 4


@dataclass
class ImportSummary:
    """What an import did."""

    files: int = 0
    objects: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    change_events: int = 0
    linked: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def imported(self) -> int:
        return sum(self.objects.values())

    @property
    def exit_code(self) -> int:
        if self.imported == 0:
            return EXIT_NOTHING_IMPORTED
        return EXIT_SOME_FAILED if self.problems else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "imported": self.imported,
            "objects": self.objects,
            "skipped": self.skipped,
            "problems": self.problems,
            "change_events": self.change_events,
            "linked": self.linked,
            "seconds": round(self.seconds, 3),
            "exit_code": self.exit_code,
        }


def import_paths(
    store: GraphStore, paths: Sequence[str | Path], cluster: str, batch_size: int = 1000, *, worker: bool = True
) -> ImportSummary:
    """Read every file, load the objects in bulk, link; the code ``bench/`` measures.

    With ``worker`` the files are parsed and transformed in one worker process (the pure part, ``prepare_file``)
    while this process diffs, writes and the database works; ``False`` does everything here. The worker is
    started with ``spawn``, so a script that calls this needs the ``if __name__ == "__main__":`` guard. One worker,
    not more: Secret fragments are keyed per process (``ingest.changes``), so all of them come from the same one.
    """
    start = time.perf_counter()
    summary = ImportSummary()
    files, missing = expand(paths)
    summary.problems.extend(str(p) for p in missing)
    piped = PipelinedStore(store)  # the database writes one batch while the next is queued
    loader = TopologyLoader(piped, cluster, batch_size, defer_relationships=True)
    try:
        with _cyclic_gc_paused():
            for result in _prepared(files, cluster, worker):
                summary.files += 1
                summary.problems.extend(result.problems)
                summary.change_events += len(loader.apply_prepared(result.prepared))
        loader.finish()
    finally:
        piped.close()
    summary.objects = dict(sorted(loader.counts.items()))
    summary.skipped = dict(sorted(loader.skipped.items()))
    summary.problems.extend(loader.problems)
    summary.linked = loader.linked
    summary.seconds = time.perf_counter() - start
    return summary


@dataclass
class PreparedFile:
    """One file read and transformed: its reading problems and the rows (plain data, pickled from a worker)."""

    path: str
    problems: list[str]
    prepared: Prepared


def prepare_file(path: Path, cluster: str) -> PreparedFile:
    """Parse one file and transform its objects (pure apart from reading the file, so a worker process can)."""
    content = read_file(path)
    return PreparedFile(str(path), [str(p) for p in content.problems], prepare(content.objects, cluster))


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Parsed JSON and rows have no reference cycles and go with their file (freed by reference counting); the
    cyclic collector would only scan them again and again, a fifth of the Python time of an import."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _worker_init() -> None:
    gc.disable()  # see ``_cyclic_gc_paused``; ``_prepare_in_worker`` collects once per file instead


def _prepare_in_worker(path: Path, cluster: str) -> PreparedFile:
    gc.collect()  # whatever the last file may have left in cycles (an exception's traceback)
    return prepare_file(path, cluster)


def _prepared(files: Sequence[Path], cluster: str, worker: bool, ahead: int = 3) -> Iterator[PreparedFile]:
    """``prepare_file`` of each file in order; in a worker process, at most ``ahead`` files in flight (so that
    results never pile up in memory when the writes are the slower side)."""
    if not worker or not files:
        yield from (prepare_file(f, cluster) for f in files)
        return
    # spawn: this process has threads (the graph writer) and an open database client, which fork would copy.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_worker_init) as pool:
        pending: deque[Future[PreparedFile]] = deque()
        todo = iter(files)
        try:
            for f in itertools.islice(todo, ahead):
                pending.append(pool.submit(_prepare_in_worker, f, cluster))
            while pending:
                result = pending.popleft().result()
                for f in itertools.islice(todo, 1):
                    pending.append(pool.submit(_prepare_in_worker, f, cluster))
                yield result
        finally:
            for future in pending:
                future.cancel()


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "import",
        help="import kubectl get -o json|yaml output (files or folders) into the graph",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders of .json/.yaml/.yml")
    p.add_argument("--cluster", metavar="NAME", help="cluster name in every key (default: settings)")
    p.add_argument("--graph", metavar="URL", help="graph URL (default: settings)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    cluster = args.cluster or settings.kubernetes.cluster
    store = open_graph(settings, args.graph)
    try:
        summary = import_paths(store, args.paths, cluster, settings.graph.batch_size)
    finally:
        store.close()
    if args.json:
        print(json.dumps(summary.to_dict(), indent=2))
    else:
        print(f"imported {summary.imported} objects from {summary.files} files into cluster {cluster!r}")
        print(f"  in {summary.seconds:.1f}s ({summary.imported / max(summary.seconds, 1e-9):.0f} objects/s)")
        for kind, n in summary.objects.items():
            print(f"  {kind}: {n}")
        if summary.skipped:
            print("  not kept: " + ", ".join(f"{k} {n}" for k, n in summary.skipped.items()))
        for problem in summary.problems:
            print(f"problem: {problem}", file=sys.stderr)
    return summary.exit_code
