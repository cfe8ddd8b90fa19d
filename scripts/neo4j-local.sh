#!/usr/bin/env bash
# A real Neo4j 5 Community server on loopback, from Maven Central's jars (tools/neo4j/pom.xml), without Docker.
#
#   scripts/neo4j-local.sh start DIR    start a server whose data, config and logs live in DIR; returns once Bolt
#                                       answers and the default database serves queries. The last line printed is
#                                       `bolt://127.0.0.1:PORT neo4j PASSWORD`. On a DIR that is already running it
#                                       prints the same line again. The first start resolves the jars (about a
#                                       minute; cached in ~/.m2 afterwards) and says so on stderr.
#   scripts/neo4j-local.sh stop DIR     stop it (SIGTERM, then wait; SIGKILL after NEO4J_STOP_TIMEOUT)
#   scripts/neo4j-local.sh status DIR   the line when it runs (exit 0), nothing and exit 1 when it does not
#
# Bolt and HTTP listen on free loopback ports, chosen at each start; authentication is on, with a password generated
# at the first start of DIR (kept in DIR/password). Neo4j Browser is served at the HTTP address + /browser/ (printed
# on stderr and kept in DIR/browser_url).
#
# Environment: NEO4J_HEAP (512m), NEO4J_PAGECACHE (256m), NEO4J_START_TIMEOUT (seconds, 240),
# NEO4J_STOP_TIMEOUT (seconds, 60), JAVA (java), MVN (mvn), PYTHON (python3).
# Exit codes: 0 ok, 1 failed (the reason and the log's tail on stderr), 2 usage, 3 Java or Maven missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=$ROOT/tools/neo4j
JAVA=${JAVA:-java}
MVN=${MVN:-mvn}
PYTHON=${PYTHON:-python3}
HEAP=${NEO4J_HEAP:-512m}
PAGECACHE=${NEO4J_PAGECACHE:-256m}
START_TIMEOUT=${NEO4J_START_TIMEOUT:-240}
STOP_TIMEOUT=${NEO4J_STOP_TIMEOUT:-60}

say() { echo "neo4j-local: $*" >&2; }
die() { say "$*"; exit 1; }

usage() {
    echo "usage: $0 start|stop|status DIR" >&2
    exit 2
}

# The server's classpath, resolved by Maven once; resolved again when the pom changes or a jar left ~/.m2.
classpath() {
    local cp_file=$TOOLS/target/classpath.txt
    if [[ -s $cp_file && $cp_file -nt $TOOLS/pom.xml ]] && all_jars_present "$cp_file"; then
        cat "$cp_file"
        return
    fi
    command -v "$MVN" >/dev/null || { say "Maven ($MVN) is not installed; it resolves Neo4j from Maven Central"; exit 3; }
    local version
    version=$(sed -n 's:.*<neo4j.version>\(.*\)</neo4j.version>.*:\1:p' "$TOOLS/pom.xml")
    say "resolving Neo4j $version Community from Maven Central (first start only; cached in ~/.m2 afterwards)"
    mkdir -p "$TOOLS/target"
    if ! "$MVN" -q -B -f "$TOOLS/pom.xml" dependency:build-classpath -Dmdep.outputFile="$cp_file.tmp" \
        >"$TOOLS/target/mvn.log" 2>&1; then
        tail -n 30 "$TOOLS/target/mvn.log" >&2
        die "Maven could not resolve Neo4j (log: $TOOLS/target/mvn.log)"
    fi
    mv "$cp_file.tmp" "$cp_file"
    cat "$cp_file"
}

all_jars_present() {
    local jar
    local IFS=:
    for jar in $(cat "$1"); do
        [[ -f $jar ]] || return 1
    done
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

alive() {  # a zombie (exited, not yet reaped by whoever inherited it) counts as stopped
    local state
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z ]]
}

running_pid() {  # the server's pid when DIR's server is alive
    local pid
    [[ -s $DIR/run/server.pid ]] || return 1
    pid=$(cat "$DIR/run/server.pid")
    alive "$pid" || return 1
    grep -qa -- "--home-dir=$DIR" "/proc/$pid/cmdline" 2>/dev/null || return 1
    echo "$pid"
}

# Bolt answers the handshake and the default database runs a query over HTTP with the password.
wait_ready() {
    local pid=$1 deadline=$((SECONDS + START_TIMEOUT))
    while ((SECONDS < deadline)); do
        alive "$pid" || { tail -n 40 "$DIR/logs/neo4j.log" "$DIR/logs/console.log" >&2 || true; die "the server (pid $pid) exited during start"; }
        if "$PYTHON" - "$(cat "$DIR/bolt_port")" "$(cat "$DIR/http_port")" "$(cat "$DIR/password")" <<'PY' 2>/dev/null; then
import base64, json, socket, sys, urllib.request
bolt, http, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
with socket.create_connection(("127.0.0.1", bolt), timeout=2) as s:
    s.sendall(b"\x60\x60\xb0\x17" + bytes([0, 4, 4, 5]) + bytes([0, 0, 4, 4]) + bytes(8))
    reply = s.recv(4)
if len(reply) != 4 or reply == bytes(4):
    sys.exit(1)
req = urllib.request.Request(
    f"http://127.0.0.1:{http}/db/neo4j/tx/commit",
    data=json.dumps({"statements": [{"statement": "RETURN 1"}]}).encode(),
    headers={"Content-Type": "application/json",
             "Authorization": "Basic " + base64.b64encode(f"neo4j:{password}".encode()).decode()},
)
with urllib.request.urlopen(req, timeout=5) as r:
    sys.exit(0 if not json.load(r)["errors"] else 1)
PY
            return 0
        fi
        sleep 0.5
    done
    tail -n 40 "$DIR/logs/neo4j.log" >&2 || true
    die "Bolt did not answer within ${START_TIMEOUT}s (logs: $DIR/logs)"
}

