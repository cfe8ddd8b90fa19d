"""A real Alertmanager (Debian's ``prometheus-alertmanager``, installed by scripts/ensure-alertmanager.sh) on a free
loopback port, clustering off, its storage in a temporary folder, for the tests that need the real thing."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from causegraph.natsserver import free_port
from tests.serveproc import wait_ready

BINARIES = ("prometheus-alertmanager", "alertmanager")


def binary() -> str:
    """The Alertmanager binary; a test that needs it fails (never skips) when it is missing."""
    for name in BINARIES:
        if found := shutil.which(name):
            return found
    pytest.fail(
        "Alertmanager is not installed: run scripts/ensure-alertmanager.sh (apt-get install prometheus-alertmanager)"
    )


def webhook_config(
    url: str, token: str, *, group_by: list[str], group_wait: str = "1s", group_interval: str = "1s"
) -> dict[str, Any]:
    """Alerts to causegraph's webhook; causegraph's own incidents to a receiver that sends nowhere (never back)."""
    return {
        "route": {
            "receiver": "causegraph",
            "group_by": group_by,
            "group_wait": group_wait,
            "group_interval": group_interval,
            "repeat_interval": "1h",
            "routes": [{"receiver": "nowhere", "matchers": ['alertname="CausegraphIncident"']}],
        },
        "receivers": [
            {
                "name": "causegraph",
                "webhook_configs": [
                    {"url": url, "send_resolved": True, "http_config": {"authorization": {"credentials": token}}}
                ],
            },
            {"name": "nowhere"},
        ],
    }


class Alertmanager:
    """One Alertmanager process; ``start`` returns once it answers ``/-/ready``."""

    def __init__(self, folder: Path, config: dict[str, Any], port: int = 0) -> None:
        self.folder = folder
        self.config = config
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Alertmanager:
        self.folder.mkdir(parents=True, exist_ok=True)
        config = self.folder / "alertmanager.yml"
        config.write_text(yaml.safe_dump(self.config))
        argv = [
            binary(),
            f"--config.file={config}",
            f"--storage.path={self.folder / 'data'}",
            "--cluster.listen-address=",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--log.level=warn",
        ]
        with (self.folder / "alertmanager.log").open("ab") as log:
            self.proc = subprocess.Popen(argv, stdout=log, stderr=log)
        try:
            wait_ready(self.proc, f"{self.url}/-/ready", 30, "alertmanager", self.folder / "alertmanager.log")
        except AssertionError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def post(self, alerts: list[dict[str, Any]]) -> None:
        """Alerts in, as Prometheus sends them."""
        httpx.post(f"{self.url}/api/v2/alerts", json=alerts, timeout=5).raise_for_status()

    def alerts(self, **filters: str) -> list[dict[str, Any]]:
        """``GET /api/v2/alerts`` (active ones, as Alertmanager shows them)."""
        params = [("filter", f'{k}="{v}"') for k, v in filters.items()]
        response = httpx.get(f"{self.url}/api/v2/alerts", params=params, timeout=5)
        response.raise_for_status()
        result: list[dict[str, Any]] = response.json()
        return result

    def __enter__(self) -> Alertmanager:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_for(check: Any, timeout_s: float = 30.0, every_s: float = 0.1) -> Any:
    """Poll ``check()`` until it returns something truthy; that value, or an AssertionError at the deadline."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s}s")
        time.sleep(every_s)
