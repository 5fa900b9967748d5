#!/usr/bin/env bash
# Run odoo-bin from the project's virtualenv with the addon path set: tools/odoo.sh [odoo options]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
ODOO_SRC="$(cat "$VENV/.odoo_src")"
[ "$(id -un)" = root ] && [ -z "${PGUSER:-}" ] && export PGUSER=root
# a sub-command (shell, i18n, ...) goes first, before the options
command=()
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
    command=("$1")
    shift
fi
exec "$VENV/bin/python" "$ODOO_SRC/odoo-bin" "${command[@]}" \
    --addons-path="$ODOO_SRC/addons,$ROOT" \
    --data-dir="${ODOO_DATA_DIR:-$ROOT/var/data}" \
    --http-interface="${ODOO_HTTP_INTERFACE:-127.0.0.1}" \
    "$@"
