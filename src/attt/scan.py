"""Orchestration of one scan run: options -> inventory and profiles -> runner -> report files.

Kept out of cli.py so the whole flow is callable (and testable) without click; cli.py only
turns options into ``ScanOptions``, shows progress and prints the summary.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from . import gates, grading, history, redact, safe_io
from .artefacts import read_run_meta
from .coverage.scan import UNIT, CoverageResult, load_result, section, system_findings
from .errors import AtttError, InputError, OutputError
from .evidence import EvidenceSet, check_requirements, load_evidence
from .findings_log import expand, group_results
from .host_processes import HostProcesses, cpu_bound, process_count
from .i18n import VN_TZ
from .inventory_loader import adhoc_inventory, bundled_inventory
from .inventory_sources import load_any_inventory
from .memory import limit_malloc_arenas
from .messages import Msg, T
from .model import Exclusion, Host, Inventory, Profile, Requirement, System, Waiver
from .network.run import NetworkJob, dry_run_lines
from .network.run import prepare as prepare_network
from .network.run import run_job as run_network_job
from .org.ids import UNIT_ID
from .profile_loader import load_profile, profile_id
from .render import load_formats
from .render.document import Document, EntrySource, build
from .run_folder import REFUSED_FILE, RUN_FILE, make_folder, new_run_dir, render_files, write_atomic
from .runner import FindingsLog, HostOutcome, run_hosts, scan_host
from .ssh_config import apply_ssh_config
from .transport import TransportSettings
from .waivers import load_waivers

log = logging.getLogger(__name__)

DEFAULT_FORMATS = ("html", "json", "junit")
# A refused-results line is at most about 1.3 KB (its fields are cut): 64 MiB is 50,000 lines.
MAX_REFUSED_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class ScanOptions:
    """Every option of a scan, saved in run.json so --resume can reuse them."""

    inventory: str = ""
    target: str = ""
    # An Ansible inventory's overlay (--systems): systems, levels, zones, roles by group.
    overlay: str = ""
    # OpenSSH client configuration: "" = ~/.ssh/config if it exists, "none" = no file.
    ssh_config: str = ""
    systems: tuple[str, ...] = ()
    hosts: str = ""
    profile: str = ""
    level: int | None = None
    tailoring: str = ""
    waivers: str = ""
    evidence: tuple[str, ...] = ()
    # Folder that evidence document files must lie under (default: each evidence file's own).
    evidence_root: str = ""
    # attt coverage result (coverage.json) of the only scanned system; wins over the
    # inventory's coverage: key, as --evidence wins over evidence:.
    coverage: str = ""
    # Network checks: the zone plan is judged from the inventory whenever ``network`` is on;
    # nmap scans run only from an explicit vantage zone (the machine attt runs on).
    from_zone: str = ""
    network: bool = True
    # Network checks only: no host is collected; host-only requirements are excluded.
    network_only: bool = False
    formats: tuple[str, ...] = DEFAULT_FORMATS
    out: str = ""
    workers: int = 8
    lang: str = "vi"
    accept_new_host_keys: bool = False
    connect_timeout: float = 10.0
    command_timeout: float = 300.0
    sudo: bool | None = None
    # History (attt.history): "" = the default database; history=False records nothing.
    db: str = ""
    history: bool = True
    # CI gates (attt.gates); none set: the exit code is grading's.
    fail_under: float | None = None
    fail_on: str = ""
    max_errors: int | None = None
    # Zone workers (attt.distributed): the broker URL (never with its password, which comes
    # from the environment variable named here), its TLS files, and how long to wait.
    broker: str = ""
    broker_password_env: str = "ATTT_BROKER_PASSWORD"
    broker_ca: str = ""
    broker_cert: str = ""
    broker_key: str = ""
    deadline: float = 3600.0
    # Organisation unit the run is made for (attt.org): recorded in results.json and history.
    unit: str = ""

    def to_json(self) -> dict[str, Any]:
        """The options as run.json stores them."""

        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScanOptions:
        """Options read back from run.json (unknown keys ignored)."""

        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for key in ("systems", "formats", "evidence"):
            if key in known:
                known[key] = tuple(known[key])
        return cls(**known)


@dataclass
class ScanResult:
    """What a scan produced: run folder, results document, exit code, files."""

    out_dir: str
    document: Document
    exit_code: int
    files: list[str] = field(default_factory=list)
    interrupted: bool = False


def _abs(path: str) -> str:
    return os.path.abspath(path) if path else ""


def normalise(opts: ScanOptions) -> ScanOptions:
    """Absolute paths (so run.json can resume from any directory) and validated formats."""

    formats = load_formats()
    for name in opts.formats:
        if name not in formats:
            raise InputError("--format", name, T("unknown format (known: {formats})",
                                                 formats=sorted(formats)))
    if opts.lang not in ("vi", "en"):
        raise InputError("--lang", opts.lang, T("expected vi or en"))
    if opts.unit and not UNIT_ID.fullmatch(opts.unit):
        raise InputError("--unit", opts.unit, T("not a unit id (lowercase letters, digits, "
                                                "'-' and '_', starting with a letter or "
                                                "digit)"))
    inventory = opts.inventory
    if not inventory and not opts.target:
        inventory = bundled_inventory()
    profile = opts.profile
    if profile and os.path.exists(profile):
        profile = _abs(profile)
    ssh_config = opts.ssh_config
    if ssh_config and ssh_config != "none":
        ssh_config = _abs(os.path.expanduser(ssh_config))
    return replace(
        opts,
        inventory=_abs(inventory),
        overlay=_abs(opts.overlay),
        ssh_config=ssh_config,
        profile=profile,
        tailoring=_abs(opts.tailoring),
        waivers=_abs(opts.waivers),
        evidence=tuple(_abs(e) for e in opts.evidence),
        evidence_root=_abs(opts.evidence_root),
        coverage=_abs(opts.coverage),
        db=_abs(opts.db),
        workers=max(1, min(opts.workers, 256)),
        broker_ca=_abs(opts.broker_ca),
        broker_cert=_abs(opts.broker_cert),
        broker_key=_abs(opts.broker_key),
    )


def load_scope(opts: ScanOptions) -> tuple[Inventory, list[tuple[System, Profile]], list[Host]]:
    """The inventory, the (system, profile) pairs and the hosts a scan covers."""

    if opts.target:
        if opts.overlay:
            raise InputError("--systems", opts.overlay, T("needs an Ansible inventory (-i), "
                                                          "not --target"))
        inv = adhoc_inventory(opts.target, opts.level or 2)
        _check_dir_target(opts.target)
    else:
        inv = load_any_inventory(opts.inventory, opts.overlay)
    inv = apply_ssh_config(inv, opts.ssh_config)
    systems = list(inv.systems)
    if opts.systems:
        names = {s.name for s in systems}
        for wanted in opts.systems:
            if wanted not in names:
                raise InputError(inv.source, "systems", T(
                    "no system {name} (have: {names})", name=repr(wanted), names=sorted(names)))
        systems = [s for s in systems if s.name in opts.systems]
    cache: dict[str, Profile] = {}
    pairs: list[tuple[System, Profile]] = []
    hosts: list[Host] = []
    for system in systems:
        level = opts.level or system.level
        ref = opts.profile or profile_id(system.regime, level)
        if ref not in cache:
            cache[ref] = load_profile(ref, opts.tailoring or None)
        prof = cache[ref]
        pairs.append((replace(system, level=prof.level), prof))
        for host in system.hosts:
            if opts.hosts and not (
                fnmatch.fnmatchcase(host.name, opts.hosts)
                or fnmatch.fnmatchcase(host.key, opts.hosts)
            ):
                continue
            hosts.append(host)
    if opts.hosts and not hosts:
        raise InputError("--hosts", opts.hosts, T("matches no host of the inventory"))
    if opts.network_only:
        return inv, [(s, network_only_profile(p)) for s, p in pairs], []
    return inv, pairs, hosts


NETWORK_ONLY_REASON = T("hosts not collected (--network-only)")


def network_only_profile(profile: Profile) -> Profile:
    """The profile with every requirement judged only by host checks excluded (shown as
    not applicable with the reason), so no host requirement reads as an error or a pass."""

    from .registry import CHECKS

    def host_only(req: Requirement) -> bool:
        scopes = {getattr(CHECKS.get(r.check_id), "scope", "host") for r in req.checks}
        return bool(req.checks) and not {"network", "system"} & scopes

    excluded = {e.requirement_id for e in profile.exclusions}
    extra = tuple(Exclusion(r.id, NETWORK_ONLY_REASON) for r in profile.requirements
                  if host_only(r) and r.id not in excluded)
    return replace(profile, exclusions=profile.exclusions + extra)


def _check_dir_target(target: str) -> None:
    """A ``dir:`` target that is not a directory is a typo, not an unreachable host: refuse
    it before a run folder is made (exit 2), instead of a report full of errors (exit 3)."""

    if not target.startswith("dir:"):
        return
    path = os.path.abspath(target[4:])
    if not os.path.exists(path):
        raise InputError("--target", target, T("no such directory: {path}", path=path))
    if not os.path.isdir(path):
        raise InputError("--target", target, T("not a directory: {path}", path=path))


def _host_rows(records: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The host records as the results document's host rows: the record kind dropped in
    place (a copy of 10,000 rows costs tens of MB)."""

    for r in records.values():
        r.pop("type", None)
        r.pop("format", None)
    return records


