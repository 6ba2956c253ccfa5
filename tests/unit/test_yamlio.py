"""yamlio: hostile YAML is an InputError naming file, key and line, never a library exception."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from attt.errors import InputError
from attt.yamlio import MAX_DEPTH, Node, load_file, load_text


def _error(text: str) -> InputError:
    with pytest.raises(InputError) as info:
        load_text(text, "f.yaml")
    return info.value


@pytest.mark.parametrize("text", [
    "[" * 10_000 + "]" * 10_000,
    "{a: " * 10_000 + "1" + "}" * 10_000,
    "".join(" " * i + "- \n" for i in range(0, 4000, 2)),
    "".join(" " * i + "k:\n" for i in range(0, 4000, 2)),
], ids=["flow-seq", "flow-map", "block-seq", "block-map"])
def test_deep_nesting_is_refused_before_recursion(text: str) -> None:
    err = _error(text)
    assert "nesting deeper than" in str(err.problem)
    assert "line " in str(err.problem)


def test_nesting_at_the_limit_loads() -> None:
    depth = MAX_DEPTH - 1
    assert load_text("[" * depth + "]" * depth, "f.yaml") is not None


@pytest.mark.parametrize("text", ["a: b\x00c\n", "a: \x07\n", "a: b\ufffe\n"])
def test_unprintable_characters_are_input_errors(text: str) -> None:
    err = _error(text)
    assert err.source == "f.yaml"
    assert "invalid YAML" in str(err.problem)


def test_unquoted_timestamps_stay_text() -> None:
    data = load_text("a: 2025-02-30\nb: 2025-01-02\nc: 2025-01-02 10:00:00\n", "f.yaml")
    assert data == {"a": "2025-02-30", "b": "2025-01-02", "c": "2025-01-02 10:00:00"}


@pytest.mark.parametrize(("text", "key", "line"), [
    ("a: 1\na: 2\n", "a", "line 2"),
    ("systems:\n- name: x\n  level: 2\n  level: 3\n", "systems[0].level", "line 4"),
    ("w:\n  - {expires: '2025-01-01', expires: '2030-01-01'}\n", "w[0].expires", "line 2"),
    ("a:\n  b: {c: 1}\n  b: {c: 2}\n", "a.b", "line 3"),
])
def test_duplicate_keys_name_the_key_path_and_line(text: str, key: str, line: str) -> None:
    err = _error(text)
    assert err.key == key
    assert "duplicate key" in str(err.problem) and line in str(err.problem)


@pytest.mark.parametrize(("value", "ok"), [
    ("2025-02-28", True), ("'2025-02-28'", True), ("2025-02-30", False), ("'2025-02-30'", False),
    ("2025-13-01", False), ("'31/12/2025'", False), ("20250101", False), ("[2025]", False),
    ("true", False), ("2025-01-02 10:00:00", True),
])
def test_node_date(value: str, ok: bool) -> None:
    node = Node(load_text(f"d: {value}\n", "f.yaml"), "f.yaml", "x[0]")
    if ok:
        assert isinstance(node.date("d"), dt.date)
    else:
        with pytest.raises(InputError) as info:
            node.date("d")
        assert info.value.key == "x[0].d"
        assert "not a valid date" in str(info.value.problem)


def test_load_file_refuses_a_fifo(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "in.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InputError) as info:
        load_file(str(fifo))
    assert "not a regular file" in str(info.value.problem)
