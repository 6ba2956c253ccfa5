"""Password policy: the shortest password the system accepts when a user changes it.

PAM decides.  In a password stack, pam_pwquality / pam_cracklib / pam_passwdqc check quality
and pam_unix has its own ``minlen`` (default 6); every enforcing module must accept, so a
stack's minimum is the largest of theirs.  Module arguments override pwquality.conf, which
libpwquality reads after its pwquality.conf.d/*.conf drop-ins.  Positive
credits (dcredit, ucredit ...) let a password shorter than ``minlen`` pass, so they are
subtracted.  /etc/login.defs PASS_MIN_LEN is only used by a passwd built without PAM.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from attt.model import Result, Status
from attt.registry import ScopedFacts, Section, check, probe

STACK_FILES = ("/etc/pam.d/common-password", "/etc/pam.d/system-auth", "/etc/pam.d/password-auth")
PWQ_MAIN = "/etc/security/pwquality.conf"
PWQ_MIN_FLOOR = 6  # libpwquality and pam_cracklib refuse anything shorter


@dataclass(frozen=True)
class PamLine:
    type: str
    control: str
    module: str  # basename without .so for modules; the file name for include/substack
    args: tuple[str, ...]
    where: str


def _split_pam(line: str) -> list[str]:
    """Whitespace split where a [...] group (control or argument) stays one token."""

    tokens: list[str] = []
    i, n = 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
            continue
        j = i
        if line[i] == "[":
            while j < n and not (line[j] == "]" and line[j - 1] != "\\"):
                j += 1
            if j == n:
                raise ValueError("unterminated [ in PAM line")
            tokens.append(line[i + 1 : j].replace("\\]", "]"))
            i = j + 1
            continue
        while j < n and not line[j].isspace():
            j += 1
        tokens.append(line[i:j])
        i = j
    return tokens


def logical_lines(text: str) -> list[tuple[int, str]]:
    """Lines joined across trailing backslashes, each with the number of its first line
    (PAM and sudoers both continue lines this way)."""

    out: list[tuple[int, str]] = []
    buf, start = "", 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        if not buf:
            start = lineno
        if raw.endswith("\\"):
            buf += raw[:-1] + " "
            continue
        out.append((start, buf + raw))
        buf = ""
    if buf:
        out.append((start, buf))
    return out


def parse_pam_file(path: str, text: str) -> list[PamLine]:
    out: list[PamLine] = []
    for lineno, raw in logical_lines(text):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        where = f"{path}:{lineno}"
        if line.startswith("@include"):
            parts = line.split()
            if len(parts) != 2:
                raise ValueError(f"{where}: bad @include")
            out.append(PamLine("@include", "include", parts[1], (), where))
            continue
        tokens = _split_pam(line)
        if len(tokens) < 3:
            raise ValueError(f"{where}: not a PAM rule: {line[:60]!r}")
        ptype = tokens[0].lstrip("-").lower()
        if ptype not in ("auth", "account", "password", "session"):
            raise ValueError(f"{where}: unknown PAM type {tokens[0]!r}")
        control = tokens[1]
        module = tokens[2]
        if control not in ("include", "substack"):
            module = posixpath.basename(module)
            module = module[:-3] if module.endswith(".so") else module
        out.append(PamLine(ptype, control, module, tuple(tokens[3:]), where))
    return out


@probe(
    "pam_password",
    files=STACK_FILES,
    description="PAM stacks that handle password changes",
)
def parse_pam_password(section: Section) -> dict[str, list[PamLine]]:
    return {path: parse_pam_file(path, text) for path, text in section.files.items()}


def parse_kv_conf(path: str, text: str) -> dict[str, tuple[str, str]]:
    """name = value files (pwquality.conf); value and file:line."""

    out: dict[str, tuple[str, str]] = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key, sep, value = line.partition("=")
        key = key.strip()
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise ValueError(f"{path}:{lineno}: not a setting: {line[:60]!r}")
        # A bare flag (e.g. enforce_for_root) is a setting without a value.
        out[key.lower()] = (value.strip() if sep else "", f"{path}:{lineno}")
    return out


@probe(
    "pwquality_conf",
    files=(PWQ_MAIN, "/etc/security/pwquality.conf.d/*.conf"),
    description="libpwquality settings",
)
def parse_pwquality_conf(section: Section) -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    # pwquality.conf(5): the *.conf drop-ins are read first in ASCII order, then the main
    # file, each overriding what came before.
    order = sorted(p for p in section.files if p != PWQ_MAIN)
    order += [PWQ_MAIN] if PWQ_MAIN in section.files else []
    for path in order:
        merged.update(parse_kv_conf(path, section.files[path]))
    return merged


@probe("login_defs", files=("/etc/login.defs",), description="shadow-utils defaults")
def parse_login_defs(section: Section) -> dict[str, str] | None:
    text = section.files.get("/etc/login.defs")
    if text is None:
        return None
    out: dict[str, str] = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", parts[0]):
            raise ValueError(f"/etc/login.defs:{lineno}: not a setting: {line[:60]!r}")
        out[parts[0]] = parts[1].strip().strip('"') if len(parts) > 1 else ""
    return out


@dataclass
class _StackResult:
    path: str
    minimum: int | None = None  # shortest accepted password; None: nothing enforces a length
    rules: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _int(value: str, where: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{where}: {value!r} is not an integer") from None


def pam_args(line: PamLine) -> dict[str, str]:
    out: dict[str, str] = {}
    for arg in line.args:
        key, _, value = arg.partition("=")
        out[key.lower()] = value
    return out


def pam_enforcing(control: str) -> bool:
    # optional/sufficient failures do not fail the stack; bracket controls in real stacks send
    # failure on to pam_deny, so they enforce.
    return control.lower() not in ("optional", "sufficient")


def _quality_min(line: PamLine, pwq: Mapping[str, tuple[str, str]]) -> tuple[int | None, str]:
    args = pam_args(line)
    if line.module == "pam_passwdqc":
        spec = args.get("min", "disabled,24,11,8,7")
        values = [v for v in spec.split(",") if v != "disabled"]
        if not values:
            return None, f"pam_passwdqc min={spec} (every class disabled) at {line.where}"
        low = min(_int(v, line.where) for v in values)
        return low, f"pam_passwdqc min={spec} at {line.where}"
    cracklib = line.module == "pam_cracklib"

    def opt(name: str, default: int) -> tuple[int, str]:
        if name in args:
            return _int(args[name], line.where), line.where
        if not cracklib and name in pwq:
            return _int(pwq[name][0], pwq[name][1]), pwq[name][1]
        return default, "default"

    if not cracklib:
        enforcing, where = opt("enforcing", 1)
        if enforcing == 0:
            return None, f"pam_pwquality enforcing=0 ({where}): only warns"
    minlen, where = opt("minlen", 9 if cracklib else 8)
    minlen = max(minlen, PWQ_MIN_FLOOR)
    credits = {c: opt(c, 1 if cracklib else 0)[0]
               for c in ("dcredit", "ucredit", "lcredit", "ocredit")}
    bonus = sum(v for v in credits.values() if v > 0)
    shortest = max(minlen - bonus, PWQ_MIN_FLOOR)
    text = f"{line.module} minlen={minlen} ({where})"
    if bonus:
        positive = ", ".join(f"{k}={v}" for k, v in credits.items() if v > 0)
        text += f" with positive credits {positive}: {shortest} characters can pass"
    return shortest, text


class PamIncludeLoop(ValueError):
    """A stack that includes itself, directly or through others (PAM refuses to run it)."""


# libpam stops at 16 nested substacks; the stacks read here nest two or three deep.
_MAX_INCLUDE_DEPTH = 16


def pam_stack(path: str, stacks: Mapping[str, list[PamLine]], ptype: str, notes: list[str],
              chain: tuple[str, ...] = ()) -> list[PamLine]:
    """The ``ptype`` lines of the stack in ``path`` in order, include/substack/@include
    expanded among the files read; an include of a file not read becomes a note."""

    chain = (*chain, path)
    if path in chain[:-1]:
        raise PamIncludeLoop(f"PAM include loop: {' -> '.join(chain)}")
    if len(chain) > _MAX_INCLUDE_DEPTH:
        raise PamIncludeLoop(f"PAM includes nested deeper than {_MAX_INCLUDE_DEPTH} levels: "
                             f"{' -> '.join(chain)}")
    out: list[PamLine] = []
    for line in stacks[path]:
        if line.type == "@include" or line.control in ("include", "substack"):
            if line.type not in ("@include", ptype):
                continue
            target = line.module if line.module.startswith("/") else f"/etc/pam.d/{line.module}"
            if target not in stacks:
                notes.append(f"{line.where} includes {target}, which was not read")
                continue
            out += pam_stack(target, stacks, ptype, notes, chain)
        elif line.type == ptype:
            out.append(line)
    return out


def _stack(path: str, stacks: Mapping[str, list[PamLine]],
           pwq: Mapping[str, tuple[str, str]]) -> _StackResult:
    res = _StackResult(path)
    for line in pam_stack(path, stacks, "password", res.notes):
        if line.module in ("pam_pwquality", "pam_cracklib", "pam_passwdqc"):
            if not pam_enforcing(line.control):
                res.notes.append(f"{line.module} is '{line.control}' at {line.where}: not enforced")
                continue
            low, text = _quality_min(line, pwq)
            res.rules.append(text)
            if low is not None:
                res.minimum = max(res.minimum or 0, low)
        elif line.module == "pam_unix":
            args = pam_args(line)
            low = _int(args["minlen"], line.where) if "minlen" in args else 6
            res.rules.append(f"pam_unix minlen={low}"
                             f"{'' if 'minlen' in args else ' (default)'} at {line.where}")
            res.minimum = max(res.minimum or 0, low)
    return res


@check(
    "password.min_length",
    title_vi="Độ dài tối thiểu của mật khẩu",
    title_en="Minimum password length is enforced",
    severity="medium",
    probes=("pam_password", "pwquality_conf", "login_defs"),
    params={"min_length": 8},
    stricter={"min_length": "higher"},
    remediation_vi=(
        "Cài libpam-pwquality (Debian/Ubuntu) hoặc dùng pam_pwquality có sẵn (RHEL), đặt "
        "'minlen = <độ dài yêu cầu>' trong /etc/security/pwquality.conf (hoặc một tệp "
        "/etc/security/pwquality.conf.d/*.conf) và giữ các dcredit/ucredit/lcredit/ocredit ở 0 "
        "hoặc âm; bảo đảm dòng 'password requisite pam_pwquality.so' có trong "
        "/etc/pam.d/common-password hoặc system-auth và password-auth (trên RHEL dùng "
        "authselect để thay đổi)."
    ),
    remediation_en=(
        "Install libpam-pwquality (Debian/Ubuntu) or use the bundled pam_pwquality (RHEL), set "
        "'minlen = <required length>' in /etc/security/pwquality.conf (or a "
        "/etc/security/pwquality.conf.d/*.conf drop-in) and keep dcredit/ucredit/lcredit/ocredit "
        "at 0 or below; make sure 'password requisite pam_pwquality.so' is in "
        "/etc/pam.d/common-password, or in system-auth and password-auth (use authselect on "
        "RHEL)."
    ),
)
def min_length(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Short passwords fall quickly to guessing and offline cracking. The system itself must
    refuse passwords below the length set by the agency's policy; a written rule that PAM does
    not enforce protects nothing."""

    want = int(params["min_length"])
    stacks: dict[str, list[PamLine]] = facts.get("pam_password")
    pwq: dict[str, tuple[str, str]] = facts.get("pwquality_conf")
    defs: dict[str, str] | None = facts.get("login_defs")
    expected = {"min_length": want}
    roots = [p for p in STACK_FILES if p in stacks]
    if not roots:
        if defs is None:
            return Result(Status.ERROR,
                          "No PAM password stack and no /etc/login.defs were found; the password "
                          "length rule cannot be determined.",
                          observed=None, expected=expected, source="pam_password, login_defs")
        raw = defs.get("PASS_MIN_LEN")
        value = int(raw) if raw and raw.isdigit() else None
        defs_seen = {"PASS_MIN_LEN": raw, "pam": "no password stack"}
        if value is None:
            return Result(Status.FAIL,
                          "No PAM password stack and no PASS_MIN_LEN in /etc/login.defs: nothing "
                          "enforces a password length.",
                          observed=defs_seen, expected=expected, source="/etc/login.defs")
        status = Status.PASS if value >= want else Status.FAIL
        return Result(status,
                      f"Minimum password length is {value} (/etc/login.defs PASS_MIN_LEN; no PAM "
                      "password stack).",
                      observed=defs_seen, expected=expected, source="/etc/login.defs")
    try:
        results = [_stack(p, stacks, pwq) for p in roots]
    except ValueError as exc:  # an include loop, a non-numeric minlen=...
        return Result(Status.ERROR, f"The PAM password stack could not be evaluated: {exc}.",
                      observed=None, expected=expected, source=", ".join(roots))
    observed: dict[str, Any] = {
        r.path: {"minimum": r.minimum, "rules": r.rules, "notes": r.notes} for r in results
    }
    if defs is not None and "PASS_MIN_LEN" in defs:
        observed["login.defs"] = (f"PASS_MIN_LEN={defs['PASS_MIN_LEN']} is ignored: passwd uses "
                                  "the PAM stack")
    unenforced = [r.path for r in results if r.minimum is None]
    if unenforced:
        return Result(Status.FAIL,
                      f"No module in {', '.join(unenforced)} enforces a password length.",
                      observed=observed, expected=expected, source=", ".join(roots))
    weakest = min(results, key=lambda r: r.minimum or 0)
    assert weakest.minimum is not None
    status = Status.PASS if weakest.minimum >= want else Status.FAIL
    rule = "; ".join(weakest.rules)
    return Result(status,
                  f"Minimum password length is {weakest.minimum} ({weakest.path}: {rule}).",
                  observed=observed, expected=expected, source=", ".join(roots))
