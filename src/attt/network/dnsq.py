"""DNS lookups with dnspython, through the resolver of the vantage point's zone."""

from __future__ import annotations

from dataclasses import dataclass, field

import dns.exception
import dns.name
import dns.resolver

from .inventory import split_resolver

LIFETIME = 4.0  # seconds per query, all retries included


@dataclass
class Lookup:
    """Answers per (name, type); errors kept so a check can tell 'no record' from 'no answer'."""

    answers: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    errors: dict[tuple[str, str], str] = field(default_factory=dict)


class Resolver:
    """A DNS resolver (the vantage zone's, or the system's) that remembers every answer."""

    def __init__(self, server: str = "") -> None:
        if server:
            host, port = split_resolver(server)
            self._r = dns.resolver.Resolver(configure=False)
            self._r.nameservers = [host]
            self._r.port = port
        else:
            self._r = dns.resolver.Resolver()
        self._r.lifetime = LIFETIME
        self._r.timeout = LIFETIME / 2
        self.results = Lookup()

    def query(self, name: str, rdtype: str) -> list[str]:
        """The sorted answers for ``name``/``rdtype`` (empty when none), cached."""

        key = (name, rdtype)
        if key in self.results.answers:
            return self.results.answers[key]
        try:
            answer = self._r.resolve(name, rdtype, search=False)
            if rdtype == "MX":
                values = sorted(str(r.exchange).rstrip(".") for r in answer)
            elif rdtype == "NS":
                values = sorted(str(r.target).rstrip(".") for r in answer)
            else:
                values = sorted(r.to_text() for r in answer)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            values = []
        except (dns.exception.DNSException, OSError) as exc:
            self.results.errors[key] = f"{type(exc).__name__}: {exc}"[:200]
            values = []
        self.results.answers[key] = values
        return values

    def addresses(self, name: str) -> tuple[list[str], list[str]]:
        """The A and AAAA records of a name."""

        return self.query(name, "A"), self.query(name, "AAAA")


__all__ = ["Lookup", "Resolver", "dns"]
