# shellcheck shell=bash
#
# Make a PostgreSQL and a Redis available for the test suite and export
# DATABASE_URL and REDIS_URL.  Meant to be *sourced* from bash:
#
#     . scripts/test-services.sh          # exports DATABASE_URL / REDIS_URL
#     trap test_services_cleanup EXIT     # (also set here already)
#
# For each service, in order:
#   1. keep DATABASE_URL / REDIS_URL if already set in the environment;
#   2. use a server answering on 127.0.0.1:5432 / 127.0.0.1:6379;
#   3. start a throw-away server in a temp dir on a free port
#      (PostgreSQL from 55432 upward, Redis from 56379 upward).
# TEST_SERVICES_FORCE_TEMP=1 skips steps 1 and 2 for both services.
# test_services_cleanup stops only what this script started and removes its
# temp dirs.  Safe under `set -euo pipefail` in the caller.

if [ -z "${BASH_VERSION:-}" ]; then
    echo "test-services.sh: needs bash (set SHELL := bash in the Makefile)" >&2
    # shellcheck disable=SC2317
    return 1 2>/dev/null || exit 1
fi

if [[ "${BASH_SOURCE[0]}" == "${0}" ]]; then
    echo "test-services.sh: source it instead: . ${BASH_SOURCE[0]}" >&2
    exit 2
fi

_ts_log() {
    printf '%s\n' "$*" >&2
}

_ts_have() {
    command -v "$1" >/dev/null 2>&1
}

_ts_is_root() {
    [[ "${EUID:-$(id -u)}" -eq 0 ]]
}

# True if something accepts TCP connections on host:port.
_ts_tcp_open() {
    local host=$1 port=$2
    if _ts_have timeout; then
        # shellcheck disable=SC2016  # expanded by the inner bash
        timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null
    else
        (exec 3<>"/dev/tcp/${host}/${port}") 2>/dev/null
    fi
}

# First port >= $1 on which nothing listens on 127.0.0.1.
_ts_free_port() {
    local port=$1 last=$(($1 + 200))
    while ((port <= last)); do
        if ! _ts_tcp_open 127.0.0.1 "$port"; then
            printf '%s\n' "$port"
            return 0
        fi
        port=$((port + 1))
    done
    return 1
}

# Run a command as the postgres system user when we are root (initdb and
# postgres refuse to run as root), as ourselves otherwise.
_ts_as_pg() {
    if _ts_is_root; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# apt-get install with one `apt-get update` retry (for images without lists).
_ts_apt_install() {
    local pkg=$1
    if DEBIAN_FRONTEND=noninteractive apt-get install -y "$pkg" >&2; then
        return 0
    fi
    _ts_log "apt-get install ${pkg} failed; running apt-get update and retrying"
    DEBIAN_FRONTEND=noninteractive apt-get update >&2 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y "$pkg" >&2
}

# ----------------------------------------------------------------- PostgreSQL

# Sets _TS_INITDB, _TS_PGCTL and _TS_PGISREADY (the latter may stay empty).
_ts_find_pg_bin() {
    local d
    _TS_INITDB="" _TS_PGCTL="" _TS_PGISREADY=""
    while IFS= read -r d; do
        if [[ -x "${d}/initdb" && -x "${d}/pg_ctl" ]]; then
            _TS_INITDB="${d}/initdb"
            _TS_PGCTL="${d}/pg_ctl"
            if [[ -x "${d}/pg_isready" ]]; then
                _TS_PGISREADY="${d}/pg_isready"
            fi
            break
        fi
    done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -rV)
    if [[ -z "$_TS_INITDB" ]] && _ts_have initdb && _ts_have pg_ctl; then
        _TS_INITDB=$(command -v initdb)
        _TS_PGCTL=$(command -v pg_ctl)
    fi
    if [[ -z "$_TS_PGISREADY" ]] && _ts_have pg_isready; then
        _TS_PGISREADY=$(command -v pg_isready)
    fi
    [[ -n "$_TS_INITDB" ]]
}

