"""Monitoring agents: SIEM/log shipper, centralised system monitoring, the national agent.

An agent counts on a live host when one of its processes runs, offline when its service is
enabled at boot; installed but stopped (or not enabled) fails with the agent named.  For the
SIEM, a syslog daemon forwarding to a remote collector (the logging.remote_forwarding facts)
also counts: whether that collector is the SIEM is for the assessor to confirm, and the
message says so.  SNMP counts as system monitoring only with SNMPv3 users configured.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attt.messages import Msg, T
from attt.model import Result, Status
from attt.probes.agents import Agent, ParamError, agent_state, agents_param
from attt.probes.logs import Forwarders
from attt.probes.packages import Packages
from attt.probes.processes import ProcessTable
from attt.probes.snmp import SnmpConfig
from attt.probes.systemd import EnabledUnits
from attt.registry import ScopedFacts, check

SIEM_AGENTS: tuple[Agent, ...] = (
    Agent("Wazuh agent", ("wazuh-agentd", "wazuh-logcollec"), ("wazuh-agent",),
          ("wazuh-agent.service",)),
    Agent("OSSEC agent", ("ossec-agentd", "ossec-logcollec"), ("ossec-hids-agent",),
          ("ossec.service", "ossec-hids.service")),
    Agent("Elastic Agent", ("elastic-agent",), ("elastic-agent",), ("elastic-agent.service",)),
    Agent("Filebeat", ("filebeat",), ("filebeat",), ("filebeat.service",)),
    Agent("Auditbeat", ("auditbeat",), ("auditbeat",), ("auditbeat.service",)),
    Agent("Splunk Universal Forwarder", ("splunkd",), ("splunkforwarder",),
          ("SplunkForwarder.service", "splunk.service")),
    Agent("NXLog", ("nxlog",), ("nxlog", "nxlog-ce"), ("nxlog.service",)),
    Agent("Fluent Bit", ("fluent-bit", "td-agent-bit"), ("fluent-bit", "td-agent-bit"),
          ("fluent-bit.service", "td-agent-bit.service")),
    Agent("Vector", ("vector",), ("vector",), ("vector.service",)),
    Agent("Graylog Sidecar", ("graylog-sidecar",), ("graylog-sidecar",),
          ("graylog-sidecar.service",)),
)

SYSTEM_AGENTS: tuple[Agent, ...] = (
    Agent("Zabbix agent", ("zabbix_agentd",), ("zabbix-agent",), ("zabbix-agent.service",)),
    Agent("Zabbix agent 2", ("zabbix_agent2",), ("zabbix-agent2",), ("zabbix-agent2.service",)),
    Agent("Prometheus node exporter", ("node_exporter", "prometheus-node-exporter"),
          ("prometheus-node-exporter", "node_exporter", "golang-github-prometheus-node-exporter"),
          ("prometheus-node-exporter.service", "node_exporter.service")),
    Agent("Telegraf", ("telegraf",), ("telegraf",), ("telegraf.service",)),
    Agent("Nagios NRPE", ("nrpe",), ("nagios-nrpe-server", "nrpe"),
          ("nagios-nrpe-server.service", "nrpe.service")),
    Agent("Checkmk agent", ("cmk-agent-ctl", "check_mk_agent"), ("check-mk-agent",),
          ("cmk-agent-ctl-daemon.service", "check-mk-agent.socket")),
    Agent("collectd", ("collectd",), ("collectd", "collectd-core"), ("collectd.service",)),
    Agent("Netdata", ("netdata",), ("netdata",), ("netdata.service",)),
)

_SYSLOG = {"rsyslog_conf": ("rsyslog", "rsyslogd", ("rsyslog.service",)),
           "syslog_ng_conf": ("syslog-ng", "syslog-ng", ("syslog-ng.service",))}


def _english(items: list[Msg]) -> list[str]:
    # observed stays data: the English rendering of the phrases the message lists.
    return [str(m) for m in items]


def _scan(facts: ScopedFacts, table: tuple[Agent, ...]) -> tuple[list[Msg], list[Msg], list[Msg]]:
    notes: list[Msg] = []
    pkgs: Packages | None = facts.get("packages") if facts.has("packages") else None
    if pkgs is None:
        notes.append(T("package list unavailable"))
    elif pkgs.manager == "none":
        # Packages.source of manager "none" (attt.probes.packages), as a message.
        notes.append(T("no /var/lib/dpkg/status (RPM databases are not read offline)"))
    active: list[Msg] = []
    inactive: list[Msg] = []
    for agent in table:
        state, text = agent_state(facts, agent, pkgs)
        if state == "active":
            active.append(text)
        elif state == "inactive":
            inactive.append(text)
    return active, inactive, notes


def _offline_guard(facts: ScopedFacts, observed: Any, expected: str) -> Result | None:
    if facts.mode == "live":
        return None
    units: EnabledUnits = facts.get("systemd_enabled")
    if not units.systemd:
        return Result(Status.ERROR, T("No systemd unit directories in the tree: services "
                                      "enabled at boot cannot be read."),
                      observed=observed, expected=expected, source="systemd_enabled")
    return None


@check(
    "monitoring.siem_agent",
    title_vi="Có tác tử gửi nhật ký, sự kiện về hệ thống giám sát an toàn (SIEM)",
    title_en="A SIEM agent or log forwarder is active",
    severity="medium",
    probes=("processes", "packages", "systemd_enabled", "rsyslog_conf", "syslog_ng_conf"),
    params={"extra_agents": []},
    remediation_vi=(
        "Cài tác tử của hệ thống SIEM của đơn vị (ví dụ Wazuh: 'WAZUH_MANAGER=<máy chủ> "
        "apt-get install wazuh-agent && systemctl enable --now wazuh-agent'; hoặc Elastic "
        "Agent/Filebeat, Splunk Universal Forwarder, NXLog, Fluent Bit), hoặc cấu hình rsyslog "
        "chuyển nhật ký về bộ thu của SIEM ('*.* @@<siem>:514'). Khai báo tác tử khác trong "
        "extra_agents."
    ),
    remediation_en=(
        "Install the agency SIEM's agent (for example Wazuh: 'WAZUH_MANAGER=<manager> apt-get "
        "install wazuh-agent && systemctl enable --now wazuh-agent'; or Elastic Agent/Filebeat, "
        "Splunk Universal Forwarder, NXLog, Fluent Bit), or have rsyslog forward to the SIEM's "
        "collector ('*.* @@<siem>:514'). Declare other agents in extra_agents."
    ),
)
def siem_agent(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Security events are only analysed centrally if each host sends them to the SIEM; a
    host without an agent or forwarder is a blind spot for the security operations team."""

    try:
        extra = agents_param(params.get("extra_agents"), "extra_agents")
    except ParamError as exc:
        return Result(Status.ERROR, T("The {param} parameter is invalid: {reason}.",
                                      param="extra_agents", reason=exc.message),
                      observed=None, expected=None, source="params")
    active, inactive, notes = _scan(facts, (*SIEM_AGENTS, *extra))
    forwarding: list[Msg] = []
    for probe_name, (label, proc, unit_names) in _SYSLOG.items():
        fw: Forwarders = facts.get(probe_name)
        if not fw.targets:
            continue
        if facts.mode == "live":
            procs: ProcessTable = facts.get("processes")
            on = procs.running(proc)
        else:
            units: EnabledUnits = facts.get("systemd_enabled")
            on = any(units.enabled(u) for u in unit_names)
        if on:
            forwarding.append(T("{daemon} forwarding to {target}", daemon=label,
                                target=fw.targets[0]))
        elif facts.mode == "live":
            inactive.append(T("{daemon} forwarding to {target} (daemon not running)",
                              daemon=label, target=fw.targets[0]))
        else:
            inactive.append(T("{daemon} forwarding to {target} (daemon not enabled at boot)",
                              daemon=label, target=fw.targets[0]))
    observed = {"agents": _english(active), "forwarders": _english(forwarding),
                "inactive": _english(inactive), "notes": _english(notes)}
    expected = "a SIEM agent or log forwarder active"
    source = "processes, packages, rsyslog_conf, syslog_ng_conf" if facts.mode == "live" else (
        "systemd_enabled, packages, rsyslog_conf, syslog_ng_conf")
    if active:
        return Result(Status.PASS, T("A SIEM agent is active: {agents}.", agents=active),
                      observed=observed, expected=expected, source=source)
    if forwarding:
        return Result(Status.PASS, T("Logs are forwarded by {forwarders} (confirm the collector "
                                     "feeds the SIEM).", forwarders=forwarding),
                      observed=observed, expected=expected, source=source)
    guard = _offline_guard(facts, observed, expected)
    if guard:
        return guard
    if inactive:
        return Result(Status.FAIL, T("The SIEM agent is not active: {agents}.", agents=inactive),
                      observed=observed, expected=expected, source=source)
    return Result(Status.FAIL, T("No SIEM agent (Wazuh, Elastic, Splunk, NXLog, Fluent Bit ...) "
                                 "and no syslog forwarding was found."),
                  observed=observed, expected=expected, source=source)


