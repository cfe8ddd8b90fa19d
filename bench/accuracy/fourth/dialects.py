"""What each runtime actually prints when things go wrong.

A Go gRPC client, a Spring RestTemplate, Node's http agent, Python requests, .NET's Grpc.Net.Client, a DeathStarBench
C++ Thrift client and nginx all say "the callee timed out" differently; correlating on message text only works if
the texts are as varied as in a real cluster. Each function returns an ``application`` block for a UnifiedEvent.
"""

from __future__ import annotations

import random
from typing import Any

Obj = dict[str, Any]

LOGGERS = {
    "go": "main",
    "java": "o.s.web.client.RestTemplate",
    "node": "app",
    "python": "root",
    "dotnet": "Grpc.Net.Client.Internal.GrpcCall",
    "cpp": "thrift",
    "ruby": "WEBrick",
    "nginx": "nginx.error",
    "store": "db",
}


def _app(level: str, message: str, lang: str, error_type: str = "", stack: str = "") -> Obj:
    out: Obj = {"level": level, "message": message, "logger": LOGGERS.get(lang, "app")}
    if error_type:
        out["error_type"] = error_type
    if stack:
        out["stack_trace"] = stack
    return out


def call_error(rng: random.Random, lang: str, mode: str, host: str, port: int, ip: str, path: str) -> Obj:
    """A caller's log line for a failed call to ``host:port`` (resolved to ``ip``); mode timeout|refused|reset|5xx."""
    rport = rng.randrange(32768, 60999)
    if lang == "go":
        msg = {
            "timeout": f"rpc error: code = DeadlineExceeded desc = context deadline exceeded (target {host}:{port})",
            "refused": f'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while '
            f'dialing: dial tcp {ip}:{port}: connect: connection refused"',
            "reset": f"rpc error: code = Unavailable desc = error reading from server: read tcp "
            f"10.0.0.1:{rport}->{ip}:{port}: read: connection reset by peer",
            "5xx": f"rpc error: code = Internal desc = {host}: failed to serve request",
        }[mode]
        return _app("error", msg, lang, "status.Error")
    if lang == "java":
        msg = {
            "timeout": f'I/O error on GET request for "http://{host}:{port}{path}": Read timed out; nested '
            "exception is java.net.SocketTimeoutException: Read timed out",
            "refused": f'I/O error on POST request for "http://{host}:{port}{path}": Connection refused '
            f"(Connection refused); nested exception is java.net.ConnectException: Connection refused",
            "reset": f'I/O error on GET request for "http://{host}:{port}{path}": Connection reset; nested '
            "exception is java.net.SocketException: Connection reset",
            "5xx": f'500 Internal Server Error: "{{"timestamp":"","status":500,"error":"Internal Server Error",'
            f'"path":"{path}"}}"',
        }[mode]
        etype = {
            "timeout": "org.springframework.web.client.ResourceAccessException",
            "refused": "org.springframework.web.client.ResourceAccessException",
            "reset": "org.springframework.web.client.ResourceAccessException",
            "5xx": "org.springframework.web.client.HttpServerErrorException$InternalServerError",
        }[mode]
        stack = (
            f"{etype}: {msg[:80]}\n\tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:785)"
        )
        return _app("ERROR", msg, lang, etype, stack)
    if lang == "node":
        msg = {
            "timeout": f"Error: ETIMEDOUT connect ETIMEDOUT {ip}:{port}",
            "refused": f"Error: connect ECONNREFUSED {ip}:{port}",
            "reset": "Error: socket hang up",
            "5xx": f"Request failed with status code 500 ({host}{path})",
        }[mode]
        return _app(
            "error", msg, lang, "Error", f"{msg}\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)"
        )
    if lang == "python":
        msg = {
            "timeout": f"requests.exceptions.ReadTimeout: HTTPConnectionPool(host='{host}', port={port}): Read "
            f"timed out. (read timeout=3)",
            "refused": f"requests.exceptions.ConnectionError: HTTPConnectionPool(host='{host}', port={port}): Max "
            f"retries exceeded with url: {path} (Caused by NewConnectionError('<urllib3.connection.HTTPConnection "
            f"object at 0x7f3a2c1d5e50>: Failed to establish a new connection: [Errno 111] Connection refused'))",
            "reset": "ConnectionResetError: [Errno 104] Connection reset by peer",
            "5xx": f"requests.exceptions.HTTPError: 503 Server Error: Service Unavailable for url: http://{host}:{port}{path}",
        }[mode]
        return _app("ERROR", msg, lang, msg.split(":", 1)[0], "Traceback (most recent call last):\n  ...\n" + msg)
    if lang == "dotnet":
        msg = {
            "timeout": f'Status(StatusCode="DeadlineExceeded", Detail="") calling {host}:{port}',
            "refused": 'Status(StatusCode="Unavailable", Detail="Error connecting to subchannel.", '
            'DebugException="System.Net.Sockets.SocketException (111): Connection refused")',
            "reset": 'Status(StatusCode="Unavailable", Detail="Error reading next message. IOException: The request '
            'was aborted.")',
            "5xx": 'Status(StatusCode="Internal", Detail="Bad gRPC response. HTTP status code: 500")',
        }[mode]
        return _app("Error", msg, lang, "Grpc.Core.RpcException")
    if lang == "ruby":
        msg = {
            "timeout": f"Net::ReadTimeout with #<TCPSocket:(closed)> ({host}:{port})",
            "refused": f"Errno::ECONNREFUSED: Failed to open TCP connection to {host}:{port} (Connection refused)",
            "reset": "Errno::ECONNRESET: Connection reset by peer",
            "5xx": f"Net::HTTPServerError 500 from {host}",
        }[mode]
        return _app("ERROR", msg, lang, msg.split(":", 1)[0])
    if lang == "nginx":
        code = {"timeout": "upstream timed out (110: Connection timed out)", "refused": "connect() failed (111: "}
        text = code.get(mode, "recv() failed (104: Connection reset by peer)")
        if mode == "refused":
            text += "Connection refused)"
        msg = (
            f"[error] {rng.randrange(20, 40)}#{rng.randrange(20, 40)}: *{rng.randrange(1000, 99999)} {text} while "
            f'reading response header from upstream, upstream: "http://{ip}:{port}{path}", host: "{host}"'
        )
        return _app("error", msg, lang)
    # cpp (DeathStarBench Thrift services)
    msg = {
        "timeout": f"Failed to connect {host}-client: THRIFT_EAGAIN (timed out)",
        "refused": f"TSocket::open() connect() <Host: {host} Port: {port}>: Connection refused",
        "reset": f"TSocket::read() recv() <Host: {host} Port: {port}>: ECONNRESET",
        "5xx": f"ServiceException: {host} returned an error",
    }[mode]
    return _app("error", msg, lang, "apache::thrift::transport::TTransportException")


