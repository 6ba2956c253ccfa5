"""Offline hosts (``dir:`` trees, ``collected:`` documents) scanned in worker processes.

Such a host is all Python work (walking and parsing a tree, evaluating checks) with no
network wait.  On a thread pool the GIL keeps that work on one core, and threads handing the
GIL to each other around every ``lstat`` made it slower than one thread: 1,000 ``dir:`` hosts
took 44 s with 8 threads and 21 s with 1 (bench/scale.py, 2 cores).  Worker processes put
every core to work; the parent still appends each finished host to ``findings.jsonl``, so
crash safety, resume and progress are those of the thread pool.

The processes are started with ``spawn`` (a fresh interpreter), never forked from the
scanning process, whose threads may hold locks at that moment.  Each process receives the
run's profiles, transport settings, registered secrets and log level once, when it starts;
a task carries one host and the index of its profile, and returns the host's outcome.  What
crosses between the processes is this machine's own pipe between a parent and the children
it started, not a network message.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_ready
from multiprocessing.process import BaseProcess
from typing import Any, Generic, TypeVar

from . import redact
from .model import Host, Profile
from .termsafe import LOG_FORMAT, EscapingFormatter
from .transport import TRANSPORTS, TransportSettings

# A host's outcome (attt.runner.HostOutcome): the caller hands in the scan function
# (attt.runner.scan_host), so this module never imports the runner.
Outcome = TypeVar("Outcome")
Scan = Callable[[Host, Profile, TransportSettings], Outcome]

log = logging.getLogger(__name__)

# Below this many offline hosts a thread does the work: starting a process (a fresh
# interpreter importing attt and its checks) costs about 0.4 s, more than 16 such hosts.
MIN_HOSTS = 16
# How long stopping waits for a process (or the dispatcher) before killing it.
STOP_SECONDS = 10.0

def cpu_bound(host: Host) -> bool:
    """Whether this host's transport only reads local files (no wait a thread could hide)."""

    return bool(getattr(TRANSPORTS.get(host.transport), "cpu_bound", False))


def process_count(workers: int, hosts: int) -> int:
    """How many processes ``hosts`` offline hosts get with ``-w workers`` (0: none)."""

    if hosts < MIN_HOSTS:
        return 0
    count = min(workers, hosts, len(os.sched_getaffinity(0)))
    return count if count > 1 else 0


def _start(secrets: tuple[str, ...], level: int) -> None:
    """A worker process's start: its logging, the run's secrets, the check registry."""

    # Ctrl-C reaches the whole process group: the parent alone decides what it stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(EscapingFormatter(LOG_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    redact.restore(secrets)
    from .library import load_all

    load_all()  # profiles name checks by id: the registry must be filled here too


def _serve(conn: Connection, scan: Scan[Any], profiles: list[Profile],
           settings: TransportSettings, secrets: tuple[str, ...], level: int) -> None:
    """A worker process: scan each host the parent sends until it sends None (or is gone)."""

    _start(secrets, level)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if task is None:
            return
        host, index = task
        try:
            conn.send(scan(host, profiles[index], settings))
        except (EOFError, OSError):
            return  # the parent is gone
        except Exception as exc:  # an outcome that cannot be sent: the parent's thread retries
            log.error("%s: the worker process could not return the outcome: %s", host.key,
                      redact.text(f"{type(exc).__name__}: {exc}"))
            conn.send(None)


class WorkerLost(Exception):
    """A worker process did not send back its host: it died (killed, out of memory), or the
    outcome could not be sent.  The runner scans the host again in a thread."""


@dataclass
class _Worker(Generic[Outcome]):
    process: BaseProcess
    conn: Connection
    job: Future[Outcome] | None = None  # the host it is scanning