class _SigintGuard:
    """Ctrl-C during a scan: the first one while hosts are being scanned stops scanning
    (KeyboardInterrupt, as by default); any further one, and any before scanning starts or
    once it is over, is only counted.  Pressing it twice used to interrupt the saving
    itself (no results.json, a ``.tmp`` left behind), and one between writing run.json and
    the first host used to end the run with no report at all.  Only the main thread can
    own signal handlers; elsewhere this does nothing."""

    def __init__(self) -> None:
        self.count = 0
        self.scanning = False
        self._previous: Any = None
        self._installed = False

    def __enter__(self) -> _SigintGuard:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._installed = True
        return self

    def _handle(self, signum: int, frame: object) -> None:
        self.count += 1
        if self.scanning:
            self.scanning = False
            raise KeyboardInterrupt

    def start_scanning(self) -> bool:
        """Allow Ctrl-C to stop the scan; False if one came already (then do not scan)."""

        self.scanning = self.count == 0
        return self.scanning

    def stop_scanning(self) -> None:
        """From here on, Ctrl-C is counted, never raised."""

        self.scanning = False

    def __exit__(self, *exc: object) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)


def run_scan(
    opts: ScanOptions,
    on_start: Callable[[int, int], None] = lambda total, skipped: None,
    on_host_done: Callable[[HostOutcome], None] = lambda o: None,
    resume_dir: str = "",
    on_note: Callable[[Msg], None] = lambda note: None,
) -> ScanResult:
    """Run a whole scan (or resume one) and write its report folder; ``on_note`` hears
    what reading the inventory noticed (also kept in the results' notes)."""

    limit_malloc_arenas()
    if resume_dir:
        run_file = os.path.join(resume_dir, RUN_FILE)
        meta = read_run_meta(run_file)
        saved = ScanOptions.from_json(meta["options"])
        opts = normalise(replace(saved, workers=opts.workers))
        out_dir, run_id, started = os.path.abspath(resume_dir), meta["id"], meta["started"]
    else:
        opts = normalise(opts)
        run_id, out_dir = new_run_dir(opts.out)
        started = dt.datetime.now(VN_TZ).isoformat(timespec="seconds")
    if opts.history:
        history.check_path(opts.db)  # a device or FIFO as --db: refused before scanning
    inv, pairs, hosts = load_scope(opts)
    for note in inv.notes:
        on_note(note)
    # Known before any host is contacted: what a host echoes of them is redacted.
    redact.register_env(redact.secrets_of_hosts(
        h.options for s in inv.systems for h in s.hosts))
    # Planned before anything runs: a bad target, zone or missing nmap stops the run here,
    # and so does a bad evidence or waivers file (not after an hour of scanning).
    net_jobs = network_jobs(opts, pairs)
    evidence = load_system_evidence(opts, pairs)
    coverage = load_system_coverage(opts, pairs)
    waivers = load_waivers(opts.waivers) if opts.waivers else []
    broker = _broker(opts, inv, hosts, net_jobs)
    # Installed before the run folder exists: a Ctrl-C from here on always leaves a report.
    with _SigintGuard() as guard:
        make_folder(out_dir)
        store = FindingsLog(out_dir)
        try:
            if not resume_dir:
                # A new run into an existing folder starts afresh; only --resume continues one.
                if os.path.lexists(store.path):
                    os.remove(store.path)
                meta = {"id": run_id, "started": started, "options": opts.to_json()}
                write_atomic(os.path.join(out_dir, RUN_FILE),
                             json.dumps(meta, ensure_ascii=False, indent=1))
            # Read (and checked a regular file: opening a FIFO to append blocks)
            # before the probe.
            done_records = store.read()
            # Writable before the first host is scanned, not an hour later (read-only, full).
            with open(store.path, "ab"):
                pass
        except OSError as exc:
            raise InputError("--out", out_dir, T("cannot write here: {problem}",
                                                 problem=exc.strerror or str(exc))) from None
        todo = [h for h in hosts if h.key not in done_records]
        net_todo = [j for j in net_jobs if f"{j.system.name}/{j.name}" not in done_records]
        units = len(hosts) + len(net_jobs)
        on_start(units, units - len(todo) - len(net_todo))
        profiles = {s.name: p for s, p in pairs}
        settings = TransportSettings(
            connect_timeout=opts.connect_timeout,
            command_timeout=opts.command_timeout,
            known_hosts=inv.known_hosts,
            accept_new_host_keys=opts.accept_new_host_keys,
            sudo=opts.sudo,
        )
        failure: OutputError | None = None
        lost: AtttError | None = None
        try:
            # The outer handler also catches a Ctrl-C that lands just as scanning ends.
            try:
                if guard.start_scanning():
                    if broker is None:
                        _scan_units(todo, net_todo, profiles, settings, store, opts.workers,
                                    on_host_done)
                    else:
                        _scan_distributed(broker, opts, inv, run_id, todo, net_todo,
                                          profiles, settings, store, on_host_done)
                store.close()  # the last lines synced to the disk
            finally:
                guard.stop_scanning()
        except KeyboardInterrupt:
            pass
        except OutputError as exc:
            failure = exc  # findings could not be saved: stop, keep what is on disk
        except AtttError as exc:
            if broker is None:
                raise
            lost = exc  # the broker went away: what came back is on disk, resumable
        interrupted = guard.count > 0
        records = store.read()
        # System-scope checks (antimalware.coverage): judged from the files given, so they
        # are evaluated here, once per system, also on --resume.  A few per system: kept.
        extra = [{"system": s.name, "name": UNIT, "results": group_results(found)}
                 for s, p in pairs if (found := system_findings(s, p, coverage.get(s.name)))]

        def entries() -> Iterator[Mapping[str, Any]]:
            yield from store.entries()
            yield from extra

        doc = finish(opts, inv, pairs, entries, records, run_id, started, interrupted, units,
                     evidence, waivers, coverage, refused_count(out_dir))
        if opts.history:
            history.safe_trend(doc, opts.db)  # before rendering: the report shows the trend
        try:
            files = render_files(doc, out_dir, opts.formats, opts.lang)
        except OutputError as exc:
            raise (exc if failure is None else OutputError(
                failure.path, failure.error, exc.kept)) from None
        if failure is not None:
            raise OutputError(failure.path, failure.error,
                              tuple(os.path.basename(p) for p in files))
        if opts.history:
            history.safe_record(doc, out_dir, opts.db)  # a DB problem never loses the report
    if lost is not None:
        raise lost
    code = 130 if interrupted else int(doc["summary"]["exit_code"])
    return ScanResult(out_dir, doc, code, files, interrupted)


