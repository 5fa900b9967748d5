# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The README's `make test` path: what a fresh machine needs is installed by the project."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import odoo
from odoo.tools import config

ROOT = Path(__file__).resolve().parents[1]


def test_runs_in_the_project_virtualenv():
    assert Path(sys.prefix).resolve() == (ROOT / ".venv").resolve()


def test_odoo_19_from_odoo_src():
    assert odoo.release.version_info[:2] == (19, 0)
    recorded = (ROOT / ".venv" / ".odoo_src").read_text().strip()
    assert Path(odoo.release.__file__).resolve().is_relative_to(Path(recorded).resolve())


def test_pinned_requirements_installed():
    from importlib.metadata import version

    for raw in (ROOT / "requirements.txt").read_text().splitlines():
        line = raw.split("#")[0].strip()
        if "==" in line:
            name, pinned = line.split("==")
            assert version(name) == pinned, name


def test_database_reachable():
    db = config["db_name"]
    db = db[0] if isinstance(db, list) else db
    with odoo.sql_db.db_connect(db).cursor() as cr:
        cr.execute("SELECT state FROM ir_module_module WHERE name = 'account_relance_fr'")
        assert cr.fetchone()[0] == "installed"


def test_system_tools_installed_by_setup():
    assert shutil.which("wkhtmltopdf"), "tools/setup.sh installs wkhtmltopdf"
    assert shutil.which("chromium") or shutil.which("chromium-browser")
    setup = (ROOT / "tools" / "setup.sh").read_text()
    assert "apt-get install" in setup and "wkhtmltopdf" in setup and "chromium" in setup


def test_readme_commands_and_ci():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    make = subprocess.run(
        ["make", "-n", "test", "run"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "tools/test.sh" in make and "tools/run.sh" in make
    # the suite runs under Odoo's own runner too, as OCA's CI and integrators run it
    test_sh = (ROOT / "tools" / "test.sh").read_text()
    assert "--test-enable" in test_sh and "--test-tags /account_relance_fr" in test_sh


def test_setup_is_idempotent():
    """Running the setup again on a ready machine reuses what exists (no reinstall)."""
    env = dict(os.environ, SETUP_BROWSER="1")
    out = subprocess.run(
        ["bash", str(ROOT / "tools" / "setup.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    assert "installing the pinned" not in out
    assert "PostgreSQL answers" in out
