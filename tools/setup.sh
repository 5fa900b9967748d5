#!/usr/bin/env bash
# Steps 1-3 shared by `make run` and `make test`:
#   1. a virtualenv in .venv with Odoo 19.0 (from $ODOO_SRC, /opt/odoo, or Odoo's official source
#      archive), the pinned dependencies and pytest-odoo;
#   2. wkhtmltopdf (PDF reports) and chromium (browser tours) through apt when missing and we are root;
#   3. a PostgreSQL server that answers (PG* variables honoured, a stopped local cluster started).
# Idempotent: running it again reuses what exists.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
ODOO_ARCHIVE_URL="${ODOO_ARCHIVE_URL:-https://nightly.odoo.com/19.0/nightly/src/odoo_19.0.latest.tar.gz}"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
die() { printf '\033[31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- 1. Python and Odoo
if [ -z "${ODOO_SRC:-}" ] && [ -f /opt/odoo/odoo/release.py ]; then
    ODOO_SRC=/opt/odoo
fi
if [ ! -x "$VENV/bin/python" ]; then
    say "creating the virtualenv $VENV"
    "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
stamp="$VENV/.requirements.sha"
want="$(sha256sum "$ROOT/requirements.txt" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "installing the pinned Python dependencies (requirements.txt)"
    "$PY" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements.txt"
    echo "$want" > "$stamp"
fi
if [ -z "${ODOO_SRC:-}" ]; then
    ODOO_SRC="$VENV/src/odoo"
    if [ ! -f "$ODOO_SRC/odoo/release.py" ]; then
        say "downloading Odoo 19.0 from its official source archive"
        mkdir -p "$ODOO_SRC"
        curl -fsSL "$ODOO_ARCHIVE_URL" | tar -xz -C "$ODOO_SRC" --strip-components=1 \
            || die "could not download Odoo 19.0; set ODOO_SRC to an Odoo 19.0 source tree"
    fi
fi
[ -f "$ODOO_SRC/odoo/release.py" ] || die "ODOO_SRC=$ODOO_SRC is not an Odoo source tree"
grep -q "version_info = (19, 0" "$ODOO_SRC/odoo/release.py" || die "ODOO_SRC=$ODOO_SRC is not Odoo 19.0"
site="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "$ODOO_SRC" > "$site/odoo-src.pth"
echo "$ODOO_SRC" > "$VENV/.odoo_src"
"$PY" -c 'import odoo.release as r; assert r.version_info[:2] == (19, 0)' \
    || die "Odoo does not import from $ODOO_SRC"
say "Odoo 19.0 from $ODOO_SRC"

# ---------------------------------------------------------------- 2. system packages
missing=()
command -v wkhtmltopdf >/dev/null 2>&1 || missing+=(wkhtmltopdf)
if [ "${SETUP_BROWSER:-1}" = 1 ]; then
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
        || command -v google-chrome >/dev/null 2>&1 || missing+=(chromium)
    # pdftoppm and pdftotext: the tests read the printed documents page by page
    command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
fi
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing ${missing[*]} with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" fonts-dejavu-core >/dev/null
    else
        say "WARNING: please install ${missing[*]} (e.g. sudo apt-get install ${missing[*]})"
    fi
fi

# ---------------------------------------------------------------- 3. PostgreSQL
pg_ok() { psql -X -q -d "${PGDATABASE:-postgres}" -c 'select 1' >/dev/null 2>&1; }
command -v psql >/dev/null 2>&1 || die "PostgreSQL client missing: sudo apt-get install postgresql"
if [ -z "${PGUSER:-}" ] && [ "$(id -un)" = root ]; then
    # Odoo refuses the 'postgres' superuser; run as a role named like the OS user.
    export PGUSER=root
fi
if ! pg_ok; then
    if [ -z "${PGHOST:-}" ] && command -v pg_lsclusters >/dev/null 2>&1 && [ -n "$(pg_lsclusters -h 2>/dev/null)" ]; then
        pg_lsclusters -h | while read -r ver name port status _; do
            if [ "$status" != online ]; then
                say "starting the local PostgreSQL cluster $ver/$name"
                if [ "$(id -u)" = 0 ]; then
                    pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start || true
                else
                    sudo -n pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start || true
                fi
            fi
        done
        for _ in 1 2 3 4 5 6 7 8 9 10; do pg_ok && break; sleep 1; done
    fi
fi
if ! pg_ok; then
    # the server may answer while our role does not exist yet
    if [ -z "${PGHOST:-}" ] && [ "$(id -u)" = 0 ] && su postgres -c "psql -X -q -c 'select 1'" >/dev/null 2>&1; then
        say "creating the PostgreSQL role $PGUSER"
        su postgres -c "createuser --superuser '$PGUSER'" || true
    fi
fi
pg_ok || die "no PostgreSQL server answers. Install and start one (sudo apt-get install postgresql),
or point PGHOST/PGPORT/PGUSER/PGPASSWORD at a server where you may create databases."
say "PostgreSQL answers (${PGHOST:-local socket}, role ${PGUSER:-$(id -un)})"
