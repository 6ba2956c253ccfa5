"""OpenSSH's compiled-in algorithm lists by version (what sshd offers when
sshd_config sets no Ciphers, MACs, KexAlgorithms or HostKeyAlgorithms), the installed
OpenSSH version from the ``packages`` fact, and how a ``+``/``-``/``^`` modifier applies to
a default list.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase

from .packages import Packages

# Server defaults of OpenSSH (sshd_config(5), release notes): (first version, lists).
_CIPHERS = ("chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,"
            "aes128-gcm@openssh.com,aes256-gcm@openssh.com")
_MACS = ("umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"
         "hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,"
         "umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1")
_KEX_82 = ("curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,"
           "ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"
           "diffie-hellman-group18-sha512,diffie-hellman-group14-sha256")
_HOSTKEY_88 = ("ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,"
               "ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,"
               "sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,"
               "rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,"
               "ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
               "sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,"
               "rsa-sha2-256")
_GSS_KEX = ("gss-group14-sha256-,gss-group16-sha512-,gss-nistp256-sha256-,gss-curve25519-sha256-,"
            "gss-group14-sha1-,gss-gex-sha1-")
OPENSSH_DEFAULTS: tuple[tuple[tuple[int, int], dict[str, str]], ...] = (
    ((8, 8), {"ciphers": _CIPHERS, "macs": _MACS,
              "kexalgorithms": "sntrup761x25519-sha512@openssh.com," + _KEX_82,
              "hostkeyalgorithms": _HOSTKEY_88, "gssapikexalgorithms": _GSS_KEX}),
    ((8, 2), {"ciphers": _CIPHERS, "macs": _MACS, "kexalgorithms": _KEX_82,
              "hostkeyalgorithms": _HOSTKEY_88 + ",ssh-rsa-cert-v01@openssh.com,ssh-rsa",
              "gssapikexalgorithms": _GSS_KEX}),
    # 7.4 .. 8.1; also assumed when the version is unknown (the weakest list we accept).
    ((0, 0), {"ciphers": _CIPHERS, "macs": _MACS,
              "kexalgorithms": _KEX_82 + ",diffie-hellman-group14-sha1",
              "hostkeyalgorithms": _HOSTKEY_88 + ",ssh-rsa-cert-v01@openssh.com,ssh-rsa",
              "gssapikexalgorithms": _GSS_KEX}),
)


def openssh_version(pkgs: Packages) -> tuple[int, int] | None:
    """Upstream version of the installed OpenSSH server package ('1:9.2p1-2+deb12u3')."""

    raw = pkgs.version("openssh-server")
    if not raw:
        return None
    m = re.match(r"^(?:\d+:)?(\d+)\.(\d+)", raw)
    return (int(m.group(1)), int(m.group(2))) if m else None


def crypto_defaults(version: tuple[int, int] | None) -> dict[str, str]:
    """OpenSSH's compiled-in crypto lists for a version (None: the oldest known)."""

    for since, lists in OPENSSH_DEFAULTS:
        if version is not None and version >= since:
            return lists
    return OPENSSH_DEFAULTS[-1][1]


def apply_modifier(value: str, default: str) -> list[str]:
    """sshd list syntax: '+x' appends to, '-x' removes from, '^x' puts in front of the default."""

    base = default.split(",")
    if value.startswith("+"):
        return base + [v for v in value[1:].split(",") if v not in base]
    if value.startswith("-"):
        return [b for b in base if not any(fnmatchcase(b, p) for p in value[1:].split(","))]
    if value.startswith("^"):
        front = value[1:].split(",")
        return front + [b for b in base if b not in front]
    return value.split(",")
