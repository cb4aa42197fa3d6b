#!/usr/bin/env bash
# Install what `make run` (bootstrap.sh run) or `make test` (bootstrap.sh test) needs on a fresh
# Debian 12 machine, and nothing that is already there. Safe to run any number of times.
#   - Debian packages (as root: installed; otherwise: the exact apt line is printed);
#   - .venv with the pinned Python dependencies (reinstalled only when requirements change);
#   - compiled translations.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-run}"
RUN_PACKAGES=(python3 python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk gettext)
TEST_PACKAGES=(chromium postgresql redis-server)

packages=("${RUN_PACKAGES[@]}")
[[ "$mode" == "test" ]] && packages+=("${TEST_PACKAGES[@]}")

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done
# A Python 3.11 from elsewhere (pyenv, a container image) with a working venv module will do.
if [[ ${#missing[@]} -gt 0 ]]; then
    keep=()
    for pkg in "${missing[@]}"; do
        case "$pkg" in
            python3|python3-venv) python3.11 -c "import venv, ensurepip" >/dev/null 2>&1 || keep+=("$pkg") ;;
            postgresql) [[ -n "${DATABASE_URL:-}" ]] || command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || keep+=("$pkg") ;;
            redis-server) [[ -n "${REDIS_URL:-}" ]] || command -v redis-server >/dev/null 2>&1 || keep+=("$pkg") ;;
            *) keep+=("$pkg") ;;
        esac
    done
    missing=("${keep[@]+"${keep[@]}"}")
fi
if [[ ${#missing[@]} -gt 0 ]]; then
    if [[ "${EUID:-$(id -u)}" -eq 0 ]]; then
        echo "bootstrap: installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
            apt-get update -qq && apt-get install -y --no-install-recommends "${missing[@]}"
        }
    else
        echo "bootstrap: missing system packages. Run this, then try again:" >&2
        echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
fi

PY="$(command -v python3.11 || command -v python3)"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "bootstrap: Python 3.11 is required, found $("$PY" --version)" >&2
    exit 1
fi
if [[ ! -x .venv/bin/python ]]; then
    echo "bootstrap: creating .venv"
    "$PY" -m venv .venv
fi

req="requirements/base.txt"
[[ "$mode" == "test" ]] && req="requirements/dev.txt"
stamp=".venv/.installed-$(basename "$req" .txt)"
digest="$(cat requirements/*.txt | sha256sum | cut -d' ' -f1)"
if [[ ! -f "$stamp" ]] || [[ "$(cat "$stamp")" != "$digest" ]]; then
    echo "bootstrap: installing Python packages from $req"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req"
    echo "$digest" > "$stamp"
fi

# Compile translations when a .po is newer than its .mo.
for po in locale/*/LC_MESSAGES/*.po; do
    [[ -e "$po" ]] || continue
    mo="${po%.po}.mo"
    if [[ ! -f "$mo" || "$po" -nt "$mo" ]]; then
        msgfmt --check -o "$mo" "$po"
    fi
done
