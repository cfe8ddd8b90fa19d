"""``causegraph serve`` as a real process on a graph file, for the tests that kill it (shared helpers)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx


def start_serve(graph: Path, port: int, env: Mapping[str, str], *extra: str) -> subprocess.Popen[bytes]:
    """Start serve on ``graph`` (no Kubernetes), logging beside the graph's folder; return once /readyz answers."""
    argv = ["serve", "--graph", str(graph), *extra, "--kubernetes", "none", "--port", str(port)]
    with (graph.parent.parent / "serve.log").open("ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "causegraph", *argv], env=dict(env), stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "serve exited"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("serve did not get ready")


def graph_server_pid(graph: Path) -> int:
    """The pid of the embedded graph server that serves ``graph``."""
    pidfile = json.loads(graph.with_name(graph.name + ".settings").read_text())["pidfile"]
    return int(Path(pidfile).read_text().strip())
