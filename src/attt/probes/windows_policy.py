"""Windows hosts, the configuration sections of the collector document: firewall, IPv6, SMB,
RDP, password and audit policy, updates, USB storage, BitLocker, local accounts, screen lock.

The document, the envelope and the anti-malware sections are in :mod:`attt.probes.windows`;
the parsing rules (types checked, ``None`` for a value the host does not set) are the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from attt.registry import Section, probe

from .windows import (
    POSIX,
    bad,
    day,
    json_of,
    opt_int,
    opt_str,
    to_bool,
    to_int,
    to_list,
    to_obj,
    to_str,
)

# ---------------------------------------------------------------------------- network


@dataclass(frozen=True)
class FwProfile:
    """One Get-NetFirewallProfile."""

    name: str
    enabled: bool
    default_inbound: str


@probe("win_firewall", command=POSIX, description="Get-NetFirewallProfile")
def parse_win_firewall(section: Section) -> list[FwProfile]:
    """The ``win_firewall`` section parsed."""

    out = []
    for item in to_list(json_of(section), "firewall"):
        d = to_obj(item, "profile")
        out.append(FwProfile(to_str(d.get("name"), "name"), to_bool(d.get("enabled"), "enabled"),
                             to_str(d.get("default_inbound"), "default_inbound")))
    return out


@dataclass(frozen=True)
class Ipv6:
    """IPv6 bindings, DisabledComponents and addresses."""

    bindings: dict[str, bool]  # adapter -> ms_tcpip6 bound
    disabled_components: int | None
    addresses: list[tuple[str, str]]  # (address, scope)

    def global_addresses(self) -> list[str]:
        """The global-scope addresses."""

        return [a for a, scope in self.addresses if scope == "global"]


@probe("win_ipv6", command=POSIX, description="IPv6 bindings, DisabledComponents, addresses")
def parse_win_ipv6(section: Section) -> Ipv6:
    """The ``win_ipv6`` section parsed."""

    d = to_obj(json_of(section), "ipv6")
    bindings = {}
    for item in to_list(d.get("bindings"), "bindings"):
        b = to_obj(item, "binding")
        bindings[to_str(b.get("adapter"), "adapter")] = to_bool(b.get("enabled"), "enabled")
    addresses = []
    for item in to_list(d.get("addresses"), "addresses"):
        a = to_obj(item, "address")
        addresses.append((to_str(a.get("address"), "address"), to_str(a.get("scope"), "scope")))
    return Ipv6(bindings, opt_int(d.get("disabled_components"), "disabled_components"),
                addresses)


@probe("win_smb", command=POSIX, description="Get-SmbServerConfiguration")
def parse_win_smb(section: Section) -> bool:
    """The ``win_smb`` section parsed: whether the server accepts SMBv1."""

    return to_bool(to_obj(json_of(section), "smb").get("smb1_enabled"), "smb1_enabled")


@dataclass(frozen=True)
class Rdp:
    """Terminal Server registry values (None: not set)."""

    deny_connections: int | None
    nla: int | None
    security_layer: int | None


@probe("win_rdp", command=POSIX, description="Terminal Server registry values")
def parse_win_rdp(section: Section) -> Rdp:
    """The ``win_rdp`` section parsed."""

    d = to_obj(json_of(section), "rdp")
    return Rdp(opt_int(d.get("deny_connections"), "deny_connections"),
               opt_int(d.get("nla"), "nla"),
               opt_int(d.get("security_layer"), "security_layer"))


# ---------------------------------------------------------------------------- policies


@probe("win_password_policy", command=POSIX, description="secedit [System Access]")
def parse_win_password_policy(section: Section) -> dict[str, int | None]:
    """The ``win_password_policy`` section parsed: secedit key -> value (absent keys absent)."""

    d = to_obj(json_of(section), "password_policy")
    return {to_str(k, "key"): opt_int(v, str(k)) for k, v in d.items()}


@probe("win_audit_policy", command=POSIX, description="auditpol /backup settings by GUID")
def parse_win_audit_policy(section: Section) -> dict[str, int]:
    """The ``win_audit_policy`` section parsed: upper-case subcategory GUID -> setting
    (0 none, 1 success, 2 failure, 3 both)."""

    out = {}
    for item in to_list(json_of(section), "audit_policy"):
        d = to_obj(item, "subcategory")
        setting = to_int(d.get("setting"), "setting")
        if not 0 <= setting <= 3:
            raise bad("setting", setting)
        out[to_str(d.get("guid"), "guid").upper()] = setting
    return out


@dataclass(frozen=True)
class Updates:
    """WSUS policy, pending updates, newest installed hotfix."""

    wsus_server: str | None
    pending: int | None
    last_installed: date | None


@probe("win_updates", command=POSIX, description="WSUS policy, WUA search, hotfixes")
def parse_win_updates(section: Section) -> Updates:
    """The ``win_updates`` section parsed."""

    d = to_obj(json_of(section), "updates")
    return Updates(opt_str(d.get("wsus_server"), "wsus_server") or None,
                   opt_int(d.get("pending"), "pending"),
                   day(d.get("last_installed"), "last_installed"))


@dataclass(frozen=True)
class UsbStorage:
    """USBSTOR Start and the removable-storage policy."""

    usbstor_start: int | None
    deny_all: int | None
    deny_write: int | None


@probe("win_usb_storage", command=POSIX, description="USBSTOR and removable storage policy")
def parse_win_usb_storage(section: Section) -> UsbStorage:
    """The ``win_usb_storage`` section parsed."""

    d = to_obj(json_of(section), "usb_storage")
    return UsbStorage(opt_int(d.get("usbstor_start"), "usbstor_start"),
                      opt_int(d.get("deny_all"), "deny_all"),
                      opt_int(d.get("deny_write"), "deny_write"))


@dataclass(frozen=True)
class Volume:
    """One Win32_EncryptableVolume."""

    drive: str
    protection_status: int  # 0 off, 1 on, 2 unknown
    system_drive: bool


@probe("win_bitlocker", command=POSIX, description="Win32_EncryptableVolume")
def parse_win_bitlocker(section: Section) -> list[Volume]:
    """The ``win_bitlocker`` section parsed."""

    out = []
    for item in to_list(json_of(section), "bitlocker"):
        d = to_obj(item, "volume")
        out.append(Volume(to_str(d.get("drive"), "drive"),
                          to_int(d.get("protection_status"), "protection_status"),
                          to_bool(d.get("system_drive"), "system_drive")))
    return out


@dataclass(frozen=True)
class LocalAccount:
    """A local user or an administrators-group member."""

    name: str
    sid: str
    enabled: bool = True

    @property
    def guest(self) -> bool:
        """The built-in Guest account (RID 501)."""

        return self.sid.endswith("-501")


@dataclass(frozen=True)
class LocalAccounts:
    """Get-LocalUser and the members of BUILTIN\\Administrators."""

    users: list[LocalAccount]
    administrators: list[LocalAccount]


@probe("win_local_accounts", command=POSIX, description="Get-LocalUser, administrators")
def parse_win_local_accounts(section: Section) -> LocalAccounts:
    """The ``win_local_accounts`` section parsed."""

    d = to_obj(json_of(section), "local_accounts")
    users = []
    for item in to_list(d.get("users"), "users"):
        u = to_obj(item, "user")
        users.append(LocalAccount(to_str(u.get("name"), "name"), to_str(u.get("sid"), "sid"),
                                  to_bool(u.get("enabled"), "enabled")))
    admins = []
    for item in to_list(d.get("administrators"), "administrators"):
        a = to_obj(item, "member")
        admins.append(LocalAccount(to_str(a.get("name"), "name"), to_str(a.get("sid"), "sid")))
    return LocalAccounts(users, admins)


@dataclass(frozen=True)
class ScreenLock:
    """Machine inactivity limit and the user's screen saver settings (seconds)."""

    inactivity_timeout_s: int | None
    screensaver_timeout_s: int | None
    screensaver_secure: int | None


@probe("win_screen_lock", command=POSIX, description="inactivity and screen saver settings")
def parse_win_screen_lock(section: Section) -> ScreenLock:
    """The ``win_screen_lock`` section parsed."""

    d = to_obj(json_of(section), "screen_lock")
    return ScreenLock(opt_int(d.get("inactivity_timeout_s"), "inactivity_timeout_s"),
                      opt_int(d.get("screensaver_timeout_s"), "screensaver_timeout_s"),
                      opt_int(d.get("screensaver_secure"), "screensaver_secure"))
