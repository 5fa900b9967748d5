#!/usr/bin/env bash
# make run: set up, create the demo database once, serve it on http://localhost:8069.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DB="${DB:-relance_demo}"
PORT="${PORT:-8069}"
bash "$ROOT/tools/setup.sh"
mkdir -p "$ROOT/var"
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
# The demo's reminders go to a local mail sink that prints them (nothing leaves the
# machine); set RELANCE_SMTP=0 to use the mail servers configured in Odoo instead.
smtp=()
if [ "${RELANCE_SMTP:-1}" = 1 ]; then
    SMTP_PORT="${SMTP_PORT:-2525}"
    "$ROOT/.venv/bin/python" -W ignore -m smtpd -n -c DebuggingServer "127.0.0.1:$SMTP_PORT" \
        > "$ROOT/var/demo-mails.log" 2>&1 &
    sink=$!
    trap 'kill $sink 2>/dev/null || true' EXIT
    smtp=(--smtp=127.0.0.1 --smtp-port="$SMTP_PORT")
    echo "[run] outgoing mails are printed to var/demo-mails.log"
fi
echo "[run] Odoo on http://localhost:$PORT (login admin / admin)"
"$ROOT/tools/odoo.sh" -d "$DB" --db-filter="^$DB\$" --http-port="$PORT" "${smtp[@]}" "$@"
