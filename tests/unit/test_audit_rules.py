"""Audit rule semantics: which rules record a change, and which would not even load.

Rule lines are the forms auditctl accepts in rules.d files and prints in ``auditctl -l``;
the syscall facts come from libaudit's tables (lib/x86_64_table.h, lib/i386_table.h).
"""

from __future__ import annotations

import pytest

from attt.probes.audit import AuditRule, parse_rule, time_coverage, watched


def rule(line: str, loaded: bool = False) -> AuditRule:
    r = parse_rule(line, "test:1", loaded=loaded)
    assert r is not None
    return r


@pytest.mark.parametrize(("line", "path", "hit"), [
    ("-w /etc/passwd -p wa", "/etc/passwd", True),
    ("-w /etc/passwd -p rwxa", "/etc/passwd", True),
    ("-w /etc/passwd", "/etc/passwd", True),  # no -p: every permission
    ("-w /etc/passwd -p WA", "/etc/passwd", True),
    ("-w /etc/passwd -p w", "/etc/passwd", False),  # chmod/chown not recorded
    ("-w /etc/passwd -p a", "/etc/passwd", False),  # writes not recorded
    ("-w /etc/passwd -p rx", "/etc/passwd", False),
    ("-w /etc/ -p wa", "/etc/passwd", True),  # directory watch: recursive
    ("-w /etc -p wa", "/etc/ssh/sshd_config", True),
    ("-w /etc/pass -p wa", "/etc/passwd", False),  # a prefix of the name is not a parent
    ("-a always,exit -F dir=/etc -F perm=wa", "/etc/ssh/sshd_config", True),
    ("-a always,exit -F path=/etc -F perm=wa", "/etc/passwd", False),  # one inode only
    ("-a always,exit -F path=/etc/passwd -F perm=wa", "/etc/passwd", True),
    ("-a always,exit -F path=/etc/passwd -F perm=w", "/etc/passwd", False),
    ("-a never,exit -F path=/etc/passwd -F perm=wa", "/etc/passwd", False),
    ("-w /var/run/faillock -p wa", "/run/faillock", True),
])
def test_watched_needs_write_and_attribute(line: str, path: str, hit: bool) -> None:
    assert (watched([rule(line)], path) is not None) is hit


@pytest.mark.parametrize(("line", "errors"), [
    ("-a always,exit -F arch=b64 -S adjtimex,settimeofday,clock_settime -k t", ()),
    ("-a always,exit -F arch=b32 -S adjtimex,settimeofday,clock_settime,stime -k t", ()),
    ("-a always,exit -F arch=i386 -S stime -k t", ()),
    ("-a always,exit -F arch=ppc64le -S stime -k t", ()),  # ppc64 keeps stime
    ("-a always,exit -F arch=b64 -S stime,settimeofday -k t",
     ("syscall stime does not exist for arch=b64",)),
    ("-a always,exit -F arch=x86_64 -S stime -k t",
     ("syscall stime does not exist for arch=x86_64",)),
    ("-a always,exit -F arch=aarch64 -S stime -k t",
     ("syscall stime does not exist for arch=aarch64",)),
    ("-a always,exit -S stime -k t", ("syscall stime does not exist for the native 64-bit ABI",)),
    ("-a always,exit -S adjtimex -F arch=b64 -k t",
     ("-F arch after -S (auditctl: arch must be before -S)",)),
])
def test_load_errors_of_rule_files(line: str, errors: tuple[str, ...]) -> None:
    r = rule(line)
    assert tuple(str(e) for e in r.errors) == errors
    assert r.records is (not errors)


def test_loaded_rules_are_taken_as_the_kernel_holds_them() -> None:
    # On ppc64le the kernel takes a 64-bit stime rule; auditctl -l shows what was loaded.
    r = rule("-a always,exit -F arch=b64 -S stime,settimeofday -F key=t", loaded=True)
    assert r.errors == ()
    assert r.records


def _cover(*lines: str) -> tuple[set[str], list[str]]:
    covered, rejected = time_coverage([rule(line) for line in lines])
    return set(covered), [str(r) for r in rejected]


def test_time_coverage_per_syscall() -> None:
    assert _cover("-a always,exit -F arch=b64 -S adjtimex -k t") == ({"adjtimex"}, [])
    assert _cover("-a always,exit -F arch=b64 -S adjtimex,settimeofday -k t",
                  "-a exit,always -F arch=b64 -S clock_settime -k t")[0] == {
        "adjtimex", "settimeofday", "clock_settime"}


def test_time_coverage_rejects_clock_filter() -> None:
    covered, rejected = _cover("-a always,exit -F arch=b64 -S adjtimex,settimeofday -k t",
                               "-a always,exit -F arch=b64 -S clock_settime -F a0=0x0 -k t")
    assert covered == {"adjtimex", "settimeofday"}
    assert len(rejected) == 1 and "a0=0x0" in rejected[0]


def test_time_coverage_rejects_unloadable_and_ignores_other_abi() -> None:
    covered, rejected = _cover(
        "-a always,exit -F arch=b64 -S adjtimex,settimeofday,clock_settime,stime -k t",
        "-a always,exit -F arch=b32 -S adjtimex,settimeofday,clock_settime,stime -k t")
    assert covered == set()
    assert len(rejected) == 1 and "stime does not exist for arch=b64" in rejected[0]


def test_time_coverage_needs_the_exit_list() -> None:
    covered, rejected = _cover("-a always,task -F arch=b64 -S adjtimex -k t",
                               "-a never,exit -F arch=b64 -S settimeofday")
    assert covered == set()
    assert rejected and "exit list" in rejected[0]
