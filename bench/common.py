# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shared helpers of the nightly-run benchmark (bench/): paths, scales, databases, Odoo
bootstrap in-process, query counting.

Nothing here is imported by the addon; the bench scripts run Odoo in-process with an
addons path that adds the OCA peer ``account_credit_control`` unpacked under
``bench/.peer/`` (never committed, see ``bench/README.md``).
"""
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PEER_DIR = BENCH / ".peer"
PEER_ADDONS = PEER_DIR / "odoo" / "addons"
PEER_WHEELS = PEER_DIR / "wheels"
DATA_DIR = Path(os.environ.get("BENCH_DATA_DIR", PEER_DIR / "data"))
RESULTS = BENCH / "results"
VENV = Path(os.environ.get("VENV", ROOT / ".venv"))
PY = str(VENV / "bin" / "python")

# customers, invoices
SCALES = {
    "small": (500, 4_000),
    "default": (5_000, 40_000),
    "large": (12_500, 100_000),
    # x4 of the chosen scale when it is not one of the above
    "medium": (2_000, 16_000),
    "xlarge": (20_000, 160_000),
}
# the scales measured for each BENCH_SCALE when BENCH_SCALES is not given: the chosen one
# and its x4 (small -> medium, default -> xlarge)
DEFAULT_SCALES = {
    "small": ["small", "medium"],
    "medium": ["small", "medium"],
    "default": ["default", "xlarge"],
    "large": ["default", "large"],
    "xlarge": ["default", "xlarge"],
}

GENERATOR_VERSION = "7"
MARKER_KEY = "relance_bench.template"
BASE_DB = "relance_bench_base"
MODULES = "account,l10n_fr_account,account_relance_fr,account_credit_control"
COMPANY_NAME = "Relance Bench SAS"


def odoo_src():
    path = VENV / ".odoo_src"
    return path.read_text().strip() if path.exists() else "/opt/odoo"


def addons_path():
    src = odoo_src()
    return ",".join([f"{src}/addons", str(ROOT), str(PEER_ADDONS)])


def pg_env():
    env = dict(os.environ)
    if not env.get("PGUSER"):
        import getpass

        if getpass.getuser() == "root":
            env["PGUSER"] = "root"
    return env


os.environ.update({k: v for k, v in pg_env().items() if k == "PGUSER"})


def log(*args):
    print("[bench]", *args, flush=True)


# ---------------------------------------------------------------- peer module
def ensure_peer():
    """Download the OCA peer wheel into bench/.peer (pip, PyPI) and unpack it."""
    if (PEER_ADDONS / "account_credit_control" / "__manifest__.py").exists():
        return
    PEER_WHEELS.mkdir(parents=True, exist_ok=True)
    log("downloading odoo-addon-account-credit-control 19.0 (AGPL, kept out of git)")
    subprocess.run(
        [PY, "-m", "pip", "download", "--quiet", "--no-deps", "-d", str(PEER_WHEELS),
         "odoo-addon-account-credit-control>=19.0,<19.1"],
        check=True,
    )
    import zipfile

    wheel = sorted(PEER_WHEELS.glob("odoo_addon_account_credit_control-*.whl"))[-1]
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(PEER_DIR)


# ---------------------------------------------------------------- databases
def psql(sql, db="postgres"):
    out = subprocess.run(
        ["psql", "-X", "-q", "-t", "-A", "-d", db, "-c", sql],
        check=True, capture_output=True, text=True, env=pg_env(),
    )
    return out.stdout.strip()


def db_exists(name):
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def dropdb(name):
    if not db_exists(name):
        return
    psql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    )
    subprocess.run(["dropdb", "--if-exists", name], check=True, env=pg_env())
    shutil.rmtree(DATA_DIR / "filestore" / name, ignore_errors=True)


def clone_db(template, name):
    """A fresh copy of ``template`` (database and filestore)."""
    dropdb(name)
    psql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{template}' AND pid <> pg_backend_pid()"
    )
    subprocess.run(["createdb", "-T", template, name], check=True, env=pg_env())
    src = DATA_DIR / "filestore" / template
    if src.exists():
        dst = DATA_DIR / "filestore" / name
        shutil.rmtree(dst, ignore_errors=True)
        subprocess.run(["cp", "-al", str(src), str(dst)], check=True)


def template_name(scale):
    return f"relance_bench_tpl_{scale}"


def template_marker(name):
    """The completion marker of a template database (dict) or None."""
    if not db_exists(name):
        return None
    try:
        raw = psql(f"SELECT value FROM ir_config_parameter WHERE key = '{MARKER_KEY}'", db=name)
    except subprocess.CalledProcessError:
        return None
    if not raw:
        return None
    marker = json.loads(raw)
    return marker if marker.get("version") == GENERATOR_VERSION else None


# ---------------------------------------------------------------- Odoo in-process
def odoo_args(db, extra=()):
    return [
        f"--addons-path={addons_path()}",
        f"--data-dir={DATA_DIR}",
        "-d", db,
        "--no-http",
        f"--log-level={os.environ.get('BENCH_LOG_LEVEL', 'warn')}",
        "--max-cron-threads=0",
        *extra,
    ]


def odoo_bin(db, *args, **kw):
    """Run odoo-bin with the bench addons path (the peer included)."""
    cmd = [PY, f"{odoo_src()}/odoo-bin", *odoo_args(db), *args]
    check = kw.pop("check", False)
    return subprocess.run(cmd, env=pg_env(), check=check, **kw)


def bootstrap(db):
    """Configure Odoo for ``db`` in this process and return its registry."""
    src = odoo_src()
    if src not in sys.path:
        sys.path.insert(0, src)
    import odoo
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(odoo_args(db), setup_logging=True)
    return odoo, Registry(db)


def env_for(odoo, cr, company_id=None, **ctx):
    context = dict(ctx)
    if company_id:
        context["allowed_company_ids"] = [company_id]
    return odoo.api.Environment(cr, odoo.SUPERUSER_ID, context)


def bench_company(env):
    return env["res.company"].search([("name", "=", COMPANY_NAME)], limit=1)


def sql_count():
    import odoo.sql_db

    return odoo.sql_db.sql_counter


def peak_rss_mb():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def run_json(script, *args, timeout=None, env=None):
    """Run a bench script in a fresh interpreter; its last stdout line is JSON."""
    proc = subprocess.run(
        [PY, str(BENCH / script), *map(str, args)],
        capture_output=True, text=True, timeout=timeout, env=env or pg_env(), check=False,
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-8000:])
        raise RuntimeError(f"{script} {' '.join(map(str, args))} failed ({proc.returncode})")
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1])


# ---------------------------------------------------------------- addon under development
def addon_hash():
    """Hash of the addon's source: a template built with other code is upgraded first."""
    import hashlib

    digest = hashlib.sha256()
    base = ROOT / "account_relance_fr"
    for path in sorted(base.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc" \
                and "tests" not in path.relative_to(base).parts:
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def set_marker(db, marker):
    value = json.dumps(marker).replace("'", "''")
    psql(f"UPDATE ir_config_parameter SET value = '{value}' WHERE key = '{MARKER_KEY}'", db=db)


def ensure_current(db):
    """Upgrade account_relance_fr in ``db`` when the addon changed since it was built
    (other engineers edit the addon while the bench runs)."""
    marker = template_marker(db)
    current = addon_hash()
    if not marker or marker.get("addon_hash") == current:
        return marker
    log(f"the addon changed since {db} was built: upgrading account_relance_fr in it")
    start = time.perf_counter()
    proc = odoo_bin(db, "-u", "account_relance_fr", "--stop-after-init")
    if proc.returncode:
        raise SystemExit(f"upgrading account_relance_fr in {db} failed")
    marker["addon_hash"] = current
    set_marker(db, marker)
    log(f"  upgraded in {time.perf_counter() - start:.0f}s")
    return marker
