"""The dbt project's conventions: clean parse, docs, descriptions, naming, model style and one
macro per file."""

from __future__ import annotations

import ast
import json
import re
import tomllib
from pathlib import Path

import jinja2.nodes
import pytest
import yaml
from dbt_common.clients.jinja import get_environment
from greenery.dbt.runner import Dbt

PROJECT = Path(__file__).resolve().parents[1]
MODELS = sorted((PROJECT / "models").rglob("*.sql"))
MACRO_FILES = sorted(
    [*(PROJECT / "macros").rglob("*.sql"), *(PROJECT / "data_tests" / "generic").rglob("*.sql")]
)
MACRO_DOCS = [
    PROJECT / "macros" / "_macros.yml",
    PROJECT / "data_tests" / "generic" / "_generic_tests.yml",
]


def test_parse_has_no_warnings_or_deprecations():
    events = []
    result = Dbt().invoke(["parse", "--no-partial-parse"], callbacks=[lambda e: events.append(e)])
    assert result.success
    noisy = [
        f"{e.info.name}: {e.info.msg}"
        for e in events
        if e.info.level in ("warn", "error") or "Deprecat" in e.info.name
    ]
    assert noisy == []


def test_docs_generate_and_every_queried_column_is_described(built):
    dbt = Dbt(duckdb_path=built)
    assert dbt.invoke(["docs", "generate"]).success
    manifest = json.loads((dbt.artifacts / "manifest.json").read_text())
    catalog = json.loads((dbt.artifacts / "catalog.json").read_text())
    models = {k: n for k, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    assert len(models) == len(MODELS)
    undocumented = [n["name"] for n in models.values() if not n["description"].strip()]
    assert undocumented == []
    missing = []
    for key, node in models.items():
        if "/marts/" not in node["original_file_path"]:
            continue
        described = {c for c, v in node["columns"].items() if v["description"].strip()}
        built_columns = {c.lower() for c in catalog["nodes"][key]["columns"]}
        missing += [f"{node['name']}.{c}" for c in sorted(built_columns - described)]
    assert missing == []
    sources = [n for n in manifest["sources"].values()]
    assert all(
        s["description"] and all(c["description"] for c in s["columns"].values()) for s in sources
    )


def model_files(spec: Path) -> dict[str, str]:
    """The model files a YAML file describes, by file name (without .sql), each with its model's
    name: a model's own file, or one per version of a versioned model (`<name>_v<v>.sql`, or
    the file its `defined_in` names)."""
    files = {}
    for model in (yaml.safe_load(spec.read_text()) or {}).get("models", []):
        name = model["name"]
        for version in model.get("versions", []):
            files[version.get("defined_in", f"{name}_v{version['v']}")] = name
        if not model.get("versions"):
            files[name] = name
    return files


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_model_name_follows_its_layer(path):
    layer = path.relative_to(PROJECT / "models").parts[0]
    pattern = {
        "staging": r"stg_greenery__[a-z_]+",
        "intermediate": r"int_[a-z_]+_(aggregated|enriched|priced|flagged)",
        "marts": r"(fct|dim|f)_[a-z_]+|user_order_facts",
        "monitoring": r"mon_[a-z_]+",
    }[layer]
    names = {f: m for spec in path.parent.glob("*.yml") for f, m in model_files(spec).items()}
    assert re.fullmatch(pattern, names.get(path.stem, path.stem))


# models that read no other model: the time spine is generated from digits
GENERATED = {"dim_dates"}


@pytest.mark.parametrize(
    "path", [m for m in MODELS if m.stem not in GENERATED], ids=lambda p: p.stem
)
def test_model_style(path):
    sql = path.read_text()
    # ref() and source() only in import CTEs at the top: `name as ( select * from {{ ref() }} )`,
    # `name as {{ not_materialized() }} (...)` where the model reads it more than once, and
    # `(  -- noqa: ST03` on one read only on an incremental run
    calls = re.findall(r"\{\{\s*(?:ref|source)\(.*?\)\s*\}\}", sql)
    imports = re.findall(
        r"\n[a-z_]+ as (?:\{\{ not_materialized\(\) \}\} )?\((?:  -- noqa: ST03)?\n\n"
        r"    select \* from (\{\{ (?:ref|source)\(.*?\) \}\})\n\n\)",
        sql,
    )
    assert calls and sorted(calls) == sorted(imports)
    first_import = sql.index(imports[0])
    assert all(sql.index(i) >= first_import for i in imports)
    assert sql.rstrip().endswith("select * from final")


def test_every_model_has_yaml_beside_it():
    for path in MODELS:
        documented = set()
        # one YAML per folder (_<folder>__models.yml) or one beside each model (<model>.yml);
        # a versioned model's YAML names each version's file
        for spec in path.parent.glob("*.yml"):
            documented |= set(model_files(spec))
        assert path.stem in documented, path


def definitions(path: Path) -> dict[str, list[str]]:
    """The macros and generic tests a file defines, by name (a test as `test_<name>`), with
    their arguments, read the way dbt reads them (its Jinja environment knows `{% test %}`)."""
    template = get_environment().parse(path.read_text())
    return {
        macro.name.removeprefix("dbt_macro__"): [arg.name for arg in macro.args]
        for macro in template.find_all(jinja2.nodes.Macro)
    }


def public_macros(path: Path) -> dict[str, list[str]]:
    """What a file offers: the macro or test named after it; a file holding only adapter
    implementations of a dbt macro (snowflake__set_query_tag) offers those."""
    defined = definitions(path)
    named = [name for name in defined if name in (path.stem, f"test_{path.stem}")]
    return {name: defined[name] for name in named} if named else defined


@pytest.mark.parametrize("path", MACRO_FILES, ids=lambda p: str(p.relative_to(PROJECT)))
def test_one_macro_per_file_named_after_it(path):
    """dbt-utils' layout: macros/<name>.sql holds the macro <name> and nothing else but its
    adapter implementations (<adapter>__<name>), after a doc block saying what and why."""
    defined = list(definitions(path))
    name = f"test_{path.stem}" if path.parent.name == "generic" else path.stem
    implementation = re.compile(rf"[a-z0-9]+__{re.escape(path.stem)}")
    assert defined, "defines no macro"
    assert [d for d in defined if d != name and not implementation.fullmatch(d)] == []
    assert path.read_text().startswith("{#-"), "starts without its doc block"


def test_every_macro_is_described_with_its_arguments():
    documented = {
        entry["name"]: entry
        for spec in MACRO_DOCS
        for entry in yaml.safe_load(spec.read_text())["macros"]
    }
    offered = {name: args for path in MACRO_FILES for name, args in public_macros(path).items()}
    assert sorted(documented) == sorted(offered)
    for name, args in offered.items():
        entry = documented[name]
        assert entry["description"].strip(), name
        described = entry.get("arguments", [])
        if name.startswith("test_"):  # dbt reads no signature of a generic test: in the text
            assert described == [] and all(arg in entry["description"] for arg in args), name
            continue
        assert [arg["name"] for arg in described] == args, name
        assert all(arg["description"].strip() and arg["type"] for arg in described), name


# -------------------------------------------------------------------------- the Python package
PACKAGE = PROJECT / "orchestrate" / "greenery"
#: The package's layers, lowest first: a module imports only from its own layer and the layers
#: before it, so the arrows point one way: cli -> jobs -> (report, ops, warehouse, dbt), ops ->
#: (warehouse, dbt), warehouse -> dbt (the project's location only). The dbt runner is the
#: bottom: it never reaches the warehouse's data.
LAYERS = ("dbt", "warehouse", "ops", "report", "jobs", "cli")
#: Test devices, apart from the layers: they may use any layer, and no production module imports
#: them at module level (only the CLI, lazily, when its --snowflake-emulator option is given).
DEVICES = {"emulator": {"greenery.cli"}}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    """greenery.jobs.build -> jobs, greenery.cli -> cli; the package itself has none ('')."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def greenery_imports(tree: ast.AST) -> list[tuple[str, bool]]:
    """The greenery modules a module imports, each with whether it does so when it is imported
    (True) or only when a function runs (False)."""
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, at_import: bool) -> None:
        for child in ast.iter_child_nodes(node):
            lazy = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                found.extend((a.name, at_import) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                # `from greenery import cli` names modules; `from greenery.x import y`, layer x
                modules = (
                    [f"greenery.{a.name}" for a in child.names]
                    if child.module == "greenery"
                    else [child.module]
                )
                found.extend((module, at_import) for module in modules)
            visit(child, at_import and not lazy)

    visit(tree, True)
    return [(m, at_import) for m, at_import in found if m.split(".")[0] == "greenery"]


MODULES = {module_name(p): ast.parse(p.read_text()) for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_is_in_a_layer_or_a_test_device():
    placed = set(LAYERS) | set(DEVICES) | {""}
    assert sorted(m for m in MODULES if layer(m) not in placed) == []


def test_imports_point_down_the_layers():
    rank = {name: i for i, name in enumerate(LAYERS)}
    upward = [
        f"{module} imports {imported}"
        for module, tree in MODULES.items()
        if layer(module) in rank
        for imported, _ in greenery_imports(tree)
        if layer(imported) in rank and rank[layer(imported)] > rank[layer(module)]
    ]
    assert upward == []


def test_the_emulator_stays_apart_from_the_production_code():
    imports = [
        (module, at_import, layer(imported))
        for module, tree in MODULES.items()
        if layer(module) not in DEVICES
        for imported, at_import in greenery_imports(tree)
        if layer(imported) in DEVICES
    ]
    assert [(m, device) for m, at_import, device in imports if at_import] == []
    assert {(m, device) for m, _, device in imports} <= {
        (m, device) for device, allowed in DEVICES.items() for m in allowed
    }
    extras = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert [d for d in extras["emulator"] if d.startswith("fakesnow")]  # its own extra
    assert not [d for d in extras["snowflake"] if d.startswith("fakesnow")]  # not production's


def test_the_readme_module_map_names_every_module_and_only_those():
    """Each folder's row in the repository layout (README or docs/) names its modules."""
    pages = [PROJECT / "README.md", *sorted((PROJECT / "docs").glob("*.md"))]
    rows = re.findall(
        r"^\| `orchestrate/greenery/([a-z_]+)/` \| (.*) \|$",
        "\n".join(page.read_text() for page in pages),
        flags=re.M,
    )
    folders = {folder: PACKAGE / folder for folder in LAYERS if (PACKAGE / folder).is_dir()}
    assert sorted(folder for folder, _ in rows) == sorted(folders)
    for folder, text in rows:
        named = set(re.findall(r"`([a-z_]+\.py|[a-z_]+/)`", text)) - {"data/"}
        present = {p.name for p in folders[folder].glob("*.py") if p.name != "__init__.py"}
        present |= {f"{p.name}/" for p in folders[folder].iterdir() if (p / "__init__.py").exists()}
        assert named == present, folder


#: Test folders beside the package's layers: the dbt project's models and data tests, and the
#: emulator (a test device).
TEST_FOLDERS_BEYOND_THE_PACKAGE = {"dbt_project", "emulator"}


def test_tests_mirror_the_package():
    """tests/<layer>/ holds the tests of orchestrate/greenery/<layer>/ (tests/cli/ the CLI's);
    the dbt project's tests are in tests/dbt_project/ and only this file stays at the top."""
    tests = PROJECT / "tests"
    folders = {p.name for p in tests.iterdir() if p.is_dir() and any(p.glob("test_*.py"))}
    assert folders <= set(LAYERS) | TEST_FOLDERS_BEYOND_THE_PACKAGE, folders
    assert {"dbt", "warehouse", "ops", "report", "jobs", "cli"} <= folders
    assert [p.name for p in tests.glob("test_*.py")] == ["test_project.py"]
