"""A throwaway MIT Kerberos KDC on 127.0.0.1 for the WinRM Kerberos tests.

Real: MIT ``krb5kdc`` (Debian krb5-kdc) serving its own realm from a database created in a
temporary folder with ``kdb5_util``, principals and the service keytab made with
``kadmin.local``, tickets obtained with ``kinit`` or GSSAPI.  Everything lives in that folder:
its own krb5.conf (``KRB5_CONFIG``) and kdc.conf (``KRB5_KDC_PROFILE``); /etc/krb5.conf is
never read or written.  The KDC listens on a free port of 127.0.0.1 only (UDP and TCP), its
start is bounded (the TCP port is polled until a deadline) and it is killed at teardown.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

REALM = "ATTT.TEST"
START_DEADLINE_S = 10.0
TOOLS = ("kdb5_util", "kadmin.local", "krb5kdc", "kinit")


def missing_tools() -> list[str]:
    """The MIT tools this fixture needs that are not installed (krb5-kdc, krb5-user)."""

    path = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
    return [tool for tool in TOOLS if shutil.which(tool, path=path) is None]


def _tool(name: str) -> str:
    found = shutil.which(name, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    assert found, name
    return found


def _free_port() -> int:
    # A port free for both UDP and TCP at the time of the check (the KDC binds both).
    for _ in range(20):
        with socket.socket() as tcp, socket.socket(type=socket.SOCK_DGRAM) as udp:
            tcp.bind(("127.0.0.1", 0))
            port = int(tcp.getsockname()[1])
            try:
                udp.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port for the KDC on 127.0.0.1")


@dataclass
class KDC:
    """``with KDC(folder, service_host="localhost") as kdc:``; ``kdc.env`` for the clients."""

    folder: Path
    service_host: str = "localhost"
    # pypsrp asks for host/<name> (its HTTPNegotiateAuth default), which Active Directory
    # maps to the computer account; Windows' own client asks for HTTP/<name>.
    service: str = "host"
    realm: str = REALM
    port: int = 0
    users: dict[str, str] = field(default_factory=dict)
    _process: subprocess.Popen[bytes] | None = None

    @property
    def krb5_conf(self) -> Path:
        return self.folder / "krb5.conf"

    @property
    def keytab(self) -> Path:
        return self.folder / "service.keytab"

    @property
    def service_principal(self) -> str:
        return f"{self.service}/{self.service_host}@{self.realm}"

    @property
    def env(self) -> dict[str, str]:
        """Environment for anything that talks to this realm (client and acceptor)."""

        return {
            "KRB5_CONFIG": str(self.krb5_conf),
            "KRB5_KDC_PROFILE": str(self.folder / "kdc.conf"),
            "KRB5_KTNAME": f"FILE:{self.keytab}",
            "KRB5CCNAME": f"FILE:{self.folder / 'ccache-none'}",  # empty until kinit
            "KRB5RCACHEDIR": str(self.folder),  # the acceptor's replay cache, not /var/tmp
        }

    def principal(self, user: str) -> str:
        return f"{user}@{self.realm}"

    def __enter__(self) -> KDC:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        self._write_config()
        self._admin()
        self._start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)

    # -- pieces ----------------------------------------------------------------------------------

    def _write_config(self) -> None:
        d = self.folder
        # No DNS and no reverse lookup: the SPN is HTTP/<the name the client was given>.
        self.krb5_conf.write_text(
            "[libdefaults]\n"
            f"  default_realm = {self.realm}\n"
            "  dns_lookup_kdc = false\n"
            "  dns_lookup_realm = false\n"
            "  dns_canonicalize_hostname = false\n"
            "  rdns = false\n"
            "  ignore_acceptor_hostname = false\n"
            f"  default_ccache_name = FILE:{d / 'ccache-default'}\n"
            f"  default_keytab_name = FILE:{self.keytab}\n"
            "[realms]\n"
            f"  {self.realm} = {{\n"
            f"    kdc = 127.0.0.1:{self.port}\n"
            "  }\n"
            "[domain_realm]\n"
            f"  {self.service_host} = {self.realm}\n"
        )
        (d / "kdc.conf").write_text(
            "[kdcdefaults]\n"
            f"  kdc_listen = 127.0.0.1:{self.port}\n"
            f"  kdc_tcp_listen = 127.0.0.1:{self.port}\n"
            "[realms]\n"
            f"  {self.realm} = {{\n"
            f"    database_name = {d / 'principal'}\n"
            f"    key_stash_file = {d / 'stash'}\n"
            f"    acl_file = {d / 'kadm5.acl'}\n"
            "    max_life = 1h\n"
            "    max_renewable_life = 0\n"
            "    supported_enctypes = aes256-cts-hmac-sha1-96:normal "
            "aes128-cts-hmac-sha1-96:normal\n"
            "  }\n"
            "[logging]\n"
            f"  kdc = FILE:{d / 'kdc.log'}\n"
            f"  default = FILE:{d / 'kdc.log'}\n"
        )
        (d / "kadm5.acl").write_text("")

    def _run(self, *args: str, stdin: str | None = None) -> None:
        env = {**os.environ, **self.env}
        done = subprocess.run(list(args), input=stdin.encode() if stdin else None, env=env,
                              capture_output=True, timeout=30, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed ({done.returncode}): "
                               f"{done.stderr.decode(errors='replace')[-800:]}")

    def _admin(self) -> None:
        master = os.urandom(12).hex()
        self._run(_tool("kdb5_util"), "create", "-s", "-r", self.realm, "-P", master)
        kadmin = _tool("kadmin.local")
        for user, password in self.users.items():
            self._run(kadmin, "-r", self.realm, "-q",
                      # Pre-authentication required, as Active Directory does: a wrong
                      # password is refused by the KDC itself (PREAUTH_FAILED in its log).
                      f"addprinc +requires_preauth -pw {password} {self.principal(user)}")
        self._run(kadmin, "-r", self.realm, "-q", f"addprinc -randkey {self.service_principal}")
        self._run(kadmin, "-r", self.realm, "-q",
                  f"ktadd -k {self.keytab} {self.service_principal}")

    def _start(self) -> None:
        env = {**os.environ, **self.env}
        log = (self.folder / "krb5kdc.out").open("wb")
        self._process = subprocess.Popen(
            [_tool("krb5kdc"), "-n", "-r", self.realm], env=env, stdout=log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError("krb5kdc exited at start: "
                                   + (self.folder / "krb5kdc.out").read_text(errors="replace"))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.__exit__()
        raise RuntimeError(f"krb5kdc did not listen on 127.0.0.1:{self.port} within "
                           f"{START_DEADLINE_S} s")

    def kinit(self, user: str, password: str, ccache: Path) -> None:
        """A ticket-granting ticket for ``user`` in the FILE cache ``ccache`` (real kinit)."""

        env = {**os.environ, **self.env, "KRB5CCNAME": f"FILE:{ccache}"}
        done = subprocess.run([_tool("kinit"), self.principal(user)], input=password.encode()
                              + b"\n", env=env, capture_output=True, timeout=30, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"kinit failed: {done.stderr.decode(errors='replace')}")
