"""The baseline is the real thing: each scenario's warnings, as kube-prometheus alerts, through a real Alertmanager
(Debian's ``prometheus-alertmanager``, scripts/ensure-alertmanager.sh), scored from the notifications its webhook gets.

    .venv/bin/python -m bench.accuracy.realam bench/out/s101 --group-by namespace,alertname
    .venv/bin/python -m bench.accuracy.realam bench/out/s101 --group-by namespace,workload

Time is compressed by ``--compress`` (default 300): an alert is posted at its scenario time divided by the factor
(all scenarios of a folder side by side, from one start; ``scenario`` is always the first ``group_by`` label, so no
group mixes two scenarios), and every Alertmanager duration is divided by the same factor: ``group_wait`` 30 s ->
100 ms, ``group_interval`` 5 m -> 1 s, ``repeat_interval`` 4 h -> 48 s, and each alert fires for 5 minutes -> 1 s
after its last event (``endsAt``), as a rule over a 5-minute window would. Grouping is scored per episode of a
group (``bench.accuracy.amalerts``), with the same metrics as causegraph and the imitation.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from bench.accuracy.amalerts import Episodes, FiredAlert, by_time, scenario_alerts
from bench.accuracy.baseline import Labeller, alert_of
from bench.accuracy.metrics import Score, last_versions, score
from bench.accuracy.run import _fmt, read_jsonl
from causegraph.natsserver import free_port
from tests.alertmanagerproc import Alertmanager

MINUTE_MS = 60_000


def load(folder: Path) -> list[FiredAlert]:
    """The alerts of one scenario's warning events (each event id once, as the imitation takes them)."""
    topology = json.loads((folder / "topology.json").read_text()).get("items", [])
    lab = Labeller(topology)
    seen: set[str] = set()
    rows = []
    for line in read_jsonl(folder / "events.jsonl"):
        a = alert_of(line, lab)
        if a is not None and a[0] not in seen:
            seen.add(a[0])
            rows.append((a[0], a[1], a[2], line))
    return scenario_alerts(folder.name, rows)


def config(hook: str, group_by: list[str], compress: float) -> dict[str, Any]:
    def ms(minutes: float) -> str:
        return f"{max(1, int(minutes * MINUTE_MS / compress))}ms"

    return {
        "route": {
            "receiver": "bench",
            "group_by": ["scenario", *group_by],
            "group_wait": ms(0.5),
            "group_interval": ms(5),
            "repeat_interval": ms(240),
        },
        "receivers": [{"name": "bench", "webhook_configs": [{"url": hook, "send_resolved": True}]}],
    }


class Receiver:
    """The webhook: keeps each body with the monotonic time it came."""

    def __init__(self) -> None:
        self.got: list[tuple[float, dict[str, Any]]] = []
        lock = threading.Lock()
        got = self.got

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with lock:
                    got.append((time.monotonic(), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"


def play(am: Alertmanager, alerts: dict[str, list[FiredAlert]], compress: float, episodes: Episodes) -> float:
    """Post every scenario's alerts at its compressed time; returns the wall seconds the play took."""
    queue: list[tuple[float, FiredAlert]] = []
    for scenario in alerts.values():
        t0 = min((x.ts for x in scenario), default=0)
        queue += [((a.ts - t0) / compress / 1000.0, a) for a in scenario]
    queue.sort(key=lambda qa: (qa[0], qa[1].event_id))
    fire_s = 5 * MINUTE_MS / compress / 1000.0
    start = time.monotonic()
    with httpx.Client(timeout=10) as client:
        i = 0
        while i < len(queue):
            due = queue[i][0]
            wait = start + due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            batch = []
            while i < len(queue) and queue[i][0] <= time.monotonic() - start:
                batch.append(queue[i][1])
                i += 1
            now = time.time()
            body = [{"labels": dict(a.labels), "startsAt": _iso(now), "endsAt": _iso(now + fire_s)} for a in batch]
            posted = time.monotonic()  # before the post: its notification may come before the answer
            client.post(f"{am.url}/api/v2/alerts", json=body).raise_for_status()
            for a in batch:
                episodes.posted(a, posted)
    return time.monotonic() - start


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def run(folders: Sequence[Path], group_by: list[str], compress: float, work: Path) -> dict[str, Any]:
    alerts = {f.name: by_time(load(f)) for f in folders}
    receiver = Receiver()
    receiver.thread.start()
    episodes = Episodes()
    try:
        with Alertmanager(work / "am", config(receiver.url, group_by, compress)) as am:
            took = play(am, alerts, compress, episodes)
            settle = (5 + 3 * 5) * MINUTE_MS / compress / 1000.0 + 2.0  # alerts end, then a few group intervals
            time.sleep(settle)
    finally:
        receiver.server.shutdown()
    for received, body in sorted(receiver.got, key=lambda rb: rb[0]):
        episodes.notified(body, received)
    total = Score()
    for f in folders:
        truth = json.loads((f / "truth.json").read_text())
        total.add(score(truth, last_versions(episodes.results(f.name))))
    return {
        "group_by": group_by,
        "compress": compress,
        "scenarios": len(folders),
        "alerts_posted": sum(map(len, alerts.values())),
        "distinct_alerts": len({a.labels for v in alerts.values() for a in v}),
        "notifications": episodes.notifications,
        "firing_notifications": episodes.firing_notifications,
        "unnotified_events": episodes.unnotified(),
        "play_seconds": round(took, 1),
        "score": total,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.accuracy.realam", description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", type=Path, help="a folder of scenarios (bench.accuracy.generate --out)")
    parser.add_argument("--group-by", default="namespace,alertname", help="after scenario (default %(default)s)")
    parser.add_argument("--compress", type=float, default=300.0, help="time compression factor (default 300)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    folders = sorted(p.parent for p in args.scenarios.glob("*/truth.json"))
    work = args.scenarios / f"realam-{args.group_by.replace(',', '-')}"  # one Alertmanager store per variant
    out = run(folders, args.group_by.split(","), args.compress, work)
    s: Score = out.pop("score")
    print(json.dumps(out))
    print(
        f"grouped {_fmt(s.grouping)}  root@1 {_fmt(s.root_rank1)}  noise reduction {_fmt(s.noise_reduction)}  "
        f"noise-only {s.noise_only}  purity {_fmt(s.purity)}  groups {s.published} / {s.warnings} warnings, "
        f"{s.incidents} incidents"
    )
    if args.json:
        figures = {k: getattr(s, k) for k in ("grouping", "purity", "root_rank1", "noise_reduction", "noise_only")}
        args.json.write_text(json.dumps(out | figures | {"published": s.published, "warnings": s.warnings}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
