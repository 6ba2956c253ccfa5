"""Probes: what attt reads on a host, one module per fact source, each with its parsers.

A probe (``@probe`` from :mod:`attt.registry`) names a fact source: a POSIX-sh snippet run by
the collector on a live host and/or the files an offline tree provides, plus a pure parser
that turns the raw section into a typed value.  Checks (``attt.checks``) only read those
values through ``facts.get(name)``; the public helpers of these modules (views, tables,
predicates) are the API checks use.  No module here defines a check.
"""
