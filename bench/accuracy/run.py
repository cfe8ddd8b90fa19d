"""Run the accuracy benchmark: replay each scenario through ``causegraph replay``, score it and the Alertmanager-like
baseline against the truth, print one table.

    .venv/bin/python -m bench.accuracy.run --generate 20 --seed 1      # generate into bench/out/accuracy, then run
    .venv/bin/python -m bench.accuracy.run --scenarios bench/out/accuracy --baseline-only
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bench.accuracy.baseline import baseline
from bench.accuracy.knobs import add_arguments, from_args
from bench.accuracy.metrics import Score, last_versions, score

REPO = Path(__file__).resolve().parents[2]
TARGETS = {"grouping": ">= 0.90", "root_rank1": ">= 0.80", "noise_reduction": ">= 0.70"}


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open() as fh:
        for n, raw in enumerate(fh, 1):
            if raw.strip():
                try:
                    yield json.loads(raw)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from exc


def replay(folder: Path, causegraph: Path, timeout: float, cluster: str = "") -> tuple[Path, float]:
    """Run ``causegraph replay`` on one scenario into ``results.jsonl``; returns (results path, seconds).
    The scenario's cluster name is passed when replay takes ``--cluster`` (collector events name it)."""
    import time

    out = folder / "results.jsonl"
    graph = folder / "graph"
    shutil.rmtree(graph, ignore_errors=True)
    graph.mkdir()
    out.unlink(missing_ok=True)
    cmd = [
        str(causegraph),
        "replay",
        "--topology",
        str(folder / "topology.json"),
        "--events",
        str(folder / "events.jsonl"),
        "--graph",
        str(graph / "graph.rdb"),
        "--out",
        str(out),
    ]
    helptext = subprocess.run([str(causegraph), "replay", "--help"], capture_output=True, text=True, check=False)
    if cluster and "--cluster" in helptext.stdout:
        cmd += ["--cluster", cluster]
    started = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    took = time.monotonic() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{folder.name}: replay exited {proc.returncode}: {proc.stderr.strip()[-800:]}")
    shutil.rmtree(graph, ignore_errors=True)
    return out, took


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def table(product: Score | None, base: Score) -> str:
    rows = [
        ("related events grouped correctly", "grouping", TARGETS["grouping"]),
        ("purity of the incident's correlation", "purity", ""),
        ("root cause at rank 1", "root_rank1", TARGETS["root_rank1"]),
        ("root cause in top 3", None, "(no ranked list in DESIGN §6)"),
        ("noise reduction", "noise_reduction", TARGETS["noise_reduction"]),
        ("noise-only correlations (share)", "noise_only_share", "low"),
        ("recurring failures found (period ±20%)", "recurring_recall", ""),
    ]
    head = f"| {'metric':<42} | {'causegraph':>10} | {'baseline':>10} | target |"
    lines = [head, "|" + "-" * 44 + "|" + "-" * 12 + "|" + "-" * 12 + "|--------|"]
    for label, attr, target in rows:
        mine = _fmt(getattr(product, attr)) if product is not None and attr else "n/a"
        theirs = _fmt(getattr(base, attr)) if attr else "n/a"
        lines.append(f"| {label:<42} | {mine:>10} | {theirs:>10} | {target} |")
    counts = f"| {'correlations published / warning events':<42} | "
    counts += f"{(str(product.published) if product else 'n/a'):>10} | {base.published:>10} | {base.warnings} |"
    lines.append(counts)
    if product is not None:
        lines.append(
            f"| {'noise-only correlations (count)':<42} | {product.noise_only:>10} | {base.noise_only:>10} | |"
        )
    return "\n".join(lines)


def by_kind(product: Score | None, base: Score) -> str:
    lines = ["", f"{'fault kind':<36} {'n':>3}  {'root@1 cg':>9} {'root@1 am':>9}  {'group cg':>8} {'group am':>8}"]
    for kind in sorted(base.by_kind):
        b = base.by_kind[kind]
        p = product.by_kind.get(kind, [0, 0, 0, 0]) if product else None
        pr = f"{p[1] / p[0]:.2f}" if p and p[0] else "n/a"
        pg = f"{p[3] / p[2]:.2f}" if p and p[2] else "n/a"
        lines.append(f"{kind:<36} {b[0]:>3}  {pr:>9} {b[1] / b[0]:>9.2f}  {pg:>8} {b[3] / b[2]:>8.2f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.accuracy.run", description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=Path, default=REPO / "bench" / "out" / "accuracy")
    parser.add_argument("--generate", type=int, default=0, metavar="N", help="first generate N scenarios there")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--baseline-only", action="store_true", help="score only the baseline (no replay)")
    parser.add_argument("--reuse", action="store_true", help="score existing results.jsonl, do not replay")
    parser.add_argument("--causegraph", type=Path, default=REPO / ".venv" / "bin" / "causegraph")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per scenario replay")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    add_arguments(parser)
    args = parser.parse_args(argv)
    knobs = from_args(args)
    if args.generate:
        from bench.accuracy.generate import main as generate

        shutil.rmtree(args.scenarios, ignore_errors=True)
        generate(["--seed", str(args.seed), "--count", str(args.generate), "--out", str(args.scenarios), *knobs.argv()])
    folders = sorted(p.parent for p in args.scenarios.glob("*/truth.json"))
    if not folders:
        print(f"run: no scenarios under {args.scenarios} (use --generate N)", file=sys.stderr)
        return 2
    product: Score | None = None if args.baseline_only else Score()
    base = Score()
    seconds = 0.0
    for folder in folders:
        truth = json.loads((folder / "truth.json").read_text())
        topology = json.loads((folder / "topology.json").read_text()).get("items", [])
        events = list(read_jsonl(folder / "events.jsonl"))
        base.add(score(truth, last_versions(baseline(topology, events))))
        if product is not None:
            if args.reuse:
                results = folder / "results.jsonl"
            else:
                try:
                    results, took = replay(folder, args.causegraph, args.timeout, str(truth.get("cluster", "")))
                except (RuntimeError, subprocess.TimeoutExpired) as exc:
                    print(f"run: {exc}", file=sys.stderr)
                    return 1
                seconds += took
            s = score(truth, last_versions(read_jsonl(results)))
            product.add(s)
            print(
                f"{folder.name}: grouping {_fmt(s.grouping)} root@1 {_fmt(s.root_rank1)} "
                f"published {s.published}/{s.warnings} warnings",
                file=sys.stderr,
            )
    print(
        f"{len(folders)} scenarios, {base.incidents} incidents, {base.warnings} warning events"
        + (f", replay {seconds:.0f}s" if seconds else "")
    )
    print(table(product, base))
    if product is not None:
        print(f"root cause judged by the result's root resource in {product.root_by_resource} of {product.incidents}")
    print(by_kind(product, base))
    if args.json:

        def figures(s: Score | None) -> dict[str, Any] | None:
            if s is None:
                return None
            return {
                k: getattr(s, k)
                for k in (
                    "grouping",
                    "purity",
                    "root_rank1",
                    "noise_reduction",
                    "noise_only_share",
                    "recurring_recall",
                    "published",
                    "warnings",
                    "incidents",
                    "noise_only",
                )
            }

        args.json.write_text(json.dumps({"causegraph": figures(product), "baseline": figures(base)}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
