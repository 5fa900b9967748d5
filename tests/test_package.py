# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Packaging, structure, translations and lint of the account_relance_fr addon.

Plain pytest functions: they need no Odoo database (except the translation check, which runs
tools/i18n_update.sh --check on a throwaway database of its own).

- the wheel: built with whool (the OCA build backend) as
  odoo_addon_account_relance_fr-19.0.x.y.z[.N]-py3-none-any.whl, from this checkout and from
  a fresh clone, installed with ``pip install --no-deps`` in a new virtualenv;
- the manifest, the one-model-per-file layout, the access rules, the readme fragments and the
  generated README.rst / static/description;
- i18n/fr.po complete, the .pot up to date;
- lint: ruff, the OCA pre-commit hooks (oca-checks-odoo-module, oca-checks-po) and pylint with
  the pylint-odoo plugin (.pylintrc-mandatory), the checks of .pre-commit-config.yaml run
  without pre-commit (which fetches its hooks from git hosts that CI cannot reach).
"""

import ast
import csv
import email.parser
import fcntl
import glob
import importlib.util
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
ADDON_NAME = "account_relance_fr"
ADDON = ROOT / ADDON_NAME
MANIFEST = ast.literal_eval((ADDON / "__manifest__.py").read_text(encoding="utf-8"))
DIST_NAME = "odoo-addon-" + ADDON_NAME
WHEEL_RE = re.compile(
    r"^odoo_addon_account_relance_fr-(?P<version>19\.0\.\d+\.\d+\.\d+(?:\.\d+|\.dev\d+)?)"
    r"-py3-none-any\.whl$"
)
# The lint tools, in a virtualenv of their own (var/lint-venv, created once): pylint-odoo and
# the OCA hooks need polib 1.2, Odoo 19 pins polib 1.1.1. Keep in step with
# .pre-commit-config.yaml.
LINT_PINS = (
    "ruff==0.17.6",
    "pylint-odoo==10.0.12",
    "pylint==4.0.10",
    "astroid==4.0.4",
    "oca-odoo-pre-commit-hooks==0.2.27",
)
LINT_PATHS = (ADDON_NAME, "tests", "tools")
ODOO_MODEL_BASES = {"Model", "TransientModel", "AbstractModel"}


def run(cmd, timeout=120, **kwargs):
    """Run ``cmd`` and return the completed process (output captured as text)."""
    return subprocess.run(
        [str(c) for c in cmd],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **kwargs,
    )


def output(proc):
    return f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"


def in_git(path):
    return run(["git", "rev-parse", "--is-inside-work-tree"], cwd=path).returncode == 0


def git_files(addon_dir):
    """Files of the addon tracked by git: what whool puts in the wheel."""
    proc = run(["git", "ls-files", "-z"], cwd=addon_dir)
    assert proc.returncode == 0, output(proc)
    return {f for f in proc.stdout.split("\0") if f}


# ---------------------------------------------------------------------------------- wheel
def build_wheel(addon_dir, dest):
    """Build the addon's wheel with whool into ``dest`` and return its path.

    With whool installed in the project's virtualenv (requirements.txt), the build runs
    without isolation, offline; otherwise pip fetches whool from PyPI for the build."""
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check"]
    if importlib.util.find_spec("whool") and importlib.util.find_spec("wheel"):
        cmd.append("--no-build-isolation")
    proc = run([*cmd, "-w", dest, addon_dir], timeout=300)
    assert proc.returncode == 0, output(proc)
    wheels = list(Path(dest).glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def wheel_metadata(wheel):
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.HeaderParser().parsestr(archive.read(name).decode("utf-8"))


def wheel_addon_files(wheel):
    prefix = f"odoo/addons/{ADDON_NAME}/"
    with zipfile.ZipFile(wheel) as archive:
        return {n[len(prefix) :] for n in archive.namelist() if n.startswith(prefix)}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return build_wheel(ADDON, tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """The wheel installed in a brand-new virtualenv; returns the installed addon directory.

    ``--no-deps``: the wheel requires ``odoo==19.0.*``, which is not published on PyPI (Odoo is
    installed from its source), and the point is the packaging of the addon itself: the
    installed tree and the metadata, not the resolution of Odoo's dependencies."""
    venv = tmp_path_factory.mktemp("venv") / "venv"
    proc = run([sys.executable, "-m", "venv", venv])
    assert proc.returncode == 0, output(proc)
    python = venv / "bin" / "python"
    proc = run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--no-compile",
            "--disable-pip-version-check",
            wheel,
        ],
        timeout=300,
    )
    assert proc.returncode == 0, output(proc)
    proc = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    assert proc.returncode == 0, output(proc)
    return Path(proc.stdout.strip()) / "odoo" / "addons" / ADDON_NAME