def startup_crash(rng: random.Random, lang: str, why: str) -> Obj:
    """A container's last words when it cannot start; why: image|config|bug."""
    if lang == "go":
        msg = {
            "image": "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: "
            "segmentation violation code=0x1 addr=0x18 pc=0x9c3f21]",
            "config": "failed to load config: yaml: unmarshal errors:\n  line 3: cannot unmarshal !!str `30s` into int",
            "bug": "fatal error: concurrent map writes",
        }[why]
        return _app("fatal", msg, lang, "panic")
    if lang == "java":
        msg = {
            "image": "APPLICATION FAILED TO START\n\nDescription:\n\nParameter 0 of constructor in "
            "com.example.OrderController required a bean of type 'OrderRepository' that could not be found.",
            "config": "Application run failed: org.springframework.boot.context.properties.bind.BindException: "
            "Failed to bind properties under 'app.timeout' to java.time.Duration",
            "bug": 'Exception in thread "main" java.lang.IllegalStateException: Failed to execute CommandLineRunner',
        }[why]
        return _app("ERROR", msg, lang, msg.split(":", 1)[0][:60])
    if lang == "node":
        msg = {
            "image": "Error: Cannot find module '/usr/src/app/server.js'",
            "config": "SyntaxError: Unexpected token } in JSON at position 212 (config/default.json)",
            "bug": "TypeError: Cannot read properties of undefined (reading 'map')",
        }[why]
        return _app("error", msg, lang, msg.split(":", 1)[0])
    if lang == "python":
        msg = {
            "image": "ModuleNotFoundError: No module named 'grpc_health'",
            "config": "KeyError: 'SMTP_HOST'",
            "bug": "AttributeError: 'NoneType' object has no attribute 'get'",
        }[why]
        return _app("CRITICAL", msg, lang, msg.split(":", 1)[0], "Traceback (most recent call last):\n  ...\n" + msg)
    msg = {
        "image": "exec /app/server: exec format error",
        "config": "invalid configuration: unknown key 'timeout_ms' in /etc/app/config.yaml",
        "bug": "terminate called after throwing an instance of 'std::out_of_range'",
    }[why]
    return _app("fatal", msg, lang, "startup")


