"""Probes: what attt reads on a host, one module per fact source, each with its parsers.

A probe (``@probe`` from :mod:`attt.registry`) names a fact source: a POSIX-sh snippet run by
the collector on a live host and/or the files an offline tree provides, plus a pure parser
that turns the raw section into a typed value.  Checks (``attt.checks``) only read those
values through ``facts.get(name)``; the public helpers of these modules (views, tables,
predicates) are the API checks use.  No module here defines a check, and no module imports a
private (``_``) name of another.

Importing the package registers every probe: a check may read a probe whose module it never
imports (``accounts.*`` read ``login_defs``), so the list below is the whole set, kept equal to
the modules of this folder by tests/test_layout.py.
"""

from . import (  # noqa: F401  (imported to register their probes)
    accounts,
    agents,
    audit,
    av,
    coverage,
    daemons,
    files,
    firewall,
    ftp,
    inetd,
    login_defs,
    logs,
    mac,
    net_local,
    packages,
    pam,
    processes,
    shell,
    snmp,
    ssh_banner,
    sshd,
    sshd_crypto,
    sudo,
    sysctl,
    systemd,
    text,
    time,
    updates,
    windows,
    windows_policy,
)