class HostProcesses(Generic[Outcome]):
    """Worker processes for the offline hosts of one run, each fed through its own pipe.

    One pipe per process, not a shared queue: a process killed in the middle of sending
    its result leaves a cut message on its own pipe only, which reads as end-of-file here
    (``ProcessPoolExecutor`` hung for good in that case: its shared result pipe waited for
    the rest of the message).  A dispatcher thread hands each idle process the next host
    and completes the host's future; a future fails with ``WorkerLost`` when its process
    died, and the runner then scans that host in a thread."""

    def __init__(self, processes: int, profiles: Sequence[Profile],
                 settings: TransportSettings, scan: Scan[Outcome]) -> None:
        unique = list({id(p): p for p in profiles}.values())
        self._index = {id(p): i for i, p in enumerate(unique)}
        self.broken = False
        self._closing = False
        self._lock = threading.Lock()
        self._queue: deque[tuple[Host, int, Future[Outcome]]] = deque()
        ctx = multiprocessing.get_context("spawn")
        self._wake_read, self._wake_write = ctx.Pipe(duplex=False)
        self._workers: list[_Worker[Outcome]] = []  # the live ones
        self._processes: list[BaseProcess] = []  # every one started: each is joined at the end
        # ``scan`` (a module-level function) reaches the child by its qualified name.
        args = (scan, unique, settings, redact.snapshot(), logging.getLogger().level)
        for number in range(processes):
            ours, theirs = ctx.Pipe(duplex=True)
            proc = ctx.Process(target=_serve, args=(theirs, *args), daemon=True,
                               name=f"attt-offline-{number + 1}")
            proc.start()
            theirs.close()  # only the child holds its end: its death reads as end-of-file
            self._workers.append(_Worker(proc, ours))
            self._processes.append(proc)
        self._thread = threading.Thread(target=self._dispatch, name="attt-processes",
                                        daemon=True)
        self._thread.start()
        log.info("offline hosts on %d worker processes", processes)

    def submit(self, host: Host, profile: Profile) -> Future[Outcome] | None:
        """The host's outcome to come, or None when a thread must scan it (a profile this
        pool was not given, or a process died)."""

        index = self._index.get(id(profile))
        if index is None or self.broken or self._closing:
            return None
        fut: Future[Outcome] = Future()
        with self._lock:
            self._queue.append((host, index, fut))
        self._wake_write.send_bytes(b"")
        return fut

    def _take_queued(self) -> list[Future[Outcome]]:
        with self._lock:
            queued = [fut for _, _, fut in self._queue]
            self._queue.clear()
        return queued

    def _lose(self, worker: _Worker[Outcome] | None = None) -> None:
        """A process died (``worker``) or the dispatcher failed (None): its host and every
        queued one go back to the runner, and threads scan the offline hosts from now on."""

        if not self._closing and not self.broken:  # an interrupted scan stops them on purpose
            log.warning("a worker process ended abruptly; the remaining offline hosts are "
                        "scanned in this process")
        self.broken = True
        lost = self._take_queued()
        if worker is not None:
            self._workers.remove(worker)
            worker.conn.close()
            lost += [worker.job] if worker.job else []
        for fut in lost:
            if not fut.done():
                fut.set_exception(WorkerLost())

    def _hand_out(self) -> None:
        for worker in self._workers:
            while worker.job is None:
                with self._lock:
                    if not self._queue:
                        return
                    host, index, fut = self._queue.popleft()
                if not fut.set_running_or_notify_cancel():
                    continue  # cancelled while queued
                try:
                    worker.conn.send((host, index))
                except OSError:
                    fut.set_exception(WorkerLost())
                    break  # its sentinel tells the rest
                worker.job = fut

    def _dispatch(self) -> None:
        try:
            self._dispatch_until_closed()
        except BaseException:
            # A bug here must not leave the runner waiting for ever: every host in hand or
            # queued goes back to it, and threads scan the rest.
            log.exception("the worker processes' dispatcher failed")
            for worker in list(self._workers):
                worker.process.terminate()
                self._lose(worker)
            self._lose()

    def _dispatch_until_closed(self) -> None:
        while True:
            self._hand_out()
            busy = [w for w in self._workers if w.job is not None]
            with self._lock:
                queued = bool(self._queue)
            if self._closing and not busy and not queued:
                return
            if not self._workers:
                self._lose()  # every process died: whatever was queued goes to threads
                if self._closing:
                    return
            waiting: list[Any] = [self._wake_read]
            waiting += [w.conn for w in busy] + [w.process.sentinel for w in self._workers]
            ready = wait_ready(waiting, timeout=0.5)
            if self._wake_read in ready:
                while self._wake_read.poll():
                    self._wake_read.recv_bytes()
            for worker in list(self._workers):
                if worker.job is not None and worker.conn in ready:
                    try:
                        outcome = worker.conn.recv()
                    except (EOFError, OSError):
                        self._lose(worker)  # died while sending: the message is cut
                        continue
                    fut, worker.job = worker.job, None
                    if outcome is None:  # this host only: a thread scans it again
                        fut.set_exception(WorkerLost())
                    else:
                        fut.set_result(outcome)
                elif worker.process.sentinel in ready:
                    self._lose(worker)

    def shutdown(self, wait: bool) -> None:
        """Stop the processes: after the hosts in hand (``wait``), or now, cancelling the
        queued hosts (an interrupted scan)."""

        self._closing = True
        if not wait:
            for fut in self._take_queued():
                fut.cancel()
            for worker in list(self._workers):
                worker.process.terminate()
        self._wake_write.send_bytes(b"")
        self._thread.join(timeout=STOP_SECONDS)
        for worker in list(self._workers):
            with contextlib.suppress(OSError):  # already gone
                worker.conn.send(None)
        for proc in self._processes:  # the lost ones too: none is left behind
            proc.join(timeout=STOP_SECONDS)
            if proc.exitcode is None:
                proc.kill()
                proc.join(timeout=STOP_SECONDS)
        for worker in list(self._workers):
            worker.conn.close()
        self._wake_read.close()
        self._wake_write.close()


__all__ = ["MIN_HOSTS", "HostProcesses", "WorkerLost", "cpu_bound", "process_count"]