# True if a PostgreSQL accepts connections on host:port.
_ts_pg_ready() {
    local host=$1 port=$2 isready=${_TS_PGISREADY:-}
    if [[ -z "$isready" ]] && _ts_have pg_isready; then
        isready=$(command -v pg_isready)
    fi
    if [[ -n "$isready" ]]; then
        "$isready" -q -t 3 -h "$host" -p "$port" >/dev/null 2>&1
    else
        _ts_tcp_open "$host" "$port"
    fi
}

_ts_ensure_postgres_user() {
    if id -u postgres >/dev/null 2>&1; then
        return 0
    fi
    _ts_log "postgres: creating system user postgres"
    useradd --system --user-group --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin postgres
}

_ts_locale_for_initdb() {
    if _ts_have locale && locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
        printf '%s\n' C.UTF-8
    else
        printf '%s\n' C
    fi
}

_ts_start_postgres() {
    local dir loc port attempt

    if ! _ts_find_pg_bin; then
        if _ts_is_root && _ts_have apt-get; then
            _ts_log "postgres: initdb/pg_ctl not found, running: apt-get install -y postgresql"
            if ! _ts_apt_install postgresql || ! _ts_find_pg_bin; then
                _ts_log "postgres: could not install PostgreSQL"
                return 1
            fi
        else
            _ts_log "postgres: initdb/pg_ctl not found; install them with: sudo apt-get install -y postgresql"
            return 1
        fi
    fi

    if _ts_is_root; then
        if ! _ts_have runuser; then
            _ts_log "postgres: runuser not found (needed to run initdb as postgres)"
            return 1
        fi
        _ts_ensure_postgres_user || return 1
    fi

    dir=$(mktemp -d "${TMPDIR:-/tmp}/test-services-pg.XXXXXX") || return 1
    _TS_PG_DIR=$dir
    if _ts_is_root; then
        chown postgres: "$dir" || return 1
        if ! runuser -u postgres -- test -w "$dir" 2>/dev/null; then
            # e.g. TMPDIR below /root: not reachable for postgres, use /tmp.
            rm -rf -- "$dir"
            dir=$(mktemp -d /tmp/test-services-pg.XXXXXX) || return 1
            _TS_PG_DIR=$dir
            chown postgres: "$dir" || return 1
        fi
    fi

    loc=$(_ts_locale_for_initdb)
    if ! _ts_as_pg "$_TS_INITDB" -D "${dir}/data" -A trust -U postgres \
        --encoding=UTF8 --locale="$loc" >"${dir}/initdb.log" 2>&1; then
        if [[ "$loc" == C ]]; then
            _ts_log "postgres: initdb failed:"
            tail -n 20 "${dir}/initdb.log" >&2 || true
            return 1
        fi
        _ts_as_pg rm -rf -- "${dir}/data" || true
        if ! _ts_as_pg "$_TS_INITDB" -D "${dir}/data" -A trust -U postgres \
            --encoding=UTF8 --locale=C >"${dir}/initdb.log" 2>&1; then
            _ts_log "postgres: initdb failed:"
            tail -n 20 "${dir}/initdb.log" >&2 || true
            return 1
        fi
    fi

    port=55432
    for attempt in 1 2 3; do
        if ! port=$(_ts_free_port "$port"); then
            _ts_log "postgres: no free port found from 55432 upward"
            return 1
        fi
        if _ts_as_pg "$_TS_PGCTL" -D "${dir}/data" -l "${dir}/postgres.log" \
            -w -t 60 \
            -o "-p ${port} -c listen_addresses=127.0.0.1 -k '${dir}' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >"${dir}/pg_ctl.log" 2>&1; then
            break
        fi
        if ((attempt == 3)); then
            _ts_log "postgres: pg_ctl start failed:"
            tail -n 20 "${dir}/pg_ctl.log" "${dir}/postgres.log" >&2 2>/dev/null || true
            return 1
        fi
        port=$((port + 1))
    done

    for _ in $(seq 1 60); do
        if _ts_pg_ready 127.0.0.1 "$port"; then
            _TS_PG_PORT=$port
            _TS_SET_DATABASE_URL=1
            export DATABASE_URL="postgres://postgres@127.0.0.1:${port}/postgres"
            _ts_log "postgres: started throw-away cluster on 127.0.0.1:${port} (${dir})"
            return 0
        fi
        sleep 0.5
    done
    _ts_log "postgres: throw-away cluster on port ${port} did not become ready"
    tail -n 20 "${dir}/postgres.log" >&2 2>/dev/null || true
    return 1
}

