"""The ``causegraph`` command line. User errors print one clear line and exit non-zero; never a traceback."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from causegraph import __version__
from causegraph.settings import load_settings
from graph import GraphError

COMMANDS = ("serve", "demo", "replay", "import", "impact", "groups", "stats")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="causegraph",
        description="Correlate Kubernetes events over a topology graph: what broke, why, and what else is affected.",
    )
    parser.add_argument("--version", action="version", version=f"causegraph {__version__}")
    parser.add_argument("--log-level", default=None, help="DEBUG, INFO, WARNING (default: settings)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        # A command whose module does not import is a broken install: say so, never drop the command quietly.
        module = importlib.import_module(f"causegraph.commands.{'import_' if name == 'import' else name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        settings = load_settings()
    except ValidationError as exc:
        print(f"causegraph: invalid settings: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=(args.log_level or settings.log_level).upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return int(args.run(args, settings))
    except GraphError as exc:
        print(f"causegraph: {exc}", file=sys.stderr)
        return 3
    except (FileNotFoundError, PermissionError, ValueError) as exc:
        print(f"causegraph: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
