"""Running processes: the ``processes`` probe (``ps -e -o comm= -o args=``).

Several families (antivirus, time synchronisation, remote logging, monitoring) ask whether a
daemon runs; :class:`ProcessTable` answers by task name or argv[0] basename.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass

from attt.messages import T
from attt.registry import FactParseError, Section, probe

# procps pads the comm column to 15 characters (TASK_COMM_LEN - 1) before the args column.
_COMM_WIDTH = 15


@dataclass(frozen=True)
class Process:
    """One running process: task name and command line."""

    comm: str  # kernel task name, truncated to 15 characters
    args: str  # full command line as ps shows it

    @property
    def exe(self) -> str:
        """Basename of argv[0] (daemons that rewrite argv[0] keep their name before ':')."""

        if not self.args or self.args.startswith("["):
            return self.comm
        first = self.args.split(None, 1)[0].rstrip(":")
        return posixpath.basename(first)

    def matches(self, name: str) -> bool:
        """Whether the process is the program ``name``."""

        if name == self.exe:
            return True
        # comm is truncated: only a name that fits can be compared with it.
        return len(name) <= _COMM_WIDTH and name == self.comm


@dataclass(frozen=True)
class ProcessTable:
    """The running processes (``ps -e -o comm= -o args=``)."""

    processes: tuple[Process, ...]

    def running(self, name: str) -> bool:
        """Whether any process is the program ``name``."""

        return any(p.matches(name) for p in self.processes)

    def find(self, names: Iterable[str]) -> list[str]:
        """The names among ``names`` that have at least one running process."""

        return [n for n in names if self.running(n)]


@probe(
    "processes",
    command="ps -e -o comm= -o args=",
    description="running processes: task name and command line (procps format)",
)
def parse_processes(section: Section) -> ProcessTable:
    """The ``processes`` probe's output parsed (running processes: task name and command line)."""

    procs: list[Process] = []
    for line in section.text.splitlines():
        if not line.strip():
            continue
        if len(line) > _COMM_WIDTH and line[_COMM_WIDTH] == " ":
            comm, args = line[:_COMM_WIDTH].rstrip(), line[_COMM_WIDTH + 1 :].strip()
        else:
            # Other ps implementations do not pad: fall back to the first word.
            parts = line.split(None, 1)
            comm, args = parts[0], parts[1].strip() if len(parts) > 1 else ""
        if not comm or "\x00" in line:
            raise FactParseError(T("not a ps line: {line}", line=repr(line[:60])))
        procs.append(Process(comm, args))
    if not procs:
        # Every system has at least init and the collector's own shell.
        raise FactParseError(T("empty process list"))
    return ProcessTable(tuple(procs))
