"""``python -m bench.accuracy.indep --seed N --count K --out DIR``: write K scenarios of the independent generator.

Then score them as any scenario folder:
``python -m bench.accuracy.run --scenarios DIR --causegraph .venv/bin/causegraph``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from bench.accuracy.indep.compose import deck, scenario


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.accuracy.indep", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=12)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--keep", action="store_true", help="do not empty --out first")
    args = parser.parse_args(argv)
    if not args.keep:
        shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    kinds: Counter[str] = Counter()
    events = 0
    for index, plan in enumerate(deck(args.seed, args.count)):
        truth = scenario(args.seed, index, plan, args.out)
        kinds.update(i["kind"] for i in truth["incidents"])
        events += sum(1 for _ in (args.out / truth["scenario"] / "events.jsonl").open())
    total = sum(kinds.values())
    summary = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
    print(f"{args.count} scenarios, {total} incidents ({summary}), {events} lines -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