def test_wheel_name(wheel):
    match = WHEEL_RE.match(wheel.name)
    assert match, wheel.name
    assert match["version"].startswith(MANIFEST["version"])


def test_wheel_metadata(wheel):
    metadata = wheel_metadata(wheel)
    assert metadata["Name"] == DIST_NAME
    assert metadata["Version"].startswith(MANIFEST["version"])
    assert WHEEL_RE.match(wheel.name)["version"] == metadata["Version"]
    requires = metadata.get_all("Requires-Dist") or []
    assert "odoo==19.0.*" in requires
    assert metadata["License"] == MANIFEST["license"]
    assert metadata["Home-page"] == MANIFEST["website"]
    assert "Relances clients (France)" in metadata.get_payload(), "README.rst is the description"


def test_wheel_installed_tree(installed):
    """Everything Odoo loads is in the installed addon: manifest, data, translations, static
    files and the plain-Python law package."""
    assert installed.is_dir()
    expected = {
        "__init__.py",
        "__manifest__.py",
        "README.rst",
        "i18n/fr.po",
        f"i18n/{ADDON_NAME}.pot",
        "static/description/icon.png",
        "static/description/index.html",
        "lib/__init__.py",
    }
    expected.update(MANIFEST["data"])
    expected.update(MANIFEST.get("demo", []))
    expected.update(str(p.relative_to(ADDON)) for p in (ADDON / "lib").glob("*.py"))
    for patterns in MANIFEST["assets"].values():
        for pattern in patterns:
            for path in glob.glob(str(ROOT / pattern), recursive=True):
                if os.path.isfile(path):
                    expected.add(str(Path(path).relative_to(ADDON)))
    missing = sorted(f for f in expected if not (installed / f).is_file())
    assert not missing, (
        f"missing from the installed wheel: {missing} "
        "(whool packs the files tracked by git: are they committed?)"
    )
    assert not (installed / "pyproject.toml").exists()


def test_wheel_holds_the_tracked_files(wheel):
    """The wheel holds exactly the addon's files tracked by git (no caches, no build
    leftovers), except pyproject.toml."""
    if not in_git(ADDON):
        pytest.skip("not a git checkout")
    tracked = {f for f in git_files(ADDON) if (ADDON / f).exists()} - {"pyproject.toml"}
    assert wheel_addon_files(wheel) == tracked


def test_wheel_from_a_fresh_clone(tmp_path):
    """A fresh clone builds the same distribution, versioned from the manifest and the git
    history (whool adds .N, the commits since the manifest version last changed)."""
    if not in_git(ROOT):
        pytest.skip("not a git checkout")
    clone = tmp_path / "clone"
    proc = run(["git", "clone", "--quiet", "--no-hardlinks", ROOT, clone], timeout=120)
    assert proc.returncode == 0, output(proc)
    addon = clone / ADDON_NAME
    if not (addon / "pyproject.toml").exists():
        pytest.skip("account_relance_fr/pyproject.toml is not committed yet")
    head_manifest = ast.literal_eval((addon / "__manifest__.py").read_text(encoding="utf-8"))
    wheel = build_wheel(addon, tmp_path / "dist")
    version = WHEEL_RE.match(wheel.name)["version"]
    assert re.fullmatch(re.escape(head_manifest["version"]) + r"(\.\d+)?", version), version
    metadata = wheel_metadata(wheel)
    assert metadata["Name"] == DIST_NAME
    assert metadata["Version"] == version
    assert wheel_addon_files(wheel) == git_files(addon) - {"pyproject.toml"}


