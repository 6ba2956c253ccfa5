"""A loopback WS-Man/PSRP STAND-IN for testing the WinRM transport without Windows.

What is real: HTTPS on 127.0.0.1 with a certificate made by the test, HTTP ``Negotiate``
authentication performed by pyspnego acting as the *server*: NTLM (accounts from an
``NTLM_USER_FILE`` store) or Kerberos (python-gssapi accepting with the service keytab named
by ``KRB5_KTNAME``, tickets from a real MIT KDC: tests/windows/kdc.py), channel binding to the
TLS certificate checked, connection-bound authentication as WinRM does it, and the WS-Man
SOAP envelopes and PSRP fragments/messages as [MS-WSMV] and [MS-PSRP] lay them out (written
here by hand, not with pypsrp's own encoder).

What is NOT real: PowerShell.  The "pipeline" never runs the script it receives; it records it
and answers with a canned document as the pipeline's one string output.  Tests that use this
server say ``stand_in_wsman_server`` in their names.

Over plain HTTP (``tls=False``, WinRM's 5985 listener) every SOAP message must arrive encrypted
with the authenticated context ([MS-WSMV] 2.2.9.1 ``multipart/encrypted``, SPNEGO session
encryption with the NTLM or Kerberos session, unwrapped and wrapped here by pyspnego); a
clear-text envelope is refused as
WinRM does when ``AllowUnencrypted`` is false.

Behaviours: ``ok`` (the canned exchange), ``hang`` (never answer the first request, until the
server stops or ``HANG_MAX_S`` passes), ``busy`` (the pipeline never finishes: every pipeline
Receive is answered with the WS-Man OperationTimeout fault, as a real WinRM host does while a
command runs), ``fail`` (the pipeline ends Failed with an error record), ``never_opens``
(the runspace pool never reports Opened: every pool Receive answers with an empty stream).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import ipaddress
import re
import ssl
import struct
import threading
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import spnego
import spnego.channel_bindings
import spnego.exceptions
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HANG_MAX_S = 15.0
MAX_BODY = 4 * 1024 * 1024

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "wsa": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "wsman": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
    "p": "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd",
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
}
ACT_CREATE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create"
ACT_DELETE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete"
ACT_COMMAND = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command"
ACT_RECEIVE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive"
ACT_SIGNAL = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal"
STATE_DONE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"
STATE_RUNNING = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running"

# [MS-PSRP] 2.2.1 message types used here
SESSION_CAPABILITY = 0x00010002
RUNSPACEPOOL_STATE = 0x00021005
CREATE_PIPELINE = 0x00021006
PIPELINE_OUTPUT = 0x00041004
PIPELINE_STATE = 0x00041006
TO_CLIENT = 0x00000001
OPERATION_TIMEOUT_CODE = 2150858793  # WSMAN_E_OPERATION_TIMEDOUT (0x80338029)


# -- certificates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerCert:
    cert_file: Path
    key_file: Path
    der: bytes

    @property
    def channel_binding(self) -> bytes:
        """RFC 5929 tls-server-end-point application data (SHA-256 of the certificate)."""

        return b"tls-server-end-point:" + hashlib.sha256(self.der).digest()


def make_cert(directory: Path, name: str = "localhost") -> ServerCert:
    """A self-signed P-256 certificate for 127.0.0.1 / localhost (valid one day)."""

    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(name), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file = directory / f"{name}.crt"
    key_file = directory / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ServerCert(cert_file, key_file, cert.public_bytes(serialization.Encoding.DER))


# -- PSRP encoding ([MS-PSRP] 2.2.4 fragments, 2.2.1 messages, 2.2.5.3.2 string escaping) -------


def ps_escape(text: str) -> str:
    """Serialise a string for CLIXML ``<S>``: control characters and ``_x`` as ``_xHHHH_``."""

    out = []
    for i, ch in enumerate(text):
        code = ord(ch)
        if ch == "_" and text[i + 1 : i + 2] == "x":
            out.append("_x005F_")
        elif (code < 0x20 and ch not in "\t\n") or 0xD800 <= code <= 0xDFFF or code in (
            0xFFFE,
            0xFFFF,
        ):
            out.append(f"_x{code:04X}_")
        elif ch == "\r":
            out.append("_x000D_")
        else:
            out.append(escape(ch))
    return "".join(out)


def ps_unescape(text: str) -> str:
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def psrp_message(message_type: int, rpid: str, pid: str | None, xml: str) -> bytes:
    nil = uuid.UUID(int=0)
    return (
        struct.pack("<II", TO_CLIENT, message_type)
        + uuid.UUID(rpid).bytes_le
        + (uuid.UUID(pid) if pid else nil).bytes_le
        + b"\xef\xbb\xbf"
        + xml.encode("utf-8")
    )


def fragment(object_id: int, data: bytes, max_blob: int = 32768) -> bytes:
    """One PSRP message as fragments (big-endian ids, start/end flags, blob length)."""

    pieces = [data[i : i + max_blob] for i in range(0, len(data), max_blob)] or [b""]
    out = b""
    for i, piece in enumerate(pieces):
        flags = (1 if i == 0 else 0) | (2 if i == len(pieces) - 1 else 0)
        out += struct.pack(">QQB", object_id, i, flags) + struct.pack(">I", len(piece)) + piece
    return out


def unfragment(data: bytes) -> list[bytes]:
    """The PSRP messages carried by a run of fragments (no interleaving expected here)."""

    messages: list[bytes] = []
    current = b""
    while data:
        _oid, _fid, flags = struct.unpack(">QQB", data[:17])
        (length,) = struct.unpack(">I", data[17:21])
        current += data[21 : 21 + length]
        data = data[21 + length :]
        if flags & 2:
            messages.append(current)
            current = b""
    return messages


SESSION_CAPABILITY_XML = (
    '<Obj RefId="0"><MS><Version N="protocolversion">2.3</Version>'
    '<Version N="PSVersion">2.0</Version>'
    '<Version N="SerializationVersion">1.1.0.1</Version></MS></Obj>'
)
POOL_OPENED_XML = '<Obj RefId="0"><MS><I32 N="RunspaceState">2</I32></MS></Obj>'
PIPELINE_COMPLETED_XML = '<Obj RefId="0"><MS><I32 N="PipelineState">4</I32></MS></Obj>'
PIPELINE_FAILED_XML = (
    '<Obj RefId="0"><MS><I32 N="PipelineState">5</I32>'
    '<Obj N="ExceptionAsErrorRecord" RefId="1"><TN RefId="0">'
    "<T>System.Management.Automation.ErrorRecord</T><T>System.Object</T></TN>"
    "<ToString>{message}</ToString><MS>"
    '<Obj N="Exception" RefId="2"><TN RefId="1"><T>System.Exception</T><T>System.Object</T></TN>'
    '<ToString>{message}</ToString><Props><S N="Message">{message}</S></Props></Obj>'
    '<Nil N="TargetObject" /><S N="FullyQualifiedErrorId">StandIn.Failure</S>'
    '<Nil N="InvocationInfo" /><I32 N="ErrorCategory_Category">0</I32>'
    '<S N="ErrorCategory_Activity"></S><S N="ErrorCategory_Reason">Exception</S>'
    '<S N="ErrorCategory_TargetName"></S><S N="ErrorCategory_TargetType"></S>'
    '<S N="ErrorCategory_Message">{message}</S><B N="SerializeExtendedInfo">false</B>'
    "</MS></Obj></MS></Obj>"
)


# -- the server ----------------------------------------------------------------------------------


@dataclass
class Record:
    """What the stand-in saw, for assertions."""

    actions: list[str] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)
    encrypted_messages: int = 0
    clear_text_refused: int = 0
    auth_failures: int = 0
    authenticated_users: list[str] = field(default_factory=list)
    negotiated_protocols: list[str] = field(default_factory=list)  # "ntlm" or "kerberos"
    connections: int = 0


class WSManStandIn:
    """The loopback WS-Man stand-in: ``with WSManStandIn(cert, document) as server: ...``."""

    def __init__(
        self,
        cert: ServerCert,
        document: str,
        behaviour: str = "ok",
        bind_cbt: bool = True,
        tls: bool = True,
    ) -> None:
        self.cert = cert
        self.tls = tls
        self.document = document
        self.behaviour = behaviour
        self.bind_cbt = bind_cbt
        self.record = Record()
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._httpd is not None
        return int(self._httpd.server_address[1])

    def __enter__(self) -> WSManStandIn:
        handler = type("Handler", (_Handler,), {"stand_in": self})
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        httpd.daemon_threads = True
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.cert.cert_file, self.cert.key_file)
            httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def note(self, **kw: Any) -> None:
        with self._lock:
            for key, value in kw.items():
                getattr(self.record, key).append(value)


class _Handler(BaseHTTPRequestHandler):
    stand_in: WSManStandIn
    protocol_version = "HTTP/1.1"
    timeout = HANG_MAX_S

    def setup(self) -> None:
        super().setup()
        self.auth_context: Any = None
        self.final_token = ""
        self.authenticated = False
        self.pipeline_polls = 0
        with self.stand_in._lock:
            self.stand_in.record.connections += 1

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return None

    # -- HTTP + Negotiate ------------------------------------------------------------------------

    def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
               close: bool = False) -> None:
        self.send_response(status)
        if self.final_token:
            self.send_header("WWW-Authenticate", f"Negotiate {self.final_token}")
            self.final_token = ""
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body and not self.stand_in.tls:
            body = self._wrap(body)
            self.send_header("Content-Type", f'multipart/encrypted;protocol="{self.PROTOCOL}";'
                             'boundary="Encrypted Boundary"')
        elif body:
            self.send_header("Content-Type", "application/soap+xml;charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(min(length, MAX_BODY))
        if self.stand_in.behaviour == "hang":
            self.stand_in.stopping.wait(HANG_MAX_S)
            self.close_connection = True
            return
        if not self.authenticated and not self._authenticate():
            return
        if not body:  # the empty request that sets up the context for message encryption
            self._reply(200)
            return
        if not self.stand_in.tls:
            content_type = self.headers.get("Content-Type", "")
            if not content_type.startswith("multipart/encrypted"):
                with self.stand_in._lock:
                    self.stand_in.record.clear_text_refused += 1
                self._reply(400, close=True)
                return
            body = self._unwrap(body)
            with self.stand_in._lock:
                self.stand_in.record.encrypted_messages += 1
        self._soap(body)

    # -- [MS-WSMV] 2.2.9.1 message encryption over HTTP -----------------------------------------

    BOUNDARY = b"--Encrypted Boundary"
    PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"

    def _unwrap(self, body: bytes) -> bytes:
        parts = [p for p in body.split(self.BOUNDARY + b"\r\n") if p]
        header_part, data_part = parts[0], parts[1]
        length = int(re.search(rb"Length=(\d+)", header_part).group(1))  # type: ignore[union-attr]
        data_part = data_part.removesuffix(self.BOUNDARY + b"--\r\n")
        data_part = data_part.removeprefix(b"\tContent-Type: application/octet-stream\r\n")
        (header_len,) = struct.unpack("<I", data_part[:4])
        header = data_part[4 : 4 + header_len]
        plain: bytes = self.auth_context.unwrap_winrm(header, data_part[4 + header_len :])
        assert len(plain) == length, (len(plain), length)
        return plain

    def _wrap(self, body: bytes) -> bytes:
        header, data, padding = self.auth_context.wrap_winrm(body)
        return (
            self.BOUNDARY + b"\r\n"
            + f"\tContent-Type: {self.PROTOCOL}\r\n".encode()
            + b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length="
            + str(len(body) + padding).encode() + b"\r\n"
            + self.BOUNDARY + b"\r\n"
            + b"\tContent-Type: application/octet-stream\r\n"
            + struct.pack("<I", len(header)) + header + data
            + self.BOUNDARY + b"--\r\n"
        )

    def _authenticate(self) -> bool:
        header = self.headers.get("Authorization", "")
        match = re.fullmatch(r"(?i)(negotiate|ntlm|kerberos) (\S+)", header.strip())
        if not match:
            self._reply(401, headers={"WWW-Authenticate": "Negotiate"})
            return False
        if self.auth_context is None:
            bindings = None
            if self.stand_in.bind_cbt and self.stand_in.tls:
                bindings = spnego.channel_bindings.GssChannelBindings(
                    application_data=self.stand_in.cert.channel_binding
                )
            self.auth_context = spnego.server(protocol="negotiate", channel_bindings=bindings)
        try:
            out = self.auth_context.step(base64.b64decode(match.group(2)))
        except (spnego.exceptions.SpnegoError, AttributeError):
            # AttributeError: with pyspnego 0.12 and python-gssapi 1.12 a Kerberos token that
            # GSSAPI rejects (e.g. wrong channel binding) leaves no context, and pyspnego then
            # fails reading its flags ("...establishment has not yet been started"): refused.
            with self.stand_in._lock:
                self.stand_in.record.auth_failures += 1
            self.auth_context = None
            self._reply(401, headers={"WWW-Authenticate": "Negotiate"}, close=True)
            return False
        if not self.auth_context.complete:
            token = base64.b64encode(out or b"").decode()
            self._reply(401, headers={"WWW-Authenticate": f"Negotiate {token}"})
            return False
        self.authenticated = True
        if out:  # SPNEGO's last token (accept-completed, mechListMIC) rides on the answer
            self.final_token = base64.b64encode(out).decode()
        self.stand_in.note(authenticated_users=str(self.auth_context.client_principal),
                           negotiated_protocols=str(self.auth_context.negotiated_protocol))
        return True

    # -- WS-Man ------------------------------------------------------------------------------

    def _soap(self, body: bytes) -> None:
        request = ET.fromstring(body)
        action = request.findtext("s:Header/wsa:Action", "", NS)
        message_id = request.findtext("s:Header/wsa:MessageID", "", NS)
        self.stand_in.note(actions=action.rsplit("/", 1)[-1])
        if action == ACT_CREATE:
            shell = request.find("s:Body/rsp:Shell", NS)
            assert shell is not None
            shell_id = shell.get("ShellId") or str(uuid.uuid4()).upper()
            self.server_shell_id = shell_id
            out = (
                f"<x:ResourceCreated><wsa:Address>https://127.0.0.1/wsman</wsa:Address>"
                f"<wsa:ReferenceParameters><wsman:ResourceURI>"
                f"http://schemas.microsoft.com/powershell/Microsoft.PowerShell</wsman:ResourceURI>"
                f'<wsman:SelectorSet><wsman:Selector Name="ShellId">{shell_id}</wsman:Selector>'
                f"</wsman:SelectorSet></wsa:ReferenceParameters></x:ResourceCreated>"
                f"<rsp:Shell><rsp:ShellId>{shell_id}</rsp:ShellId>"
                f"<rsp:ResourceUri>http://schemas.microsoft.com/powershell/Microsoft.PowerShell"
                f"</rsp:ResourceUri><rsp:Owner>LAB\\auditor</rsp:Owner>"
                f"<rsp:ClientIP>127.0.0.1</rsp:ClientIP><rsp:IdleTimeOut>PT7200.000S</rsp:IdleTimeOut>"
                f"<rsp:InputStreams>stdin pr</rsp:InputStreams>"
                f"<rsp:OutputStreams>stdout</rsp:OutputStreams></rsp:Shell>"
            )
            self._envelope(ACT_CREATE + "Response", message_id, out)
        elif action == ACT_RECEIVE:
            stream = request.find("s:Body/rsp:Receive/rsp:DesiredStream", NS)
            command_id = stream.get("CommandId") if stream is not None else None
            self._receive(message_id, command_id)
        elif action == ACT_COMMAND:
            command = request.find("s:Body/rsp:CommandLine", NS)
            assert command is not None
            command_id = command.get("CommandId") or str(uuid.uuid4()).upper()
            args = command.findtext("rsp:Arguments", "", NS)
            for raw in unfragment(base64.b64decode(args)):
                (mtype,) = struct.unpack("<I", raw[4:8])
                if mtype == CREATE_PIPELINE:
                    text = raw[40:].decode("utf-8-sig")
                    found = re.search(r'<S N="Cmd">(.*?)</S>', text, re.DOTALL)
                    script = ET.fromstring(f"<S>{found.group(1)}</S>").text if found else ""
                    self.stand_in.note(scripts=ps_unescape(script or ""))
            self._envelope(
                ACT_COMMAND + "Response",
                message_id,
                f"<rsp:CommandResponse><rsp:CommandId>{command_id}</rsp:CommandId>"
                f"</rsp:CommandResponse>",
            )
        elif action == ACT_SIGNAL:
            self._envelope(ACT_SIGNAL + "Response", message_id, "<rsp:SignalResponse/>")
        elif action == ACT_DELETE:
            self._envelope(ACT_DELETE + "Response", message_id, "")
        else:
            self._fault(message_id, 2150858770, "The action is not supported by the stand-in.")

    def _receive(self, message_id: str, command_id: str | None) -> None:
        rpid = getattr(self, "server_shell_id", str(uuid.UUID(int=0)))
        if command_id is None and self.stand_in.behaviour == "never_opens":
            self.stand_in.stopping.wait(0.2)
            self._envelope(ACT_RECEIVE + "Response", message_id,
                           '<rsp:ReceiveResponse><rsp:Stream Name="stdout"></rsp:Stream>'
                           "</rsp:ReceiveResponse>")
            return
        if command_id is None:
            data = fragment(1, psrp_message(SESSION_CAPABILITY, rpid, None,
                                            SESSION_CAPABILITY_XML))
            data += fragment(2, psrp_message(RUNSPACEPOOL_STATE, rpid, None, POOL_OPENED_XML))
            self._envelope(ACT_RECEIVE + "Response", message_id,
                           "<rsp:ReceiveResponse>"
                           '<rsp:Stream Name="stdout">'
                           f"{base64.b64encode(data).decode()}</rsp:Stream>"
                           "</rsp:ReceiveResponse>")
            return
        behaviour = self.stand_in.behaviour
        self.pipeline_polls += 1
        if behaviour == "busy":
            # A real host holds the request for OperationTimeout, then faults; 0.2 s here.
            self.stand_in.stopping.wait(0.2)
            self._fault(message_id, OPERATION_TIMEOUT_CODE, "The WS-Management service cannot "
                        "complete the operation within the time specified in OperationTimeout.")
            return
        if behaviour == "fail":
            state = PIPELINE_FAILED_XML.format(message=escape("Access is denied"))
            data = fragment(3, psrp_message(PIPELINE_STATE, rpid, command_id, state))
        else:
            output = f"<S>{ps_escape(self.stand_in.document)}</S>"
            data = fragment(3, psrp_message(PIPELINE_OUTPUT, rpid, command_id, output))
            data += fragment(4, psrp_message(PIPELINE_STATE, rpid, command_id,
                                             PIPELINE_COMPLETED_XML))
        self._envelope(
            ACT_RECEIVE + "Response",
            message_id,
            "<rsp:ReceiveResponse>"
            f'<rsp:Stream Name="stdout" CommandId="{command_id}">'
            f"{base64.b64encode(data).decode()}</rsp:Stream>"
            f'<rsp:CommandState CommandId="{command_id}" State="{STATE_DONE}"/>'
            "</rsp:ReceiveResponse>",
        )

    def _envelope(self, action: str, relates_to: str, body: str) -> None:
        ns = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items())
        xml = (
            f"<s:Envelope {ns} xml:lang=\"en-US\"><s:Header>"
            f"<wsa:Action>{action}</wsa:Action>"
            f"<wsa:MessageID>uuid:{str(uuid.uuid4()).upper()}</wsa:MessageID>"
            f"<wsa:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To>"
            f"<wsa:RelatesTo>{relates_to}</wsa:RelatesTo>"
            f"</s:Header><s:Body>{body}</s:Body></s:Envelope>"
        )
        self._reply(200, xml.encode("utf-8"))

    def _fault(self, relates_to: str, code: int, text: str) -> None:
        ns = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items())
        xml = (
            f"<s:Envelope {ns} xml:lang=\"en-US\"><s:Header>"
            f"<wsa:Action>http://schemas.dmtf.org/wbem/wsman/1/wsman/fault</wsa:Action>"
            f"<wsa:MessageID>uuid:{str(uuid.uuid4()).upper()}</wsa:MessageID>"
            f"<wsa:RelatesTo>{relates_to}</wsa:RelatesTo></s:Header><s:Body><s:Fault>"
            f"<s:Code><s:Value>s:Receiver</s:Value><s:Subcode>"
            f"<s:Value>w:TimedOut</s:Value></s:Subcode></s:Code>"
            f'<s:Reason><s:Text xml:lang="en-US">{escape(text)}</s:Text></s:Reason>'
            f'<s:Detail><f:WSManFault Code="{code}" Machine="127.0.0.1">'
            f"<f:Message>{escape(text)}</f:Message></f:WSManFault></s:Detail>"
            f"</s:Fault></s:Body></s:Envelope>"
        )
        self._reply(500, xml.encode("utf-8"))
