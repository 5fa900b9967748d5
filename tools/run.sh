#!/usr/bin/env bash
# make run: set up, create the demo database once, serve it on http://localhost:8069.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DB="${DB:-relance_demo}"
PORT="${PORT:-8069}"
bash "$ROOT/tools/setup.sh"
[ "$(id -un)" = root ] && [ -z "${PGUSER:-}" ] && export PGUSER=root
installed="$(psql -X -Atq -d "$DB" -c "select state from ir_module_module where name = 'account_relance_fr'" 2>/dev/null || true)"
if [ "$installed" != installed ]; then
    echo "[run] creating the demo database $DB (account, l10n_fr_account, account_relance_fr, demo data)"
    dropdb --if-exists "$DB"
    "$ROOT/tools/odoo.sh" -d "$DB" -i account,l10n_fr_account,account_relance_fr \
        --with-demo --load-language=fr_FR,en_US --stop-after-init --log-level=warn
    # admin / admin, as the README says
    "$ROOT/tools/odoo.sh" shell -d "$DB" --no-http --log-level=warn <<'PY'
env.ref("base.user_admin").password = "admin"
env.cr.commit()
PY
else
    echo "[run] reusing the demo database $DB (make reset drops it)"
fi
echo "[run] Odoo on http://localhost:$PORT (login admin / admin)"
exec "$ROOT/tools/odoo.sh" -d "$DB" --db-filter="^$DB\$" --http-port="$PORT" "$@"
