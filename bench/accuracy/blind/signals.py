"""The signals faults show: kubelet crash loops, kernel OOM kills, error logs, failed/slow calls, spans, metrics.

Why one module: a crash loop or a failed call looks the same whatever caused it, so the fault builders compose these
rather than each inventing its own texts. Texts follow what the real sources print: the kubelet's event messages,
the kernel's memcg OOM line, Go/Java/Python/Node client errors, OTel span names.
"""

from __future__ import annotations

import zlib

from bench.accuracy.blind.cluster import Pod, WorkloadInfo
from bench.accuracy.blind.emit import KubeEvent
from bench.accuracy.blind.model import Ctx, Incident
from bench.accuracy.blind.times import SECOND

LANGS = ("go", "java", "python", "node", "dotnet")
COMM = {"go": "server", "java": "java", "python": "python3", "node": "node", "dotnet": "dotnet"}
STORE_COMM = {
    "redis": "redis-server",
    "valkey": "valkey-server",
    "mongo": "mongod",
    "mysql": "mysqld",
    "memcached": "memcached",
    "rabbitmq": "beam.smp",
    "kafka": "java",
    "postgres": "postgres",
    "opensearch": "java",
    "-db": "mongod",
}


def lang(pod: Pod) -> str:
    return LANGS[zlib.crc32(pod.wl.name.encode()) % len(LANGS)]


def comm(pod: Pod) -> str:
    if pod.wl.datastore:
        return next((v for k, v in STORE_COMM.items() if k in pod.wl.name), "mongod")
    return COMM[lang(pod)]


def crash_text(pod: Pod, why: str) -> tuple[str, str]:
    """(log line, error type) a process prints as it dies of ``why`` (config, panic, auth, dependency)."""
    lg = lang(pod)
    if why == "config":
        return {
            "go": (
                "failed to load config /etc/config/config.yaml: yaml: line 14: did not find expected key",
                "ConfigError",
            ),
            "java": (
                "APPLICATION FAILED TO START: Failed to bind properties under 'app.upstream' to java.time.Duration",
                "BindException",
            ),
            "python": (
                "pydantic_core._pydantic_core.ValidationError: 1 validation error for Settings: "
                "timeout_ms Input should be a valid integer",
                "ValidationError",
            ),
            "node": (
                "SyntaxError: Unexpected token } in JSON at position 412 while parsing /etc/config/app.json",
                "SyntaxError",
            ),
            "dotnet": (
                "Unhandled exception. System.FormatException: Could not parse the JSON file. Line=14, BytePosition=3",
                "FormatException",
            ),
        }[lg]
    if why == "auth":
        return ('authentication failed for user "app": password authentication failed, exiting', "AuthenticationError")
    return {
        "go": (
            "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: "
            "segmentation violation code=0x1 addr=0x18 pc=0x9c2f1a]",
            "panic",
        ),
        "java": (
            'Exception in thread "main" java.lang.IllegalStateException: Failed to execute CommandLineRunner',
            "IllegalStateException",
        ),
        "python": ("Traceback (most recent call last): ... KeyError: 'CATALOG_ENDPOINT'", "KeyError"),
        "node": ("TypeError: Cannot read properties of undefined (reading 'port')", "TypeError"),
        "dotnet": (
            "Unhandled exception. System.NullReferenceException: Object reference not set to an instance of an object.",
            "NullReferenceException",
        ),
    }[lg]