# ---------------------------------------------------------------------------------- manifest
def test_manifest_metadata():
    assert MANIFEST["name"].strip()
    assert MANIFEST["summary"].strip()
    assert re.fullmatch(r"19\.0\.\d+\.\d+\.\d+", MANIFEST["version"]), MANIFEST["version"]
    assert MANIFEST["license"] == "LGPL-3"
    assert MANIFEST["author"].strip()
    assert re.fullmatch(r"https://\S+", MANIFEST["website"])
    maintainers = MANIFEST["maintainers"]
    assert maintainers and all(isinstance(m, str) and m for m in maintainers)
    assert MANIFEST["category"]
    assert MANIFEST.get("development_status", "Beta") in (
        "Alpha",
        "Beta",
        "Production/Stable",
        "Mature",
    )
    assert MANIFEST.get("installable", True) is True
    assert {"account", "l10n_fr_account"} <= set(MANIFEST["depends"])
    assert "description" not in MANIFEST, "the description is readme/DESCRIPTION.md"


def test_manifest_external_dependencies_installed():
    from importlib.metadata import PackageNotFoundError, version

    for dist in MANIFEST.get("external_dependencies", {}).get("python", []):
        try:
            version(dist)
        except PackageNotFoundError:
            pytest.fail(f"external dependency {dist} is not installed in the virtualenv")


def test_manifest_files_exist():
    for key in ("data", "demo"):
        files = MANIFEST.get(key, [])
        assert len(files) == len(set(files)), f"duplicated file in {key}"
        missing = [f for f in files if not (ADDON / f).is_file()]
        assert not missing, f"{key} files missing: {missing}"
    assert MANIFEST["demo"], "the demo data is declared"
    for bundle, patterns in MANIFEST["assets"].items():
        for pattern in patterns:
            assert pattern.startswith(ADDON_NAME + "/"), pattern
            matches = [
                p for p in glob.glob(str(ROOT / pattern), recursive=True) if os.path.isfile(p)
            ]
            assert matches, f"{bundle}: {pattern} matches no file"


def test_every_data_file_is_declared():
    """No XML/CSV file forgotten in the manifest (a view that is never loaded)."""
    declared = set(MANIFEST["data"]) | set(MANIFEST.get("demo", []))
    on_disk = {
        str(p.relative_to(ADDON))
        for folder in ("data", "demo", "report", "security", "views", "wizard")
        for p in (ADDON / folder).glob("*")
        if p.suffix in (".xml", ".csv")
    }
    assert not on_disk - declared, f"not in the manifest: {sorted(on_disk - declared)}"


# ---------------------------------------------------------------------------------- layout
def odoo_model_classes(path):
    """``(class name, _name, _inherit, is_abstract)`` of the Odoo model classes of a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        bases = {
            b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", None) for b in node.bases
        }
        if not bases & ODOO_MODEL_BASES:
            continue
        attrs = {}
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if isinstance(target, ast.Name) and target.id in ("_name", "_inherit", "_abstract"):
                    attrs[target.id] = ast.literal_eval(stmt.value)
        inherit = attrs.get("_inherit")
        if isinstance(inherit, (list, tuple)):
            inherit = inherit[0] if inherit else None
        abstract = "AbstractModel" in bases or attrs.get("_abstract") is True
        found.append((node.name, attrs.get("_name"), inherit, abstract))
    return found


def python_files(folder):
    return sorted(p for p in (ADDON / folder).glob("*.py") if p.name != "__init__.py")


def test_one_model_per_file_named_after_it():
    """models/: one model class per file, the file named after the model it defines or
    extends (account_relance_event.py defines account.relance.event)."""
    problems = []
    for path in python_files("models"):
        classes = odoo_model_classes(path)
        if len(classes) != 1:
            problems.append(f"{path.name}: {len(classes)} model classes")
            continue
        _cls, name, inherit, _abstract = classes[0]
        model = name or inherit
        if f"{model.replace('.', '_')}.py" != path.name:
            problems.append(f"{path.name} defines {model}: rename it {model.replace('.', '_')}.py")
    assert not problems, "\n".join(problems)


def test_every_python_file_is_imported():
    for folder in ("models", "wizard"):
        init = ADDON / folder / "__init__.py"
        names = {
            alias.name
            for node in ast.parse(init.read_text(encoding="utf-8")).body
            if isinstance(node, ast.ImportFrom) and node.level == 1 and not node.module
            for alias in node.names
        }
        missing = [p.stem for p in python_files(folder) if p.stem not in names]
        assert not missing, f"{folder}/__init__.py does not import {missing}"


def addon_models():
    """Every model defined or extended by the addon's Python code."""
    models = set()
    for folder in ("models", "wizard"):
        for path in python_files(folder):
            for _cls, name, inherit, _abstract in odoo_model_classes(path):
                models.add(name or inherit)
    return models


