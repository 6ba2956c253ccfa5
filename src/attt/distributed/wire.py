"""What travels between the coordinator and the zone workers: JSON data only.

A task names one unit (a host, or a network vantage unit) as data: the host's address, port,
user, transport and option *names* (``key_file`` is a path on the worker, ``password_env``
the name of a variable in the worker's environment), the (requirement, check, parameters)
bindings computed by the coordinator, the transport settings and the run's deadline.  No
secret is in a task: the worker resolves them from its own files and environment.

A result is the unit's findings and host record exactly as ``FindingsLog`` writes them,
signed by the worker's Ed25519 key over canonical JSON (the worker id included), so the
coordinator can tell which worker produced it and refuse anything else.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import types
from collections.abc import Mapping, Sequence
from typing import Any, Union, get_args, get_origin, get_type_hints

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..messages import Msg
from ..model import CheckRef, Host, Profile, Requirement, Severity, System
from ..runner import Binding
from ..transport import TransportSettings

PROTOCOL = 1
TASK_NAME = "attt.unit"
MAX_RESULT_BYTES = 64 * 1024 * 1024


def queue_of(zone: str) -> str:
    """The queue (and exchange) of a zone's worker."""

    return f"zone.{zone}"


def results_queue(run_id: str) -> str:
    """The queue a run's results come back on."""

    return f"results.{run_id}"


def canonical(value: Any) -> bytes:
    """The bytes a signature covers: sorted keys, no spaces, UTF-8, no NaN."""

    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


