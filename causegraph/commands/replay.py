"""``causegraph replay --topology PATH... --events FILE.jsonl [--graph URL] [--cluster NAME] [--out FILE]``.

Loads the topology files (``kubectl get -o json|yaml`` output, as ``causegraph import``), then the events file,
one JSON object per line (a Kubernetes Event, a UnifiedEvent, or a recorded watch change
``{"type", "object", "observed_at"}``), in file order, through ``ingest.pipeline.Pipeline``: the same code as the
live path. A bad line is reported on stderr as ``FILE:LINE: reason`` and skipped; a summary ends the run.
The correlator runs on the stored events and every published result version is one JSON line of ``--out``
(stdout by default; the summary then goes to stderr).

Exit codes: 0 done (bad lines are reported, not fatal); 2 a file could not be opened.

For other callers (benchmarks, tests): ``build_replay(store, cluster, on_stored)`` gives the loader, writer and
pipeline wired as here; ``Replay.load_topology`` and ``Replay.replay_events`` do the two halves.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from causegraph.settings import Settings
from causegraph.wiring import open_graph
from graph import GraphStore
from ingest.eventwriter import EventWriter
from ingest.files import FileProblem, read_paths
from ingest.loader import TopologyLoader
from ingest.pipeline import Pipeline, StoredCallback

LINES_PER_CALL = 1000  # lines handed to the pipeline at once (it keeps file order inside a call)


@dataclass
class ReplaySummary:
    """What a replay did."""

    topology_objects: int = 0
    topology_problems: list[str] = field(default_factory=list)
    lines: int = 0
    stored: int = 0  # events new to the graph
    repeats: int = 0  # updates of an event already stored (same id)
    unresolved: int = 0
    changes: int = 0
    rejected: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "topology_objects": self.topology_objects,
            "topology_problems": len(self.topology_problems),
            "lines_read": self.lines,
            "events_stored": self.stored,
            "repeats": self.repeats,
            "unresolved": self.unresolved,
            "changes_applied": self.changes,
            "rejected": self.rejected,
        }

    def text(self) -> str:
        return (
            f"replay: {self.lines} lines read, {self.stored} events stored ({self.repeats} repeats, "
            f"{self.unresolved} unresolved), {self.changes} changes applied, {self.rejected} rejected; "
            f"topology: {self.topology_objects} objects, {len(self.topology_problems)} problems"
        )


@dataclass
class Replay:
    """The parts of a replay, wired as the live service wires them."""

    store: GraphStore
    loader: TopologyLoader
    writer: EventWriter
    pipeline: Pipeline
    summary: ReplaySummary = field(default_factory=ReplaySummary)

    def load_topology(self, paths: Sequence[str | Path], err: TextIO) -> None:
        """Load every object (relationships after all nodes), link, then switch the loader to single changes."""
        self.loader.defer_relationships = True
        for item in read_paths(paths):
            problems: Iterable[FileProblem] = [item] if isinstance(item, FileProblem) else item.problems
            for p in problems:
                self.summary.topology_problems.append(str(p))
                print(str(p), file=err)
            if not isinstance(item, FileProblem) and item.objects:
                self.loader.apply(item.objects)
        self.loader.finish()
        self.loader.defer_relationships = False
        self.summary.topology_objects = sum(self.loader.counts.values())
        for problem in self.loader.problems:
            self.summary.topology_problems.append(problem)
            print(problem, file=err)

    def replay_events(self, path: Path, err: TextIO, label: str | None = None) -> ReplaySummary:
        """Every line of ``path`` through the pipeline in file order; bad lines reported as ``label:N: reason``."""
        label = label or str(path)
        items: list[Any] = []
        numbers: list[int] = []
        with path.open("r", encoding="utf-8", errors="replace") as fh:
            for n, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                self.summary.lines += 1
                try:
                    items.append(json.loads(raw))
                    numbers.append(n)
                except json.JSONDecodeError as exc:
                    self._reject(err, label, n, f"not JSON: {exc.msg} at column {exc.colno}")
                    continue
                if len(items) >= LINES_PER_CALL:
                    self._ingest(items, numbers, err, label)
                    items, numbers = [], []
        if items:
            self._ingest(items, numbers, err, label)
        return self.summary

    def _ingest(self, items: list[Any], numbers: list[int], err: TextIO, label: str) -> None:
        result = self.pipeline.ingest(items)
        for r in result.rejected:
            self._reject(err, label, numbers[r.index], r.reason)
        s = self.summary
        s.stored += sum(1 for e in result.stored if e.new)
        s.repeats += sum(1 for e in result.stored if not e.new)
        s.unresolved += sum(1 for e in result.stored if e.new and not e.resolved_by)
        s.changes += result.changes

    def _reject(self, err: TextIO, label: str, line: int, reason: str) -> None:
        self.summary.rejected += 1
        print(f"{label}:{line}: {reason}", file=err)


def build_replay(
    store: GraphStore, cluster: str, on_stored: StoredCallback | None = None, *, batch_size: int = 1000
) -> Replay:
    """Loader, writer and pipeline on ``store``; ``on_stored`` receives the stored events (the correlator)."""
    loader = TopologyLoader(store, cluster, batch_size)
    writer = EventWriter(store, cluster, batch_size=batch_size)
    return Replay(store, loader, writer, Pipeline(store, loader, writer, on_stored))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "replay",
        help="load topology files, then replay an events.jsonl through the ingest pipeline",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--topology", nargs="+", action="extend", default=[], metavar="PATH", help="files or folders")
    p.add_argument("--events", required=True, metavar="FILE.jsonl", help="one JSON object per line")
    p.add_argument("--graph", metavar="URL", help="graph URL (default: settings)")
    p.add_argument("--cluster", default=None, help="cluster name in every key (default: settings)")
    p.add_argument(
        "--out",
        metavar="FILE",
        default="-",
        help="write each published correlation result version as a JSON line here (default '-': stdout, and the "
        "summary goes to stderr)",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    events = Path(args.events)
    if not events.is_file():
        raise FileNotFoundError(f"events file not found: {events}")
    cluster = args.cluster or settings.kubernetes.cluster
    store = open_graph(settings, args.graph)
    out: TextIO | None = None
    try:
        on_stored: StoredCallback | None = None
        correlator = None
        if args.out:
            from correlate.replayrun import ReplayCorrelator

            out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")  # noqa: SIM115
            correlator = ReplayCorrelator(store, settings.correlate, cluster, out)
            on_stored = correlator.on_stored
        replay = build_replay(store, cluster, on_stored, batch_size=settings.graph.batch_size)
        replay.load_topology(args.topology, sys.stderr)
        summary = replay.replay_events(events, sys.stderr, label=args.events)
        if correlator is not None:
            correlator.finish()
    finally:
        if out is not None and out is not sys.stdout:
            out.close()
        store.close()
    report = sys.stderr if args.out == "-" else sys.stdout
    print(json.dumps(summary.to_dict(), sort_keys=True) if args.json else summary.text(), file=report)
    return 0
