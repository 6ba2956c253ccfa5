"""Safe, bounded YAML loading and key-path-aware field readers for every input file.

Errors always name the file and the key path (``systems[0].hosts[2].port``), never a traceback.
Anchors and aliases are refused: they are the door to "billion laughs" expansion and the
inventory's ``defaults:``/``groups:`` cover the sharing they are used for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from . import safe_io
from .errors import InputError
from .messages import Msg, T

MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 40
MAX_NODES = 500_000


def _key_text(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else f"<{type(node).__name__}>"


def _check_nodes(node: yaml.Node, source: str, prefix: str = "", seen: int = 0) -> int:
    """Node count and duplicate keys, with the key path of the offending key; returns the
    running node count (``seen`` is the count of the subtrees already checked)."""

    stack: list[tuple[yaml.Node, str]] = [(node, prefix)]
    while stack:
        current, path = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            raise InputError(source, "", T("more than {count} YAML nodes", count=MAX_NODES))
        if isinstance(current, yaml.MappingNode):
            first: dict[tuple[str, str], int] = {}
            for k, v in current.value:
                name = _key_text(k)
                child = f"{path}.{name}" if path else name
                line = k.start_mark.line + 1
                # Last-wins would let a second `expires:` or `level:` silently override the
                # first one an approver read.
                if (k.tag, name) in first:
                    raise InputError(
                        source, child,
                        T("line {line}: duplicate key (first given at line {first})",
                          line=line, first=first[k.tag, name]),
                    )
                first[k.tag, name] = line
                stack.append((k, child))
                stack.append((v, child))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(current.value))
    return seen


# The tag of a list item already checked and built while composing (see _Loader).
_BUILT = "tag:attt,2026:built"


class _Loader(yaml.SafeLoader):
    """SafeLoader without aliases, with a nesting bound checked while composing (PyYAML's
    composer recurses once per level: 10 000 brackets would exhaust the Python stack before
    any check on the finished tree could run).

    Each list item is checked (duplicate keys, node count) and built as soon as it is
    composed, and its node tree dropped: an inventory of 10,000 hosts otherwise holds some
    300,000 nodes and their marks at once (48 MiB, ten times the data they describe).
    """

    _attt_source = ""
    _attt_depth = 0
    _attt_seen = 0

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._attt_paths: list[str] = [""]

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise InputError(
                self._attt_source,
                "",
                T("line {line}: YAML aliases (*{anchor}) are not supported; use "
                  "defaults:/groups:", line=event.start_mark.line + 1, anchor=event.anchor),
            )
        self._attt_depth += 1
        try:
            if self._attt_depth > MAX_DEPTH:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise InputError(
                    self._attt_source, "",
                    T("line {line}: nesting deeper than {depth} levels",
                      line=event.start_mark.line + 1, depth=MAX_DEPTH),
                )
            self._attt_paths.append(self._child_path(parent, index))
            try:
                node = super().compose_node(parent, index)
            finally:
                path = self._attt_paths.pop()
            if isinstance(parent, yaml.SequenceNode) and isinstance(
                    node, yaml.MappingNode | yaml.SequenceNode):
                return self._built(node, path)
            return node
        finally:
            self._attt_depth -= 1

    def _child_path(self, parent: yaml.Node | None, index: Any) -> str:
        base = self._attt_paths[-1]
        if isinstance(parent, yaml.SequenceNode):
            return f"{base}[{len(parent.value)}]"
        if isinstance(parent, yaml.MappingNode) and isinstance(index, yaml.Node):
            name = _key_text(index)
            return f"{base}.{name}" if base else name
        return base  # the document root, or a mapping key (named by the key itself)

    def _built(self, node: yaml.Node, path: str) -> yaml.Node:
        # The node count check of load_text counts a built item once; its own nodes are
        # counted here so that the bound still covers the whole document.
        self._attt_seen = _check_nodes(node, self._attt_source, path, self._attt_seen)
        value = self.construct_document(node)
        return _BuiltNode(_BUILT, value, node.start_mark, node.end_mark)


class _BuiltNode(yaml.ScalarNode):
    """A list item already built: ``value`` is the Python value."""


def _built_value(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if not isinstance(node, _BuiltNode):
        # The tag written by hand in a document: refused like any unknown tag.
        raise yaml.constructor.ConstructorError(
            None, None, f"could not determine a constructor for the tag {node.tag!r}",
            node.start_mark)
    return node.value


_Loader.add_constructor(_BUILT, _built_value)


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    # PyYAML builds date objects itself and raises a bare ValueError on 2025-02-30; left as
    # text, the typed reader (Node.date) parses it and names the key.
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def load_text(text: str, source: str) -> Any:
    """Parse YAML safely with size, depth and duplicate-key checks."""

    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise InputError(source, "", T("file larger than {limit} bytes", limit=MAX_BYTES))
    loader: _Loader | None = None
    try:
        # The reader checks for unprintable characters (NUL...) in the constructor already.
        loader = _Loader(text)
        loader._attt_source = source
        node = loader.get_single_node()
        if node is None:
            return None
        _check_nodes(node, source, "", loader._attt_seen)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        # PyYAML's own wording of the problem is data: it has no translation.
        mark = exc.problem_mark
        where = T("line {line}, column {column}", line=mark.line + 1,
                  column=mark.column + 1) if mark else ""
        raise InputError(source, "", T("invalid YAML at {where}: {problem}", where=where,
                                       problem=exc.problem)) from None
    except yaml.YAMLError as exc:
        raise InputError(source, "", T("invalid YAML: {problem}", problem=str(exc))) from None
    except RecursionError:
        raise InputError(source, "", T("nesting deeper than {depth} levels",
                                       depth=MAX_DEPTH)) from None
    finally:
        if loader is not None:
            loader.dispose()


def load_file(path: str) -> Any:
    """Parse a YAML file safely (bounded read, then load_text)."""

    return load_text(safe_io.read_text(path, MAX_BYTES), path)


class Node:
    """A mapping read from YAML that knows its file and key path."""

    def __init__(self, data: Any, source: str, path: str = "") -> None:
        if not isinstance(data, Mapping):
            raise InputError(
                source, path or T("(top level)"), T("expected a mapping, got {kind}",
                                                 kind=_kind(data))
            )
        self.data: Mapping[str, Any] = data
        self.source = source
        self.path = path

    def key(self, name: str) -> str:
        """The key path of a child, e.g. ``systems[0].hosts``."""

        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, problem: str | Msg) -> InputError:
        """An InputError naming the file and the child's key path."""

        return InputError(self.source, self.key(name), problem)

    def allow(self, *names: str) -> None:
        """Refuse any key not named."""

        unknown = sorted(set(map(str, self.data)) - set(names))
        if unknown:
            raise self.error(unknown[0], T("unknown key (allowed: {allowed})",
                                           allowed=sorted(names)))

    def has(self, name: str) -> bool:
        """Whether the key is present and not null."""

        return name in self.data and self.data[name] is not None

    def raw(self, name: str, default: Any = None) -> Any:
        """The child's value unchecked."""

        return self.data.get(name, default)

    def text(self, name: str, default: str | None = None) -> str:
        """The child as text (numbers accepted); required unless a default is given."""

        value = self.data.get(name)
        if value is None:
            if default is None:
                raise self.error(name, T("required"))
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.error(name, T("expected text, got {kind}", kind=_kind(value)))
        return str(value)

    def integer(
        self, name: str, default: int | None = None, lo: int | None = None, hi: int | None = None
    ) -> int:
        """The child as an integer within ``lo``-``hi``."""

        value = self.data.get(name)
        if value is None:
            if default is None:
                raise self.error(name, T("required"))
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(name, T("expected an integer, got {value}", value=repr(value)))
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise self.error(name, T("expected an integer {lo}-{hi}, got {value}",
                                     lo=lo, hi=hi, value=value))
        return value

    def date(self, name: str) -> dt.date | None:
        """An ISO date (``2025-02-28``; a timestamp's time part is dropped); None if absent."""

        value = self.data.get(name)
        if value is None or value == "":
            return None
        text = value if isinstance(value, str) else ""
        try:
            # fromisoformat also takes 20250228 and week dates: insist on the documented form.
            if len(text) < 10 or text[4] != "-" or text[7] != "-":
                raise ValueError
            parsed = dt.datetime.fromisoformat(text.replace(" ", "T", 1)) if len(text) > 10 \
                else dt.datetime.fromisoformat(text)
        except ValueError:
            shown = text[:40] if text and text.isprintable() else repr(value)[:40]
            raise self.error(name, T("{value} is not a valid date (expected YYYY-MM-DD)",
                                     value=shown)) from None
        return parsed.date()

    def boolean(self, name: str, default: bool) -> bool:
        """The child as true or false."""

        value = self.data.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(name, T("expected true or false, got {value}", value=repr(value)))
        return value

    def texts(self, name: str) -> tuple[str, ...]:
        """The child as a list of text (one text accepted as a list of one)."""

        value = self.data.get(name)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            raise self.error(name, T("expected a list of text, got {kind}", kind=_kind(value)))
        return tuple(str(v) for v in value)

    def mapping(self, name: str) -> Node:
        """The child mapping as a Node (empty when absent)."""

        value = self.data.get(name)
        return Node({} if value is None else value, self.source, self.key(name))

    def items(self, name: str) -> Iterator[Node]:
        """Each item of the child list as a Node."""

        value = self.data.get(name)
        if value is None:
            return
        if not isinstance(value, list):
            raise self.error(name, T("expected a list, got {kind}", kind=_kind(value)))
        for i, item in enumerate(value):
            yield Node(item, self.source, f"{self.key(name)}[{i}]")


def _kind(value: Any) -> str | Msg:
    """What was found instead, for "expected X, got ...": a phrase of its own, translated; a
    scalar is shown as its type and value (data)."""

    if value is None:
        return T("nothing")
    if isinstance(value, Mapping):
        return T("a mapping")
    if isinstance(value, list):
        return T("a list")
    shown = repr(value)[:80 - len(type(value).__name__) - 1]
    # The English text names the Python type ("str 'abc'"); Vietnamese names the kind.
    if isinstance(value, bool):
        return T("bool {value}", value=shown)
    if isinstance(value, str):
        return T("str {value}", value=shown)
    if isinstance(value, int):
        return T("int {value}", value=shown)
    if isinstance(value, float):
        return T("float {value}", value=shown)
    return f"{type(value).__name__} {shown}"


