"""Anti-malware products: the known products (:data:`PRODUCTS`), signature age and
management enrolment probes.

Signature age (live hosts only, against the host's clock): ClamAV from the header of its
databases (``ClamAV-VDB:...`` carries the build time as epoch seconds in field 9; the file's
mtime is the fallback), Kaspersky Endpoint Security from ``kesl-control --app-info``, Microsoft
Defender from ``mdatp health --field definitions_updated_minutes_ago``.

Central management: Kaspersky Network Agent (klnagent) running, Trend Micro Deep Security
Agent reporting a manager URL (``dsa_query -c GetAgentStatus``, a local query), Microsoft
Defender with a non-empty ``org_id`` (onboarded), ESET Management Agent running, Sophos
Protection for Linux with an MCS URL.  No probe makes the agent contact its server: the
connection itself is the console's to show.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from attt.messages import Msg, T
from attt.registry import FactParseError, Section, probe

from .agents import agents_param


@dataclass(frozen=True)
class Product:
    """An anti-malware product: the processes, packages and units that show it."""

    name: str
    processes: tuple[str, ...]
    packages: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    protects: bool = True  # False: a management agent, not a scanner
    updater: tuple[str, ...] = ()  # signature updater processes, reported only


PRODUCTS: tuple[Product, ...] = (
    Product("ClamAV", ("clamd", "clamonacc"), ("clamav-daemon", "clamd", "clamav-server"),
            ("clamav-daemon.service", "clamd@.service", "clamd.service"),
            updater=("freshclam",)),
    Product("Kaspersky Endpoint Security for Linux", ("kesl", "wdserver"), ("kesl",),
            ("kesl.service", "kesl-supervisor.service")),
    Product("Kaspersky Network Agent", ("klnagent",), ("klnagent64", "klnagent"),
            ("klnagent64.service", "klnagent.service"), protects=False),
    Product("Trend Micro Deep Security Agent", ("ds_agent",), ("ds-agent",),
            ("ds_agent.service",)),
    Product("ESET Server/Endpoint Security for Linux", ("startd", "scand", "oaeventd",
            "esets_daemon"), ("efs", "eea", "ees", "esets"),
            ("efs.service", "eea.service", "esets.service")),
    Product("Sophos Protection for Linux", ("sophos_threat_detector", "sophos_managementagent",
            "savd"), (), ("sophos-spl.service", "sav-protect.service")),
    Product("Microsoft Defender for Endpoint", ("wdavdaemon",), ("mdatp",), ("mdatp.service",)),
    Product("CrowdStrike Falcon", ("falcon-sensor", "falcon-sensord"), ("falcon-sensor",),
            ("falcon-sensor.service",)),
    Product("SentinelOne", ("s1-agent", "sentinelone-agent"), ("sentinelagent",),
            ("sentinelone.service",)),
)


def products(params: Mapping[str, Any]) -> tuple[Product, ...]:
    """The known products plus those a profile or tailoring adds (``extra_products``)."""

    extra = agents_param(params.get("extra_products"), "extra_products")
    return (*PRODUCTS, *(Product(a.name, a.processes, a.packages, a.services) for a in extra))


# ---------------------------------------------------------------------------- signatures


@dataclass(frozen=True)
class Signatures:
    """The age of one product's signatures."""

    product: str
    when: int | None  # epoch seconds of the newest signature build/update
    detail: Msg  # where the date comes from; quoted in the finding, so in every language
    minutes_ago: int | None = None  # products that report an age instead of a date


_CLAM_DBS = "/var/lib/clamav/*.cvd /var/lib/clamav/*.cld"


