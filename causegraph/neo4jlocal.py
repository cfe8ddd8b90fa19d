"""Start and stop a local Neo4j 5 Community server through ``scripts/neo4j-local.sh`` (demo and tests).

The script resolves Neo4j from Maven Central (``tools/neo4j/pom.xml``) and runs it on free loopback ports; its last
line is ``bolt://127.0.0.1:PORT neo4j PASSWORD``. This module only runs it and reads that line: it needs a source
checkout (the script and the pom are not part of the installed package), Java 17+ and Maven.

    Neo4jLocalError        the script failed (its stderr tail is the message)
    └── Neo4jUnavailable   Java or Maven is missing here (exit code 3): a reason to skip, not a failure
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "neo4j-local.sh"
MISSING_TOOL = 3


class Neo4jLocalError(RuntimeError):
    """The local Neo4j could not be started or stopped."""


class Neo4jUnavailable(Neo4jLocalError):
    """This machine lacks what the local Neo4j needs (Java, Maven, the script)."""


@dataclass(frozen=True)
class Neo4jLocal:
    """A running local Neo4j: its data folder, Bolt URL, credentials and Browser address."""

    home: Path
    url: str
    user: str
    password: str

    @property
    def browser_url(self) -> str:
        return (self.home / "browser_url").read_text().strip()

    def stop(self, timeout_s: float = 120.0) -> None:
        _run("stop", self.home, timeout_s)


def parse_line(line: str) -> tuple[str, str, str]:
    """``bolt://127.0.0.1:PORT neo4j PASSWORD`` -> (url, user, password)."""
    parts = line.split()
    if len(parts) != 3 or not parts[0].startswith("bolt://"):
        raise Neo4jLocalError(f"unexpected last line from {SCRIPT.name}: {line!r}")
    return parts[0], parts[1], parts[2]


def start(home: Path, timeout_s: float = 600.0) -> Neo4jLocal:
    """Start (or find running) the server whose data lives in ``home``; returns once Bolt answers."""
    if not SCRIPT.exists():
        raise Neo4jUnavailable(f"{SCRIPT} is missing: the local Neo4j needs a source checkout of causegraph")
    if shutil.which("java") is None:
        raise Neo4jUnavailable("Java is not installed (the local Neo4j needs Java 17+ and Maven)")
    out = _run("start", home, timeout_s)
    lines = out.strip().splitlines()
    if not lines:
        raise Neo4jLocalError(f"{SCRIPT.name} start printed nothing")
    url, user, password = parse_line(lines[-1])
    return Neo4jLocal(home.resolve(), url, user, password)


def running(home: Path) -> bool:
    """Whether the server of ``home`` runs (``status``); False where the script cannot run at all."""
    if not SCRIPT.exists() or not home.exists():
        return False
    proc = subprocess.run(["bash", str(SCRIPT), "status", str(home)], capture_output=True, check=False, timeout=30)
    return proc.returncode == 0


def _run(verb: str, home: Path, timeout_s: float) -> str:
    try:
        proc = subprocess.run(
            ["bash", str(SCRIPT), verb, str(home)],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise Neo4jLocalError(f"{SCRIPT.name} {verb} {home} did not finish in {timeout_s:.0f}s") from exc
    if proc.returncode == MISSING_TOOL:
        raise Neo4jUnavailable(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "Java or Maven missing")
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise Neo4jLocalError(f"{SCRIPT.name} {verb} {home} failed (exit {proc.returncode}):\n{tail}")
    return proc.stdout
