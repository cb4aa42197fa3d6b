#!/usr/bin/env bash
# A production-shaped run, called by `make test` after pytest (docs/security.md, "Operations"):
# gunicorn with config.settings.production, a real Celery worker and beat, PostgreSQL and Redis;
# a login over HTTP, a certificate PDF made by the worker, the security headers and cookies, the
# HTTPS redirect, /healthz, and `manage.py check --deploy --fail-level WARNING`. Everything it
# starts is stopped on exit, and its scratch database and Redis DB are removed.
#
# Needs DATABASE_URL (a PostgreSQL server: a scratch database prod_smoke_<pid> is created on it)
# and REDIS_URL (the run uses DB number PROD_SMOKE_REDIS_DB, default 15, of that server, and
# flushes it), as exported by scripts/test-services.sh. The same commands as docker-compose.yml.
#
# Requests go through the TLS-terminating proxy's header (X-Forwarded-Proto: https, trusted by
# SECURE_PROXY_SSL_HEADER) over loopback HTTP, so SECURE_SSL_REDIRECT, HSTS and Secure cookies stay
# as in production; nothing is turned off for the test.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?DATABASE_URL must point at PostgreSQL (scripts/test-services.sh sets it)}"
: "${REDIS_URL:?REDIS_URL must point at Redis (scripts/test-services.sh sets it)}"
PY=${PY:-.venv/bin/python}
BIN=$(dirname "$PY")
started=$SECONDS

tmp=$(mktemp -d "${TMPDIR:-/tmp}/prod-smoke.XXXXXX")
server_url=${DATABASE_URL%/*}
db=prod_smoke_$$
pids=()

log() { printf 'prod-smoke: [%3d s] %s\n' "$((SECONDS - started))" "$*" >&2; }

admin_sql() {  # run one statement on the server's postgres database (autocommit)
    "$PY" - "$server_url/postgres" "$1" <<'EOF'
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    conn.execute(sys.argv[2])
EOF
}

cleanup() {
    local status=$? pid watchdog
    # Each service runs in its own process group (setsid): the group's signal reaches gunicorn's
    # and Celery's children too, so nothing is left behind even after a SIGKILL.
    for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
    # Up to 10 s for all of them together, then SIGKILL to the groups.
    (
        sleep 10
        for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
    ) &
    watchdog=$!
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    kill "$watchdog" 2>/dev/null || true
    for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done  # stragglers
    if ((status != 0)); then
        for f in "$tmp"/*.log; do
            [[ -f "$f" ]] || continue
            log "---- last lines of $(basename "$f")"
            tail -n 30 "$f" >&2 || true
        done
    fi
    admin_sql "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    "$PY" -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$REDIS_URL" 2>/dev/null || true
    rm -rf -- "$tmp"
    log "stopped everything ($((SECONDS - started)) s, exit $status)"
}
trap cleanup EXIT

free_port() {
    "$PY" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"
}

export DJANGO_SETTINGS_MODULE=config.settings.production
export DATABASE_URL="$server_url/$db"
redis_server=$REDIS_URL
[[ "$redis_server" =~ /[0-9]+$ ]] && redis_server=${redis_server%/*}
export REDIS_URL="${redis_server%/}/${PROD_SMOKE_REDIS_DB:-15}"
SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
PERSONAL_DATA_KEYS=$("$PY" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')
PERSONAL_DATA_HASH_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(48))')
export SECRET_KEY PERSONAL_DATA_KEYS PERSONAL_DATA_HASH_KEY
export ALLOWED_HOSTS=127.0.0.1,localhost
export SITE_URL=https://hr.park.example.cn  # links in API answers and QR codes (issue 15)
export MEDIA_ROOT="$tmp/media"
export BACKUP_DIR="$tmp/backups"
export EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend
unset CELERY_TASK_ALWAYS_EAGER DEBUG SECURE_SSL_REDIRECT

log "scratch database $db, Redis ${REDIS_URL##*/}"
admin_sql "CREATE DATABASE $db"
"$PY" -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$REDIS_URL"

"$PY" manage.py check --deploy --fail-level WARNING
log "check --deploy: no warning"
"$PY" manage.py migrate --noinput -v 0
log "migrated"
# Static files as in the image (whitenoise's compressed manifest). Collecting and compressing them
# takes minutes on a busy machine, so it is redone only when the sources or requirements change.
static_stamp=$( { find static apps -path '*/static/*' -type f -printf '%p %s %T@\n' | sort; cat requirements/*.txt; } \
    | sha256sum | cut -d' ' -f1)
if [[ -f staticfiles/staticfiles.json && "$(cat staticfiles/.prod-smoke-stamp 2>/dev/null)" == "$static_stamp" ]]; then
    log "static files: collected already"
else
    "$PY" manage.py collectstatic --noinput -v 0
    echo "$static_stamp" >staticfiles/.prod-smoke-stamp
    log "static files collected"
fi

port=$(free_port)
# The commands of docker-compose.yml (web, worker, beat), bound to loopback.
setsid "$BIN/gunicorn" config.wsgi:application --bind "127.0.0.1:$port" --workers 2 --timeout 60 \
    --access-logfile "$tmp/access.log" >"$tmp/gunicorn.log" 2>&1 &
pids+=($!)
setsid "$BIN/celery" -A config worker --loglevel=INFO --concurrency=1 -Q celery,imports,documents,notifications \
    >"$tmp/worker.log" 2>&1 &
pids+=($!)
setsid "$BIN/celery" -A config beat --loglevel=INFO --schedule="$tmp/celerybeat-schedule" >"$tmp/beat.log" 2>&1 &
pids+=($!)

read -r username password number < <("$PY" scripts/prod_smoke.py setup)
log "certificate $number issued; its PDF is queued to the worker"

for _ in $(seq 1 120); do
    "$PY" -c "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$port" \
        2>/dev/null && break
    sleep 0.25
done
"$PY" scripts/prod_smoke.py http "http://127.0.0.1:$port" "$username" "$password" "$number"

for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { log "a process died during the run"; exit 1; }
done
grep -q "beat: Starting" "$tmp/beat.log" || { log "celery beat did not start"; exit 1; }
log "passed in $((SECONDS - started)) s"