def _scan_units(
    todo: list[Host],
    net_todo: list[NetworkJob],
    profiles: dict[str, Profile],
    settings: TransportSettings,
    store: FindingsLog,
    workers: int,
    on_host_done: Callable[[HostOutcome], None],
) -> None:
    count = process_count(workers, sum(1 for h in todo if cpu_bound(h)))
    processes = (HostProcesses(count, list(profiles.values()), settings, scan_host)
                 if count else None)
    finished = False
    try:
        run_hosts(((h, profiles[h.system]) for h in todo), settings, store, workers,
                  on_host_done, processes)
        finished = True
    finally:
        if processes is not None:
            processes.shutdown(wait=finished)  # interrupted: queued hosts are cancelled
    for job in net_todo:
        outcome = run_network_job(job)
        store.append(outcome)
        on_host_done(outcome)


def _broker(opts: ScanOptions, inv: Inventory, hosts: list[Host],
            net_jobs: list[NetworkJob]) -> Any:
    """With ``--broker``: the checked broker, reachable now (else exit 3 before a run folder
    is made), every host routed to a zone that lists worker keys (else exit 2)."""

    if not opts.broker:
        return None
    if opts.target:
        raise InputError("--broker", "", T("needs an inventory whose hosts have zones (not "
                                           "--target)"))
    from .distributed.app import broker_from
    from .distributed.coordinator import check_routes, connect

    broker = broker_from(opts.broker, opts.broker_password_env, opts.broker_ca,
                         opts.broker_cert, opts.broker_key)
    check_routes(inv, hosts, [(j.system, j.zone) for j in net_jobs if j.zone])
    if opts.deadline <= 0:
        raise InputError("--deadline", str(opts.deadline), T("expected a positive number of "
                                                              "seconds"))
    _, conn = connect(broker)
    conn.release()
    return broker


