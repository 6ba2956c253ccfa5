"""Insecure network services: telnet, r-services, plaintext FTP, TFTP, inetd, SNMP v1/v2c.

Live hosts are judged from what runs and listens (``ss -H -tulpn``, or ``netstat -tulpn``
where ss is missing), the process table, the package database and the units enabled at boot.
Offline trees are judged from the package database, the units enabled at boot and the
inetd/xinetd, FTP and SNMP configuration files.  A port alone only counts when the process
behind it is the service itself, a super-server (inetd, xinetd, systemd socket activation) or
unknown on a port that belongs to that service only: tcp/514 is also rsyslog's TCP input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from attt.messages import Msg, T
from attt.model import Result, Status
from attt.probes.daemons import Daemon, presence, super_server_present
from attt.probes.ftp import FtpConfig
from attt.probes.inetd import InetdServices
from attt.probes.packages import Packages
from attt.probes.snmp import SnmpConfig
from attt.probes.systemd import EnabledUnits
from attt.registry import ScopedFacts, check

TELNET = Daemon(
    "telnet server", ("in.telnetd", "telnetd", "utelnetd"),
    ("telnetd", "inetutils-telnetd", "telnetd-ssl", "telnet-server"),
    ("telnet.socket", "telnet@.service", "telnetd.service"), (("tcp", 23),), ("telnet",))
RSH = Daemon(
    "r-services (rsh/rlogin/rexec)",
    ("in.rshd", "rshd", "in.rlogind", "rlogind", "in.rexecd", "rexecd"),
    ("rsh-server", "rsh-redone-server", "rsh-server-rexec"),
    ("rsh.socket", "rlogin.socket", "rexec.socket", "rsh@.service", "rlogin@.service",
     "rexec@.service"),
    (("tcp", 512), ("tcp", 513), ("tcp", 514)), ("shell", "login", "exec", "rsh", "rlogin",
                                                 "rexec"),
    shared_ports=(("tcp", 514),))
TFTP = Daemon(
    "TFTP server", ("in.tftpd", "tftpd", "atftpd"),
    ("tftpd-hpa", "tftpd", "atftpd", "tftp-server"),
    ("tftpd-hpa.service", "tftp.socket", "tftp.service", "atftpd.service"),
    (("udp", 69),), ("tftp",))
# What the messages call each daemon (Daemon.label is data: it names the daemon in observed).
_SERVICE = {TELNET.label: T("telnet server"), RSH.label: T("r-services (rsh/rlogin/rexec)"),
            TFTP.label: T("TFTP server")}


def _no_evidence(facts: ScopedFacts) -> Result | None:
    """Offline trees with neither a readable package database nor systemd unit directories."""

    if facts.mode == "live":
        return None
    pkgs: Packages = facts.get("packages")
    units: EnabledUnits = facts.get("systemd_enabled")
    inetd: InetdServices = facts.get("inetd_services")
    if pkgs.manager == "none" and not units.systemd and not inetd.files:
        return Result(Status.ERROR, T("The tree has no dpkg database, no systemd unit "
                                      "directories and no inetd configuration: installed and "
                                      "enabled services cannot be read."),
                      observed={"packages": pkgs.source}, expected=None,
                      source="packages, systemd_enabled, inetd_services")
    return None


_DAEMON_PROBES = ("processes", "packages", "systemd_enabled", "listening_sockets",
                  "inetd_services")


def _absent(facts: ScopedFacts, d: Daemon) -> Result:
    err = _no_evidence(facts)
    if err:
        return err
    p = presence(facts, d)
    expected = f"no {d.label}: not installed, not enabled, not running or listening"
    source = ("processes, listening_sockets, packages, systemd_enabled, inetd_services"
              if facts.mode == "live" else "packages, systemd_enabled, inetd_services")
    service = _SERVICE[d.label]
    if p.any():
        return Result(Status.FAIL, T("The {service} is present ({traces}).", service=service,
                                     traces=p.summary()),
                      observed=p.observed(), expected=expected, source=source)
    return Result(Status.PASS, _absent_message(service, facts.mode == "live", p.notes),
                  observed=p.observed(), expected=expected, source=source)


def _absent_message(service: Msg, live: bool, notes: list[Msg]) -> Msg:
    if live and notes:
        return T("No {service}: not running, not listening, not installed and not enabled at "
                 "boot ({notes}).", service=service, notes=notes)
    if live:
        return T("No {service}: not running, not listening, not installed and not enabled at "
                 "boot.", service=service)
    if notes:
        return T("No {service}: not installed and not enabled at boot ({notes}).",
                 service=service, notes=notes)
    return T("No {service}: not installed and not enabled at boot.", service=service)


_REMOVE_VI = (
    "Gỡ bỏ dịch vụ và dùng SSH thay thế: 'apt-get purge {deb}' (Debian/Ubuntu) hoặc "
    "'dnf remove {rpm}' (RHEL); nếu chưa gỡ được thì 'systemctl disable --now {unit}' và tắt "
    "mục tương ứng trong /etc/xinetd.d/ (disable = yes) hoặc /etc/inetd.conf. Kiểm tra lại bằng "
    "'ss -tulpn'."
)
_REMOVE_EN = (
    "Remove the service and use SSH instead: 'apt-get purge {deb}' (Debian/Ubuntu) or "
    "'dnf remove {rpm}' (RHEL); until it can be removed, 'systemctl disable --now {unit}' and "
    "disable its entry in /etc/xinetd.d/ (disable = yes) or /etc/inetd.conf. Verify with "
    "'ss -tulpn'."
)


@check(
    "services.telnet_absent",
    title_vi="Không cài đặt, không chạy dịch vụ Telnet",
    title_en="No telnet server is installed or running",
    severity="high",
    probes=_DAEMON_PROBES,
    remediation_vi=_REMOVE_VI.format(deb="telnetd inetutils-telnetd", rpm="telnet-server",
                                     unit="telnet.socket"),
    remediation_en=_REMOVE_EN.format(deb="telnetd inetutils-telnetd", rpm="telnet-server",
                                     unit="telnet.socket"),
)
def telnet_absent(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Telnet sends the administrator's user name, password and whole session in clear text;
    anyone on the path can capture them. Remote administration must use an encrypted protocol
    (SSH)."""

    return _absent(facts, TELNET)