def test_view_files_named_after_their_model():
    """views/ and wizard/: ``<model>_views.xml`` holding the views of that model, a menus
    file, or ``<area>_templates.xml`` for QWeb pages outside any model's views (the portal's,
    as Odoo's modules name them)."""
    known = {m.replace(".", "_"): m for m in addon_models()}
    problems = []
    for path in sorted([*(ADDON / "views").glob("*"), *(ADDON / "wizard").glob("*.xml")]):
        if re.fullmatch(r"(\w+_)?menus?\.xml", path.name):
            continue
        if re.fullmatch(r"\w+_templates\.xml", path.name):
            text = path.read_text(encoding="utf-8")
            if 'model="ir.ui.view"' in text:
                problems.append(f"{path.relative_to(ADDON)}: views of a model in a templates file")
            continue
        match = re.fullmatch(r"(\w+)_views\.xml", path.name)
        if not match or match[1] not in known:
            problems.append(
                f"{path.relative_to(ADDON)}: not <model>_views.xml of a model of the addon"
            )
            continue
        models = set(
            re.findall(
                r'model="ir\.ui\.view">.*?<field name="model">([\w.]+)</field>',
                path.read_text(encoding="utf-8"),
                re.DOTALL,
            )
        )
        others = models - {known[match[1]]}
        if others:
            problems.append(f"{path.relative_to(ADDON)}: also holds views of {sorted(others)}")
    assert not problems, "\n".join(problems)


def test_every_model_has_access_rules():
    with open(ADDON / "security" / "ir.model.access.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    covered = {row["model_id:id"].split(".")[-1] for row in rows}
    missing = []
    for folder in ("models", "wizard"):
        for path in python_files(folder):
            for _cls, name, _inherit, abstract in odoo_model_classes(path):
                if name and not abstract and f"model_{name.replace('.', '_')}" not in covered:
                    missing.append(f"{name} ({folder}/{path.name})")
    assert not missing, f"no line in security/ir.model.access.csv for {missing}"
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)), "duplicated access rule id"


# ---------------------------------------------------------------------------------- readme
FRAGMENTS = ("DESCRIPTION", "CONFIGURE", "USAGE", "CONTRIBUTORS")


def test_readme_fragments():
    for name in FRAGMENTS:
        fragment = ADDON / "readme" / f"{name}.md"
        assert fragment.is_file(), fragment
        assert fragment.read_text(encoding="utf-8").strip(), f"{fragment} is empty"
    rst = sorted(p.name for p in (ADDON / "readme").glob("*.rst"))
    assert not rst, f"the fragments are Markdown (OCA 19.0): remove {rst}"