def crash_loop(x: Ctx, inc: Incident, pod: Pod, t0: int, until: int, why: str, *, log_every: int = 1) -> int:
    """The kubelet's view of a container that keeps exiting from ``t0``: an error log at each exit, a restart
    after 10 s, 20 s, 40 s ... (capped at 5 min), BackOff while it waits; one Event object per reason, updated.
    Returns the time of the first BackOff event."""
    s = x.s
    text, etype = crash_text(pod, why)
    image = pod.images[0] if pod.images else pod.container
    delay = 10 * SECOND
    t = t0
    n = 0
    first_backoff = 0
    pulled: KubeEvent | None = None
    created: KubeEvent | None = None
    started: KubeEvent | None = None
    backoff: KubeEvent | None = None
    while t < until:
        if n % log_every == 0:
            at, by_entity = t - x.rnd.randint(50, 900), x.rnd.chance(0.3)
            level = "error" if why != "panic" else "fatal"
            inc.sym(app_log(x, at, pod, text, level=level, by_entity=by_entity, logger="main", error_type=etype))
        n += 1
        # BackOff while waiting for the restart: the kubelet re-syncs the pod every ~10-15 s.
        w = t + x.rnd.randint(1, 3) * SECOND
        while w < t + delay and w < until:
            if backoff is None:
                backoff = s.pod_event(
                    w,
                    pod,
                    "BackOff",
                    f"Back-off restarting failed container {pod.container} in pod {pod.name}_{x.ns}({pod.uid})",
                    warning=True,
                )
                first_backoff = w
                inc.sym(backoff.uid)
            else:
                s.bump(backoff, w)
            w += x.rnd.randint(10, 16) * SECOND
        t += delay + x.rnd.randint(0, 2) * SECOND
        if t >= until:
            break
        msg = f'Container image "{image}" already present on machine'
        if pulled is None:
            pulled = s.pod_event(t, pod, "Pulled", msg, warning=False)
            created = s.pod_event(t, pod, "Created", f"Created container {pod.container}", warning=False)
            started = s.pod_event(t + 300, pod, "Started", f"Started container {pod.container}", warning=False)
            for e in (pulled, created, started):
                inc.ctx(e.uid)
        else:
            assert created is not None and started is not None
            s.bump(pulled, t)
            s.bump(created, t)
            s.bump(started, t + 300)
        t += x.rnd.randint(2, 8) * SECOND  # the process runs a few seconds before it dies again
        delay = min(delay * 2, 300 * SECOND)
    return first_backoff


def app_log(
    x: Ctx,
    t: int,
    pod: Pod,
    message: str,
    *,
    level: str,
    severity: str = "error",
    by_entity: bool = False,
    source: str = "fluent-bit",
    **fields: str,
) -> str:
    """A line of the pod's own application as a log shipper (``source``) sends it; ``fields`` (logger, error_type)
    follow its level and text in the ``application`` section, as the collectors order them."""
    return x.s.unified(
        t,
        prefix="log",
        type_="log",
        source=source,
        category="application",
        severity=severity,
        message=message,
        pod=pod,
        by_entity=by_entity,
        application={"level": level, "message": message, **fields},
    )


def scaled(x: Ctx, t: int, wl: WorkloadInfo, message: str) -> KubeEvent:
    """The deployment controller scaling one of ``wl``'s ReplicaSets (a Normal Event on the Deployment)."""
    return x.s.kube(
        t,
        "ScalingReplicaSet",
        message,
        warning=False,
        obj_kind="Deployment",
        obj_name=wl.name,
        obj_uid=wl.uid,
        component="deployment-controller",
        api_version="apps/v1",
    )


def oom_kill(x: Ctx, t: int, pod: Pod, limit_mb: int) -> str:
    """The eBPF agent's view of a memcg OOM kill (the kubelet writes no Event for a container's OOM kill)."""
    pid = x.rnd.randint(7, 4000)
    rss = limit_mb * 1024 - x.rnd.randint(100, 3000)
    proc = comm(pod)
    msg = (
        f"Memory cgroup out of memory: Killed process {pid} ({proc}) total-vm:{rss * 2 + 81234}kB, "
        f"anon-rss:{rss}kB, file-rss:{x.rnd.randint(1000, 30000)}kB, shmem-rss:0kB, "
        f"UID:{x.rnd.choice([0, 999, 1000])} pgtables:{x.rnd.randint(900, 6000)}kB "
        f"oom_score_adj:{x.rnd.choice([984, 993, 999])}"
    )
    return x.s.unified(
        t,
        prefix="ebpf",
        type_="kernel",
        source="ebpf-agent",
        category="memory",
        severity="critical",
        message=msg,
        pod=pod,
        kernel={"syscall": "oom_kill", "pid": pid, "comm": proc, "return_code": -9},
        tags=["oom", "cgroup"],
    )


def metric(x: Ctx, t: int, pod: Pod, name: str, value: float, unit: str, severity: str, baseline: float) -> str:
    dev = (value - baseline) / baseline if baseline else 0.0
    msg = (
        f"{name} {value:.4g}{unit} on {pod.name} is {dev:+.0%} from its 1h baseline {baseline:.4g}{unit}"
        if severity != "info"
        else f"{name} {value:.4g}{unit}"
    )
    return x.s.unified(
        t,
        prefix="met",
        type_="metric",
        source="prometheus-adapter",
        category="performance",
        severity=severity,
        message=msg,
        pod=pod,
        metrics={
            "metric_name": name,
            "value": round(value, 4),
            "unit": unit,
            "labels": {"container": pod.container, "pod": pod.name},
        },
    )


