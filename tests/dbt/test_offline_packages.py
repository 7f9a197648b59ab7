"""The offline stand-ins of dbt_utils and dbt_expectations keep the packages' semantics.

A scratch dbt project applies each generic test to small hand-made models, and each macro in a
model whose output tests check, and reads which tests pass and how many rows each failing one
returns.
"""

from __future__ import annotations

import json
import shutil

import pytest
from dbt_helpers import PROJECT
from greenery.dbt.runner import Dbt

MODELS = {
    "numbers": "select * from (values (1, 'a', 0), (2, 'b', 5), (3, 'c', 10), (4, 'd', null)) "
    "as t(id, code, x)",
    "pairs": "select * from (values (1, 'a'), (1, 'b'), (2, 'a'), (1, 'a')) as t(k1, k2)",
    "zips": "select * from (values ('02203'), ('12345'), ('1234'), (null)) as t(zip)",
    "eight_rows": "select * from range(8) as t(n)",
    # n / d and (n - 1) / (d - 1) by safe_divide, beside the expected quotients
    "quotients": "select *, {{ dbt_utils.safe_divide('n', 'd') }} as ratio, "
    "{{ dbt_utils.safe_divide('n - 1', 'd - 1') }} as shifted_ratio "
    "from (values (6, 3, 2.0, 2.5), (1, 0, null, 0.0), (null, 2, null, null), "
    "(1, 4, 0.25, 0.0), (5, 1, 5.0, null)) as t(n, d, expected, shifted_expected)",
}

TESTS = """
models:
  - name: pairs
    data_tests:
      - dbt_utils.unique_combination_of_columns:
          name: pairs_not_unique
          arguments: {combination_of_columns: [k1, k2]}
      - dbt_utils.unique_combination_of_columns:
          name: pairs_unique_with_id
          arguments: {combination_of_columns: [k1, k2, k1]}
          config: {where: "k2 = 'b'"}
  - name: numbers
    data_tests:
      - dbt_utils.expression_is_true:
          name: expression_holds
          arguments: {expression: "x >= 0"}
      - dbt_utils.expression_is_true:
          name: expression_fails_once
          arguments: {expression: "x >= 5"}
    columns:
      - name: x
        data_tests:
          - dbt_utils.accepted_range:
              name: range_inclusive_passes
              arguments: {min_value: 0, max_value: 10}
          - dbt_utils.accepted_range:
              name: range_exclusive_fails_twice
              arguments: {min_value: 0, max_value: 10, inclusive: false}
          - dbt_utils.accepted_range:
              name: range_min_only_fails_once
              arguments: {min_value: 1}
          - dbt_utils.expression_is_true:
              name: column_expression_fails_once
              arguments: {expression: "< 6"}
          - dbt_expectations.expect_column_values_to_be_between:
              name: between_passes
              arguments: {min_value: 0, max_value: 10}
          - dbt_expectations.expect_column_values_to_be_between:
              name: between_strictly_fails_twice
              arguments: {min_value: 0, max_value: 10, strictly: true}
          - dbt_expectations.expect_column_values_to_be_between:
              name: between_row_condition_fails_once
              arguments: {min_value: 1, max_value: 10, row_condition: "id <= 2"}
  - name: zips
    columns:
      - name: zip
        data_tests:
          - dbt_expectations.expect_column_values_to_match_regex:
              name: regex_full_match_fails_once
              arguments: {regex: "^[0-9]{5}$"}
          - dbt_expectations.expect_column_values_to_match_regex:
              name: regex_is_a_search
              arguments: {regex: "[0-9]{4}"}
          - dbt_expectations.expect_column_values_to_match_regex:
              name: regex_row_condition_passes
              arguments: {regex: "^[0-9]{5}$", row_condition: "length(zip) = 5"}
  - name: eight_rows
    data_tests:
      - dbt_expectations.expect_table_row_count_to_equal_other_table:
          name: row_count_equal_fails
          arguments: {compare_model: ref('numbers')}
      - dbt_expectations.expect_table_row_count_to_equal_other_table:
          name: row_count_with_factor_passes
          arguments: {compare_model: ref('numbers'), factor: 2}
      - dbt_expectations.expect_table_row_count_to_equal_other_table:
          name: row_count_with_conditions_passes
          arguments:
            compare_model: ref('numbers')
            row_condition: "n < 3"
            compare_row_condition: "x is not null"
  - name: quotients
    data_tests:
      - dbt_utils.expression_is_true:
          name: safe_divide_divides_and_gives_null_for_zero
          arguments: {expression: "ratio is not distinct from expected"}
      - dbt_utils.expression_is_true:
          name: safe_divide_keeps_each_argument_whole
          arguments: {expression: "shifted_ratio is not distinct from shifted_expected"}
      - dbt_utils.expression_is_true:
          name: safe_divide_nulls_fail_twice
          arguments: {expression: "ratio is not null"}
"""

EXPECTED = {  # test name -> failing rows (0 = pass)
    "pairs_not_unique": 1,
    "pairs_unique_with_id": 0,
    "expression_holds": 0,
    "expression_fails_once": 1,
    "range_inclusive_passes": 0,
    "range_exclusive_fails_twice": 2,
    "range_min_only_fails_once": 1,
    "column_expression_fails_once": 1,
    "between_passes": 0,
    "between_strictly_fails_twice": 2,
    "between_row_condition_fails_once": 1,
    "regex_full_match_fails_once": 1,
    "regex_is_a_search": 0,
    "regex_row_condition_passes": 0,
    "row_count_equal_fails": 1,
    "row_count_with_factor_passes": 0,
    "row_count_with_conditions_passes": 0,
    "safe_divide_divides_and_gives_null_for_zero": 0,
    "safe_divide_keeps_each_argument_whole": 0,
    "safe_divide_nulls_fail_twice": 2,
}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("scratch")
    (root / "models").mkdir()
    for name, sql in MODELS.items():
        (root / "models" / f"{name}.sql").write_text(sql + "\n")
    (root / "models" / "tests.yml").write_text(TESTS)
    (root / "dbt_project.yml").write_text(
        "name: scratch\nversion: '1.0'\nprofile: greenery\n"
        "models:\n  scratch:\n    +materialized: table\n"
    )
    (root / "profiles.yml").write_text(
        "greenery:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        f"      path: {root / 'scratch.duckdb'}\n      schema: main\n"
    )
    (root / "packages.yml").write_text(
        "packages:\n  - local: dbt_packages/dbt_utils\n  - local: dbt_packages/dbt_expectations\n"
    )
    for package in ("dbt_utils", "dbt_expectations"):
        shutil.copytree(PROJECT / "offline_packages" / package, root / "dbt_packages" / package)
    dbt = Dbt(project=root)
    dbt.invoke(["build"])
    run = json.loads((dbt.artifacts / "run_results.json").read_text())
    return {
        r["unique_id"].split(".")[2]: r
        for r in run["results"]
        if r["unique_id"].startswith("test.")
    }


@pytest.mark.parametrize(("name", "failing_rows"), list(EXPECTED.items()))
def test_stand_in_semantics(results, name, failing_rows):
    result = results[name]
    assert result["status"] == ("pass" if failing_rows == 0 else "fail")
    assert result["failures"] == failing_rows