def app_bug(rng: random.Random, lang: str, path: str) -> Obj:
    """A request handler failing in the service itself (app_fault)."""
    choices = {
        "go": [
            f"http: panic serving 10.0.0.1:{rng.randrange(30000, 60000)}: runtime error: index out of range [3] "
            "with length 3",
            f"failed to handle {path}: pq: deadlock detected",
        ],
        "java": [
            f"Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request "
            f"processing failed; nested exception is java.lang.NullPointerException] with root cause ({path})",
            "HikariPool-1 - Connection is not available, request timed out after 30000ms.",
        ],
        "node": [f"UnhandledPromiseRejection: TypeError: Cannot read properties of null (reading 'price') at {path}"],
        "python": [
            f"Exception on {path} [GET]\nTraceback (most recent call last):\n  ...\nZeroDivisionError: division by zero"
        ],
        "dotnet": ["Unhandled exception. System.InvalidOperationException: Sequence contains no elements"],
        "cpp": ["terminate called after throwing an instance of 'std::bad_alloc'", "ServiceException: unknown error"],
        "ruby": ["NoMethodError (undefined method `[]' for nil:NilClass)"],
        "nginx": [
            f"[error] lua entry thread aborted: runtime error: /usr/local/openresty/nginx/lua-scripts{path}.lua:41"
        ],
    }
    msg = rng.choice(choices.get(lang, choices["go"]))
    return _app("error" if lang != "java" else "ERROR", msg, lang, msg.split(":", 1)[0][:60])


def slow_request(rng: random.Random, lang: str, path: str, ms: int) -> Obj:
    if lang == "java":
        return _app("WARN", f"Slow request: {path} took {ms} ms", lang)
    if lang == "python":
        return _app("WARNING", f"slow request {path} took {ms / 1000:.2f}s", lang)
    return _app("warn", f"request {path} completed in {ms}ms (slow)", lang)


def dns_timeout(rng: random.Random, lang: str, host: str, dns_ip: str) -> Obj:
    rport = rng.randrange(30000, 60000)
    if lang == "java":
        msg = f"java.net.UnknownHostException: {host}: Temporary failure in name resolution"
    elif lang == "node":
        msg = f"Error: getaddrinfo EAI_AGAIN {host}"
    elif lang == "python":
        msg = f"socket.gaierror: [Errno -3] Temporary failure in name resolution ({host})"
    else:
        msg = f"dial tcp: lookup {host} on {dns_ip}:53: read udp 10.0.0.1:{rport}->{dns_ip}:53: i/o timeout"
    return _app("warn" if lang != "java" else "WARN", msg, lang, "dns")


def store_log(rng: random.Random, comm: str, what: str) -> Obj:
    """A datastore's own log line; what: restart|slow."""
    if comm == "mongod":
        msg = (
            '{"t":{"$date":""},"s":"I","c":"CONTROL","id":20698,"ctx":"main","msg":"***** SERVER RESTARTED *****"}'
            if what == "restart"
            else '{"s":"I","c":"COMMAND","id":51803,"msg":"Slow query","attr":{"durationMillis":'
            + str(rng.randrange(800, 5000))
            + "}}"
        )
    elif comm == "redis-server":
        msg = (
            "1:C * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"
            if what == "restart"
            else "1:M * Asynchronous AOF fsync is taking too long (disk is busy?)."
        )
    elif comm == "mysqld":
        msg = (
            "[System] [MY-010116] [Server] /usr/sbin/mysqld (mysqld 8.0.36) starting as process 1"
            if what == "restart"
            else "[Warning] [MY-010055] [Server] IP address could not be resolved: Temporary failure"
        )
    else:
        msg = f"{comm} starting" if what == "restart" else f"{comm}: slow operation"
    return _app("warning" if what == "slow" else "info", msg, "store")
