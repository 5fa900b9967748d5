#!/usr/bin/env bash
# make test: set up, then run the whole test suite through both runners:
#   - Odoo's own runner, as OCA's CI and integrators run an addon's tests: a new database
#     with demo data in French, `-i account_relance_fr --test-enable --test-tags
#     /account_relance_fr` (log in var/test-odoo-runner.log);
#   - pytest-odoo, on a database where the addon is installed with demo data (French and
#     English), for the addon's tests, the plain tests of its pure functions, and the
#     project's own tests (setup, packaging, install/upgrade/uninstall).
# Both run at the same time (TEST_PARALLEL=0 runs them one after the other). Extra arguments
# go to pytest. Exit status: non-zero when either runner fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/setup.sh"
[ "$(id -un)" = root ] && [ -z "${PGUSER:-}" ] && export PGUSER=root
PY="$ROOT/.venv/bin/python"
STAMP="$(date +%s)_$$"
DB="${TEST_DB:-relance_test_$STAMP}"
RUNNER_DB="relance_runner_$STAMP"
DATA_DIR="$(mktemp -d)"
RUNNER_DATA_DIR="$(mktemp -d)"
mkdir -p "$ROOT/var"
RUNNER_LOG="$ROOT/var/test-odoo-runner.log"
runner_pid=""
cleanup() {
    [ -n "$runner_pid" ] && kill "$runner_pid" 2>/dev/null || true
    dropdb --if-exists "$DB" >/dev/null 2>&1 || true
    dropdb --if-exists "$RUNNER_DB" >/dev/null 2>&1 || true
    rm -rf "$DATA_DIR" "$RUNNER_DATA_DIR"
}
[ -n "${KEEP_TEST_DB:-}" ] || trap cleanup EXIT
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

odoo_runner() {
    # a new user's database: French only, demo data; its HTTP server on a port of its own
    ODOO_DATA_DIR="$RUNNER_DATA_DIR" "$ROOT/tools/odoo.sh" -d "$RUNNER_DB" \
        -i account_relance_fr --with-demo --load-language=fr_FR \
        --test-enable --test-tags /account_relance_fr --stop-after-init \
        --http-port="$(free_port)" --log-level=info > "$RUNNER_LOG" 2>&1
}
report_runner() {
    local rc=$1
    echo "[test] Odoo's runner (--test-enable), log in var/test-odoo-runner.log:"
    grep -E "post-tests in|tests when loading database" "$RUNNER_LOG" | sed 's/^/[test]   /' || true
    if [ "$rc" != 0 ]; then
        grep -E -A30 "(FAIL|ERROR): " "$RUNNER_LOG" | head -200 || tail -50 "$RUNNER_LOG"
    fi
}

if [ "${TEST_PARALLEL:-1}" = 1 ]; then
    echo "[test] Odoo's runner started on the new database $RUNNER_DB (in the background)"
    odoo_runner &
    runner_pid=$!
fi

echo "[test] installing account_relance_fr in the throwaway database $DB"
ODOO_DATA_DIR="$DATA_DIR" "$ROOT/tools/odoo.sh" -d "$DB" \
    -i account,l10n_fr_account,account_relance_fr \
    --with-demo --load-language=fr_FR,en_US --stop-after-init --log-level=warn
ODOO_SRC="$(cat "$ROOT/.venv/.odoo_src")"
http=()
if "$PY" -c 'import websocket' 2>/dev/null && command -v chromium >/dev/null 2>&1; then
    http=(--odoo-http)
fi
cd "$ROOT"
set +e
ODOO_DATA_DIR="$DATA_DIR" "$PY" -m pytest \
    --odoo-database="$DB" \
    --odoo-addons-path="$ODOO_SRC/addons,$ROOT" \
    --odoo-extra="data-dir=$DATA_DIR" \
    --odoo-log-level="${ODOO_LOG_LEVEL:-warn}" \
    "${http[@]}" "$@"
pytest_rc=$?
if [ -n "$runner_pid" ]; then
    wait "$runner_pid"
    runner_rc=$?
    runner_pid=""
else
    echo "[test] Odoo's runner on the new database $RUNNER_DB"
    odoo_runner
    runner_rc=$?
fi
set -e
report_runner "$runner_rc"
echo "[test] pytest: $([ $pytest_rc = 0 ] && echo passed || echo "FAILED ($pytest_rc)");" \
    "Odoo's runner: $([ $runner_rc = 0 ] && echo passed || echo "FAILED ($runner_rc)")"
[ "$pytest_rc" = 0 ] && [ "$runner_rc" = 0 ]
