"""``causegraph demo`` from an installed wheel, outside the repository: the demo's data ships in the package.

The wheel is built from this tree and installed (without dependencies) in a new virtualenv in a temporary folder;
the dependencies come from the development environment (its site-packages through a ``.pth`` line, its programs
such as the bundled nats-server on PATH), so the test needs no package index. Nothing of the repository is on the
path: ``causegraph`` must come from the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("model", "cypher", "graph", "ingest", "correlate", "api", "causegraph")


def _run(*cmd: str | Path, cwd: Path, timeout: float, path: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAUSEGRAPH_", "PYTHON"))}
    env["PYTHONUNBUFFERED"] = "1"
    if path:
        env["PATH"] = path + os.pathsep + env.get("PATH", "")
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def test_the_packaged_demo_topology_is_the_sample_one() -> None:
    packaged = ROOT / "causegraph" / "demo" / "online-boutique.yaml"
    assert packaged.read_bytes() == (ROOT / "data" / "topologies" / "online-boutique.yaml").read_bytes()


def test_demo_runs_from_an_installed_wheel(tmp_path: Path) -> None:
    wheels, venv, work, src = tmp_path / "wheels", tmp_path / "venv", tmp_path / "work", tmp_path / "src"
    work.mkdir()
    # Built from a copy of what the distribution holds, so that the build leaves nothing in the repository.
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__"))
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", wheels, src,
                 cwd=tmp_path, timeout=300)  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("causegraph-*.whl")
    assert _run(sys.executable, "-m", "venv", venv, cwd=tmp_path, timeout=120).returncode == 0
    python = venv / "bin" / "python"
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=work, timeout=60)
                .stdout.strip())  # fmt: skip
    (site / "dev-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    installed = _run(python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", wheel, cwd=work, timeout=300)
    assert installed.returncode == 0, installed.stderr
    where = _run(python, "-c", "import causegraph, model; print(causegraph.__file__, model.__file__)", cwd=work,
                 timeout=60)  # fmt: skip
    assert where.stdout.count(str(site)) == 2, where.stdout + where.stderr
    # The dependencies' programs (the bundled nats-server) are where the development environment installed them.
    path = os.pathsep.join([str(venv / "bin"), sysconfig.get_path("scripts")])
    demo = _run(venv / "bin" / "causegraph", "demo", "--once", "--wait", "40", "--dir", work, cwd=work, timeout=180,
                path=path)  # fmt: skip
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "online-boutique materialised" in demo.stdout and demo.stdout.count("remediation") == 2
    assert "Traceback" not in demo.stderr
