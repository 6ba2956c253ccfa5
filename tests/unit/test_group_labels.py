"""Every requirement group of every bundled profile has a label in the report's table, and
the label has its Vietnamese translation (a law116 report showed the raw key
"accounts-access" in Vietnamese)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from attt import i18n

PROFILES = sorted((Path(__file__).resolve().parents[2] / "profiles").glob("*.yaml"))


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.stem)
def test_every_group_has_a_vietnamese_label(profile: Path) -> None:
    data = yaml.safe_load(profile.read_text(encoding="utf-8"))
    groups = {r["group"] for r in data["requirements"] if r.get("group")}
    assert groups
    for group in groups:
        assert group in i18n.GROUP_LABELS, group
        english = i18n.label(i18n.GROUP_LABELS, group, "en")
        assert i18n.label(i18n.GROUP_LABELS, group, "vi") != english, group
