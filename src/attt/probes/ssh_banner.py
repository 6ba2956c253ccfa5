"""The SSH warning banner file: the ``ssh_banner_file`` probe.

The banner check needs the banner file itself, besides the Banner keyword
(:mod:`attt.probes.sshd`).  The probe reads the file the configuration names plus the
usual banner locations: live, the path ``sshd -T`` prints; offline, the path the tree's
sshd_config and its Include'd files set, read under the tree's root (its offline reader
follows Include lines outside sshd_config.d too).  A Banner path that was not looked for
(only possible from older section data) ends as ``error``, never as a pass.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from attt.messages import T
from attt.registry import FactParseError, OfflineTree, Section, probe

from .sshd import MAIN_CONFIG, SshdConfigReader

# --------------------------------------------------------------------------- banner

# Where banners usually live; read offline, and live besides the effective Banner path.
BANNER_GLOBS = ("/etc/issue.net", "/etc/issue", "/etc/ssh/*banner*", "/etc/*banner*")
_BANNER_CAP = 65536
_BANNER_COMMAND = (
    'B=$(cat "$1/b"); '
    'show() { if [ -f "$1" ] && [ -r "$1" ]; then printf "%s FILE %s\\n" "$B" "$1"; '
    f'head -c {_BANNER_CAP} "$1"; printf "\\n"; '
    'else printf "%s MISSING %s\\n" "$B" "$1"; fi; }; '
    'printf "%s BANNER-FILES\\n" "$B"; '
    "if command -v sshd >/dev/null; then "
    "p=$(sshd -T 2>/dev/null | sed -n 's/^banner //p' | head -n 1); "
    'case "$p" in ""|none) ;; *) show "$p" ;; esac; fi; '
    "for p in " + " ".join(BANNER_GLOBS) + '; do for f in $p; do [ -f "$f" ] && show "$f"; '
    "done; done; exit 0"
)


_MAX_INCLUDE_ROUNDS = 16


def _tree_banner_path(tree: OfflineTree) -> str | None:
    """The Banner the tree's sshd configuration sets, reading Include'd files as sshd would."""

    files: dict[str, str] = {}
    for pattern in (MAIN_CONFIG, "/etc/ssh/sshd_config.d/*.conf"):
        files.update(tree.read(pattern))
    if MAIN_CONFIG not in files:
        return None
    done: set[str] = set()
    for _ in range(_MAX_INCLUDE_ROUNDS):
        reader = SshdConfigReader(files)
        try:
            reader.parse(MAIN_CONFIG, True, False, 0)
        except ValueError:
            return None  # the sshd_config_files fact reports the broken file
        more = {inc.value for inc in reader.unread} - done
        if not more:
            break
        for pattern in sorted(more):
            files.update(tree.read(pattern))
        done |= more
    setting = reader.settings.get("banner")
    if setting is None or setting.value.lower() == "none" or not setting.value.startswith("/"):
        return None
    return setting.value


def banner_offline(tree: OfflineTree) -> str:
    """The live probe's records, from the tree: the configured Banner file first."""

    b = tree.boundary
    out = [f"{b} BANNER-FILES\n"]
    shown: set[str] = set()

    def show(path: str, text: str | None) -> None:
        shown.add(path)
        if text is None:
            out.append(f"{b} MISSING {path}\n")
        else:
            out.append(f"{b} FILE {path}\n{text[:_BANNER_CAP]}\n")

    configured = _tree_banner_path(tree)
    if configured is not None:
        show(configured, tree.read(configured).get(configured))
    for pattern in BANNER_GLOBS:
        for path, text in tree.read(pattern).items():
            if path not in shown:
                show(path, text)
    return "".join(out)


@dataclass(frozen=True)
class BannerFiles:
    """Banner files read, and the paths looked for that are no readable file."""

    files: Mapping[str, str]  # path -> content (first 64 KiB)
    missing: frozenset[str] = field(default_factory=frozenset)  # looked for, not a readable file


@probe(
    "ssh_banner_file",
    command=_BANNER_COMMAND,
    files=BANNER_GLOBS,
    description="SSH banner files: the configured Banner path and /etc/issue.net etc.",
    offline=banner_offline,
)
def parse_ssh_banner_file(section: Section) -> BannerFiles:
    """Records framed with the run's boundary, which the first line (printed by the probe
    itself, before any file content) carries; or plain files (sections without records)."""

    if section.files or not section.text.strip():
        return BannerFiles(dict(section.files))
    first, _, rest = section.text.partition("\n")
    m = re.fullmatch(r"(@@ATTT-[0-9a-f]+@@) BANNER-FILES", first)
    if m is None:
        raise FactParseError(T("not a banner probe output: {line}", line=repr(first[:60])))
    b = re.escape(m.group(1))
    files: dict[str, str] = {}
    missing: set[str] = set()
    marker = re.compile(rf"^{b} (FILE|MISSING) (.+)$", re.MULTILINE)
    matches = list(marker.finditer(rest))
    if rest.strip() and (not matches or matches[0].start() != 0):
        raise FactParseError(T("banner probe output does not start with a record"))
    for i, mm in enumerate(matches):
        path = mm.group(2)
        if mm.group(1) == "MISSING":
            missing.add(path)
            continue
        end = matches[i + 1].start() if i + 1 < len(matches) else len(rest)
        body = rest[mm.end() + 1 : end]
        files[path] = body[:-1] if body.endswith("\n") else body
    return BannerFiles(files, frozenset(missing - set(files)))