def _scan_distributed(
    broker: Any,
    opts: ScanOptions,
    inv: Inventory,
    run_id: str,
    todo: list[Host],
    net_todo: list[NetworkJob],
    profiles: dict[str, Profile],
    settings: TransportSettings,
    store: FindingsLog,
    on_host_done: Callable[[HostOutcome], None],
) -> None:
    """Hosts and vantage units to the zone workers; a system's plan-only unit (no vantage)
    is judged here, as it needs no scan."""

    import time

    from .distributed import coordinator
    from .runner import bind

    for job in [j for j in net_todo if not j.zone]:
        outcome = run_network_job(job)
        store.append(outcome)
        on_host_done(outcome)
    remote = [h for h in todo if bind(profiles[h.system], "host", h.roles)]
    local = [(h, profiles[h.system]) for h in todo
             if not bind(profiles[h.system], "host", h.roles)]
    units = coordinator.plan_units(inv, remote, [j for j in net_todo if j.zone], profiles,
                                   settings, run_id, time.time() + opts.deadline)
    coordinator.run(broker, run_id, units, local, settings, store, on_host_done,
                    opts.deadline)


def network_jobs(opts: ScanOptions, pairs: list[tuple[System, Profile]]) -> list[NetworkJob]:
    """Network units of this run; none for ad-hoc targets (one host, no zone plan) or with
    ``--no-network``."""

    if opts.network_only and (not opts.network or opts.target):
        raise InputError("--network-only", "", T(
            "needs an inventory and network checks (not --target, --no-network)"))
    if not opts.network or opts.target:
        if opts.from_zone:
            raise InputError("--from-zone", opts.from_zone,
                             T("needs an inventory with zones and network checks enabled"))
        return []
    if opts.broker:
        from .distributed.coordinator import network_jobs as distributed_jobs

        return distributed_jobs(pairs, opts.from_zone)
    return prepare_network(pairs, opts.from_zone)


