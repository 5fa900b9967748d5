#!/usr/bin/env bash
# Build the wheel of the addon: dist/odoo_addon_account_relance_fr-19.0.x.y.z[.N]-py3-none-any.whl
#
#   bash tools/build_wheel.sh [DEST]      (DEST defaults to dist/)
#
# The build backend is whool (account_relance_fr/pyproject.toml), as for OCA addons: name,
# version, dependencies and long description come from the manifest and README.rst. The
# version is the manifest's, plus .N = the number of commits since the manifest version last
# changed (.dev1 with uncommitted changes to a fresh version). From a git checkout the wheel
# holds the files tracked by git only: commit (or `git add`) new files before building.
# Install it with `pip install --no-deps` next to an Odoo 19 installed from source (the wheel
# requires odoo==19.0.*, which is not published on PyPI).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ADDON="$ROOT/account_relance_fr"
DEST="${1:-$ROOT/dist}"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY="$(command -v python3)"

mkdir -p "$DEST"
if git -C "$ADDON" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    untracked="$(git -C "$ADDON" ls-files --others --exclude-standard .)"
    if [ -n "$untracked" ]; then
        echo "[wheel] not in the wheel (untracked by git):" >&2
        printf '[wheel]   %s\n' $untracked >&2
    fi
fi
args=(-m pip wheel --no-deps --disable-pip-version-check -w "$DEST")
# whool pinned in requirements.txt: build offline, without an isolated build environment
if "$PY" -c 'import whool, wheel' 2>/dev/null; then
    args+=(--no-build-isolation)
fi
"$PY" "${args[@]}" "$ADDON"
ls -1t "$DEST"/odoo_addon_account_relance_fr-*.whl | head -1
