"""Local accounts: UID 0, empty passwords, system-account shells, password aging, inactivity.

Aging rules apply to the accounts that can log in with a password: a usable hash
(``hash``) or an empty field (``empty``, no password needed at all, which expiry would force
the user to set). Locked accounts and accounts without a password cannot, so their aging
fields do not matter.

An aging key missing from login.defs takes the value shadow-utils gives it when it creates an
account: PASS_WARN_AGE unset is -1 (useradd writes no warning period), not the 7 that the
shipped login.defs sets.

How the facts are read (sources, order, offline limits): :mod:`attt.probes.accounts`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from attt.messages import Arg, Msg, T
from attt.model import Result, Status
from attt.probes.accounts import PASSWD, SHADOW, STATES, USERADD, Account, ShadowEntry
from attt.registry import ScopedFacts, check

LOGIN_DEFS = "/etc/login.defs"


# Accounts whose shell is a command, not a login (shadow-utils and CIS convention).
SPECIAL_ACCOUNTS = ("root", "sync", "shutdown", "halt")


def _accounts(facts: ScopedFacts) -> tuple[Account, ...] | Result:
    accounts: tuple[Account, ...] | None = facts.get("passwd_file")
    if accounts is None:
        return Result(Status.ERROR, T("{file} was not found or not readable.", file=PASSWD),
                      observed=None, expected=None, source=PASSWD)
    return accounts


def _shadow(facts: ScopedFacts) -> dict[str, ShadowEntry] | Result:
    entries: dict[str, ShadowEntry] | None = facts.get("shadow_state")
    if entries is None:
        return Result(Status.ERROR, T("{file} was not found in the tree.", file=SHADOW),
                      observed=None, expected=None, source=SHADOW)
    return entries


def _defs_int(defs: Mapping[str, str] | None, key: str,
              default: int) -> tuple[int, str | Msg] | Result:
    """A numeric login.defs value and where it came from: the file, or a message saying the
    default applies (an ERROR result if unparsable)."""

    if defs is None or key not in defs:
        return default, T("default {value} ({key} not set in {file})", value=default, key=key,
                          file=LOGIN_DEFS)
    raw = defs[key]
    if not re.fullmatch(r"-?\d+", raw):
        return Result(Status.ERROR, T("{file} {key} is {value}, not a number.", file=LOGIN_DEFS,
                                      key=key, value=repr(raw)),
                      observed={key: raw}, expected=None, source=LOGIN_DEFS)
    return int(raw), LOGIN_DEFS


def _shadow_source(facts: ScopedFacts) -> str:
    return SHADOW if facts.mode == "offline" else "shadow_state (awk over /etc/shadow)"


# --------------------------------------------------------------------------- UID 0


@check(
    "accounts.uid0_only_root",
    title_vi="Chỉ tài khoản root có UID 0",
    title_en="Only root has UID 0",
    severity="high",
    probes=("passwd_file",),
    remediation_vi=(
        "Tìm tài khoản có UID 0 bằng \"awk -F: '$3 == 0' /etc/passwd\"; với mỗi tài khoản "
        "không phải root: xóa ('userdel <tên>') hoặc gán UID khác ('usermod -u <uid mới> "
        "<tên>'), rồi cấp quyền quản trị qua sudo."
    ),
    remediation_en=(
        "List UID-0 accounts with \"awk -F: '$3 == 0' /etc/passwd\"; remove every one except "
        "root ('userdel <name>') or give it another UID ('usermod -u <new uid> <name>'), and "
        "grant administrative rights through sudo instead."
    ),
)
def uid0_only_root(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Any account with UID 0 is root under another name: it bypasses every permission check,
    and its actions are logged under an alias that hides them. Only the root account itself
    may have UID 0; administrators get privileges through sudo."""

    accounts = _accounts(facts)
    if isinstance(accounts, Result):
        return accounts
    uid0 = [a.name for a in accounts if a.uid == 0]
    others = [f"{a.name} ({PASSWD}:{a.line})" for a in accounts if a.uid == 0 and a.name != "root"]
    observed = {"uid0_accounts": uid0}
    expected = {"uid0_accounts": ["root"]}
    if others:
        return Result(Status.FAIL, T("Accounts other than root have UID 0: {accounts}.",
                                     accounts=others),
                      observed=observed, expected=expected, source=PASSWD)
    if "root" not in uid0:
        return Result(Status.ERROR, T("No account has UID 0 in {file}; the file looks "
                                      "incomplete.", file=PASSWD),
                      observed=observed, expected=expected, source=PASSWD)
    return Result(Status.PASS, T("Only root has UID 0 in {file}.", file=PASSWD),
                  observed=observed, expected=expected, source=PASSWD)


