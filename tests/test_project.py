"""The dbt project's conventions: clean parse, docs, descriptions, naming, model style and one
macro per file."""

from __future__ import annotations

import json
import re
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


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_model_name_follows_its_layer(path):
    layer = path.relative_to(PROJECT / "models").parts[0]
    pattern = {
        "staging": r"stg_greenery__[a-z_]+",
        "intermediate": r"int_[a-z_]+_(aggregated|enriched|priced|flagged)",
        "marts": r"(fct|dim|f)_[a-z_]+|user_order_facts",
    }[layer]
    assert re.fullmatch(pattern, path.stem)


# models that read no other model: the time spine is generated from digits
GENERATED = {"dim_dates"}


@pytest.mark.parametrize(
    "path", [m for m in MODELS if m.stem not in GENERATED], ids=lambda p: p.stem
)
def test_model_style(path):
    sql = path.read_text()
    # ref() and source() only in import CTEs at the top: `name as ( select * from {{ ref() }} )`
    calls = re.findall(r"\{\{\s*(?:ref|source)\(.*?\)\s*\}\}", sql)
    imports = re.findall(
        r"\n[a-z_]+ as \(\n\n    select \* from (\{\{ (?:ref|source)\(.*?\) \}\})\n\n\)", sql
    )
    assert calls and sorted(calls) == sorted(imports)
    first_import = sql.index(imports[0])
    assert all(sql.index(i) >= first_import for i in imports)
    assert sql.rstrip().endswith("select * from final")


def test_every_model_has_yaml_beside_it():
    for path in MODELS:
        documented = set()
        # one YAML per folder (_<folder>__models.yml) or one beside each model (<model>.yml)
        for spec in path.parent.glob("*.yml"):
            documented |= {
                m["name"] for m in (yaml.safe_load(spec.read_text()) or {}).get("models", [])
            }
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