connection_line() {
    echo "bolt://127.0.0.1:$(cat "$DIR/bolt_port") neo4j $(cat "$DIR/password")"
}

write_conf() {
    local bolt=$1 http=$2
    mkdir -p "$DIR/conf" "$DIR/data" "$DIR/logs" "$DIR/run" "$DIR/import" "$DIR/plugins"
    cat >"$DIR/conf/neo4j.conf" <<EOF
# written by scripts/neo4j-local.sh at each start
server.directories.data=$DIR/data
server.directories.logs=$DIR/logs
server.directories.run=$DIR/run
server.directories.import=$DIR/import
server.directories.plugins=$DIR/plugins
server.default_listen_address=127.0.0.1
server.default_advertised_address=127.0.0.1
server.bolt.listen_address=127.0.0.1:$bolt
server.bolt.advertised_address=127.0.0.1:$bolt
server.http.listen_address=127.0.0.1:$http
server.http.advertised_address=127.0.0.1:$http
server.https.enabled=false
dbms.security.auth_enabled=true
server.memory.pagecache.size=$PAGECACHE
db.logs.query.enabled=OFF
dbms.usage_report.enabled=false
EOF
    echo "$bolt" >"$DIR/bolt_port"
    echo "$http" >"$DIR/http_port"
    echo "http://127.0.0.1:$http/browser/" >"$DIR/browser_url"
}

start() {
    local pid cp bolt http
    if pid=$(running_pid); then
        wait_ready "$pid"
        connection_line
        return
    fi
    command -v "$JAVA" >/dev/null || { say "Java ($JAVA) is not installed; Neo4j 5 needs Java 17 or 21"; exit 3; }
    cp=$(classpath)
    bolt=$(free_port)
    http=$(free_port)
    while [[ $http == "$bolt" ]]; do http=$(free_port); done
    write_conf "$bolt" "$http"
    if [[ ! -s $DIR/password ]]; then
        (umask 077 && "$PYTHON" -c 'import secrets; print(secrets.token_hex(12))' >"$DIR/password")
    fi
    if [[ ! -e $DIR/data/dbms/auth.ini ]]; then
        NEO4J_HOME=$DIR NEO4J_CONF=$DIR/conf "$JAVA" -cp "$cp" org.neo4j.cli.AdminTool \
            dbms set-initial-password "$(cat "$DIR/password")" >"$DIR/logs/set-initial-password.log" 2>&1 ||
            { cat "$DIR/logs/set-initial-password.log" >&2; die "could not set the initial password"; }
    fi
    # The JVM options of Neo4j's own neo4j.conf that matter here (direct buffers and native access on Java 17).
    setsid nohup "$JAVA" -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow \
        --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
        --add-opens=java.base/sun.nio.ch=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true \
        -Djdk.nio.maxCachedBufferSize=1024 -Dlog4j2.disable.jmx=true -Dfile.encoding=UTF-8 \
        -cp "$cp" org.neo4j.server.CommunityEntryPoint --home-dir="$DIR" --config-dir="$DIR/conf" \
        >"$DIR/logs/console.log" 2>&1 </dev/null 9>&- &
    pid=$!
    echo "$pid" >"$DIR/run/server.pid"
    wait_ready "$pid"
    say "Neo4j $(sed -n 's:.*<neo4j.version>\(.*\)</neo4j.version>.*:\1:p' "$TOOLS/pom.xml") is up (pid $pid); Browser: $(cat "$DIR/browser_url")"
    connection_line
}

stop() {
    local pid deadline
    pid=$(running_pid) || { rm -f "$DIR/run/server.pid"; return 0; }
    kill -TERM "$pid"
    deadline=$((SECONDS + STOP_TIMEOUT))
    while alive "$pid"; do
        if ((SECONDS >= deadline)); then
            say "the server (pid $pid) did not stop within ${STOP_TIMEOUT}s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        sleep 0.2
    done
    rm -f "$DIR/run/server.pid"
}

status() {
    running_pid >/dev/null || exit 1
    connection_line
}

[[ $# -eq 2 ]] || usage
mkdir -p "$2"
DIR=$(cd "$2" && pwd)
mkdir -p "$DIR/run"
# One start or stop at a time per DIR (two test sessions sharing a DIR would otherwise both start a server).
exec 9>"$DIR/run/lock"
command -v flock >/dev/null && flock 9
case $1 in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) usage ;;
esac
