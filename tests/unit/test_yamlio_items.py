"""yamlio builds each list item as soon as it is composed; the document's checks still
cover every node: duplicate keys named by their path inside items, the node bound counted
over all items, a hand-written internal tag refused, and the data unchanged."""

from __future__ import annotations

import pytest
import yaml

from attt import yamlio
from attt.errors import InputError


def test_items_are_built_to_the_same_data_as_pyyaml() -> None:
    text = ("systems:\n  - name: a\n    hosts:\n      - {name: x, roles: [web, db]}\n"
            "      - name: y\n        options: {sudo: true}\n    zones: [[1, 2], {k: v}]\n"
            "top: [1, {a: [2, 3]}]\n")
    assert yamlio.load_text(text, "f.yaml") == yaml.safe_load(text)


def test_a_duplicate_key_inside_a_list_item_is_named_by_its_path() -> None:
    text = "systems:\n  - name: a\n    hosts:\n      - {name: x}\n      - {name: y, name: z}\n"
    with pytest.raises(InputError) as err:
        yamlio.load_text(text, "inv.yaml")
    assert err.value.key == "systems[0].hosts[1].name"
    assert "line 5" in str(err.value)


def test_the_node_bound_counts_every_item(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlio, "MAX_NODES", 100)
    # 40 items of 3 nodes each: no single item is near the bound, the document is over it.
    text = "items:\n" + "".join(f"  - {{n: {i}}}\n" for i in range(40))
    with pytest.raises(InputError) as err:
        yamlio.load_text(text, "big.yaml")
    assert "more than 100 YAML nodes" in str(err.value)
    small = "items:\n" + "".join(f"  - {{n: {i}}}\n" for i in range(20))
    assert len(yamlio.load_text(small, "small.yaml")["items"]) == 20


def test_the_internal_tag_written_by_hand_is_refused() -> None:
    with pytest.raises(InputError) as err:
        yamlio.load_text("a:\n  - !<tag:attt,2026:built> {x: 1}\n", "evil.yaml")
    assert "tag:attt,2026:built" in str(err.value)
