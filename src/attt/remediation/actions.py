"""The few idempotent edits every fix is made of, each written both as an Ansible task and as
POSIX shell.

An action is data (path, key, value ...) already filled with the finding's parameters; its
two renderings must leave the file byte-for-byte the same, so a host fixed by the playbook and
one fixed by the script re-scan alike.  The shell helpers they call (``attt_setting`` ...) are
defined once in the script's preamble (``render_sh``).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Any, Protocol

# Ansible's blockinfile marker, written the same by the shell helper.
MARKER = "# {mark} ATTT {id}"


def ere_escape(text: str) -> str:
    """``text`` as a literal inside a POSIX extended regular expression."""

    return re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", text)


class Action(Protocol):
    """One edit: an Ansible task body (module and arguments) and a shell command."""

    @property
    def path(self) -> str:
        """The file the edit changes."""

    def ansible(self) -> dict[str, Any]:
        """The task body: ``{module: arguments}``."""

    def shell(self) -> str:
        """The shell command (a helper of the script's preamble)."""


@dataclass(frozen=True)
class Setting:
    """``KEY<sep>VALUE`` on one line of a keyword file (sshd drop-in, login.defs, sysctl.d):
    the last uncommented line setting KEY is replaced, or the line is appended; the file is
    created with ``mode`` if missing.  ``mode`` None: a distribution's file (login.defs), whose
    mode is left as it is (created 0644 if missing)."""

    path: str
    key: str
    value: str
    sep: str = " "
    mode: str | None = "0644"
    validate: str | None = None  # a command with %s for the new file (Ansible's validate)

    @property
    def line(self) -> str:
        """The line written."""

        return f"{self.key}{self.sep}{self.value}"

    def _pattern(self, escape: Any) -> str:
        # The key, then a blank, '=' or the end of the line (PASS_MAX_DAYS, not PASS_MAX_DAYSX).
        return f"^[ \t]*{escape(self.key)}([ \t=]|$)"

    def ansible(self) -> dict[str, Any]:
        """The Ansible task body."""

        args: dict[str, Any] = {"path": self.path, "regexp": self._pattern(re.escape),
                                "line": self.line, "create": True}
        if self.mode is not None:
            args["mode"] = self.mode
        if self.validate:
            args["validate"] = self.validate
        return {"ansible.builtin.lineinfile": args}

    def shell(self) -> str:
        """The shell command."""

        return "attt_setting " + " ".join(shlex.quote(a) for a in (
            self.path, self._pattern(ere_escape), self.line, self.mode or "0644"))


@dataclass(frozen=True)
class Block:
    """Lines kept between ``# BEGIN ATTT id`` and ``# END ATTT id`` markers (replaced in
    place, appended when absent); the file is created with ``mode`` if missing."""

    path: str
    id: str
    lines: tuple[str, ...]
    mode: str = "0640"

    def ansible(self) -> dict[str, Any]:
        """The Ansible task body."""

        return {"ansible.builtin.blockinfile": {
            "path": self.path, "marker": MARKER.replace("{id}", self.id),
            "block": "\n".join(self.lines), "create": True, "mode": self.mode}}

    def shell(self) -> str:
        """The shell command."""

        body = "\n".join(self.lines)
        return (f"attt_block {shlex.quote(self.path)} {shlex.quote(self.id)} "
                f"{shlex.quote(self.mode)} <<'ATTT_EOF'\n{body}\nATTT_EOF")


@dataclass(frozen=True)
class Content:
    """A whole file of attt's own (a banner, a profile.d script, nftables.conf), checked
    with ``validate`` (a command with %s for the new file) before it replaces the old one."""

    path: str
    text: str
    mode: str = "0644"
    validate: str | None = None

    def ansible(self) -> dict[str, Any]:
        """The Ansible task body."""

        args: dict[str, Any] = {"dest": self.path, "content": self.text, "mode": self.mode}
        if self.validate:
            args["validate"] = self.validate
        return {"ansible.builtin.copy": args}

    def shell(self) -> str:
        """The shell command."""

        body = self.text[:-1] if self.text.endswith("\n") else self.text
        check = (self.validate or "").replace("%s", "").strip()
        return (f"attt_content {shlex.quote(self.path)} {shlex.quote(self.mode)} "
                f"{shlex.quote(check)} <<'ATTT_EOF'\n{body}\nATTT_EOF")


@dataclass(frozen=True)
class PamArg:
    """``ARG=VALUE`` on every ``TYPE ... MODULE.so`` line of a PAM file: an existing ARG=
    replaced where it stands, else appended at the end of the line (control and other
    arguments kept as they were)."""

    path: str
    ptype: str
    module: str
    arg: str
    value: str

    def _head(self) -> str:
        return rf"[ \t]*{self.ptype}[ \t]+(?:\[[^\]\n]*\]|\S+)[ \t]+{re.escape(self.module)}\.so"

    def ansible(self) -> dict[str, Any]:
        """The Ansible task body."""

        # An existing ARG= is replaced where it stands, else ARG=VALUE ends the line: the
        # second run finds the line as the first left it.
        arg = re.escape(self.arg)
        regexp = (rf"^({self._head()}(?:[ \t]+(?!{arg}=)\S+)*)(?:[ \t]+{arg}=\S*)?"
                  r"((?:[ \t]+\S+)*?)[ \t]*$")
        return {"ansible.builtin.replace": {
            "path": self.path, "regexp": regexp,
            "replace": rf"\g<1> {self.arg}={self.value}\g<2>"}}

    def shell(self) -> str:
        """The shell command."""

        head = (f"^[ \t]*{self.ptype}[ \t]+(\\[[^]]*\\]|[^ \t]+)[ \t]+"
                f"{ere_escape(self.module)}\\.so([ \t]|$)")
        return "attt_pam_arg " + " ".join(shlex.quote(a) for a in (
            self.path, head, self.arg, f"{self.arg}={self.value}"))


@dataclass(frozen=True)
class Symlink:
    """A symbolic link (a unit enabled at boot the way ``systemctl enable`` links it, which
    also works on a tree or a host whose systemd is not running)."""

    path: str
    target: str

    def ansible(self) -> dict[str, Any]:
        """The Ansible task body."""

        return {"ansible.builtin.file": {"path": self.path, "src": self.target,
                                         "state": "link", "force": True}}

    def shell(self) -> str:
        """The shell command."""

        return f"attt_symlink {shlex.quote(self.path)} {shlex.quote(self.target)}"


__all__ = ["MARKER", "Action", "Block", "Content", "PamArg", "Setting", "Symlink", "ere_escape"]
