#!/usr/bin/env bash
# Regenerate the translation template of account_relance_fr and merge it into the French catalogue.
#
#   tools/i18n_update.sh           install the addon (no demo data) in a throwaway database, export
#                                  account_relance_fr/i18n/account_relance_fr.pot, merge it into
#                                  account_relance_fr/i18n/fr.po (existing translations kept, new
#                                  strings added untranslated, near matches of removed strings
#                                  proposed as fuzzy, removed strings dropped), then drop the database.
#   tools/i18n_update.sh --check   same export into a temporary file; writes nothing, fails when the
#                                  .pot is stale or fr.po has untranslated/fuzzy/inconsistent entries.
#
# Rerun it whenever the module's strings change, then translate the entries it reports (msgstr ""
# or "#, fuzzy") and remove the fuzzy flags. It only needs the project's virtualenv (polib is an
# Odoo dependency) and a PostgreSQL server where we may create databases.
# Environment: I18N_DB (database name, default relance_i18n_<pid>), KEEP_I18N_DB=1 (do not drop it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
ODOO_SRC="$(cat "$VENV/.odoo_src")"
MODULE=account_relance_fr
I18N_DIR="$ROOT/$MODULE/i18n"
POT="$I18N_DIR/$MODULE.pot"
PO="$I18N_DIR/fr.po"
[ "$(id -un)" = root ] && [ -z "${PGUSER:-}" ] && export PGUSER=root

CHECK=0
case "${1:-}" in
    "") ;;
    --check) CHECK=1 ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

say() { printf '\033[1m[i18n]\033[0m %s\n' "$*"; }

DB="${I18N_DB:-relance_i18n_$$}"
# never reuse (and then drop) a database that is not ours
if [ "$(psql -X -tA -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" = 1 ]; then
    echo "[i18n] the database $DB already exists; choose another I18N_DB" >&2
    exit 1
fi
TMP="$(mktemp -d)"
export ODOO_DATA_DIR="$TMP/data"
cleanup() {
    if [ -z "${KEEP_I18N_DB:-}" ]; then
        dropdb --if-exists "$DB" >/dev/null 2>&1 || true
    else
        say "database $DB kept (KEEP_I18N_DB)"
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

say "installing $MODULE without demo data in the throwaway database $DB"
"$ROOT/tools/odoo.sh" -d "$DB" -i "$MODULE" --without-demo --load-language=fr_FR \
    --stop-after-init --log-level=warn

# Odoo 19 dropped the server's --i18n-export option in favour of the `odoo-bin i18n export`
# sub-command. tools/odoo.sh cannot run sub-commands (they must come right after --addons-path and
# it puts --data-dir in between), so give the sub-command the same paths through a config file.
CONF="$TMP/odoo.conf"
cat > "$CONF" <<EOF
[options]
addons_path = $ODOO_SRC/addons,$ROOT
data_dir = $ODOO_DATA_DIR
log_level = warn
EOF
EXPORTED="$TMP/$MODULE.pot"
say "exporting the translation template"
"$PY" "$ODOO_SRC/odoo-bin" i18n export -c "$CONF" -d "$DB" -o "$EXPORTED" "$MODULE"
[ -s "$EXPORTED" ] || { echo "[i18n] the export produced no template" >&2; exit 1; }

say "merging into $(realpath --relative-to="$ROOT" "$PO")"
"$PY" - "$EXPORTED" "$POT" "$PO" "$CHECK" <<'PYEOF'
import difflib
import re
import sys
from pathlib import Path

import polib

exported_path, pot_path, po_path, check = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4] == "1"
WRAP = 78
DATE_KEYS = ("POT-Creation-Date", "PO-Revision-Date")


def body(pofile):
    """Catalogue content without the header dates, to avoid rewriting unchanged files."""
    meta = {k: v for k, v in pofile.metadata.items() if k not in DATE_KEYS}
    return (sorted(meta.items()), [str(e) for e in pofile])


