#!/usr/bin/env bash
# make test: set up, install the addon in a fresh throwaway database, run the whole suite.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/setup.sh"
[ "$(id -un)" = root ] && [ -z "${PGUSER:-}" ] && export PGUSER=root
DB="${TEST_DB:-relance_test_$(date +%s)_$$}"
DATA_DIR="$(mktemp -d)"
export ODOO_DATA_DIR="$DATA_DIR"
cleanup() {
    dropdb --if-exists "$DB" >/dev/null 2>&1 || true
    rm -rf "$DATA_DIR"
}
[ -n "${KEEP_TEST_DB:-}" ] || trap cleanup EXIT
echo "[test] installing account_relance_fr in the throwaway database $DB"
"$ROOT/tools/odoo.sh" -d "$DB" -i account,l10n_fr_account,account_relance_fr \
    --with-demo --load-language=fr_FR,en_US --stop-after-init --log-level=warn
ODOO_SRC="$(cat "$ROOT/.venv/.odoo_src")"
http=()
if "$ROOT/.venv/bin/python" -c 'import websocket' 2>/dev/null && command -v chromium >/dev/null 2>&1; then
    http=(--odoo-http)
fi
cd "$ROOT"
set +e
"$ROOT/.venv/bin/python" -m pytest \
    --odoo-database="$DB" \
    --odoo-addons-path="$ODOO_SRC/addons,$ROOT" \
    --odoo-extra="data-dir=$DATA_DIR" \
    --odoo-log-level="${ODOO_LOG_LEVEL:-warn}" \
    "${http[@]}" "$@"
rc=$?
set -e
exit $rc
