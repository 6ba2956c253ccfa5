"""Throwaway listeners for the network tests: HTTP, TLS (certificates made with
cryptography), a telnet-like banner and a tiny DNS server (dnspython messages over UDP).

In-process (threads) for loopback tests, or as a script inside a network namespace:

    ip netns exec NS python tests/network/servers.py spec.json   # prints "ready", runs
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import socketserver
import ssl
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dns.message
import dns.rcode
import dns.rrset
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

# ------------------------------------------------------------------ certificates


@dataclass
class Pki:
    root_pem: bytes
    root_key: Any
    root_cert: x509.Certificate
    inter_key: Any
    inter_cert: x509.Certificate


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject: str, key: Any, issuer: x509.Certificate | None, issuer_key: Any, *,
          ca: bool = False, names: tuple[str, ...] = (), days: tuple[int, int] = (-1, 365),
          ) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    b = (x509.CertificateBuilder()
         .subject_name(_name(subject))
         .issuer_name(issuer.subject if issuer else _name(subject))
         .public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(now + dt.timedelta(days=days[0]))
         .not_valid_after(now + dt.timedelta(days=days[1]))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if names:
        b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]),
                            critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def make_pki() -> Pki:
    rk = ec.generate_private_key(ec.SECP256R1())
    root = _cert("attt test root", rk, None, rk, ca=True, days=(-1, 3650))
    ik = ec.generate_private_key(ec.SECP256R1())
    inter = _cert("attt test intermediate", ik, root, rk, ca=True, days=(-1, 3650))
    return Pki(root.public_bytes(serialization.Encoding.PEM), rk, root, ik, inter)


def leaf(pki: Pki, folder: Path, label: str, name: str, *, rsa_bits: int = 0,
         expired: bool = False, self_signed: bool = False, send_chain: bool = True,
         ) -> tuple[str, str]:
    """Write (cert chain file, key file) for a server named ``name``."""

    key: Any = (rsa.generate_private_key(65537, rsa_bits) if rsa_bits
                else ec.generate_private_key(ec.SECP256R1()))
    days = (-30, -1) if expired else (-1, 200)
    if self_signed:
        cert = _cert(name, key, None, key, names=(name,), days=days)
        chain = [cert]
    else:
        cert = _cert(name, key, pki.inter_cert, pki.inter_key, names=(name,), days=days)
        chain = [cert, pki.inter_cert] if send_chain else [cert]
    cert_file, key_file = folder / f"{label}.crt", folder / f"{label}.key"
    cert_file.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


# ------------------------------------------------------------------ listeners

HTTP_PAGE = ("HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"
             "<html><head><title>{title}</title></head><body>ok</body></html>")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 64


def _tcp(host: str, port: int, handler: type[socketserver.BaseRequestHandler]) -> _Server:
    cls = type("S", (_Server,), {"address_family": _family(host)})
    return cls((host, port), handler)


def http_handler(title: str) -> type[socketserver.BaseRequestHandler]:
    class H(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.settimeout(5)
            try:
                self.request.recv(4096)
                self.request.sendall(HTTP_PAGE.format(title=title).encode())
            except OSError:
                pass

    return H


def banner_handler(banner: bytes) -> type[socketserver.BaseRequestHandler]:
    class H(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.settimeout(5)
            try:
                self.request.sendall(banner)
                self.request.recv(1024)
            except OSError:
                pass

    return H


# IAC DO TERMINAL-TYPE, TSPEED, XDISPLOC, NEW-ENVIRON, then a login prompt.
TELNET_BANNER = (b"\xff\xfd\x18\xff\xfd\x20\xff\xfd\x23\xff\xfd\x27"
                 b"\r\nDebian GNU/Linux 12\r\nlogin: ")


def tls_handler(cert: str, key: str, title: str, old: bool = False,
                ) -> type[socketserver.BaseRequestHandler]:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # SECLEVEL=0 so the weak-key and old-protocol servers can exist at all.
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    # Explicit both ways: Debian's python3 leaves the minimum at "lowest supported", a
    # python.org build at TLS 1.2, and with SECLEVEL=0 the first would offer TLS 1.0 too.
    ctx.minimum_version = ssl.TLSVersion.TLSv1 if old else ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)

    class H(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.settimeout(5)
            try:
                with ctx.wrap_socket(self.request, server_side=True) as s:
                    s.recv(4096)
                    s.sendall(HTTP_PAGE.format(title=title).encode())
            except (OSError, ssl.SSLError):
                pass

    return H


def dns_server(host: str, port: int, records: dict[str, list[str]]) -> socketserver.BaseServer:
    """UDP DNS answering ``records`` ({"name TYPE": [values]}); NXDOMAIN otherwise."""

    table = {k.lower(): v for k, v in records.items()}

    class H(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            data, sock = self.request
            try:
                q = dns.message.from_wire(data)
            except Exception:
                return
            r = dns.message.make_response(q)
            qs = q.question[0]
            name = qs.name.to_text().rstrip(".").lower()
            rtype = dns.rdatatype.to_text(qs.rdtype)
            values = table.get(f"{name} {rtype}".lower())
            if values:
                r.answer.append(dns.rrset.from_text_list(qs.name, 60, "IN", rtype, values))
            elif not any(k.startswith(f"{name} ") for k in table):
                r.set_rcode(dns.rcode.NXDOMAIN)
            sock.sendto(r.to_wire(), self.client_address)

    cls = type("U", (socketserver.ThreadingUDPServer,),
               {"address_family": _family(host), "allow_reuse_address": True,
                "daemon_threads": True})
    return cls((host, port), H)


def start(spec: list[dict[str, Any]]) -> list[socketserver.BaseServer]:
    """Start every listener of ``spec`` in threads; each item has kind/host/port + options."""

    servers: list[socketserver.BaseServer] = []
    for item in spec:
        kind, host, port = item["kind"], item["host"], int(item["port"])
        srv: socketserver.BaseServer
        if kind == "http":
            srv = _tcp(host, port, http_handler(item.get("title", "Welcome")))
        elif kind == "banner":
            srv = _tcp(host, port, banner_handler(TELNET_BANNER))
        elif kind == "tls":
            srv = _tcp(host, port, tls_handler(item["cert"], item["key"],
                                               item.get("title", "Welcome"),
                                               bool(item.get("old"))))
        elif kind == "dns":
            srv = dns_server(host, port, item["records"])
        else:
            raise ValueError(kind)
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2},
                         daemon=True).start()
        servers.append(srv)
    return servers


@contextmanager
def running(spec: list[dict[str, Any]]) -> Iterator[list[socketserver.BaseServer]]:
    servers = start(spec)
    try:
        yield servers
    finally:
        for s in servers:
            s.shutdown()
            s.server_close()


def free_udp_port(host: str = "127.0.0.1") -> int:
    with socket.socket(_family(host), socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


if __name__ == "__main__":
    servers = start(json.loads(Path(sys.argv[1]).read_text()))
    print("ready", flush=True)
    deadline = time.monotonic() + float(sys.argv[2] if len(sys.argv) > 2 else 900)
    while time.monotonic() < deadline:  # bounded: the fixture kills it long before
        time.sleep(0.5)