# ---------------------------------------------------------------- consistency checks
PLACEHOLDER_RE = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx%]|\{\{.*?\}\}|\$\{[^}]*\}")
TAG_RE = re.compile(r"<(/?)([\w:.-]+)((?:\s+[^\s=>/]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*(/?)>")
ATTR_RE = re.compile(r"""([^\s=>/]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
try:  # the attributes Odoo translates inside views and templates
    from odoo.tools.translate import TRANSLATED_ATTRS
except ImportError:
    TRANSLATED_ATTRS = {"string", "help", "placeholder", "alt", "title", "aria-label", "label",
                        "data-tooltip", "confirm", "sum", "avg"}


def markup(text):
    """The tags of a term, in any order, with their attributes verbatim except the translatable
    ones (title, placeholder, ...) whose value may change: QWeb t-* attributes, classes, invisible
    conditions... must be kept as they are."""
    out = []
    for closing, name, attrs, selfclosing in TAG_RE.findall(text):
        kept = tuple(sorted(
            aname if aname in TRANSLATED_ATTRS else f"{aname}={aval}"
            for aname, aval in ATTR_RE.findall(attrs)
        ))
        out.append((closing, name, kept, selfclosing))
    return sorted(out)


def problems(entry):
    found = []
    if not entry.msgstr:
        return found
    if sorted(PLACEHOLDER_RE.findall(entry.msgid)) != sorted(PLACEHOLDER_RE.findall(entry.msgstr)):
        found.append("placeholders differ")
    if "<" in entry.msgid or "<" in entry.msgstr:
        if markup(entry.msgid) != markup(entry.msgstr):
            found.append("HTML tags / QWeb attributes differ")
    return found


def report(po):
    live = [e for e in po if not e.obsolete]
    untranslated = [e for e in live if not e.msgstr]
    fuzzy = [e for e in live if "fuzzy" in e.flags]
    bad = [(e, p) for e in live for p in [problems(e)] if p]
    print(f"[i18n] fr.po: {len(live)} entries, {len(live) - len(untranslated) - len(fuzzy)} translated, "
          f"{len(untranslated)} untranslated, {len(fuzzy)} fuzzy, {len(bad)} inconsistent")
    for label, entries in (("untranslated", untranslated), ("fuzzy", fuzzy)):
        for e in entries[:50]:
            print(f"[i18n]   {label}: {e.msgid[:100]!r}")
    for e, p in bad:
        print(f"[i18n]   {', '.join(p)}: {e.msgid[:100]!r}")
    return not (untranslated or fuzzy or bad)


exported = polib.pofile(exported_path, wrapwidth=WRAP)
if not len(exported):
    sys.exit("[i18n] the exported template is empty")

# ---------------------------------------------------------------- template
old_pot = polib.pofile(str(pot_path), wrapwidth=WRAP) if pot_path.exists() else None
pot_changed = old_pot is None or body(old_pot) != body(exported)
if pot_changed:
    print(f"[i18n] {pot_path.name}: {'stale' if check else 'updated'} ({len(exported)} entries)")
    if old_pot is not None:
        before = {e.msgid for e in old_pot}
        after = {e.msgid for e in exported}
        print(f"[i18n]   {len(after - before)} new msgid, {len(before - after)} removed")
    if not check:
        exported.save(str(pot_path))
    pot = exported
else:
    print(f"[i18n] {pot_path.name}: up to date ({len(exported)} entries)")
    pot = old_pot

# ---------------------------------------------------------------- merge into fr.po
old = polib.pofile(str(po_path), wrapwidth=WRAP) if po_path.exists() else None
old_entries = {e.msgid_with_context: e for e in old if not e.obsolete} if old is not None else {}

new = polib.POFile(wrapwidth=WRAP)
if old is not None:
    new.header = old.header
    new.metadata = dict(old.metadata)
else:
    new.header = pot.header
    new.metadata = dict(pot.metadata)
    new.metadata["PO-Revision-Date"] = pot.metadata.get("POT-Creation-Date", "")
new.metadata["Project-Id-Version"] = pot.metadata.get("Project-Id-Version", new.metadata.get("Project-Id-Version", ""))
new.metadata["Language"] = "fr"
new.metadata["Plural-Forms"] = "nplurals=2; plural=(n > 1);"

pot_keys = {e.msgid_with_context for e in pot}
# translations whose msgid disappeared: candidates for fuzzy matches of new msgids
orphans = [e for k, e in old_entries.items() if k not in pot_keys and e.msgstr]
added = fuzzied = 0
for ref in pot:
    entry = polib.POEntry(
        msgid=ref.msgid, msgctxt=ref.msgctxt, msgid_plural=ref.msgid_plural,
        occurrences=list(ref.occurrences), comment=ref.comment, flags=list(ref.flags),
    )
    prev = old_entries.get(ref.msgid_with_context)
    if prev is not None:
        entry.msgstr = prev.msgstr
        entry.tcomment = prev.tcomment
        if "fuzzy" in prev.flags:
            entry.flags.append("fuzzy")
            entry.previous_msgid = prev.previous_msgid
    else:
        added += 1
        best, score = None, 0.0
        for cand in orphans:
            matcher = difflib.SequenceMatcher(None, ref.msgid, cand.msgid, autojunk=False)
            if matcher.real_quick_ratio() < 0.8 or matcher.quick_ratio() < 0.8:
                continue
            ratio = matcher.ratio()
            if ratio > score:
                best, score = cand, ratio
        if best is not None and score >= 0.8:
            entry.msgstr = best.msgstr
            entry.flags.append("fuzzy")
            entry.previous_msgid = best.msgid
            fuzzied += 1
    new.append(entry)

dropped = [e for k, e in old_entries.items() if k not in pot_keys]
if old is None or body(old) != body(new):
    new.metadata["POT-Creation-Date"] = pot.metadata.get("POT-Creation-Date", "")
    print(f"[i18n] fr.po: {'needs merging' if check else 'merged'}: {added} new "
          f"({fuzzied} pre-filled as fuzzy), {len(dropped)} removed")
    for e in dropped:
        print(f"[i18n]   removed: {e.msgid[:100]!r}")
    if not check:
        new.save(str(po_path))
    po_changed = True
else:
    print("[i18n] fr.po: up to date with the template")
    po_changed = False

ok = report(new)
if check and (pot_changed or po_changed or not ok):
    sys.exit(1)
PYEOF
