"""``python -m bench.accuracy.blind --seed S --count N --out DIR``: write N scenario folders (topology.json,
events.jsonl, truth.json). Why a module of its own: the generator is run on its own, never imported by the engine.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from bench.accuracy.blind.compose import write


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.accuracy.blind", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=6)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    for i in range(args.count):
        folder = write(args.out, args.seed, i)
        print(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
