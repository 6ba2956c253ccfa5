"""TLS facts of one service: certificate (parsed with cryptography from nmap's ssl-cert PEM),
protocols and weak ciphers (nmap ssl-enum-ciphers), chain completeness (one verifying
handshake with OpenSSL, which never fetches missing intermediates, so a server that does not
send its intermediate fails exactly as browsers without a cache do)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import NameOID

OLD_PROTOCOLS = ("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1")
WEAK_CIPHER_WORDS = ("NULL", "EXPORT", "RC4", "3DES", "_DES_", "MD5", "anon")
# OpenSSL's X509_V_FLAG_NO_CHECK_TIME: expiry is judged from the parsed certificate, so the
# handshake answers only "can a chain to a trusted root be built from what was sent".
_NO_CHECK_TIME = 0x200000
_CHAIN_CODES = {
    2: "incomplete: the issuer certificate could not be found",
    18: "self-signed certificate",
    19: "self-signed root certificate in the chain is not trusted",
    20: "incomplete: the server did not send the intermediate certificate "
        "(unable to get local issuer certificate)",
    21: "incomplete: unable to verify the first certificate",
}
HANDSHAKE_TIMEOUT = 5.0


def _key(cert: x509.Certificate) -> tuple[str, int]:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.curve.key_size
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 448
    return type(key).__name__, 0


def _names(cert: x509.Certificate) -> tuple[list[str], list[str]]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return [str(c.value) for c in cns], []
    return san.get_values_for_type(x509.DNSName), [
        str(i) for i in san.get_values_for_type(x509.IPAddress)
    ]


def name_matches(pattern: str, name: str) -> bool:
    """RFC 6125: case-insensitive; one leftmost wildcard label matching exactly one label."""

    p, n = pattern.lower().rstrip("."), name.lower().rstrip(".")
    if p.startswith("*."):
        head, _, rest = n.partition(".")
        return bool(head) and rest == p[2:]
    return p == n


def parse_certificate(pem: str, expected: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """The facts of a PEM certificate checked against the expected name."""

    cert = x509.load_pem_x509_certificate(pem.encode())
    now = now or dt.datetime.now(dt.UTC)
    key_type, bits = _key(cert)
    dns_names, ips = _names(cert)
    if not expected:
        match = None
    elif _is_ip(expected):
        match = ipaddress.ip_address(expected) in {ipaddress.ip_address(i) for i in ips}
    else:
        match = any(name_matches(d, expected) for d in dns_names)
    sig = cert.signature_hash_algorithm
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "days_left": (cert.not_valid_after_utc - now).days,
        "valid_now": cert.not_valid_before_utc <= now <= cert.not_valid_after_utc,
        "key_type": key_type,
        "key_bits": bits,
        "signature": f"{sig.name if sig else 'none'}-with-{key_type}",
        "signature_hash": sig.name if sig else "",
        "names": dns_names + ips,
        "expected_name": expected,
        "name_match": match,
        "self_signed": cert.issuer == cert.subject,
    }


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def ciphers_summary(data: Any) -> tuple[list[str], list[str], str]:
    """(protocols offered, weak ciphers, least strength) from ssl-enum-ciphers' table."""

    protocols: list[str] = []
    weak: list[str] = []
    least = ""
    if not isinstance(data, dict):
        return protocols, weak, least
    for key, value in data.items():
        if key == "least strength":
            least = str(value)
            continue
        if not isinstance(value, dict):
            continue
        protocols.append(key)
        ciphers = value.get("ciphers") or []
        for c in ciphers if isinstance(ciphers, list) else []:
            if not isinstance(c, dict):
                continue
            name, strength = str(c.get("name", "")), str(c.get("strength", ""))
            if strength not in ("A", "B") or any(w in f"{name} " for w in WEAK_CIPHER_WORDS):
                weak.append(f"{key} {name} ({strength or '?'})")
    return sorted(protocols), sorted(set(weak)), least


def chain_status(address: str, port: int, server_name: str, cafiles: list[str]) -> tuple[str, str]:
    """("complete" | "incomplete" | "self-signed" | "untrusted" | "unknown", detail)."""

    ctx = ssl.create_default_context()
    for f in cafiles:
        ctx.load_verify_locations(cafile=f)
    ctx.check_hostname = False  # names are judged from the parsed certificate
    ctx.verify_flags = ssl.VerifyFlags(ctx.verify_flags | _NO_CHECK_TIME)
    # Weak keys and old protocols are reported by their own criteria; here they must not
    # hide the answer about the chain.
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    sni = server_name if server_name and not _is_ip(server_name) else None
    try:
        with socket.create_connection((address, port), timeout=HANDSHAKE_TIMEOUT) as sock, \
                ctx.wrap_socket(sock, server_hostname=sni):
            return "complete", "a chain to a trusted root was built from what the server sent"
    except ssl.SSLCertVerificationError as exc:
        code = int(exc.verify_code or 0)
        detail = _CHAIN_CODES.get(code, f"untrusted: {exc.verify_message} (code {code})")
        kind = ("self-signed" if code in (18, 19) else "incomplete" if code in (2, 20, 21)
                else "untrusted")
        return kind, detail
    except (OSError, ssl.SSLError) as exc:
        return "unknown", f"handshake failed: {type(exc).__name__}: {exc}"[:200]
