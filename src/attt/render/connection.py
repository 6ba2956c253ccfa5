"""The connection settings of an ssh host and where each came from (results.json host
``connection``), as rows the HTML report shows in the report language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import i18n
from ..i18n import N_

SETTING_LABELS: Mapping[str, str] = {
    "hostname": N_("Address (HostName)"),
    "port": N_("Port"),
    "user": N_("User account"),
    "identity_file": N_("Key file (IdentityFile)"),
    "proxy_jump": N_("Jump hosts (ProxyJump)"),
    "connect_timeout": N_("Connect timeout, seconds"),
    "known_hosts": N_("Known host keys files"),
    "strict_host_key_checking": N_("Host key checking (StrictHostKeyChecking)"),
}
SOURCE_LABELS: Mapping[str, str] = {
    "inventory": N_("inventory"),
    "default": N_("attt default"),
    "ssh_config": N_("OpenSSH client configuration"),
}

# Words of the report's connection section (here, not in the template, with the labels).
TEXTS: Mapping[str, str] = {
    "heading": N_("Connection settings and their sources"),
    "intro": N_("For each host reached over SSH: the value used and where it came from (the "
                "inventory, the OpenSSH client configuration with its line, or attt's "
                "default). The inventory's own values win."),
    "setting": N_("Setting"),
    "not_applied": N_("not applied: attt never loosens its host-key rules"),
}


def connection_texts(lang: str) -> dict[str, str]:
    """The connection section's heading, introduction and words in ``lang``."""

    return {key: i18n.label(TEXTS, key, lang) for key in TEXTS}


def connection_rows(raw: object, lang: str) -> list[dict[str, Any]]:
    """One row per setting: label, value, where it came from (kind label and file:line),
    and whether it was applied."""

    if not isinstance(raw, Mapping):
        return []
    rows = []
    for key, entry in raw.items():
        if not isinstance(entry, Mapping):
            continue
        source = str(entry.get("source", ""))
        kind, _, ref = source.partition(" ")
        value = entry.get("value")
        rows.append({
            "label": i18n.label(SETTING_LABELS, key, lang),
            "value": ", ".join(map(str, value)) if isinstance(value, list) else str(value),
            "source": i18n.label(SOURCE_LABELS, kind, lang),
            "ref": ref,
            "applied": entry.get("applied", True) is not False,
        })
    return rows