_ts_setup_postgres() {
    if [[ -n "${_TS_PG_DIR:-}" ]]; then
        _ts_log "postgres: throw-away cluster already started (${DATABASE_URL:-})"
        return 0
    fi
    if [[ "${TEST_SERVICES_FORCE_TEMP:-0}" != 1 ]]; then
        if [[ -n "${DATABASE_URL:-}" ]]; then
            _ts_log "postgres: using DATABASE_URL from the environment"
            return 0
        fi
        _ts_find_pg_bin || true  # also finds pg_isready outside PATH
        if _ts_pg_ready 127.0.0.1 5432; then
            export DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres"
            _ts_log "postgres: using 127.0.0.1:5432"
            return 0
        fi
    fi
    _ts_start_postgres
}

# ---------------------------------------------------------------------- Redis

# True if a Redis answers PING with PONG on host:port.
_ts_redis_ping() {
    local host=$1 port=$2 reply=""
    if _ts_have redis-cli; then
        if _ts_have timeout; then
            reply=$(timeout 5 redis-cli -h "$host" -p "$port" ping 2>/dev/null) || reply=""
        else
            reply=$(redis-cli -h "$host" -p "$port" ping 2>/dev/null) || reply=""
        fi
        [[ "$reply" == PONG ]]
        return
    fi
    # No redis-cli: speak RESP over /dev/tcp.
    (
        exec 3<>"/dev/tcp/${host}/${port}" || exit 1
        printf 'PING\r\n' >&3
        IFS= read -r -t 3 reply <&3 || exit 1
        [[ "$reply" == "+PONG"* ]]
    ) 2>/dev/null
}

_ts_start_redis() {
    local dir port pid=""

    if ! _ts_have redis-server; then
        if _ts_is_root && _ts_have apt-get; then
            _ts_log "redis: redis-server not found, running: apt-get install -y redis-server"
            if ! _ts_apt_install redis-server || ! _ts_have redis-server; then
                _ts_log "redis: could not install redis-server"
                return 1
            fi
        else
            _ts_log "redis: redis-server not found; install it with: sudo apt-get install -y redis-server"
            return 1
        fi
    fi

    dir=$(mktemp -d "${TMPDIR:-/tmp}/test-services-redis.XXXXXX") || return 1
    _TS_REDIS_DIR=$dir

    if ! port=$(_ts_free_port 56379); then
        _ts_log "redis: no free port found from 56379 upward"
        return 1
    fi
    if ! redis-server --port "$port" --save "" --appendonly no --daemonize yes \
        --bind 127.0.0.1 --pidfile "${dir}/redis.pid" --dir "$dir" \
        --logfile "${dir}/redis.log" >"${dir}/start.log" 2>&1; then
        _ts_log "redis: redis-server failed to start:"
        tail -n 20 "${dir}/start.log" "${dir}/redis.log" >&2 2>/dev/null || true
        return 1
    fi
    _TS_REDIS_PORT=$port

    for _ in $(seq 1 60); do
        if [[ -z "$pid" && -s "${dir}/redis.pid" ]]; then
            pid=$(<"${dir}/redis.pid") || pid=""
            _TS_REDIS_PID=$pid
        fi
        if [[ -n "$pid" ]] && _ts_redis_ping 127.0.0.1 "$port"; then
            _TS_SET_REDIS_URL=1
            export REDIS_URL="redis://127.0.0.1:${port}/0"
            _ts_log "redis: started throw-away server on 127.0.0.1:${port} (${dir})"
            return 0
        fi
        sleep 0.25
    done
    _ts_log "redis: throw-away server on port ${port} did not answer PING"
    tail -n 20 "${dir}/redis.log" >&2 2>/dev/null || true
    return 1
}

