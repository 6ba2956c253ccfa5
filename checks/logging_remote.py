"""Remote logging: system logs are forwarded to a central collector.

Recognised forwarders: rsyslog (legacy ``*.* @host`` / ``@@host:port`` / ``:omrelp:`` and
RainerScript ``action(type="omfwd"|"omrelp" target=...)``), syslog-ng (a network/tcp/udp/
syslog destination used in a ``log`` path) and systemd-journal-upload (``URL=``).  rsyslog.d
files only count when rsyslog.conf includes them.  On live hosts the forwarding daemon must
be running; offline it must be enabled at boot when the tree has systemd unit directories.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from attt.model import Result, Status
from attt.probes.processes import ProcessTable
from attt.probes.systemd import EnabledUnits
from attt.probes.text import glob_regex
from attt.registry import ScopedFacts, Section, check, probe

RSYSLOG_MAIN = "/etc/rsyslog.conf"


def _strip_comments(text: str, hash_comments: bool = True) -> str:
    """Remove /* */ blocks and '#' line comments outside double quotes."""

    out: list[str] = []
    i, n, quote = 0, len(text), False
    while i < n:
        c = text[i]
        if quote:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            quote = c != '"'
        elif c == '"':
            quote = True
            out.append(c)
        elif text.startswith("/*", i) and (i == 0 or text[i - 1].isspace()):
            # Only a '/*' that starts a word opens a comment: '$IncludeConfig /etc/x.d/*.conf'
            # does not.
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        elif c == "#" and hash_comments:
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


_LEGACY = re.compile(r"^\s*[^\s#$]\S*\s+(@@?|:omrelp:)(\([^)]*\))?\[?([\w.:-]+?)\]?(?::(\d+))?"
                     r"(?:;\S+)?\s*$")
_ACTION = re.compile(r"action\s*\(([^)]*)\)", re.IGNORECASE | re.DOTALL)


def _rsyslog_targets(path: str, text: str) -> list[str]:
    targets: list[str] = []
    clean = _strip_comments(text)
    for m in _ACTION.finditer(clean):
        params = dict(re.findall(r'([\w.]+)\s*=\s*"([^"]*)"', m.group(1)))
        params = {k.lower(): v for k, v in params.items()}
        if params.get("type", "").lower() in ("omfwd", "omrelp") and params.get("target"):
            proto = params.get("protocol", "udp" if params["type"].lower() == "omfwd" else "relp")
            port = params.get("port", "514")
            targets.append(f"{params['target']}:{port}/{proto.lower()} ({path})")
    for line in clean.splitlines():
        lm = _LEGACY.match(line)
        if lm:
            proto = {"@": "udp", "@@": "tcp", ":omrelp:": "relp"}[lm.group(1)]
            targets.append(f"{lm.group(3)}:{lm.group(4) or '514'}/{proto} ({path})")
    return targets


def _rsyslog_includes(text: str) -> list[str]:
    clean = _strip_comments(text)
    pats = re.findall(r"^\s*\$IncludeConfig\s+(\S+)", clean, re.MULTILINE)
    pats += re.findall(r'include\s*\(\s*file\s*=\s*"([^"]+)"', clean)
    return pats


@dataclass(frozen=True)
class Forwarders:
    present: bool  # the daemon's main configuration exists
    targets: tuple[str, ...]


@probe(
    "rsyslog_conf",
    files=(RSYSLOG_MAIN, "/etc/rsyslog.d/*.conf"),
    description="rsyslog configuration",
)
def parse_rsyslog_conf(section: Section) -> Forwarders:
    if RSYSLOG_MAIN not in section.files:
        return Forwarders(False, ())
    main = section.files[RSYSLOG_MAIN]
    targets = _rsyslog_targets(RSYSLOG_MAIN, main)
    for pattern in _rsyslog_includes(main):
        regex = glob_regex(pattern)
        for path in sorted(p for p in section.files if regex.fullmatch(p)):
            if path != RSYSLOG_MAIN:
                targets += _rsyslog_targets(path, section.files[path])
    return Forwarders(True, tuple(targets))


SYSLOG_NG_MAIN = "/etc/syslog-ng/syslog-ng.conf"


@probe(
    "syslog_ng_conf",
    files=(SYSLOG_NG_MAIN, "/etc/syslog-ng/conf.d/*.conf"),
    description="syslog-ng configuration",
)
def parse_syslog_ng_conf(section: Section) -> Forwarders:
    if SYSLOG_NG_MAIN not in section.files:
        return Forwarders(False, ())
    text = "\n".join(_strip_comments(section.files[p]) for p in sorted(section.files))
    network: dict[str, str] = {}
    for m in re.finditer(r"destination\s+(\w+)\s*\{(.*?)\}\s*;", text, re.DOTALL):
        d = re.search(r"\b(network|tcp6?|udp6?|syslog)\s*\(\s*\"?([\w.:-]+)\"?", m.group(2))
        if d:
            network[m.group(1)] = f"{d.group(2)} ({d.group(1)})"
    used: list[str] = []
    for m in re.finditer(r"\blog\s*\{(.*?)\}\s*;", text, re.DOTALL):
        for name in re.findall(r"destination\s*\(\s*(\w+)\s*\)", m.group(1)):
            if name in network and network[name] not in used:
                used.append(network[name])
    return Forwarders(True, tuple(used))


JOURNAL_UPLOAD = "/etc/systemd/journal-upload.conf"


@probe(
    "journal_upload_conf",
    files=(JOURNAL_UPLOAD, "/etc/systemd/journal-upload.conf.d/*.conf"),
    description="systemd-journal-upload target",
)
def parse_journal_upload_conf(section: Section) -> Forwarders:
    if not section.files:
        return Forwarders(False, ())
    url = ""
    order = ([JOURNAL_UPLOAD] if JOURNAL_UPLOAD in section.files else []) + sorted(
        p for p in section.files if p != JOURNAL_UPLOAD)
    for path in order:
        for raw in section.files[path].splitlines():
            line = raw.strip()
            if line.startswith("URL="):
                url = line[4:].strip()
    return Forwarders(True, (f"{url} (journal-upload)",) if url else ())


_DAEMONS = {
    "rsyslog_conf": ("rsyslog", "rsyslogd", ("rsyslog.service", "syslog.service")),
    "syslog_ng_conf": ("syslog-ng", "syslog-ng", ("syslog-ng.service", "syslog.service")),
    "journal_upload_conf": ("systemd-journal-upload", "systemd-journal-upload",
                            ("systemd-journal-upload.service",)),
}
_EXPECTED = "logs forwarded to a remote collector by a running daemon"


@check(
    "logging.remote_forwarding",
    title_vi="Nhật ký hệ thống được chuyển về máy chủ thu thập tập trung",
    title_en="System logs are forwarded to a central log server",
    severity="medium",
    probes=("rsyslog_conf", "syslog_ng_conf", "journal_upload_conf", "processes",
            "systemd_enabled"),
    remediation_vi=(
        "Cấu hình chuyển nhật ký về máy chủ thu thập tập trung của đơn vị, ví dụ với rsyslog "
        "tạo /etc/rsyslog.d/90-remote.conf chứa 'action(type=\"omfwd\" target=\"<máy chủ log>\" "
        "port=\"514\" protocol=\"tcp\")' (hoặc '*.* @@<máy chủ log>:514'), rồi 'systemctl "
        "enable --now rsyslog' và 'systemctl restart rsyslog'; kiểm tra máy chủ log đã nhận "
        "được bản ghi."
    ),
    remediation_en=(
        "Forward logs to the agency's central collector, for example with rsyslog create "
        "/etc/rsyslog.d/90-remote.conf containing 'action(type=\"omfwd\" target=\"<log server>\" "
        "port=\"514\" protocol=\"tcp\")' (or '*.* @@<log server>:514'), then run 'systemctl "
        "enable --now rsyslog' and 'systemctl restart rsyslog'; confirm the collector receives "
        "the records."
    ),
)
def remote_forwarding(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Logs kept only on the host they describe can be erased by an intruder who gains root
    there, and cannot be correlated across systems; forwarding them to a central collector
    preserves the evidence and enables monitoring."""

    configured: list[tuple[str, str, Forwarders]] = []
    observed: dict[str, Any] = {}
    for probe_name, (label, _, _) in _DAEMONS.items():
        fw: Forwarders = facts.get(probe_name)
        if fw.present:
            observed[label] = list(fw.targets) or "no remote target"
        if fw.targets:
            configured.append((probe_name, label, fw))
    expected = _EXPECTED
    source = "rsyslog_conf, syslog_ng_conf, journal_upload_conf"
    if not configured:
        found = "; ".join(f"{lbl}: no remote target" for lbl in observed) or (
            "no rsyslog, syslog-ng or journal-upload configuration")
        return Result(Status.FAIL, f"No remote log forwarding is configured ({found}).",
                      observed=observed, expected=expected, source=source)
    if facts.mode == "live":
        procs: ProcessTable = facts.get("processes")
        running = [(lbl, fw) for name, lbl, fw in configured if procs.running(_DAEMONS[name][1])]
        observed["running"] = [lbl for lbl, _ in running]
        if running:
            lbl, fw = running[0]
            return Result(Status.PASS, f"{lbl} forwards logs to {fw.targets[0]} and is running.",
                          observed=observed, expected=expected, source=source + ", processes")
        names = ", ".join(f"{lbl} ({fw.targets[0]})" for _, lbl, fw in configured)
        return Result(Status.FAIL, f"Log forwarding is configured but the daemon is not running: "
                      f"{names}.", observed=observed, expected=expected,
                      source=source + ", processes")
    units: EnabledUnits = facts.get("systemd_enabled")
    if not units.systemd:
        _, lbl, fw = configured[0]
        return Result(Status.PASS, f"{lbl} forwards logs to {fw.targets[0]} (configuration only; "
                      "the tree has no systemd unit directories to show it starts at boot).",
                      observed=observed, expected=expected, source=source)
    for name, lbl, fw in configured:
        unit = next((u for u in _DAEMONS[name][2] if units.enabled(u)), None)
        if unit:
            observed["enabled_at_boot"] = unit
            return Result(Status.PASS, f"{lbl} forwards logs to {fw.targets[0]} and {unit} is "
                          "enabled at boot.", observed=observed, expected=expected,
                          source=source + ", systemd_enabled")
    names = ", ".join(f"{lbl} ({fw.targets[0]})" for _, lbl, fw in configured)
    return Result(Status.FAIL, f"Log forwarding is configured but its service is not enabled at "
                  f"boot: {names}.", observed=observed, expected=expected,
                  source=source + ", systemd_enabled")
