"""The dbt project's conventions: clean parse, docs, descriptions, naming and model style."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from greenery.dbt import Dbt

PROJECT = Path(__file__).resolve().parents[1]
MODELS = sorted((PROJECT / "models").rglob("*.sql"))


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
