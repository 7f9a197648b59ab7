"""Where the dbt packages come from (`dbt/packages.py`): the hub when it answers, else the
offline stand-ins, always recorded. Temporary projects and a fake `dbt deps`, no dbt."""

from __future__ import annotations

from pathlib import Path

import pytest
from greenery.dbt import packages
from greenery.dbt.project import ConfigError
from package_helpers import from_hub, install, packages_only


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return packages_only(tmp_path)


@pytest.mark.parametrize("mode", [None, "auto", "offline"])
def test_offline_install_is_recorded(project, mode, monkeypatch):
    assert packages.installed_source(project) is None
    dbt = install(project, mode, hub_reachable=False, monkeypatch=monkeypatch)
    assert dbt.source == "offline"
    assert (project / "dbt_packages" / ".greenery-packages").read_text() == "offline\n"
    assert packages.installed_source(project) == "offline"
    assert dbt.calls == ([] if mode == "offline" else [["deps", "--log-level", "none"]])
    # kept from then on, as the tests' session fixture relies on
    assert install(project, mode, hub_reachable=True, monkeypatch=monkeypatch).source == "present"
    assert packages.installed_source(project) == "offline"


def test_changed_stand_ins_are_installed_again(project, monkeypatch):
    install(project, "auto", hub_reachable=False, monkeypatch=monkeypatch)
    added = Path("dbt_utils", "macros", "new_macro.sql")
    (project / packages.OFFLINE_DIR / added).write_text("{% macro new_macro() %}1{% endmacro %}\n")
    dbt = install(project, "auto", hub_reachable=True, monkeypatch=monkeypatch)
    assert dbt.source == "offline" and dbt.calls == []  # the stand-ins again, the hub not asked
    assert (project / packages.INSTALL_DIR / added).exists()
    assert packages.installed_source(project) == "offline" and packages.offline_current(project)
    assert install(project, "auto", hub_reachable=True, monkeypatch=monkeypatch).source == "present"


def test_hub_mode_refuses_offline_stand_ins_when_the_hub_fails(project, monkeypatch):
    install(project, "offline", hub_reachable=False, monkeypatch=monkeypatch)
    with pytest.raises(ConfigError, match="GREENERY_PACKAGES=hub.*offline stand-ins.*refused"):
        install(project, "hub", hub_reachable=False, monkeypatch=monkeypatch)
    assert packages.installed_source(project) == "offline"  # never claimed to be the hub's


def test_hub_mode_replaces_offline_stand_ins(project, monkeypatch):
    install(project, "offline", hub_reachable=False, monkeypatch=monkeypatch)
    dbt = install(project, "hub", hub_reachable=True, monkeypatch=monkeypatch)
    assert dbt.source == "hub" and from_hub(project)
    assert (project / "dbt_packages" / ".greenery-packages").read_text() == "hub\n"
    assert packages.installed_source(project) == "hub"
    again = install(project, "hub", hub_reachable=True, monkeypatch=monkeypatch)
    assert again.source == "present" and again.calls == []
    # the hub's packages are fine for offline and auto runs too
    for mode in ("offline", "auto"):
        assert install(project, mode, hub_reachable=False, monkeypatch=monkeypatch).calls == []
    assert packages.installed_source(project) == "hub"


def test_packages_without_a_marker_are_of_unknown_source(project, monkeypatch):
    install(project, "offline", hub_reachable=False, monkeypatch=monkeypatch)
    (project / "dbt_packages" / ".greenery-packages").unlink()
    assert packages.installed_source(project) == "unknown"
    assert install(project, "auto", hub_reachable=True, monkeypatch=monkeypatch).calls == []
    assert install(project, "hub", hub_reachable=True, monkeypatch=monkeypatch).source == "hub"
    assert packages.installed_source(project) == "hub"


def test_an_unknown_mode_is_a_config_error(project, monkeypatch):
    with pytest.raises(ConfigError, match="expected one of auto, hub, offline"):
        install(project, "sometimes", hub_reachable=True, monkeypatch=monkeypatch)
