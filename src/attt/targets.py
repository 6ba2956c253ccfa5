"""Validation of every target string before it reaches ssh or nmap (docs/design.md §8)."""

from __future__ import annotations

import ipaddress
import re

_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def is_ip(value: str) -> bool:
    """Whether the value is an IPv4 or IPv6 address."""

    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def is_hostname(value: str) -> bool:
    """RFC 1123 host name; never starts with '-', no spaces or shell metacharacters."""

    if not value or len(value) > 253:
        return False
    name = value[:-1] if value.endswith(".") else value
    # fullmatch: '$' would accept a trailing newline ("host\n").
    return all(_LABEL.fullmatch(label) for label in name.split("."))


def valid_address(value: str) -> bool:
    """Whether the value is an IP address or a valid host name."""

    return is_ip(value) or is_hostname(value)
