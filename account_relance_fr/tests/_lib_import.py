# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Import the pure ``lib`` package for the plain pytest tests, with or without Odoo.

Inside Odoo (pytest-odoo, odoo-bin) the package is ``odoo.addons.account_relance_fr.lib``.
Without Odoo, importing ``account_relance_fr`` would load the models, so ``lib/__init__.py`` is
loaded directly from its path and registered as the top-level package ``relance_lib``.
"""

import contextlib
import importlib
import importlib.util
import sys
from pathlib import Path

ODOO_PACKAGE = "odoo.addons.account_relance_fr.lib"
ALIAS = "relance_lib"
LIB_DIR = Path(__file__).resolve().parent.parent / "lib"


def _forget_alias():
    for name in [n for n in sys.modules if n == ALIAS or n.startswith(ALIAS + ".")]:
        del sys.modules[name]


def lib_package():
    """The ``lib`` package: through Odoo if the addon is importable there, else by path."""
    with contextlib.suppress(ImportError):
        return importlib.import_module(ODOO_PACKAGE)
    init_file = LIB_DIR / "__init__.py"
    module = sys.modules.get(ALIAS)
    if module is not None:
        if Path(getattr(module, "__file__", "") or "").resolve() == init_file:
            return module
        _forget_alias()  # another checkout registered the alias: load ours
    spec = importlib.util.spec_from_file_location(
        ALIAS, init_file, submodule_search_locations=[str(LIB_DIR)]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"Cannot load the relance lib from {init_file}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[ALIAS] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        _forget_alias()
        raise
    return module


def load(name):
    """A submodule of ``lib`` by name, e.g. ``load("interest")``."""
    return importlib.import_module(f"{lib_package().__name__}.{name}")
