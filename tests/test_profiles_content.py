"""Profiles against the regulation catalogues: every item at exactly its levels, unique ids,
every check and parameter real, and the committed profiles equal to a fresh generation."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from attt.library import load_all
from attt.profile_loader import bundled_profiles, load_profile
from attt.registry import CHECKS

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = ROOT / "tools" / "regulation"
REGIMES = {
    "nd85-tt12": ("tt12-2022-catalogue.yaml", "general_requirements"),
    "law116-nd331": ("tcvn14423-2026-catalogue.yaml", "decree_331_obligations"),
}


def catalogue(regime: str) -> list[dict[str, Any]]:
    name, extra = REGIMES[regime]
    with open(CATALOGUES / name, encoding="utf-8") as fh:
        cat = yaml.safe_load(fh)
    return list(cat["items"]) + list(cat[extra])


@pytest.mark.parametrize("regime", sorted(REGIMES))
@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_every_catalogue_item_at_exactly_its_levels(regime: str, level: int) -> None:
    items = catalogue(regime)
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids)), "catalogue ids must be unique"
    expected = {i["id"] for i in items if level in i["levels"]}
    prof = load_profile(f"{regime}-{level}")  # validates checks and parameters
    got = [r.id for r in prof.requirements]
    assert len(got) == len(set(got))
    regime_ids = {rid for rid in got if not rid.startswith("ATTT.")}
    assert regime_ids == expected
    assert prof.regime == regime and prof.level == level
    by_id = {i["id"]: i for i in items}
    for r in prof.requirements:
        assert r.checks or r.evidence, r.id
        if r.id.startswith("ATTT."):
            assert r.advisory
            continue
        assert r.layer == int(by_id[r.id].get("layer", 1))
        if regime == "nd85-tt12" and isinstance(by_id[r.id].get("tt12_ref"), dict):
            assert r.clauses["tt12"] == by_id[r.id]["tt12_ref"][level]
        if regime == "law116-nd331" and by_id[r.id].get("tcvn_14423"):
            assert r.clauses["tcvn_14423"] == str(by_id[r.id]["tcvn_14423"][level])


def test_every_named_check_and_parameter_exists() -> None:
    load_all()
    for path in bundled_profiles().values():
        prof = load_profile(path)
        for r in prof.requirements:
            for ref in r.checks:
                assert ref.check_id in CHECKS
                assert set(ref.params) <= set(CHECKS[ref.check_id].params)


def test_newer_regime_carries_its_provenance_caveat() -> None:
    prof = load_profile("law116-nd331-3")
    assert "TCVN 14423:2026" in prof.instruments
    assert "not verified" in prof.caveat_en
    assert "chưa đối chiếu" in prof.caveat_vi and "not verified" not in prof.caveat_vi
    assert load_profile("nd85-tt12-3").caveat_vi == load_profile("nd85-tt12-3").caveat_en == ""


def test_level_parameters_rise_with_level() -> None:
    def value(pid: str, check: str, name: str) -> Any:
        prof = load_profile(pid)
        return next(p.value for p in prof.provenance if p.check_id == check and p.name == name)

    assert value("law116-nd331-2", "logging.retention_months", "min_months") == 1
    assert value("law116-nd331-3", "logging.retention_months", "min_months") == 3
    assert value("law116-nd331-5", "logging.retention_months", "min_months") == 12
    assert value("nd85-tt12-3", "password.min_length", "min_length") == 10


def test_freshness_and_approval_rules_are_in_the_profiles() -> None:
    l5 = load_profile("law116-nd331-5").requirement("TCVN14423.RR.2")
    assert l5.evidence[0].max_age_months == 6
    l4 = load_profile("law116-nd331-4").requirement("TCVN14423.RR.2")
    assert l4.evidence[0].max_age_months == 12
    reg = load_profile("nd85-tt12-2").requirement("TT12.CHUNG.4")
    assert reg.evidence[0].before_approval


def test_committed_profiles_equal_a_fresh_generation(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("gen_profiles", ROOT / "tools/gen_profiles.py")
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = gen  # dataclasses look their module up while being built
    spec.loader.exec_module(gen)
    gen.main(str(tmp_path))
    for fresh in sorted(tmp_path.glob("*.yaml")):
        committed = ROOT / "profiles" / fresh.name
        assert committed.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), (
            f"{committed} is stale: run python tools/gen_profiles.py")