@check(
    "monitoring.system_agent",
    title_vi="Có tác tử giám sát tập trung tình trạng hệ thống",
    title_en="A centralised system-monitoring agent is active",
    severity="low",
    probes=("processes", "packages", "systemd_enabled", "snmpd_conf"),
    params={"extra_agents": []},
    remediation_vi=(
        "Cài tác tử của hệ thống giám sát tập trung của đơn vị, ví dụ 'apt-get install "
        "zabbix-agent2' rồi đặt 'Server=<máy chủ Zabbix>' trong /etc/zabbix/zabbix_agent2.conf "
        "và 'systemctl enable --now zabbix-agent2'; hoặc prometheus-node-exporter, telegraf, "
        "Checkmk; hoặc SNMPv3 ('rouser <tên> priv'). Khai báo tác tử khác trong extra_agents."
    ),
    remediation_en=(
        "Install the agency's central monitoring agent, for example 'apt-get install "
        "zabbix-agent2', set 'Server=<zabbix server>' in /etc/zabbix/zabbix_agent2.conf and "
        "'systemctl enable --now zabbix-agent2'; or prometheus-node-exporter, telegraf, Checkmk; "
        "or SNMPv3 ('rouser <name> priv'). Declare other agents in extra_agents."
    ),
)
def system_agent(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Availability and resource problems (full disks, stopped services, overload) must be
    seen centrally before they become incidents; each host needs an agent that reports to the
    monitoring system."""

    try:
        extra = agents_param(params.get("extra_agents"), "extra_agents")
    except ParamError as exc:
        return Result(Status.ERROR, T("The {param} parameter is invalid: {reason}.",
                                      param="extra_agents", reason=exc.message),
                      observed=None, expected=None, source="params")
    active, inactive, notes = _scan(facts, (*SYSTEM_AGENTS, *extra))
    snmp: SnmpConfig = facts.get("snmpd_conf")
    state, text = agent_state(facts, Agent("snmpd", ("snmpd",), ("snmpd", "net-snmp"),
                                           ("snmpd.service",)),
                              facts.get("packages") if facts.has("packages") else None)
    if state == "active":
        if snmp.v3_users and not snmp.communities:
            active.append(T("{agent}, SNMPv3 only: {users}", agent=text,
                            users=list(snmp.v3_users)))
        else:
            notes.append(T("{agent} not counted: v1/v2c communities configured or no SNMPv3 "
                           "user (see services.snmp_v1v2c_public_absent)", agent=text))
    observed = {"agents": _english(active), "inactive": _english(inactive),
                "notes": _english(notes)}
    expected = "a monitoring agent active (Zabbix, node exporter, Telegraf, NRPE, Checkmk, SNMPv3)"
    source = ("processes, packages, snmpd_conf" if facts.mode == "live"
              else "systemd_enabled, packages, snmpd_conf")
    if active:
        return Result(Status.PASS, T("A monitoring agent is active: {agents}.", agents=active),
                      observed=observed, expected=expected, source=source)
    guard = _offline_guard(facts, observed, expected)
    if guard:
        return guard
    if inactive:
        return Result(Status.FAIL, T("The monitoring agent is not active: {agents}.",
                                     agents=inactive),
                      observed=observed, expected=expected, source=source)
    if notes:
        return Result(Status.FAIL, T("No centralised monitoring agent was found ({notes}).",
                                     notes=notes),
                      observed=observed, expected=expected, source=source)
    return Result(Status.FAIL, T("No centralised monitoring agent was found."),
                  observed=observed, expected=expected, source=source)


@check(
    "monitoring.national_agent",
    title_vi="Có tác tử giám sát của hệ thống giám sát quốc gia (theo khai báo của đơn vị)",
    title_en="The national monitoring agent is active (as declared by the agency)",
    severity="medium",
    probes=("processes", "packages", "systemd_enabled"),
    params={"agents": []},
    remediation_vi=(
        "Khai báo tác tử giám sát quốc gia được cơ quan chuyên trách (NCSC/A05) cấp trong tệp "
        "tùy chỉnh (tham số agents: tên, tiến trình, gói, dịch vụ); cài đặt và bật tác tử theo "
        "hướng dẫn của cơ quan cấp, ví dụ 'systemctl enable --now <dịch vụ>'."
    ),
    remediation_en=(
        "Declare the national monitoring agent issued by the competent body (NCSC/A05) in the "
        "tailoring file (parameter agents: name, processes, packages, services); install and "
        "enable it as instructed, for example 'systemctl enable --now <service>'."
    ),
)
def national_agent(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Systems of levels 3 to 5 connect to the national monitoring infrastructure through the
    agent the competent authority provides; which agent that is differs per agency and is
    declared in tailoring."""

    try:
        agents = agents_param(params.get("agents"), "agents")
    except ParamError as exc:
        return Result(Status.ERROR, T("The {param} parameter is invalid: {reason}.",
                                      param="agents", reason=exc.message),
                      observed=None, expected=None, source="params")
    if not agents:
        return Result(Status.MANUAL, T("No national monitoring agent is declared: declare the "
                                       "national monitoring agent (NCSC/A05) in tailoring."),
                      observed=None, expected="the declared national monitoring agent active",
                      source="params")
    active, inactive, notes = _scan(facts, agents)
    observed = {"active": _english(active), "inactive": _english(inactive),
                "notes": _english(notes)}
    names = ", ".join(a.name for a in agents)
    expected = f"{names} active"
    source = ("processes, packages" if facts.mode == "live" else "systemd_enabled, packages")
    if active:
        return Result(Status.PASS, T("The national monitoring agent is active: {agents}.",
                                     agents=active),
                      observed=observed, expected=expected, source=source)
    guard = _offline_guard(facts, observed, expected)
    if guard:
        return guard
    if inactive:
        return Result(Status.FAIL, T("The national monitoring agent is not active: {agents}.",
                                     agents=inactive),
                      observed=observed, expected=expected, source=source)
    return Result(Status.FAIL, T("The declared national monitoring agent ({names}) is not "
                                 "installed.", names=names),
                  observed=observed, expected=expected, source=source)