def test_generated_readme_and_description():
    """README.rst and static/description/index.html, generated from the fragments in the
    format of oca-gen-addon-readme: valid reStructuredText with every section of the
    fragments."""
    from docutils.core import publish_string

    readme = (ADDON / "README.rst").read_text(encoding="utf-8")
    assert readme.startswith("=" * len(MANIFEST["name"]) + "\n" + MANIFEST["name"] + "\n")
    publish_string(
        readme,
        writer_name="html4css1",
        settings_overrides={
            "halt_level": 2,
            "report_level": 2,
            "file_insertion_enabled": False,
            "raw_enabled": False,
        },
    )
    for name in FRAGMENTS + ("CREDITS", "HISTORY"):
        fragment = ADDON / "readme" / f"{name}.md"
        if not fragment.exists():
            continue
        for title in re.findall(r"^#+\s+(.+?)\s*$", fragment.read_text(encoding="utf-8"), re.M):
            assert re.search(rf"^{re.escape(title)}\n[-=~^]+$", readme, re.M), (
                f"README.rst lacks the section {title!r} of readme/{name}.md: regenerate it"
            )
    index = (ADDON / "static" / "description" / "index.html").read_text(encoding="utf-8")
    assert "<html" in index and MANIFEST["name"] in index
    # in step with the fragments: README.rst is what tools/readme_rst.py makes of them
    proc = run([sys.executable, ROOT / "tools" / "readme_rst.py", "--check"], cwd=ROOT)
    assert proc.returncode == 0, output(proc)


def test_icon():
    from PIL import Image

    with Image.open(ADDON / "static" / "description" / "icon.png") as icon:
        assert icon.format == "PNG"
        assert icon.size == (128, 128)


# ---------------------------------------------------------------------------------- i18n
def test_french_translation_complete():
    po = polib.pofile(str(ADDON / "i18n" / "fr.po"))
    live = [e for e in po if not e.obsolete]
    assert live, "fr.po is empty"
    untranslated = [e.msgid[:80] for e in live if not e.translated() and "fuzzy" not in e.flags]
    fuzzy = [e.msgid[:80] for e in live if "fuzzy" in e.flags]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:20]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy: {fuzzy[:20]}"
    polib.pofile(str(ADDON / "i18n" / f"{ADDON_NAME}.pot"))


def test_i18n_template_up_to_date():
    """tools/i18n_update.sh --check: the .pot matches the code and fr.po is complete and
    consistent (placeholders, markup). Installs the addon in a throwaway database (~1 min)."""
    proc = run(["bash", ROOT / "tools" / "i18n_update.sh", "--check"], cwd=ROOT, timeout=300)
    assert proc.returncode == 0, output(proc)


# ---------------------------------------------------------------------------------- lint
@pytest.fixture(scope="session")
def lint_bin():
    """bin/ of a virtualenv with the pinned lint tools, created once under var/."""
    venv = ROOT / "var" / "lint-venv"
    stamp = venv / ".pins"
    wanted = "\n".join(LINT_PINS) + "\n"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(ROOT / "var" / "lint-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not stamp.exists() or stamp.read_text() != wanted:
            proc = run([sys.executable, "-m", "venv", "--clear", venv])
            assert proc.returncode == 0, output(proc)
            proc = run(
                [
                    venv / "bin" / "python",
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    *LINT_PINS,
                ],
                timeout=600,
            )
            assert proc.returncode == 0, output(proc)
            stamp.write_text(wanted)
    return venv / "bin"


def test_ruff_check(lint_bin):
    proc = run([lint_bin / "ruff", "check", "--output-format=concise", *LINT_PATHS], cwd=ROOT)
    assert proc.returncode == 0, output(proc)


def test_ruff_format(lint_bin):
    proc = run([lint_bin / "ruff", "format", "--check", *LINT_PATHS], cwd=ROOT)
    assert proc.returncode == 0, output(proc) + "\nfix with: ruff format " + " ".join(LINT_PATHS)


def test_oca_checks_odoo_module(lint_bin):
    proc = run([lint_bin / "oca-checks-odoo-module", ADDON_NAME], cwd=ROOT)
    assert proc.returncode == 0, output(proc) + "\nmost are fixed by: oca-checks-odoo-module --fix"


def test_oca_checks_po(lint_bin):
    po_files = sorted(str(p.relative_to(ROOT)) for p in (ADDON / "i18n").glob("*.po*"))
    proc = run([lint_bin / "oca-checks-po", "--disable=po-pretty-format", *po_files], cwd=ROOT)
    assert proc.returncode == 0, output(proc)


def test_pylint_odoo_mandatory(lint_bin):
    proc = run(
        [
            lint_bin / "python",
            "-m",
            "pylint",
            "--rcfile=.pylintrc-mandatory",
            "--output-format=text",
            ADDON_NAME,
        ],
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, output(proc)
