"""Hosts x checks on a bounded pool; findings stream to the run folder as each host ends.

A host costs one transport session and one collector run whatever the number of checks.
Anything that goes wrong on a host (unreachable, refused key, dropped connection, a bug in a
parser) becomes ``error`` findings for that host; the scan goes on.  Each finished host is
appended to ``findings.jsonl`` with a closing ``host`` record and flushed to disk, so an
interrupted run loses nothing and ``--resume`` skips the hosts already done.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from . import redact
from .collect import Collected, plan
from .errors import (
    AuthError,
    ConnectError,
    HostKeyError,
    TransportError,
)
from .findings_log import FINDINGS_FILE, FindingsLog, remove_quietly
from .host_processes import HostProcesses, WorkerLost, cpu_bound
from .messages import Arg, Msg, T, render
from .model import CheckRef, Finding, Host, Profile, Requirement, Result, Status
from .registry import CHECKS, CheckSpec, Facts, Scope, Section, described
from .transport import TRANSPORTS, TransportSettings

log = logging.getLogger(__name__)

HostState = Literal["ok", "partial", "unreachable", "auth_error", "hostkey_error", "error"]
_TRANSPORT_STATES: dict[type[TransportError], HostState] = {
    ConnectError: "unreachable",
    AuthError: "auth_error",
    HostKeyError: "hostkey_error",
}


@dataclass(frozen=True)
class Binding:
    """A check to evaluate on a host for one requirement, with its parameters."""

    requirement: Requirement
    ref: CheckRef

    @property
    def key(self) -> tuple[str, str]:
        """What identifies one evaluation: check id and parameters."""

        # One evaluation per (check, parameters) per host, shared by every requirement.
        return self.ref.check_id, json.dumps(dict(self.ref.params), sort_keys=True, default=str)


def bind(profile: Profile, scope: Scope, roles: Collection[str] | None = None) -> list[Binding]:
    """The (requirement, check) pairs of ``profile`` whose check has ``scope``: for a host,
    only those its ``roles`` call for; for a network unit (``roles`` None), all of them."""

    out = []
    for req in profile.requirements:
        if roles is not None and req.roles and not set(req.roles) & set(roles):
            continue
        for ref in req.checks:
            spec = CHECKS.get(ref.check_id)
            if spec is None or spec.scope != scope:
                continue
            if roles is not None and spec.roles and not set(spec.roles) & set(roles):
                continue
            out.append(Binding(req, ref))
    return out


@dataclass
class HostOutcome:
    """What scanning one host produced: findings, state, channels, timing."""

    host: Host
    findings: list[Finding]
    state: HostState
    message: str | Msg = ""
    channels: int = 0
    duration: float = 0.0
    recorded_key: str | None = None
    sections: Mapping[str, str] = field(default_factory=dict)
    # The zone worker that produced this outcome (attt.distributed); "" = this machine.
    worker: str = ""

    def record(self) -> dict[str, Any]:
        """The host record written to findings.jsonl after its findings."""

        counts: dict[str, int] = {}
        for f in self.findings:
            counts[f.status.value] = counts.get(f.status.value, 0) + 1
        rec: dict[str, Any] = {
            "type": "host",
            "system": self.host.system,
            "name": self.host.name,
            "key": self.host.key,
            "address": self.host.address,
            "transport": self.host.transport,
            "roles": list(self.host.roles),
            "zone": self.host.zone,
            "state": self.state,
            # Both languages, secrets masked (sudo's or a shell's words may repeat a password).
            "message": redact.text(render(self.message, "en")),
            "message_vi": redact.text(render(self.message, "vi")),
            "channels": self.channels,
            "duration": round(self.duration, 3),
            "recorded_key": self.recorded_key,
            "counts": counts,
        }
        if self.worker:
            rec["worker"] = self.worker
        if self.host.connection:
            # Where each connection setting came from (inventory, ssh_config FILE:LINE,
            # default): the officer sees why attt connected where it did.
            rec["connection"] = dict(self.host.connection)
        return rec


def _finding(host: Host, b: Binding, result: Result) -> Finding:
    return Finding(
        system=host.system,
        host=host.name,
        requirement_id=b.requirement.id,
        check_id=b.ref.check_id,
        params=dict(b.ref.params),
        status=result.status,
        message=render(result.message, "en"),
        evidence=result.evidence,
        message_vi=render(result.message, "vi"),
    )


def evaluate_bindings(
    bindings: Iterable[Binding],
    facts: Facts,
    system: str,
    unit: str,
    *,
    logger: logging.Logger,
    where: str,
    decide: Callable[[CheckSpec], Result | None] | None = None,
) -> list[Finding]:
    """One finding per binding of ``unit`` (a host, or a network unit ``net:<zone>``).

    Each (check, parameters) is evaluated once and its result shared by every requirement
    that binds it; a check that raises becomes an ``error`` finding, never a crash.
    ``decide`` may settle a check without evaluating it (it returns None to evaluate);
    ``logger`` and ``where`` name the crash in the log."""

    results: dict[tuple[str, str], Result] = {}
    findings = []
    for b in bindings:
        if b.key not in results:
            spec = CHECKS[b.ref.check_id]
            result = decide(spec) if decide is not None else None
            if result is None:
                try:
                    result = spec.evaluate(facts, b.ref.params)
                except Exception as exc:  # a check bug is an error finding, not a crash
                    logger.exception("%s: check %s failed", where, spec.id)
                    result = Result(Status.ERROR,
                                    T("check crashed: {error}.",
                                      error=described(exc)),
                                    source="attt")
            results[b.key] = result
        r = results[b.key]
        findings.append(Finding(system=system, host=unit, requirement_id=b.requirement.id,
                                check_id=b.ref.check_id, params=dict(b.ref.params),
                                status=r.status, message=render(r.message, "en"),
                                evidence=r.evidence, message_vi=render(r.message, "vi")))
    return findings


def _all_error(host: Host, bindings: Sequence[Binding], message: Msg) -> list[Finding]:
    return [_finding(host, b, Result(Status.ERROR, message, source="transport")) for b in bindings]


def _redacted(value: Arg) -> Arg:
    """A parameter with registered secrets masked (a message's own parameters too)."""

    if isinstance(value, Msg):
        return T(value.id, **{k: _redacted(v) for k, v in value.args.items()})
    return redact.text(value) if isinstance(value, str) else value


def transport_message(exc: TransportError) -> Msg:
    """The host's message for a transport failure, in both languages: transports raise
    with a message (``T``); a plain text (a library's words) is passed through as data."""

    said = exc.args[0] if exc.args else ""
    if isinstance(said, Msg):
        masked = _redacted(said)
        assert isinstance(masked, Msg)
        return masked
    return T("cannot collect from the host: {problem}", problem=redact.text(str(exc)))


def redact_sections(sections: Mapping[str, Section]) -> dict[str, Section]:
    """The sections with registered secrets masked."""

    if not redact.active():
        return dict(sections)
    return {
        name: replace(s, text=redact.text(s.text),
                      files={path: redact.text(body) for path, body in s.files.items()})
        for name, s in sections.items()
    }


def partial_message(collected: Collected, total: int) -> Msg:
    """The host message of a collection cut short (timeout, dropped connection)."""

    got = sum(1 for s in collected.sections.values() if s.state == "ok")
    return T("collection stopped before the end ({got} of {total} probes returned); "
             "the rest are errors", got=got, total=total)


def scan_host(host: Host, profile: Profile, settings: TransportSettings) -> HostOutcome:
    """Collect once from a host and evaluate every check that applies to it."""

    started = time.monotonic()
    bindings = bind(profile, "host", host.roles)
    if not bindings:
        return HostOutcome(host, [], "ok", T("no check applies to this host's roles"))
    probes = plan({b.ref.check_id for b in bindings})
    transport = None
    try:
        transport = TRANSPORTS[host.transport](host, settings)
        collected = transport.collect(probes)
    except TransportError as exc:
        log.warning("%s: %s", host.key, exc)
        channels = transport.channels_opened if transport else 0
        state = _TRANSPORT_STATES.get(type(exc), "error")
        msg = transport_message(exc)  # sudo's or the shell's words may repeat a password
        return HostOutcome(host, _all_error(host, bindings, msg), state, msg,
                           channels, time.monotonic() - started)
    except Exception as exc:  # a failing host never stops the scan
        log.exception("%s: unexpected failure", host.key)
        msg = T("unexpected failure: {error}.",
                error=redact.text(f"{type(exc).__name__}: {exc}"))
        return HostOutcome(host, _all_error(host, bindings, msg), "error", msg,
                           transport.channels_opened if transport else 0,
                           time.monotonic() - started)
    finally:
        if transport is not None:
            transport.close()
    # The one door collected output comes in by: a secret a host echoes stops here.
    facts = Facts(redact_sections(collected.sections), transport.mode)
    findings = evaluate_bindings(bindings, facts, host.system, host.name, logger=log,
                                 where=host.key)
    state = "ok" if collected.complete else "partial"
    message = "" if collected.complete else partial_message(collected, len(probes))
    return HostOutcome(
        host, findings, state, message, transport.channels_opened,
        time.monotonic() - started, getattr(transport, "recorded_key", None),
    )


OnHostDone = Callable[[HostOutcome], None]


def run_hosts(
    jobs: Iterable[tuple[Host, Profile]],
    settings: TransportSettings,
    store: FindingsLog,
    workers: int,
    on_done: OnHostDone,
    processes: HostProcesses[HostOutcome] | None = None,
) -> int:
    """Scan hosts on a pool of ``workers`` threads (offline hosts on ``processes`` when
    given); KeyboardInterrupt propagates after the hosts already finished are on disk
    (queued hosts are cancelled).  Returns how many hosts finished: their findings are on
    disk, none is kept here (memory stays flat)."""

    finished = 0
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="attt-host")
    futures: dict[Future[HostOutcome], tuple[Host, Profile]] = {}
    # A bounded window of submitted hosts (not all 10,000 at once): memory stays flat.
    window = max(1, workers) * 4
    pending = iter(jobs)

    def submit(host: Host, profile: Profile) -> None:
        fut = (processes.submit(host, profile)
               if processes is not None and cpu_bound(host) else None)
        futures[fut or pool.submit(scan_host, host, profile, settings)] = (host, profile)

    try:
        while True:
            for host, profile in pending:
                submit(host, profile)
                if len(futures) >= window:
                    break
            if not futures:
                break
            done, _ = wait(set(futures), timeout=0.5, return_when=FIRST_COMPLETED)
            for fut in done:
                host, profile = futures.pop(fut)
                try:
                    outcome = fut.result()
                except WorkerLost:
                    # A worker process did not return this host (it died: then the later
                    # offline hosts go to threads too); a thread scans it, nothing is lost.
                    futures[pool.submit(scan_host, host, profile, settings)] = (host, profile)
                    continue
                store.append(outcome)
                finished += 1
                on_done(outcome)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return finished


# FindingsLog and its helpers moved to attt.findings_log; importers of the runner keep
# finding them here.
__all__ = ["FINDINGS_FILE", "Binding", "FindingsLog", "HostOutcome", "bind", "evaluate_bindings",
           "remove_quietly", "run_hosts", "scan_host", "transport_message"]