_ts_setup_redis() {
    if [[ -n "${_TS_REDIS_DIR:-}" ]]; then
        _ts_log "redis: throw-away server already started (${REDIS_URL:-})"
        return 0
    fi
    if [[ "${TEST_SERVICES_FORCE_TEMP:-0}" != 1 ]]; then
        if [[ -n "${REDIS_URL:-}" ]]; then
            _ts_log "redis: using REDIS_URL from the environment"
            return 0
        fi
        if _ts_redis_ping 127.0.0.1 6379; then
            export REDIS_URL="redis://127.0.0.1:6379/0"
            _ts_log "redis: using 127.0.0.1:6379"
            return 0
        fi
    fi
    _ts_start_redis
}

# -------------------------------------------------------------------- Cleanup

# Stop what this script started and remove its temp dirs.  Idempotent; never
# fails (it runs from an EXIT trap, possibly under set -e).
test_services_cleanup() {
    local pid=""

    if [[ -n "${_TS_PG_DIR:-}" ]]; then
        if [[ -f "${_TS_PG_DIR}/data/postmaster.pid" ]]; then
            _ts_as_pg "${_TS_PGCTL:-pg_ctl}" -D "${_TS_PG_DIR}/data" -m fast -w -t 30 \
                stop >/dev/null 2>&1 || true
            if [[ -f "${_TS_PG_DIR}/data/postmaster.pid" ]]; then
                pid=$(head -n 1 "${_TS_PG_DIR}/data/postmaster.pid" 2>/dev/null) || pid=""
                if [[ "$pid" =~ ^[0-9]+$ ]]; then
                    kill -KILL "$pid" 2>/dev/null || true
                fi
            fi
        fi
        rm -rf -- "${_TS_PG_DIR}" || true
        if [[ -n "${_TS_SET_DATABASE_URL:-}" ]]; then
            unset DATABASE_URL
        fi
        unset _TS_PG_DIR _TS_PG_PORT _TS_SET_DATABASE_URL
    fi

    if [[ -n "${_TS_REDIS_DIR:-}" ]]; then
        pid=${_TS_REDIS_PID:-}
        if [[ -z "$pid" && -s "${_TS_REDIS_DIR}/redis.pid" ]]; then
            pid=$(<"${_TS_REDIS_DIR}/redis.pid") || pid=""
        fi
        if [[ "$pid" =~ ^[0-9]+$ ]]; then
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 1 40); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.25
            done
            if kill -0 "$pid" 2>/dev/null; then
                kill -KILL "$pid" 2>/dev/null || true
            fi
        elif [[ -n "${_TS_REDIS_PORT:-}" ]] && _ts_have redis-cli; then
            redis-cli -h 127.0.0.1 -p "${_TS_REDIS_PORT}" shutdown nosave >/dev/null 2>&1 || true
        fi
        rm -rf -- "${_TS_REDIS_DIR}" || true
        if [[ -n "${_TS_SET_REDIS_URL:-}" ]]; then
            unset REDIS_URL
        fi
        unset _TS_REDIS_DIR _TS_REDIS_PORT _TS_REDIS_PID _TS_SET_REDIS_URL
    fi
    return 0
}

# Install test_services_cleanup as EXIT trap, keeping an existing EXIT trap.
_ts_install_trap() {
    local prev
    local -a words=()
    prev=$(trap -p EXIT)
    if [[ -z "$prev" ]]; then
        trap test_services_cleanup EXIT
    elif [[ "$prev" != *test_services_cleanup* ]]; then
        # prev looks like: trap -- 'command' EXIT
        eval "words=(${prev})"
        # shellcheck disable=SC2064  # expand the previous command now
        trap "test_services_cleanup; ${words[2]}" EXIT
    fi
}

# ----------------------------------------------------------------------- Main

_ts_main() {
    _ts_setup_postgres || return 1
    _ts_setup_redis || return 1
}

_ts_install_trap
if ! _ts_main; then
    test_services_cleanup
    return 1
fi