class Refused(Exception):
    """A result that is not accepted (unsigned, bad signature, unknown worker, wrong data)."""

    def __init__(self, reason: str, worker: str = "", key: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.worker = worker
        self.key = key


def sign_result(payload: Mapping[str, Any], worker: str, key: Ed25519PrivateKey,
                ) -> dict[str, Any]:
    """The message a worker sends: payload, its id and its signature over both."""

    signed = {"worker": worker, "payload": dict(payload)}
    signature = key.sign(canonical(signed))
    return {**signed, "signature": base64.b64encode(signature).decode("ascii")}


def open_result(message: Any, keys_for: Mapping[str, Mapping[str, Ed25519PublicKey]],
                ) -> tuple[str, dict[str, Any]]:
    """(worker id, payload) of a signed result whose signature verifies with a key listed for
    the zone of the unit it names; ``keys_for`` maps unit key -> {worker id: public key}.
    Raises Refused otherwise."""

    if not isinstance(message, dict):
        raise Refused("not a JSON object")
    worker = message.get("worker")
    payload = message.get("payload")
    signature = message.get("signature")
    unit = payload.get("key") if isinstance(payload, dict) else None
    wname = worker if isinstance(worker, str) else ""
    uname = unit if isinstance(unit, str) else ""
    if not isinstance(payload, dict) or not uname:
        raise Refused("no payload naming a unit", wname)
    if not wname:
        raise Refused("no worker id", "", uname)
    if not isinstance(signature, str) or not signature:
        raise Refused("unsigned", wname, uname)
    allowed = keys_for.get(uname)
    if allowed is None:
        raise Refused("names a unit not in this run", wname, uname)
    public = allowed.get(wname)
    if public is None:
        raise Refused("worker not listed for this unit's zone", wname, uname)
    try:
        raw = base64.b64decode(signature, validate=True)
        public.verify(raw, canonical({"worker": wname, "payload": payload}))
    except (binascii.Error, ValueError, InvalidSignature):
        raise Refused("bad signature", wname, uname) from None
    return wname, payload


# --- Units as data --------------------------------------------------------------------------

def to_plain(value: Any) -> Any:
    """A dataclass tree as JSON data (tuples as lists)."""

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    return value


def from_plain(tp: Any, data: Any) -> Any:
    """JSON data back into the type ``tp`` (dataclasses, tuples, optionals, plain values)."""

    origin = get_origin(tp)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            raise ValueError(f"{tp.__name__}: expected an object")
        hints = get_type_hints(tp)
        names = {f.name for f in dataclasses.fields(tp)}
        return tp(**{k: from_plain(hints[k], v) for k, v in data.items() if k in names})
    if origin is tuple:
        args = get_args(tp)
        if not isinstance(data, list):
            raise ValueError("expected a list")
        item = args[0] if args else Any
        return tuple(from_plain(item, v) for v in data)
    if origin in (Union, types.UnionType):
        if data is None:
            return None
        for arg in get_args(tp):
            if arg is type(None):
                continue
            if isinstance(arg, type) and dataclasses.is_dataclass(arg):
                return from_plain(arg, data)
        return data
    return data


def host_to_json(host: Host) -> dict[str, Any]:
    """A host as task data: where and how to reach it; its options are names and paths."""

    return dict(to_plain(host))


def host_from_json(data: Any) -> Host:
    """A host back from task data."""

    host = from_plain(Host, data)
    assert isinstance(host, Host)
    return dataclasses.replace(host, options=dict(host.options))


def system_to_json(system: System) -> dict[str, Any]:
    """A system as a network task needs it (zones, rules, vantage points, services, hosts);
    its dossier particulars stay with the coordinator."""

    return dict(to_plain(dataclasses.replace(system, particulars=None)))


def system_from_json(data: Any) -> System:
    """A system back from task data."""

    system = from_plain(System, data)
    assert isinstance(system, System)
    return system


def bindings_to_json(bindings: Sequence[Binding]) -> list[list[Any]]:
    """[(requirement id, check id, params)] of the bindings."""

    return [[b.requirement.id, b.ref.check_id, dict(b.ref.params)] for b in bindings]


def bindings_key(rows: Sequence[Sequence[Any]]) -> list[tuple[str, str, str]]:
    """Comparable form of bindings (or of findings' requirement, check, params)."""

    return sorted((str(r), str(c), json.dumps(p, sort_keys=True, default=str))
                  for r, c, p in rows)


def profile_from_bindings(rows: Any) -> Profile:
    """A profile holding exactly the given bindings (requirement ids and check references):
    what ``runner.bind`` on the worker gives back is what the coordinator bound, so the
    worker needs no profile file.  Titles and clauses stay with the coordinator."""

    if not isinstance(rows, list):
        raise ValueError("bindings: expected a list")
    order: list[str] = []
    checks: dict[str, list[CheckRef]] = {}
    for row in rows:
        if (not isinstance(row, list) or len(row) != 3 or not isinstance(row[0], str)
                or not isinstance(row[1], str) or not isinstance(row[2], dict)):
            raise ValueError("bindings: expected [requirement, check, params] rows")
        if row[0] not in checks:
            order.append(row[0])
            checks[row[0]] = []
        checks[row[0]].append(CheckRef(row[1], dict(row[2])))
    reqs = tuple(Requirement(id=r, title_vi=r, title_en=r, group="", layer=0,
                             severity=Severity.MEDIUM, clauses={}, checks=tuple(checks[r]))
                 for r in order)
    return Profile(id="wire", regime="", level=0, title_vi="", title_en="", instruments=(),
                   requirements=reqs, sources=())


def settings_to_json(settings: TransportSettings) -> dict[str, Any]:
    """Transport settings (timeouts, known_hosts path on the worker, sudo)."""

    return dict(to_plain(settings))


def settings_from_json(data: Any) -> TransportSettings:
    """Transport settings back from task data."""

    settings = from_plain(TransportSettings, data)
    assert isinstance(settings, TransportSettings)
    return settings


class Rendered(Msg):
    """A message already rendered by the worker in both languages."""

    def __init__(self, en: str, vi: str) -> None:
        super().__init__(en)
        self.texts = {"en": en, "vi": vi or en}

    def render(self, lang: str) -> str:
        """The worker's text in ``lang``."""

        return self.texts.get(lang, self.texts["en"])

    def ids(self) -> list[str]:
        """No msgid: the text is data from the worker."""

        return []