@check(
    "services.rsh_absent",
    title_vi="Không cài đặt, không chạy các dịch vụ rsh, rlogin, rexec",
    title_en="No rsh, rlogin or rexec server is installed or running",
    severity="high",
    probes=_DAEMON_PROBES,
    remediation_vi=_REMOVE_VI.format(deb="rsh-server rsh-redone-server", rpm="rsh-server",
                                     unit="rsh.socket rlogin.socket rexec.socket"),
    remediation_en=_REMOVE_EN.format(deb="rsh-server rsh-redone-server", rpm="rsh-server",
                                     unit="rsh.socket rlogin.socket rexec.socket"),
)
def rsh_absent(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """The Berkeley r-services authenticate by source address and .rhosts files and carry
    passwords and sessions in clear text; they are trivially spoofed and must not run on a
    server."""

    return _absent(facts, RSH)


@check(
    "services.tftp_absent",
    title_vi="Không cài đặt, không chạy dịch vụ TFTP",
    title_en="No TFTP server is installed or running",
    severity="medium",
    probes=_DAEMON_PROBES,
    remediation_vi=_REMOVE_VI.format(deb="tftpd-hpa tftpd atftpd", rpm="tftp-server",
                                     unit="tftpd-hpa tftp.socket"),
    remediation_en=_REMOVE_EN.format(deb="tftpd-hpa tftpd atftpd", rpm="tftp-server",
                                     unit="tftpd-hpa tftp.socket"),
)
def tftp_absent(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """TFTP has no authentication and no encryption: anyone who can reach it reads (and often
    writes) the files it serves. Network-boot servers that need it belong in an isolated
    provisioning zone, with a waiver."""

    return _absent(facts, TFTP)


_DEFAULT_INSECURE = ("telnet", "shell", "login", "exec", "rsh", "rlogin", "rexec", "tftp", "ftp",
                     "chargen", "chargen-dgram", "chargen-stream", "daytime", "daytime-dgram",
                     "daytime-stream", "discard", "discard-dgram", "discard-stream", "echo",
                     "echo-dgram", "echo-stream", "time", "time-dgram", "time-stream", "talk",
                     "ntalk", "finger", "rsync")


@check(
    "services.xinetd_absent",
    title_vi="Không dùng xinetd/inetd để chạy dịch vụ không an toàn",
    title_en="No inetd/xinetd super-server runs insecure services",
    severity="medium",
    probes=_DAEMON_PROBES,
    params={"insecure_services": list(_DEFAULT_INSECURE)},
    remediation_vi=(
        "Gỡ bỏ super-server nếu không cần: 'apt-get purge xinetd openbsd-inetd "
        "inetutils-inetd' hoặc 'dnf remove xinetd'. Nếu bắt buộc giữ, đặt 'disable = yes' cho "
        "các dịch vụ không an toàn trong /etc/xinetd.d/ (hoặc chú thích dòng tương ứng trong "
        "/etc/inetd.conf) rồi 'systemctl restart xinetd'."
    ),
    remediation_en=(
        "Remove the super-server when nothing needs it: 'apt-get purge xinetd openbsd-inetd "
        "inetutils-inetd' or 'dnf remove xinetd'. If it must stay, set 'disable = yes' for the "
        "insecure services in /etc/xinetd.d/ (or comment their lines in /etc/inetd.conf) and "
        "run 'systemctl restart xinetd'."
    ),
)
def xinetd_absent(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """inetd and xinetd start legacy services (telnet, r-services, tftp, echo/chargen) on
    demand, so those services listen although no daemon of theirs appears in the process
    list; the super-server should be absent or serve no insecure service."""

    insecure = params.get("insecure_services") or []
    if not isinstance(insecure, Sequence) or isinstance(insecure, str) or not all(
            isinstance(s, str) for s in insecure):
        return Result(Status.ERROR, T("The insecure_services parameter is not a list of names."),
                      observed=None, expected=None, source="params")
    err = _no_evidence(facts)
    if err:
        return err
    notes: list[Msg] = []
    servers = super_server_present(facts, notes)
    inetd: InetdServices = facts.get("inetd_services")
    bad = [f"{n} ({w})" for n, w in sorted(inetd.enabled.items()) if n in insecure]
    observed = {"super_servers": [str(m) for m in servers],
                "enabled_services": dict(inetd.enabled), "insecure_enabled": bad,
                "notes": [str(m) for m in notes]}
    expected = "no inetd/xinetd, or none of its services insecure"
    source = "inetd_services, packages, systemd_enabled" + (
        ", processes" if facts.mode == "live" else "")
    if not servers:
        return Result(Status.PASS, T("No inetd or xinetd super-server is installed, enabled "
                                     "or running."),
                      observed=observed, expected=expected, source=source)
    if bad:
        return Result(Status.FAIL, T("{servers} serves insecure services: {services}.",
                                     servers=servers, services=bad),
                      observed=observed, expected=expected, source=source)
    others = sorted(inetd.enabled) or T("none")
    return Result(Status.PASS, T("{servers} is present but serves no insecure service (enabled "
                                 "services: {services}).", servers=servers, services=others),
                  observed=observed, expected=expected,
                  source=source)


FTP_DAEMONS = (
    Daemon("vsftpd", ("vsftpd",), ("vsftpd",), ("vsftpd.service",), (("tcp", 21),)),
    Daemon("proftpd", ("proftpd",), ("proftpd-basic", "proftpd-core", "proftpd"),
           ("proftpd.service",), (("tcp", 21),)),
    Daemon("pure-ftpd", ("pure-ftpd",), ("pure-ftpd", "pure-ftpd-mysql", "pure-ftpd-ldap",
           "pure-ftpd-postgresql"), ("pure-ftpd.service", "pure-ftpd-mysql.service",
           "pure-ftpd-ldap.service", "pure-ftpd-postgresql.service"), (("tcp", 21),)),
    # BSD/inetutils ftpd has no TLS at all.
    Daemon("ftpd", ("ftpd", "in.ftpd"), ("ftpd", "inetutils-ftpd"), (), (("tcp", 21),),
           ("ftp",)),
)


@check(
    "services.ftp_plaintext_absent",
    title_vi="Không có dịch vụ FTP truyền mật khẩu dạng rõ (bắt buộc TLS)",
    title_en="No FTP server accepts logins without TLS",
    severity="high",
    probes=(*_DAEMON_PROBES, "ftp_conf"),
    remediation_vi=(
        "Ưu tiên thay FTP bằng SFTP (OpenSSH). Nếu phải dùng FTP: với vsftpd đặt 'ssl_enable=YES', "
        "'force_local_logins_ssl=YES', 'force_local_data_ssl=YES', 'anonymous_enable=NO' và "
        "rsa_cert_file/rsa_private_key_file trong /etc/vsftpd.conf; với proftpd bật "
        "'TLSEngine on' và 'TLSRequired on' (mod_tls); với pure-ftpd ghi '2' vào "
        "/etc/pure-ftpd/conf/TLS. Khởi động lại dịch vụ; gỡ ftpd/inetutils-ftpd."
    ),
    remediation_en=(
        "Prefer SFTP (OpenSSH) to FTP. Where FTP must stay: for vsftpd set 'ssl_enable=YES', "
        "'force_local_logins_ssl=YES', 'force_local_data_ssl=YES', 'anonymous_enable=NO' and "
        "rsa_cert_file/rsa_private_key_file in /etc/vsftpd.conf; for proftpd 'TLSEngine on' and "
        "'TLSRequired on' (mod_tls); for pure-ftpd write '2' to /etc/pure-ftpd/conf/TLS. "
        "Restart the service; remove ftpd/inetutils-ftpd."
    ),
)
def ftp_plaintext_absent(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Plain FTP sends user names and passwords in clear text, and anonymous FTP hands files to
    anyone; an FTP server that stays in service must require TLS for logins."""

    err = _no_evidence(facts)
    if err:
        return err
    confs: dict[str, FtpConfig] = facts.get("ftp_conf")
    bad: list[Msg] = []
    good: list[Msg] = []
    idle: list[Msg] = []
    notes: list[Msg] = []
    for d in FTP_DAEMONS:
        p = presence(facts, d)
        notes += [n for n in p.notes if n not in notes]
        active = p.running or p.listening or p.enabled or p.inetd
        if not active and not (d.label == "ftpd" and p.installed):
            if p.installed:
                idle.append(T("{name} ({packages}, not running)", name=d.label,
                              packages=p.installed) if facts.mode == "live"
                            else T("{name} ({packages}, not enabled at boot)", name=d.label,
                                   packages=p.installed))
            continue
        verdict = _ftp_verdict(d.label, p.summary(), confs.get(d.label))
        (good if verdict[0] else bad).append(verdict[1])
    observed = {"plaintext": [str(m) for m in bad], "tls_required": [str(m) for m in good],
                "installed_inactive": [str(m) for m in idle], "notes": [str(m) for m in notes]}
    expected = "no FTP server active, or every active one requires TLS for logins"
    source = "ftp_conf, " + ", ".join(_DAEMON_PROBES if facts.mode == "live"
                                      else ("packages", "systemd_enabled", "inetd_services"))
    if bad:
        return Result(Status.FAIL, T("FTP accepts logins without TLS: {servers}.", servers=bad),
                      observed=observed, expected=expected, source=source)
    if good:
        return Result(Status.PASS, T("Every active FTP server requires TLS: {servers}.",
                                     servers=good),
                      observed=observed, expected=expected, source=source)
    msg = (T("No FTP server is active (installed but inactive: {servers}).", servers=idle)
           if idle else T("No FTP server is active."))
    return Result(Status.PASS, msg, observed=observed, expected=expected, source=source)


def _ftp_verdict(name: str, traces: list[Msg], conf: FtpConfig | None) -> tuple[bool, Msg]:
    """Whether an active FTP server requires TLS for logins, and what the message says."""

    if name == "ftpd":
        return False, T("{name} ({traces}; no TLS support)", name=name, traces=traces)
    if conf is None:
        return False, T("{name} ({traces}; no configuration found, so no TLS)", name=name,
                        traces=traces)
    if not conf.tls_required:
        return False, T("{name} ({traces}; {file}: {detail})", name=name, traces=traces,
                        file=conf.path, detail=conf.detail)
    if conf.anonymous:
        return False, T("{name} ({traces}; anonymous FTP enabled in {file})", name=name,
                        traces=traces, file=conf.path)
    return True, T("{name} ({file}: {detail})", name=name, file=conf.path, detail=conf.detail)


SNMPD = Daemon("snmpd", ("snmpd",), ("snmpd", "net-snmp"), ("snmpd.service",),
               (("udp", 161), ("tcp", 161)))


@check(
    "services.snmp_v1v2c_public_absent",
    title_vi="SNMP không dùng v1/v2c với community (đặc biệt public/private)",
    title_en="SNMP agent offers no v1/v2c community access (notably public/private)",
    severity="high",
    probes=(*_DAEMON_PROBES, "snmpd_conf"),
    remediation_vi=(
        "Trong /etc/snmp/snmpd.conf (và /etc/snmp/snmpd.conf.d/) xóa hoặc chú thích các dòng "
        "rocommunity/rwcommunity/com2sec, dùng SNMPv3 với xác thực và mã hóa: 'net-snmp-create-"
        "v3-user -ro -a SHA-256 -x AES <tên>' (dừng snmpd trước) rồi 'rouser <tên> priv'; khởi "
        "động lại 'systemctl restart snmpd'. Nếu không cần SNMP: 'systemctl disable --now snmpd'."
    ),
    remediation_en=(
        "In /etc/snmp/snmpd.conf (and /etc/snmp/snmpd.conf.d/) remove or comment the "
        "rocommunity/rwcommunity/com2sec lines and use SNMPv3 with authentication and privacy: "
        "'net-snmp-create-v3-user -ro -a SHA-256 -x AES <name>' (with snmpd stopped), then "
        "'rouser <name> priv'; restart with 'systemctl restart snmpd'. If SNMP is not needed, "
        "'systemctl disable --now snmpd'."
    ),
)
def snmp_v1v2c_absent(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """SNMP v1 and v2c authenticate with a community string sent in clear text; the default
    'public'/'private' communities are the first thing attackers try and expose the system's
    configuration (or let it be changed). Only SNMPv3 with authentication and privacy is
    acceptable."""

    err = _no_evidence(facts)
    if err:
        return err
    p = presence(facts, SNMPD)
    conf: SnmpConfig = facts.get("snmpd_conf")
    active = p.running or p.listening or p.enabled
    state = p.summary() or T("not present")
    observed = {"snmpd": p.observed(), "communities": conf.shown(),
                "v3_users": list(conf.v3_users)}
    expected = "snmpd not running, or SNMPv3 only (no community access)"
    source = "snmpd_conf, " + ("processes, listening_sockets, systemd_enabled" if facts.mode
                               == "live" else "systemd_enabled, packages")
    if not active:
        return Result(Status.PASS, _snmp_inactive(state, facts.mode == "live",
                                                  len(conf.communities)),
                      observed=observed, expected=expected, source=source)
    if not conf.present:
        return Result(Status.ERROR, T("snmpd is active ({state}) but no /etc/snmp/snmpd.conf was "
                                      "read: its access configuration cannot be checked.",
                                      state=state),
                      observed=observed, expected=expected, source=source)
    if conf.communities:
        defaults = sorted(set(conf.defaults()))
        what = (T("default community {names}", names=defaults) if len(defaults) == 1
                else T("default communities {names}", names=defaults) if defaults
                else T("v1/v2c communities"))
        return Result(Status.FAIL, T("snmpd is active ({state}) and grants {what}: {lines}.",
                                     state=state, what=what, lines=conf.shown()),
                      observed=observed, expected=expected, source=source)
    msg = (T("snmpd is active ({state}) with no v1/v2c community; SNMPv3 users: {users}.",
             state=state, users=list(conf.v3_users)) if conf.v3_users
           else T("snmpd is active ({state}) with no v1/v2c community.", state=state))
    return Result(Status.PASS, msg, observed=observed, expected=expected, source=source)


def _snmp_inactive(state: Msg | list[Msg], live: bool, communities: int) -> Msg:
    if live and communities:
        return T("The SNMP agent is not running or enabled ({state}; its configuration still has "
                 "{count} v1/v2c community line(s)).", state=state, count=communities)
    if live:
        return T("The SNMP agent is not running or enabled ({state}).", state=state)
    if communities:
        return T("The SNMP agent is not enabled at boot ({state}; its configuration still has "
                 "{count} v1/v2c community line(s)).", state=state, count=communities)
    return T("The SNMP agent is not enabled at boot ({state}).", state=state)
