"""inetd and xinetd: the services the super-servers' configuration enables
(``inetd_services``).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass

from attt.messages import T
from attt.registry import FactParseError, Section, probe

# ---------------------------------------------------------------------------- inetd / xinetd

XINETD_MAIN = "/etc/xinetd.conf"
INETD_CONF = "/etc/inetd.conf"


@dataclass(frozen=True)
class InetdServices:
    """Services enabled and disabled in inetd.conf and xinetd.d."""

    files: tuple[str, ...]
    enabled: Mapping[str, str]  # service name -> where it is enabled
    disabled: tuple[str, ...]


def _xinetd_blocks(path: str, text: str) -> list[tuple[str, dict[str, str], int]]:
    blocks: list[tuple[str, dict[str, str], int]] = []
    name: str | None = None
    attrs: dict[str, str] = {}
    start = 0
    inside = False
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if not inside:
            if line.startswith(("service ", "defaults")):
                name = line.split(None, 1)[1].strip() if line.startswith("service ") else ""
                attrs, start = {}, lineno
            elif line == "{" and name is not None:
                inside = True
            elif line.startswith("includedir ") or line.startswith("include "):
                continue
            else:
                raise FactParseError(T("{path}:{lineno}: not xinetd syntax: {line}",
                                       path=path, lineno=lineno, line=repr(line[:60])))
            continue
        if line == "}":
            blocks.append((name or "", attrs, start))
            name, inside = None, False
            continue
        m = re.match(r"^(\w+)\s*([+-]?=)\s*(.*)$", line)
        if m is None:
            raise FactParseError(T("{path}:{lineno}: not an xinetd attribute: {line}",
                                   path=path, lineno=lineno, line=repr(line[:60])))
        attrs[m.group(1).lower()] = m.group(3).strip()
    if inside:
        raise FactParseError(T("{path}: unterminated xinetd block", path=path))
    return blocks


@probe(
    "inetd_services",
    files=(XINETD_MAIN, "/etc/xinetd.d/*", INETD_CONF),
    description="services configured in xinetd and inetd",
)
def parse_inetd_services(section: Section) -> InetdServices:
    """The ``inetd_services`` probe's output parsed: services configured in xinetd and inetd."""

    enabled: dict[str, str] = {}
    disabled: list[str] = []
    globally_disabled: set[str] = set()
    for path in sorted(section.files):
        text = section.files[path]
        if path == INETD_CONF:
            for lineno, raw in enumerate(text.splitlines(), 1):
                line = raw.strip()
                if not line or line.startswith("#"):
                    continue
                words = line.split()
                if len(words) < 6:
                    raise FactParseError(T("{path}:{lineno}: not an inetd.conf entry: {line}",
                                           path=path, lineno=lineno, line=repr(line[:60])))
                enabled.setdefault(words[0].split(":")[-1], f"{path}:{lineno}")
            continue
        if posixpath.basename(path).endswith(("~", ".dpkg-old", ".dpkg-dist", ".rpmsave",
                                              ".rpmnew")):
            continue  # xinetd skips backup files in includedir
        for name, attrs, lineno in _xinetd_blocks(path, text):
            if name == "":
                globally_disabled |= set(attrs.get("disabled", "").split())
                continue
            if attrs.get("disable", "no").lower() == "yes":
                disabled.append(name)
            else:
                enabled.setdefault(name, f"{path}:{lineno}")
    for name in globally_disabled & set(enabled):
        disabled.append(name)
        del enabled[name]
    return InetdServices(tuple(sorted(section.files)), enabled, tuple(sorted(disabled)))