def dry_run(opts: ScanOptions) -> list[str | Msg]:
    """The nmap commands a scan with these options would run (nothing is scanned): comment
    lines are messages (printed in the command's language), commands stay as they are."""

    opts = normalise(opts)
    inv, pairs, hosts = load_scope(opts)
    lines: list[str | Msg] = [T("# {note}", note=note) for note in inv.notes]
    if opts.network_only:
        lines += [T("# --network-only: no host is collected")]
    else:
        lines += [T("# {count} host(s) would be collected over their transports",
                    count=len(hosts))]
        lines += [_dry_host(h) for h in hosts]
    return lines + list(dry_run_lines(network_jobs(opts, pairs)))


def _dry_host(host: Host) -> Msg:
    if host.transport in ("ssh", "winrm"):
        return T("# host {key}: {address} via {transport} port {port}", key=host.key,
                 address=host.address or "-", transport=host.transport, port=host.port)
    return T("# host {key}: {address} via {transport}", key=host.key,
             address=host.address or "-", transport=host.transport)


def load_system_evidence(
    opts: ScanOptions, pairs: list[tuple[System, Profile]]
) -> dict[str, EvidenceSet]:
    """Evidence per system: ``--evidence`` files (matched by their ``system:``, or the only
    system) win over the inventory's ``evidence:`` key."""

    out: dict[str, EvidenceSet] = {}
    names = [s.name for s, _ in pairs]
    for path in opts.evidence:
        ev = load_evidence(path, opts.evidence_root)
        name = ev.system or (names[0] if len(names) == 1 else "")
        if name not in names:
            raise InputError(path, "system", T("names no scanned system (have: {names})",
                                               names=names))
        out[name] = ev
    for system, profile in pairs:
        if system.name not in out and system.evidence:
            ev = load_evidence(system.evidence, opts.evidence_root)
            # Same rule as --evidence: another system's documents must not attest this one.
            if ev.system and ev.system != system.name:
                raise InputError(system.evidence, "system", T(
                    "names system {named}, but the inventory gives this file as the "
                    "evidence of {system}", named=repr(ev.system), system=repr(system.name)))
            out[system.name] = ev
        if system.name in out:
            check_requirements(out[system.name], [r.id for r in profile.requirements])
    return out