@probe(
    "av_signatures",
    command=(
        f"for f in {_CLAM_DBS}; do [ -f \"$f\" ] || continue; "
        "echo \"clamav_mtime $(stat -c %Y \"$f\") $f\"; "
        "printf 'clamav_header %s ' \"$f\"; head -c 512 \"$f\" | tr -d '\\000' | head -n 1; "
        "echo; done; "
        "if command -v kesl-control >/dev/null; then kesl-control --app-info 2>/dev/null "
        "| grep -i 'databases' | head -n 5 | sed 's|^|kesl |'; fi; "
        "if command -v mdatp >/dev/null; then "
        "echo \"mdatp_minutes $(mdatp health --field definitions_updated_minutes_ago 2>/dev/null "
        "| head -n 1)\"; fi; exit 0"
    ),
    description="anti-malware signature dates (ClamAV databases, kesl-control, mdatp health)",
)
def parse_av_signatures(section: Section) -> list[Signatures]:
    """The ``av_signatures`` probe's output parsed (anti-malware signature dates)."""

    clam: dict[str, tuple[int, Msg]] = {}
    out: list[Signatures] = []
    for line in section.text.splitlines():
        if not line.strip():
            continue
        tag, _, rest = line.partition(" ")
        if tag == "clamav_mtime":
            mtime, _, path = rest.partition(" ")
            clam.setdefault(path, (int(mtime), T("{path}: file modified", path=path)))
        elif tag == "clamav_header":
            path, _, header = rest.partition(" ")
            fields = header.strip().split(":")
            # ClamAV-VDB:<build time>:<version>:<sigs>:<f-level>:<md5>:<dsig>:<builder>:<stime>
            if fields[0] == "ClamAV-VDB" and len(fields) > 8 and fields[8].strip().isdigit():
                clam[path] = (int(fields[8].strip()),
                              T("{path}: version {version}, built {built}", path=path,
                                version=fields[2], built=fields[1]))
        elif tag == "kesl":
            m = re.search(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})", rest)
            if m and "date" in rest.lower():
                stamp = datetime.strptime(f"{m.group(1)} {m.group(2)}", "%Y-%m-%d %H:%M:%S")
                out.append(Signatures("Kaspersky Endpoint Security for Linux",
                                      int(stamp.replace(tzinfo=UTC).timestamp()),
                                      T("kesl-control reports {line}", line=rest.strip())))
        elif tag == "mdatp_minutes":
            value = rest.strip().strip('"')
            if value.isdigit():
                out.append(Signatures("Microsoft Defender for Endpoint", None,
                                      T("definitions updated {minutes} minutes ago",
                                        minutes=value), int(value)))
            elif value:
                raise FactParseError(T("unexpected mdatp health output: {value}",
                                       value=repr(value[:60])))
        else:
            raise FactParseError(T("not a signature line: {line}", line=repr(line[:60])))
    if clam:
        _, (when, how) = max(clam.items(), key=lambda kv: kv[1][0])
        out.insert(0, Signatures("ClamAV", when, how))
    return out


@dataclass(frozen=True)
class ManagementStatus:
    """Enrolment of the products that report it locally (``av_management``)."""

    mdatp_org_id: str | None  # None: mdatp not installed; "" not onboarded
    ds_manager: str | None  # None: dsa_query absent; "" no manager URL
    sophos_mcs: str | None  # None: no Sophos MCS config
    klnagent_installed: bool


@probe(
    "av_management",
    command=(
        "if command -v mdatp >/dev/null; then echo \"mdatp_org_id $(mdatp health --field org_id "
        "2>/dev/null | head -n 1)\"; fi; "
        "if [ -x /opt/ds_agent/dsa_query ]; then /opt/ds_agent/dsa_query -c GetAgentStatus "
        "2>/dev/null | grep -i 'dsmUrl' | head -n 3 | sed 's|^|ds |'; echo 'ds_done'; fi; "
        "f=/opt/sophos-spl/base/etc/sophosspl/mcs.config; if [ -r $f ]; then "
        "grep -E '^MCSURL=' $f | head -n 1 | sed 's|^|sophos |'; echo 'sophos_done'; fi; "
        "if [ -d /opt/kaspersky/klnagent64 ] || [ -d /opt/kaspersky/klnagent ]; then "
        "echo 'klnagent_installed'; fi; exit 0"
    ),
    description="anti-malware management enrolment (mdatp org_id, Deep Security manager URL, "
                "Sophos MCS URL); local queries only",
)
def parse_av_management(section: Section) -> ManagementStatus:
    """The ``av_management`` probe's output parsed (anti-malware management enrolment)."""

    org: str | None = None
    ds: str | None = None
    sophos: str | None = None
    kl = False
    for line in section.text.splitlines():
        if not line.strip():
            continue
        tag, _, rest = line.partition(" ")
        rest = rest.strip().strip('"')
        if tag == "mdatp_org_id":
            org = "" if rest.lower() in ("", "null", "none") else rest
        elif tag == "ds":
            url = re.search(r"(https?://\S+)", rest)
            ds = url.group(1) if url else (ds or "")
        elif tag == "ds_done":
            ds = ds or ""
        elif tag == "sophos":
            sophos = rest.partition("=")[2].strip()
        elif tag == "sophos_done":
            sophos = sophos or ""
        elif tag == "klnagent_installed":
            kl = True
        else:
            raise FactParseError(T("not a management status line: {line}", line=repr(line[:60])))
    return ManagementStatus(org, ds, sophos, kl)