# --------------------------------------------------------------------------- empty passwords


@check(
    "accounts.no_empty_passwords",
    title_vi="Không có tài khoản nào để trống mật khẩu",
    title_en="No account has an empty password",
    severity="critical",
    probes=("shadow_state",),
    remediation_vi=(
        "Với mỗi tài khoản được liệt kê: khóa ngay bằng 'passwd -l <tên>' hoặc đặt mật khẩu "
        "bằng 'passwd <tên>'. Bỏ tùy chọn 'nullok' khỏi pam_unix.so trong "
        "/etc/pam.d/common-auth (Debian/Ubuntu) hoặc system-auth/password-auth (RHEL, dùng "
        "'authselect disable-feature with-nullok')."
    ),
    remediation_en=(
        "For each listed account: lock it at once with 'passwd -l <name>' or set a password with "
        "'passwd <name>'. Remove 'nullok' from pam_unix.so in /etc/pam.d/common-auth "
        "(Debian/Ubuntu) or system-auth/password-auth (RHEL: 'authselect disable-feature "
        "with-nullok')."
    ),
)
def no_empty_passwords(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """An account whose /etc/shadow password field is empty can be entered without any
    password wherever PAM allows 'nullok' (the default on Debian and RHEL for local logins and
    su). Every account must have a password hash or be locked. The check reads only the state
    of each password field; no hash is collected or stored."""

    entries = _shadow(facts)
    if isinstance(entries, Result):
        return entries
    source = _shadow_source(facts)
    empty = sorted(e.name for e in entries.values() if e.state == "empty")
    counts = {s: sum(1 for e in entries.values() if e.state == s) for s in STATES}
    observed = {"empty_password_accounts": empty, "accounts_by_state": counts}
    expected: dict[str, list[str]] = {"empty_password_accounts": []}
    if empty:
        return Result(Status.FAIL,
                      T("{count} account(s) have an empty password field in {file}: "
                        "{accounts}.", count=len(empty), file=SHADOW, accounts=empty),
                      observed=observed, expected=expected, source=source)
    return Result(Status.PASS,
                  T("None of the {count} accounts in {file} has an empty password field.",
                    count=len(entries), file=SHADOW),
                  observed=observed, expected=expected, source=source)


# --------------------------------------------------------------------------- system accounts


@check(
    "accounts.system_accounts_no_login",
    title_vi="Tài khoản hệ thống không có shell đăng nhập",
    title_en="System accounts have no login shell",
    severity="medium",
    probes=("passwd_file", "login_defs"),
    params={"allowed": []},
    remediation_vi=(
        "Đặt shell không đăng nhập cho từng tài khoản hệ thống được liệt kê: "
        "'usermod -s /usr/sbin/nologin <tên>' (RHEL: /sbin/nologin) và khóa mật khẩu bằng "
        "'passwd -l <tên>'. Tài khoản dịch vụ thật sự cần shell (ví dụ postgres dùng với "
        "'su -') phải được phê duyệt và ghi vào tham số 'allowed'."
    ),
    remediation_en=(
        "Give each listed system account a non-login shell: 'usermod -s /usr/sbin/nologin "
        "<name>' (RHEL: /sbin/nologin) and lock its password with 'passwd -l <name>'. A service "
        "account that really needs a shell (e.g. postgres used via 'su -') must be approved and "
        "listed in the 'allowed' parameter."
    ),
)
def system_accounts_no_login(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Accounts below UID_MIN (and above UID_MAX, such as nobody) belong to services, not
    people. With a real shell they can be used to log in, by key or through su, if their
    credentials or a service flaw are abused. Their shell must be nologin or false; root,
    sync, shutdown and halt keep their conventional shells."""

    accounts = _accounts(facts)
    if isinstance(accounts, Result):
        return accounts
    defs: dict[str, str] | None = facts.get("login_defs")
    got_min = _defs_int(defs, "UID_MIN", 1000)
    got_max = _defs_int(defs, "UID_MAX", 60000)
    if isinstance(got_min, Result):
        return got_min
    if isinstance(got_max, Result):
        return got_max
    (uid_min, min_src), (uid_max, _) = got_min, got_max
    allowed = set(params.get("allowed") or [])
    system = [a for a in accounts
              if (a.uid < uid_min or a.uid > uid_max) and a.name not in SPECIAL_ACCOUNTS]
    bad = [a for a in system if a.login_shell and a.name not in allowed]
    excused = [a.name for a in system if a.login_shell and a.name in allowed]
    observed: dict[str, Any] = {
        "UID_MIN": uid_min, "UID_MIN_from": str(min_src), "UID_MAX": uid_max,
        "system_accounts": len(system),
        "with_login_shell": {a.name: a.shell or "(empty: /bin/sh)" for a in bad},
    }
    if excused:
        observed["allowed_with_shell"] = excused
    expected = {"shell": "nologin or false", "allowed": sorted(allowed)}
    source = f"{PASSWD}, {LOGIN_DEFS}"
    if bad:
        shown = [f"{a.name} (UID {a.uid}, {a.shell})" if a.shell else
                 T("{name} (UID {uid}, empty shell)", name=a.name, uid=a.uid) for a in bad]
        return Result(Status.FAIL, T("System accounts with a login shell: {accounts}.",
                                     accounts=shown),
                      observed=observed, expected=expected, source=source)
    if excused:
        return Result(Status.PASS,
                      T("All {count} system accounts (UID < {uid_min} or > {uid_max}) have a "
                        "nologin/false shell except allowed {allowed}.", count=len(system),
                        uid_min=uid_min, uid_max=uid_max, allowed=excused),
                      observed=observed, expected=expected, source=source)
    return Result(Status.PASS,
                  T("All {count} system accounts (UID < {uid_min} or > {uid_max}) have a "
                    "nologin/false shell.", count=len(system), uid_min=uid_min, uid_max=uid_max),
                  observed=observed, expected=expected, source=source)


# --------------------------------------------------------------------------- password aging


def _with_password(entries: Mapping[str, ShadowEntry]) -> list[ShadowEntry]:
    """Accounts that can log in with a password, an empty one included."""

    return [e for e in entries.values() if e.state in ("hash", "empty")]


def _aging_check(facts: ScopedFacts, *, key: str, default: int, field: str, want: int,
                 higher_ok: bool, what: Msg, none_ok: bool = False) -> Result:
    """login.defs ``key`` against ``want`` and the shadow ``field`` of every password account.

    higher_ok: values >= want pass (minimum age, warning); else values <= want pass.
    none_ok: an empty shadow field passes (never for the maximum age).
    """

    defs: dict[str, str] | None = facts.get("login_defs")
    entries = _shadow(facts)
    if isinstance(entries, Result):
        return entries
    got = _defs_int(defs, key, default)
    if isinstance(got, Result):
        return got
    value, value_src = got

    def ok(v: int | None) -> bool:
        if v is None:
            return none_ok
        if not higher_ok and v < 0:
            return False  # -1: no maximum
        return v >= want if higher_ok else v <= want

    users = _with_password(entries)
    bad = {e.name: getattr(e, field) for e in users if not ok(getattr(e, field))}
    op = ">=" if higher_ok else "<="
    observed: dict[str, Any] = {key: value, f"{key}_from": str(value_src),
                                "accounts_with_password": len(users),
                                f"accounts_{field}_not_ok": bad}
    expected = {key: f"{op} {want}", field: f"{op} {want} for accounts that log in with a password"}
    source = f"{LOGIN_DEFS}, {_shadow_source(facts)}"
    shown: int | Msg = value if value_src == LOGIN_DEFS else T("{value} (not set)", value=value)
    setting: dict[str, Arg] = {"file": LOGIN_DEFS, "key": key, "value": shown}
    accounts: dict[str, Arg] = {"what": what, "shadow": SHADOW, "op": op, "want": want,
                                "accounts": _field_values(bad)}
    if not ok(value) and bad:
        return Result(Status.FAIL, T("{file} {key} is {value} and the {what} of existing accounts "
                                     "in {shadow} is not {op} {want}: {accounts}.", **setting,
                                     **accounts),
                      observed=observed, expected=expected, source=source)
    if not ok(value):
        return Result(Status.FAIL, T("{file} {key} is {value}, not {op} {want}.", **setting,
                                     op=op, want=want),
                      observed=observed, expected=expected, source=source)
    if bad:
        return Result(Status.FAIL, T("The {what} of existing accounts in {shadow} is not {op} "
                                     "{want}: {accounts}.", **accounts),
                      observed=observed, expected=expected, source=source)
    message = (T("{file} {key} is {value} and all {count} account(s) that log in with a "
                 "password have a {what} {op} {want}.", **setting, count=len(users), what=what,
                 op=op, want=want) if users else
               T("{file} {key} is {value} and no account can log in with a password.",
                 **setting))
    return Result(Status.PASS, message, observed=observed, expected=expected, source=source)


def _field_values(bad: Mapping[str, int | None]) -> list[str | Msg]:
    """``name=value`` per account, sorted; an empty shadow field said in words."""

    return [f"{n}={v}" if v is not None else T("{name}=empty", name=n)
            for n, v in sorted(bad.items())]


@check(
    "accounts.password_max_age",
    title_vi="Mật khẩu có thời hạn sử dụng tối đa",
    title_en="Passwords expire after a maximum age",
    severity="medium",
    probes=("login_defs", "shadow_state"),
    params={"max_days": 90},
    stricter={"max_days": "lower"},
    remediation_vi=(
        "Đặt 'PASS_MAX_DAYS 90' (hoặc giá trị theo quy chế) trong /etc/login.defs cho tài khoản "
        "mới, và áp dụng cho tài khoản hiện có: 'chage --maxdays 90 <tên>' với từng tài khoản có "
        "mật khẩu."
    ),
    remediation_en=(
        "Set 'PASS_MAX_DAYS 90' (or the value of the agency's policy) in /etc/login.defs for new "
        "accounts and apply it to existing ones: 'chage --maxdays 90 <name>' for every account "
        "with a password."
    ),
)
def password_max_age(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """A password that never expires stays valid for as long as it is known, including after a
    leak nobody noticed. The policy's maximum age must be set for new accounts (login.defs) and
    on every existing account that has a password (shadow field 5), since login.defs only
    applies when an account is created."""

    return _aging_check(facts, key="PASS_MAX_DAYS", default=99999, field="max_days",
                        want=int(params["max_days"]), higher_ok=False,
                        what=T("maximum password age"))


@check(
    "accounts.password_min_age",
    title_vi="Mật khẩu có thời gian tối thiểu trước khi được đổi lại",
    title_en="Passwords have a minimum age before they can be changed again",
    severity="low",
    probes=("login_defs", "shadow_state"),
    params={"min_days": 1},
    stricter={"min_days": "higher"},
    remediation_vi=(
        "Đặt 'PASS_MIN_DAYS 1' trong /etc/login.defs và áp dụng cho tài khoản hiện có: "
        "'chage --mindays 1 <tên>'."
    ),
    remediation_en=(
        "Set 'PASS_MIN_DAYS 1' in /etc/login.defs and apply it to existing accounts: "
        "'chage --mindays 1 <name>'."
    ),
)
def password_min_age(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Without a minimum age a user can change the password several times in a row and return
    to the old one, defeating password history. A minimum of one day stops that cycling."""

    return _aging_check(facts, key="PASS_MIN_DAYS", default=0, field="min_days",
                        want=int(params["min_days"]), higher_ok=True,
                        what=T("minimum password age"))


@check(
    "accounts.password_warn_age",
    title_vi="Cảnh báo người dùng trước khi mật khẩu hết hạn",
    title_en="Users are warned before their password expires",
    severity="low",
    probes=("login_defs", "shadow_state"),
    params={"min_days": 7},
    stricter={"min_days": "higher"},
    remediation_vi=(
        "Đặt 'PASS_WARN_AGE 7' trong /etc/login.defs và áp dụng cho tài khoản hiện có: "
        "'chage --warndays 7 <tên>'."
    ),
    remediation_en=(
        "Set 'PASS_WARN_AGE 7' in /etc/login.defs and apply it to existing accounts: "
        "'chage --warndays 7 <name>'."
    ),
)
def password_warn_age(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Users warned ahead of expiry choose a new password calmly instead of being locked out or
    picking a weak one at the last moment; an expiry policy without warning leads to help-desk
    resets that bypass the policy."""

    # useradd: getdef_num("PASS_WARN_AGE", -1); an unset key means no warning.
    return _aging_check(facts, key="PASS_WARN_AGE", default=-1, field="warn_days",
                        want=int(params["min_days"]), higher_ok=True,
                        what=T("password expiry warning period"))


@check(
    "accounts.inactive_disabled",
    title_vi="Tự động vô hiệu hóa tài khoản không hoạt động sau khi mật khẩu hết hạn",
    title_en="Inactive accounts are disabled after password expiry",
    severity="medium",
    probes=("useradd_defaults", "shadow_state"),
    params={"max_inactive_days": 90},
    stricter={"max_inactive_days": "lower"},
    remediation_vi=(
        "Đặt mặc định cho tài khoản mới bằng 'useradd -D -f 30' (ghi 'INACTIVE=30' vào "
        "/etc/default/useradd) và áp dụng cho tài khoản hiện có: 'chage --inactive 30 <tên>'. "
        "Rà soát định kỳ và xóa tài khoản không còn sử dụng."
    ),
    remediation_en=(
        "Set the default for new accounts with 'useradd -D -f 30' (writes 'INACTIVE=30' to "
        "/etc/default/useradd) and apply it to existing accounts: 'chage --inactive 30 <name>'. "
        "Review accounts regularly and remove those no longer used."
    ),
)
def inactive_disabled(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Accounts of people who left or no longer use the system are a favourite foothold: nobody
    notices their use. When the password has expired and is not changed within the inactivity
    period, the account is disabled automatically. INACTIVE in /etc/default/useradd sets it for
    new accounts (-1: never); shadow field 7 holds it for each existing account."""

    want = int(params["max_inactive_days"])
    defaults: dict[str, tuple[str, str]] = facts.get("useradd_defaults")
    entries = _shadow(facts)
    if isinstance(entries, Result):
        return entries
    raw, where = defaults.get("INACTIVE", ("-1", ""))
    if not re.fullmatch(r"-?\d+", raw):
        return Result(Status.ERROR, T("{where}: INACTIVE is {value}, not a number.", where=where,
                                      value=repr(raw)),
                      observed={"INACTIVE": raw}, expected=None, source=USERADD)
    origin: str | Msg = where or T("default -1 (INACTIVE not set in {file})", file=USERADD)
    inactive = int(raw)
    users = _with_password(entries)
    bad = {e.name: e.inactive_days for e in users
           if e.inactive_days is None or not 0 <= e.inactive_days <= want}
    observed: dict[str, Any] = {"INACTIVE": inactive, "INACTIVE_from": str(origin),
                                "accounts_with_password": len(users),
                                "accounts_inactive_not_ok": bad}
    expected = {"INACTIVE": f"0..{want}", "inactive_days": f"0..{want} for accounts with a "
                "password"}
    status, message = _inactive_verdict(inactive, want, bad, len(users))
    return Result(status, message, observed=observed, expected=expected,
                  source=f"{USERADD}, {_shadow_source(facts)}")


def _inactive_verdict(inactive: int, want: int, bad: Mapping[str, int | None],
                      users: int) -> tuple[Status, Msg]:
    """The useradd default and the accounts' inactivity periods against 0..want."""

    shown: int | Msg = inactive if inactive >= 0 else T("{value} (never disable)",
                                                       value=inactive)
    default_ok = 0 <= inactive <= want
    if not default_ok and bad:
        return Status.FAIL, T("The useradd default INACTIVE is {value} and the inactivity "
                              "period of existing accounts is not within 0..{want}: "
                              "{accounts}.", value=shown, want=want,
                              accounts=_field_values(bad))
    if not default_ok:
        return Status.FAIL, T("The useradd default INACTIVE is {value}, not within 0..{want}.",
                              value=shown, want=want)
    if bad:
        return Status.FAIL, T("The inactivity period of existing accounts is not within "
                              "0..{want}: {accounts}.", want=want, accounts=_field_values(bad))
    return Status.PASS, T("useradd default INACTIVE is {value} days and all {count} account(s) "
                          "that log in with a password are disabled at most {want} days after "
                          "expiry.", value=shown, count=users, want=want)
