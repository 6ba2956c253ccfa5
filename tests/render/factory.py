"""Results documents for renderer tests, built with the real pipeline pieces.

model objects -> grading.grade -> grading.exit_code -> document.build, exactly as a scan does.
The checks live under the test-only family ``demo`` and are registered only while
``document.build`` runs (see ``demo_checks``).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from attt import grading
from attt.findings_log import entries_of
from attt.model import (
    CheckRef,
    EvidenceSpec,
    Exclusion,
    Finding,
    Host,
    ParamProvenance,
    Profile,
    Requirement,
    Result,
    Severity,
    Status,
    System,
    Waiver,
)
from attt.registry import CHECKS, CheckSpec
from attt.render import document
from attt.render.document import all_findings

TODAY = dt.date(2025, 11, 20)

# check id -> (title_vi, title_en, severity, remediation_vi, remediation_en)
DEMO_CHECKS: dict[str, tuple[str, str, str, str, str]] = {
    "demo.ssh_root_login_disabled": (
        "Không cho phép đăng nhập SSH bằng tài khoản root",
        "SSH root login is disabled",
        "high",
        "Đặt PermitRootLogin no trong sshd_config rồi khởi động lại dịch vụ sshd.",
        "Set PermitRootLogin no in sshd_config and restart sshd.",
    ),
    "demo.password_min_length": (
        "Độ dài mật khẩu tối thiểu đạt yêu cầu",
        "Minimum password length is enforced",
        "medium",
        "Đặt minlen trong /etc/security/pwquality.conf không nhỏ hơn giá trị yêu cầu.",
        "Set minlen in /etc/security/pwquality.conf to at least the required value.",
    ),
    "demo.audit_log_enabled": (
        "Ghi nhật ký hệ thống được bật",
        "System audit logging is enabled",
        "medium",
        "Cài đặt và bật dịch vụ auditd.",
        "Install and enable auditd.",
    ),
}


def _demo_func(facts: Any, params: Any) -> Result:
    """Demo check used by renderer tests."""
    return Result(Status.PASS, "ok")


@contextlib.contextmanager
def demo_checks() -> Iterator[None]:
    """Register the demo checks only while a document is built.

    document.build reads check titles and remediation from CHECKS; leaving test-only checks
    there would leak into other tests that iterate over every registered check.
    """

    added = []
    for cid, (tvi, ten, sev, rvi, ren) in DEMO_CHECKS.items():
        if cid not in CHECKS:
            CHECKS[cid] = CheckSpec(cid, tvi, ten, Severity(sev), (), {}, _demo_func,
                                    "Demo check used by renderer tests.", rvi, ren)
            added.append(cid)
    try:
        yield
    finally:
        for cid in added:
            CHECKS.pop(cid, None)


SEVERITIES = (Severity.HIGH, Severity.MEDIUM, Severity.CRITICAL, Severity.LOW)
GROUPS = ("server", "network", "application", "data")


def requirements(count: int = 12, documents: int = 0) -> tuple[Requirement, ...]:
    """``count`` automated requirements over layers 1-4, then ``documents`` evidence ones."""

    ids = list(DEMO_CHECKS)
    out = []
    for i in range(count):
        cid = ids[i % len(ids)]
        out.append(
            Requirement(
                id=f"TT12.KT.MC.{i + 1}",
                title_vi=f"Yêu cầu kỹ thuật số {i + 1}: cấu hình máy chủ an toàn",
                title_en=f"Technical requirement {i + 1}: secure server configuration",
                group=GROUPS[i % len(GROUPS)],
                layer=(i % 4) + 1,
                severity=SEVERITIES[i % len(SEVERITIES)],
                clauses={"tt12": f"PL-II II.2/1.2.{i + 1}", "tcvn11930": "7.2.2.1"},
                checks=(CheckRef(cid, {"min_length": 12} if "password" in cid else {}),),
            )
        )
    for j in range(documents):
        out.append(
            Requirement(
                id=f"TT12.QL.CS.{j + 1}",
                title_vi=f"Quy chế bảo đảm an toàn thông tin số {j + 1}",
                title_en=f"Information security regulation {j + 1}",
                group="policy",
                layer=2,
                severity=Severity.MEDIUM,
                clauses={"tt12": f"PL-II I/1.1.{j + 1}"},
                evidence=(EvidenceSpec("regulation", "Quy chế ATTT đã ban hành",
                                       "Issued IS regulation"),),
            )
        )
    return tuple(out)


def make_profile(
    reqs: Sequence[Requirement],
    level: int = 2,
    weakened: bool = False,
    exclusions: Sequence[Exclusion] = (),
) -> Profile:
    return Profile(
        id=f"nd85-tt12-{level}",
        regime="nd85-tt12",
        level=level,
        title_vi=f"Cấp độ {level} theo Thông tư 12/2022/TT-BTTTT",
        title_en=f"Level {level} under Circular 12/2022/TT-BTTTT",
        instruments=("Nghị định 85/2016/NĐ-CP", "Thông tư 12/2022/TT-BTTTT"),
        requirements=tuple(reqs),
        sources=("profiles/nd85-tt12-2.yaml",),
        provenance=(
            ParamProvenance("TT12.KT.MC.2", "demo.password_min_length", "min_length", 12,
                            f"profile nd85-tt12-{level}"),
            ParamProvenance("TT12.KT.MC.5", "demo.password_min_length", "min_length",
                            8 if weakened else 14, "tailoring quyche-attt.yaml", weakened),
        ),
        exclusions=tuple(exclusions),
        caveat_vi=("Ánh xạ yêu cầu sang lớp của mô hình 4 lớp là của công cụ, "
                   "không phải chính thức."),
    )


def make_system(hosts: int, level: int = 2, name: str = "cong-dich-vu-cong",
                host_names: Sequence[str] = ()) -> System:
    names = list(host_names) or [f"srv-{i:04d}" for i in range(hosts)]
    return System(
        name=name,
        owner="Sở Thông tin và Truyền thông tỉnh Hà Giang",
        operating_unit="Trung tâm Công nghệ thông tin và Truyền thông",
        regime="nd85-tt12",
        level=level,
        zones=(),
        hosts=tuple(
            Host(name=n, system=name, transport="ssh", address=f"10.0.{i // 250}.{i % 250 + 1}")
            for i, n in enumerate(names)
        ),
        description="Cổng dịch vụ công trực tuyến của tỉnh",
    )


StatusRule = Callable[[int, Requirement], Status]


def all_pass(host_index: int, req: Requirement) -> Status:
    return Status.PASS


def make_findings(
    system: System,
    reqs: Sequence[Requirement],
    rule: StatusRule = all_pass,
    message: Callable[[Host, Requirement, Status], str] | None = None,
    observed: Any = "PermitRootLogin no",
) -> list[Finding]:
    out = []
    for i, host in enumerate(system.hosts):
        for req in reqs:
            for ref in req.checks:
                st = rule(i, req)
                text = message(host, req, st) if message else (
                    f"{host.name}: {ref.check_id} observed value is {observed!r}"
                )
                out.append(
                    Finding(system.name, host.name, req.id, ref.check_id, dict(ref.params), st,
                            text, {"observed": observed, "expected": "PermitRootLogin no",
                                   "source": "sshd -T"})
                )
    return out


def host_rows(system: System, states: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    states = states or {}
    return {
        h.key: {
            "name": h.name,
            "address": h.address,
            "transport": h.transport,
            "state": states.get(h.name, "ok"),
            "message": "" if states.get(h.name, "ok") == "ok" else "connection refused",
        }
        for h in system.hosts
    }


def run_info(**extra: Any) -> dict[str, Any]:
    return {
        "id": "20251120T081500-3f9a",
        "started": "2025-11-20T08:15:00+07:00",
        "finished": "2025-11-20T08:19:42+07:00",
        "inventory": "inventory/so-tttt.yaml",
        **extra,
    }


def build(
    system: System | Sequence[tuple[System, Profile]],
    profile: Profile | None,
    findings: Sequence[Finding],
    waivers: Sequence[Waiver] = (),
    notes: Sequence[str] = (),
    states: dict[str, str] | None = None,
    run: dict[str, Any] | None = None,
) -> document.Document:
    """One system and its profile, or ``build([(system, profile), ...], None, findings)``."""

    pairs = [(system, profile)] if isinstance(system, System) and profile else list(system)
    host_errors = sum(1 for s in (states or {}).values() if s != "ok")
    report = grading.grade(pairs, findings, waivers, host_errors=host_errors,
                           today=TODAY, notes=notes)
    hosts: dict[str, dict[str, Any]] = {}
    for sys_, _prof in pairs:
        hosts.update(host_rows(sys_, states))
    # As the runner's host records: each host's findings counted by status.
    for f in findings:
        row = hosts.get(f"{f.system}/{f.host}")
        if row is not None:
            counts = row.setdefault("counts", {})
            counts[f.status.value] = counts.get(f.status.value, 0) + 1
    entries = entries_of(findings)
    with demo_checks():
        return document.build(report, run=run or run_info(), hosts=hosts,
                              exit_status=grading.exit_code(report),
                              entries=lambda: entries,
                              waivers=grading.valid_waivers(waivers, TODAY))


# --------------------------------------------------------------------------- ready-made docs


def compliant_document(hosts: int = 3) -> document.Document:
    reqs = requirements(8)
    system = make_system(hosts)
    return build(system, make_profile(reqs), make_findings(system, reqs))


FAILING_IDS = ("TT12.KT.MC.1", "TT12.KT.MC.6")


def failing_document(hosts: int = 4) -> document.Document:
    """Two failing requirements, one error, one document requirement, a weakened parameter,
    an expired waiver, a valid waiver, an exclusion and a note."""

    reqs = requirements(10, documents=1)

    def rule(i: int, req: Requirement) -> Status:
        if req.id in FAILING_IDS and i % 2 == 0:
            return Status.FAIL
        if req.id == "TT12.KT.MC.3" and i == 1:
            return Status.ERROR
        if req.id in ("TT12.KT.MC.4", "TT12.KT.MC.7"):
            return Status.FAIL  # MC.4: covered by the valid waiver; MC.7: by the expired one
        return Status.PASS

    system = make_system(hosts, host_names=[f"web-{i:02d}" for i in range(hosts)])
    profile = make_profile(reqs, weakened=True,
                           exclusions=(Exclusion("TT12.KT.MC.8", "Không có máy chủ thư điện tử"),))
    waivers = (
        Waiver("TT12.KT.MC.4", "*", "Đang thay thế thiết bị", "Giám đốc Sở", "2026-06-30",
               "waivers.yaml"),
        Waiver("TT12.KT.MC.7", "cong-dich-vu-cong/web-0*", "Chờ nâng cấp hệ điều hành",
               "Phó Giám đốc Sở", "2025-10-01", "waivers.yaml"),
    )
    return build(system, profile, make_findings(system, reqs, rule), waivers,
                 notes=("Máy web-03 bị quét lại sau khi khởi động lại.",),
                 states={f"web-{hosts - 1:02d}": "unreachable"})


def large_document(hosts: int = 1000, reqs_count: int = 12) -> document.Document:
    """1,000 hosts x 12 requirements, every requirement failing on every third host, with
    evidence longer than the HTML limit."""

    reqs = requirements(reqs_count)

    def rule(i: int, req: Requirement) -> Status:
        if i % 3 == 0:
            return Status.FAIL
        if i % 17 == 0:
            return Status.ERROR
        return Status.PASS

    system = make_system(hosts)
    observed = "x" * 2000
    return build(system, make_profile(reqs), make_findings(system, reqs, rule, observed=observed))


def as_v1(doc: dict[str, Any]) -> dict[str, Any]:
    """The document in the version-1 shape (findings inside their requirements), as older
    attt wrote it: the fixture edits finding messages in place."""

    findings = all_findings(doc)
    out = copy.deepcopy(dict(doc))
    out["schema"] = "attt.results/1"
    out.pop("checks", None)
    for s in out["systems"]:
        for r in s["requirements"]:
            for key in ("sample", "counts", "attention_checks"):
                r.pop(key, None)
            r["findings"] = [dict(f) for f in findings
                             if f["system"] == s["name"] and f["requirement"] == r["id"]]
    return out