def trace_ids(x: Ctx) -> tuple[str, str]:
    return x.rnd.hex(32), x.rnd.hex(16)


def call(
    x: Ctx,
    t: int,
    caller: Pod | None,
    target_ip: str,
    port: int,
    *,
    outcome: str,
    callee_name: str,
    trace: tuple[str, str] | None = None,
    parent: str = "",
    src_ip: str | None = None,
    latency_ms: int = 0,
) -> str:
    """A call seen by the eBPF agent on the caller: ``outcome`` is refused, reset, timeout, 5xx or slow.
    ``caller=None`` leaves only IPs (the agent could not map the socket to a pod)."""
    method, path = x.rnd.choice(
        [
            ("GET", "/"),
            ("POST", "/api/v1/orders"),
            ("GET", "/health"),
            ("POST", f"/{callee_name}.v1.Service/Get"),
            ("GET", "/api/items"),
        ]
    )
    net = {
        "protocol": "TCP",
        "source_ip": src_ip or (caller.ip if caller else ""),
        "source_port": x.rnd.randint(32768, 60999),
        "dest_ip": target_ip,
        "dest_port": port,
        "direction": "egress",
    }
    sev = "error"
    if outcome == "refused":
        msg = f"dial tcp {target_ip}:{port}: connect: connection refused"
    elif outcome == "reset":
        msg = f"read tcp {net['source_ip']}:{net['source_port']}->{target_ip}:{port}: read: connection reset by peer"
    elif outcome == "timeout":
        msg = f"dial tcp {target_ip}:{port}: i/o timeout"
        net["latency_ns"] = x.rnd.randint(3, 30) * 1_000_000_000
    elif outcome == "5xx":
        code = x.rnd.choice([500, 502, 503, 503, 504])
        msg = f"HTTP {code} from {callee_name}: {method} {path}"
        net.update(
            {
                "protocol": "HTTP",
                "status_code": code,
                "method": method,
                "path": path,
                "latency_ns": x.rnd.randint(5, 900) * 1_000_000,
            }
        )
    else:
        sev = "warning"
        msg = f"slow response from {target_ip}:{port}: {latency_ms} ms"
        net.update(
            {
                "protocol": "HTTP",
                "status_code": 200,
                "method": method,
                "path": path,
                "latency_ns": latency_ms * 1_000_000,
            }
        )
    return x.s.unified(
        t,
        prefix="ebpf",
        type_="network",
        source="ebpf-agent",
        category="network",
        severity=sev,
        message=msg,
        pod=caller,
        trace=trace,
        parent=parent,
        network=net,
    )


def client_error(x: Ctx, t: int, pod: Pod, callee: str, *, kind: str, trace: tuple[str, str] | None = None) -> str:
    """An error log of a caller that names nothing but its own failing request (no IP, maybe a trace)."""
    texts = {
        "unavailable": "rpc error: code = Unavailable desc = upstream connect error or disconnect/reset before "
        "headers. reset reason: connection failure",
        "deadline": "rpc error: code = DeadlineExceeded desc = context deadline exceeded",
        "db": "failed to query: server selection error: context deadline exceeded, current topology: "
        "{ Type: Unknown, Servers: [] }",
        "http": "request failed with status 503 Service Unavailable",
    }
    msg = texts[kind]
    if kind == "db" and ("redis" in callee or "valkey" in callee):
        msg = "redis: connection pool timeout (dial tcp: i/o timeout)"
    return x.s.unified(
        t,
        prefix="log",
        type_="log",
        source="otel-collector",
        category="application",
        severity="error",
        message=msg,
        pod=pod,
        trace=trace,
        application={"level": "error", "message": msg, "logger": f"{pod.wl.name}.client", "error_type": kind},
    )


def span(
    x: Ctx,
    t: int,
    pod: Pod,
    name: str,
    trace: tuple[str, str],
    *,
    ms: int,
    error: bool,
    parent: str = "",
    severity: str | None = None,
) -> str:
    sev = severity or ("error" if error else "warning")
    msg = f"span {name} {'STATUS_CODE_ERROR' if error else 'OK'} duration={ms}ms"
    return x.s.unified(
        t,
        prefix="span",
        type_="trace",
        source="otel-collector",
        category="performance",
        severity=sev,
        message=msg,
        pod=pod,
        trace=trace,
        parent=parent,
        network={
            "protocol": "HTTP",
            "latency_ns": ms * 1_000_000,
            "status_code": 500 if error else 200,
            "method": "POST",
            "path": name,
        },
    )
