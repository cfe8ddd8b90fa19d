"""``causegraph serve`` as a real process on a graph file (the tests that kill it), or its app in a thread (shared
helpers)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from causegraph.natsserver import free_port


def start_serve(graph: Path, port: int, env: Mapping[str, str], *extra: str) -> subprocess.Popen[bytes]:
    """Start serve on ``graph`` (no Kubernetes), logging beside the graph's folder; return once /readyz answers."""
    argv = ["serve", "--graph", str(graph), *extra, "--kubernetes", "none", "--port", str(port)]
    log = graph.parent.parent / "serve.log"
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "causegraph", *argv], env=dict(env), stdout=out, stderr=out)
    return wait_ready(proc, f"http://127.0.0.1:{port}/readyz", 60, "serve", log)


def wait_ready(
    proc: subprocess.Popen[bytes], url: str, timeout_s: float, what: str, log: Path | None = None
) -> subprocess.Popen[bytes]:
    """Return ``proc`` once ``url`` answers 200; fail (killing it) when it exits first or never does."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{what} exited" + (f": {log.read_text()[-2000:]}" if log else "")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"{what} did not get ready")


def graph_server_pid(graph: Path) -> int:
    """The pid of the embedded graph server that serves ``graph``."""
    pidfile = json.loads(graph.with_name(graph.name + ".settings").read_text())["pidfile"]
    return int(Path(pidfile).read_text().strip())


class Served:
    """The app (with its runtime's lifespan) served by uvicorn in a thread; the block gives its base URL."""

    def __init__(self, app: Any, port: int = 0) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=port or free_port(), log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 120  # the runtime's start resumes from the graph: slow on a cold Neo4j
        while not self.server.started and time.monotonic() < deadline and self.thread.is_alive():
            time.sleep(0.02)
        if not self.server.started:
            self.__exit__()
            raise AssertionError("serve did not start")
        return f"http://127.0.0.1:{self.server.config.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        assert not self.thread.is_alive(), "serve did not stop"
