"""Write accuracy-benchmark scenarios: ``<out>/<scenario>/{topology.json, events.jsonl, truth.json}``.

.venv/bin/python -m bench.accuracy.generate --seed 1 --count 20 --out bench/out/accuracy
.venv/bin/python -m bench.accuracy.generate --classic ...      # the original, easier scenarios
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.accuracy.knobs import add_arguments, from_args
from bench.accuracy.scenario import Scenario, build
from bench.accuracy.topo import APPS
from causegraph.demo.synthcluster import as_list

REPO = Path(__file__).resolve().parents[2]


def write(scenario: Scenario, out: Path) -> Path:
    """Write one scenario's three files; returns its folder."""
    folder = out / scenario.name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "topology.json").write_text(json.dumps(as_list(scenario.objects), indent=1) + "\n")
    with (folder / "events.jsonl").open("w") as fh:
        for line in scenario.lines:
            fh.write(json.dumps(line.obj, separators=(",", ":")) + "\n")
    (folder / "truth.json").write_text(json.dumps(scenario.truth, indent=1) + "\n")
    return folder


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.accuracy.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "accuracy")
    parser.add_argument("--topologies", type=Path, default=REPO / "data" / "topologies")
    parser.add_argument("--app", choices=APPS, default=None, help="only this app (default: rotate over all)")
    add_arguments(parser)
    args = parser.parse_args(argv)
    knobs = from_args(args)
    if not args.topologies.is_dir():
        print(f"generate: no topology folder at {args.topologies}", file=sys.stderr)
        return 2
    for index in range(args.count):
        scenario = build(args.topologies, index, args.seed, app=args.app, knobs=knobs)
        folder = write(scenario, args.out)
        kinds = ", ".join(i["kind"] for i in scenario.truth["incidents"])
        print(f"{folder}: {len(scenario.lines)} lines, {scenario.truth['warning_events']} warnings, incidents: {kinds}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
