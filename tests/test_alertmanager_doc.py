"""docs/alertmanager.md: its Alertmanager configuration passes ``amtool check-config``, and its inhibit rule really
mutes a node's alerts under a node incident in a real Alertmanager."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from model.times import iso_ms
from tests.alertmanagerproc import Alertmanager, wait_for

DOC = Path(__file__).resolve().parents[1] / "docs" / "alertmanager.md"


def blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC.read_text(), re.S)


def test_the_documented_configuration_is_valid(tmp_path: Path) -> None:
    amtool = shutil.which("amtool")
    if amtool is None:
        pytest.fail("amtool is missing: run scripts/ensure-alertmanager.sh (it comes with prometheus-alertmanager)")
    token = tmp_path / "token"
    token.write_text("cg_test\n")
    text = "\n".join(blocks()).replace("/etc/alertmanager/causegraph-token", str(token))
    config = tmp_path / "alertmanager.yml"
    config.write_text(text)
    out = subprocess.run([amtool, "check-config", str(config)], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "2 inhibit rules" in out.stdout


def test_a_node_incident_inhibits_the_alerts_about_its_node(tmp_path: Path) -> None:
    rules = yaml.safe_load(blocks()[1])["inhibit_rules"]
    config = {"route": {"receiver": "none"}, "receivers": [{"name": "none"}], "inhibit_rules": rules}
    now = int(time.time() * 1000)
    with Alertmanager(tmp_path / "am", config) as am:
        incident = {"alertname": "CausegraphIncident", "root_kind": "Node", "node": "node-1", "severity": "critical"}
        disk = {"alertname": "NodeFilesystemSpaceFillingUp", "node": "node-1", "severity": "warning"}
        other = {"alertname": "NodeFilesystemSpaceFillingUp", "node": "node-2", "severity": "warning"}
        am.post([{"labels": labels, "startsAt": iso_ms(now)} for labels in (incident, disk, other)])

        def states() -> dict[str, str]:
            got = {
                a["labels"].get("node", "") + "/" + a["labels"]["alertname"]: a["status"]["state"] for a in am.alerts()
            }
            return got if len(got) == 3 and "unprocessed" not in got.values() else {}

        assert wait_for(states, 20) == {
            "node-1/CausegraphIncident": "active",
            "node-1/NodeFilesystemSpaceFillingUp": "suppressed",
            "node-2/NodeFilesystemSpaceFillingUp": "active",
        }