def load_system_coverage(
    opts: ScanOptions, pairs: list[tuple[System, Profile]]
) -> dict[str, CoverageResult]:
    """Coverage result per system: ``--coverage`` (for the only scanned system) wins over the
    inventory's ``coverage:`` key (a path relative to the inventory)."""

    out: dict[str, CoverageResult] = {}
    if opts.coverage:
        if len(pairs) != 1:
            raise InputError("--coverage", opts.coverage, T(
                "one coverage result for {count} systems: choose one with --system, or give "
                "each system its coverage: key in the inventory", count=len(pairs)))
        out[pairs[0][0].name] = load_result(opts.coverage)
    for system, _profile in pairs:
        if system.name not in out and system.coverage:
            out[system.name] = load_result(system.coverage)
    return out


def refused_count(out_dir: str) -> int:
    """How many zone workers' results this run refused (lines of its refused file); a
    refused file that is not a regular file within the bound is named in the log and
    counts none (the report is written all the same)."""

    path = os.path.join(out_dir, REFUSED_FILE)
    if not os.path.lexists(path):
        return 0
    try:
        with safe_io.open_regular(path, MAX_REFUSED_BYTES, REFUSED_FILE) as fh:
            return sum(1 for line in fh if line.strip())
    except (InputError, OSError) as exc:
        log.warning("%s: not counted: %s", path, exc)
        return 0


def finish(
    opts: ScanOptions,
    inv: Inventory,
    pairs: list[tuple[System, Profile]],
    entries: EntrySource,
    records: dict[str, dict[str, Any]],
    run_id: str,
    started: str,
    interrupted: bool,
    hosts_total: int,
    evidence: dict[str, EvidenceSet],
    waivers: list[Waiver],
    coverage: dict[str, CoverageResult] | None = None,
    refused: int = 0,
) -> Document:
    """Grade, gate, render and record a run from its findings."""

    notes: list[str | Msg] = list(inv.notes)
    if refused:
        # The officer learns from the report itself that forged or broken results came in.
        notes.append(T("{count} result(s) from zone workers were refused (unsigned, wrongly "
                       "signed, from a worker not listed for the host's zone, or malformed) "
                       "and not used: see {file} in the run folder.", count=refused,
                       file=REFUSED_FILE))
    if opts.network_only:
        notes.append(T("Network checks only (--network-only): no host was collected; "
                       "requirements judged by host checks are not applicable here, so the "
                       "level verdict covers the network requirements only."))
    for rec in records.values():
        if rec.get("recorded_key"):
            notes.append(T("Recorded a new host key for {host}: {key}", host=rec["key"],
                           key=rec["recorded_key"]))
    host_errors = sum(1 for r in records.values() if r.get("state") != "ok")
    if interrupted:
        notes.append(T("Interrupted: {done} of {total} hosts were scanned.", done=len(records),
                       total=hosts_total))
    # Findings stream from disk (one host at a time): grading keeps counts and a sample.
    findings = (f for e in entries() for f in expand(e))
    report = grading.grade(pairs, findings, waivers, host_errors, notes=notes, evidence=evidence)
    code = grading.exit_code(report)
    if interrupted or len(records) < hosts_total:
        code = max(code, 3) if code != 1 else 1
    run = {
        "id": run_id,
        "started": started,
        "finished": dt.datetime.now(VN_TZ).isoformat(timespec="seconds"),
        "inventory": inv.source,
        "profile": opts.profile,
        "level": opts.level,
        "tailoring": opts.tailoring,
        "waivers": opts.waivers,
        "evidence": {name: ev.source for name, ev in evidence.items()},
        "evidence_root": opts.evidence_root,
        "interrupted": interrupted,
        "hosts_total": hosts_total,
        "hosts_scanned": len(records),
        "lang": opts.lang,
    }
    if opts.unit:
        run["unit"] = opts.unit
    doc = build(report, run, _host_rows(records), code, entries,
                grading.valid_waivers(waivers, grading.today_vn()))
    for row in doc["systems"]:
        if row["name"] in (coverage or {}):
            row["coverage"] = section((coverage or {})[row["name"]])
    gates.apply(doc, gates.Gates(opts.fail_under, opts.fail_on, opts.max_errors))
    return doc
