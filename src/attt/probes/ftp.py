"""FTP servers' configuration (vsftpd, ProFTPD, Pure-FTPd): whether plaintext
logins are possible (``ftp_conf``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from attt.messages import Msg, T
from attt.registry import FactParseError, Section, probe

from .text import glob_regex

# ---------------------------------------------------------------------------- FTP

VSFTPD_FILES = ("/etc/vsftpd.conf", "/etc/vsftpd/vsftpd.conf")


@dataclass(frozen=True)
class FtpConfig:
    """One FTP server's configuration: whether logins must use TLS, anonymous access."""

    daemon: str
    path: str
    tls_required: bool
    detail: str | Msg  # the settings that decide, as the finding message shows them
    anonymous: bool = False


def _vsftpd(path: str, text: str) -> FtpConfig:
    opts: dict[str, str] = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[a-z0-9_]+", key):
            raise FactParseError(T("{path}:{lineno}: not a vsftpd option: {line}",
                                   path=path, lineno=lineno, line=repr(line[:60])))
        opts[key] = value.strip().upper()
    ssl = opts.get("ssl_enable", "NO") == "YES"
    # vsftpd defaults: force_local_logins_ssl and force_local_data_ssl are YES once SSL is on.
    logins = opts.get("force_local_logins_ssl", "YES") == "YES"
    data = opts.get("force_local_data_ssl", "YES") == "YES"
    anon = opts.get("anonymous_enable", "NO") == "YES"
    detail = (f"ssl_enable={'YES' if ssl else 'NO'}, force_local_logins_ssl="
              f"{'YES' if logins else 'NO'}, force_local_data_ssl={'YES' if data else 'NO'}, "
              f"anonymous_enable={'YES' if anon else 'NO'}")
    return FtpConfig("vsftpd", path, ssl and logins, detail, anon)


def _proftpd(files: Mapping[str, str]) -> FtpConfig | None:
    mains = [p for p in ("/etc/proftpd/proftpd.conf", "/etc/proftpd.conf") if p in files]
    if not mains:
        return None
    order: list[str] = []

    def visit(path: str) -> None:
        if path in order:
            return
        order.append(path)
        for m in re.finditer(r"^\s*Include\s+(\S+)", files[path], re.MULTILINE | re.IGNORECASE):
            regex = glob_regex(m.group(1))
            for other in sorted(p for p in files if regex.fullmatch(p)):
                visit(other)

    visit(mains[0])
    engine = required = ""
    for path in order:
        for raw in files[path].splitlines():
            words = raw.split("#", 1)[0].split()
            if len(words) >= 2 and words[0].lower() == "tlsengine":
                engine = words[1].lower()
            elif len(words) >= 2 and words[0].lower() == "tlsrequired":
                required = words[1].lower()
    tls = engine == "on" and required in ("on", "ctrl", "auth", "auth+data", "ctrl+data",
                                          "both")
    detail = T("TLSEngine={engine}, TLSRequired={required} (files read: {files})",
               engine=engine or T("unset"), required=required or T("unset"), files=order)
    return FtpConfig("proftpd", mains[0], tls, detail)


def _pureftpd(files: Mapping[str, str]) -> FtpConfig | None:
    if "/etc/pure-ftpd/conf/TLS" in files:
        value = files["/etc/pure-ftpd/conf/TLS"].strip()
        return FtpConfig("pure-ftpd", "/etc/pure-ftpd/conf/TLS", value in ("2", "3"),
                         f"TLS={value or 'empty'}")
    if "/etc/pure-ftpd/pure-ftpd.conf" in files:
        m = re.search(r"^\s*TLS\s+(\d)", files["/etc/pure-ftpd/pure-ftpd.conf"], re.MULTILINE)
        value = m.group(1) if m else ""
        return FtpConfig("pure-ftpd", "/etc/pure-ftpd/pure-ftpd.conf", value in ("2", "3"),
                         f"TLS={value or 'unset (0)'}")
    return None


@probe(
    "ftp_conf",
    files=(*VSFTPD_FILES, "/etc/proftpd/proftpd.conf", "/etc/proftpd.conf",
           "/etc/proftpd/*.conf", "/etc/proftpd/conf.d/*.conf", "/etc/pure-ftpd/conf/TLS",
           "/etc/pure-ftpd/pure-ftpd.conf"),
    description="FTP server TLS settings (vsftpd, proftpd, pure-ftpd)",
)
def parse_ftp_conf(section: Section) -> dict[str, FtpConfig]:
    """The ``ftp_conf`` probe's output parsed (FTP server TLS settings)."""

    out: dict[str, FtpConfig] = {}
    for path in VSFTPD_FILES:
        if path in section.files:
            out["vsftpd"] = _vsftpd(path, section.files[path])
            break
    pro = _proftpd(section.files)
    if pro:
        out["proftpd"] = pro
    pure = _pureftpd(section.files)
    if pure:
        out["pure-ftpd"] = pure
    return out
