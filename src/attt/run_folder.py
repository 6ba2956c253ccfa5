"""The run folder: create it, write each file atomically (and redacted), render the reports.

Used by ``attt scan`` (run.json, reports), ``attt report`` and ``attt dossier``.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Iterable

from . import redact
from .errors import InputError, OutputError
from .i18n import VN_TZ
from .messages import T
from .render import RenderOptions, load_formats
from .render.document import Document
from .runner import remove_quietly

RUN_FILE = "run.json"
# Results from zone workers that the coordinator refused (attt.distributed.coordinator).
REFUSED_FILE = "refused-results.jsonl"


def make_folder(path: str) -> None:
    """The output folder (-o), or an input error naming it: a file in the way or a path
    that cannot be created is the user's to fix, not a traceback."""

    if os.path.exists(path) and not os.path.isdir(path):
        raise InputError("--out", path, T("exists and is not a folder"))
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        problem = T("cannot create the folder: {problem}", problem=exc.strerror or str(exc))
        raise InputError("--out", path, problem) from None


def new_run_dir(base: str = "") -> tuple[str, str]:
    """A new run id and its folder (default ``./attt-report-<run id>``)."""

    stamp = dt.datetime.now(VN_TZ).strftime("%Y%m%d-%H%M%S")
    run_id = f"{stamp}-{secrets.token_hex(2)}"
    return run_id, os.path.abspath(base or f"attt-report-{run_id}")


def write_atomic(path: str, text: str | bytes | Iterable[str]) -> None:
    """Write ``path`` through a fresh ``.tmp`` beside it, then rename: a reader never sees
    half a report.  The ``.tmp`` is created anew (O_EXCL, O_NOFOLLOW): a symlink planted in
    its place (to /etc/..., /dev/full) is removed, never written through; on failure no
    ``.tmp`` is left."""

    tmp = path + ".tmp"
    remove_quietly(tmp)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                     0o666)
        with os.fdopen(fd, "wb") as fh:
            # Safety net: a secret that reached a report some other way is still masked
            # (a renderer streams its output in chunks that never split a value).
            if isinstance(text, bytes):
                fh.write(text)
            else:
                for chunk in [text] if isinstance(text, str) else text:
                    fh.write(redact.text(chunk).encode("utf-8"))
        os.replace(tmp, path)
    except OSError:
        remove_quietly(tmp)
        raise


def render_files(doc: Document, out_dir: str, formats: tuple[str, ...], lang: str) -> list[str]:
    """Write every format; one that cannot be written (disk full, folder gone) does not stop
    the others: OutputError names it and the files written."""

    registry = load_formats()
    written = []
    failed: tuple[str, OSError] | None = None
    options = RenderOptions(lang=lang)
    for name in formats:
        fmt = registry[name]
        path = os.path.join(out_dir, fmt.filename)
        try:
            write_atomic(path, fmt.render(doc, options))
        except OSError as exc:
            failed = failed or (path, exc)
            continue
        written.append(path)
    if failed:
        raise OutputError(*failed, kept=tuple(os.path.basename(p) for p in written))
    return written
