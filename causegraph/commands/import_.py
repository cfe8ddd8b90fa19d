"""``causegraph import PATH... [--cluster NAME]``: load ``kubectl get -o json|yaml`` output into the graph.

Exit codes: 0 everything read was imported; 1 nothing could be imported (no objects, or only problems);
4 objects were imported but some files or objects had problems (listed with file and position).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from queue import Queue
from typing import Any

from causegraph.settings import Settings
from causegraph.wiring import open_graph
from graph import GraphStore
from graph.pipelined import PipelinedStore
from ingest.files import FileContent, FileProblem, read_paths
from ingest.loader import TopologyLoader

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


def import_paths(store: GraphStore, paths: Sequence[str | Path], cluster: str, batch_size: int = 1000) -> ImportSummary:
    """Read every file, load the objects in bulk (relationships after all nodes), link; the code ``bench/`` measures."""
    start = time.perf_counter()
    summary = ImportSummary()
    piped = PipelinedStore(store)  # the database writes one batch while the next is parsed and transformed
    loader = TopologyLoader(piped, cluster, batch_size, defer_relationships=True)
    try:
        for item in _read_ahead(read_paths(paths)):
            if isinstance(item, FileProblem):
                summary.problems.append(str(item))
                continue
            content: FileContent = item
            summary.files += 1
            summary.problems.extend(str(p) for p in content.problems)
            if content.objects:
                summary.change_events += len(loader.apply(content.objects))
        loader.finish()
    finally:
        piped.close()
    summary.objects = dict(sorted(loader.counts.items()))
    summary.skipped = dict(sorted(loader.skipped.items()))
    summary.problems.extend(loader.problems)
    summary.linked = loader.linked
    summary.seconds = time.perf_counter() - start
    return summary


def _read_ahead(items: Iterator[FileContent | FileProblem], depth: int = 2) -> Iterator[FileContent | FileProblem]:
    """Parse the next files in a thread while the current one is written (the database works in its own process)."""
    queue: Queue[FileContent | FileProblem | None] = Queue(maxsize=depth)
    failure: list[BaseException] = []

    def produce() -> None:
        try:
            for item in items:
                queue.put(item)
        except BaseException as exc:  # handed to the consumer, raised there
            failure.append(exc)
        finally:
            queue.put(None)

    thread = threading.Thread(target=produce, name="import-reader", daemon=True)
    thread.start()
    while (item := queue.get()) is not None:
        yield item
    thread.join()
    if failure:
        raise failure[0]


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
