"""Command line: ``python -m bench.accuracy.fourth --seed S --count N --out DIR``."""

from __future__ import annotations

import argparse
from pathlib import Path

from .scenario import write


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.accuracy.fourth", description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=6)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    for index in range(args.count):
        folder = write(args.seed, index, args.out)
        print(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
