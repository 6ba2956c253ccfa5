"""Open a local HTML file in headless Chromium and collect what went wrong.

No DevTools client (that would need a websocket library): Chromium runs once with
``--enable-logging=stderr`` and we read its log.  What Chromium 156 prints, checked by hand
and re-checked by the detector self-test in test_report_chromium.py:

* every console message of the page (console.log/warn/error, uncaught exceptions, CSP
  violations such as "Loading the image 'https://…' violates the following Content Security
  Policy directive …") is one line ``[pid:tid:date:INFO:CONSOLE:<line>] "<text>", source: <url>
  (<line>)``, whatever its console level, so any CONSOLE line counts: the report has no script;
* requests are logged with ``--vmodule=network_delegate=1,file_url_loader_factory=1``:
  ``FileURLLoader::Start: file:///…`` and ``NetworkDelegate::NotifyBeforeURLRequest: http…``.
  Any request other than the page itself is unexpected (a self-contained report loads
  nothing), except the browser's own background traffic to Google services, which starts
  regardless of the page and is filtered by host.

The helper is reusable: ``open_page(path)`` for any report file, e.g. the report of a real scan.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
TIMEOUT = 60.0

_CONSOLE = re.compile(r":CONSOLE(?::\d+)?\]\s*(?P<text>.*)$")
_FILE_REQ = re.compile(r"FileURLLoader::Start:\s*(?P<url>\S+)")
_NET_REQ = re.compile(r"NotifyBeforeURLRequest:\s*(?P<url>\S+)")
# Chromium's own background requests (time sync, component updates, account probe).
_BROWSER_HOSTS = (".google.com", ".googleapis.com", ".gstatic.com", ".gvt1.com")
_PAGE_FAILURES = re.compile(r"Uncaught|Refused to|violates the following Content Security Policy")


def find_chromium() -> str | None:
    override = os.environ.get("ATTT_CHROMIUM")
    if override:
        return override
    for name in CHROMIUM_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class ConsoleResult:
    url: str
    returncode: int
    console: list[str] = field(default_factory=list)  # every console message of the page
    requests: list[str] = field(default_factory=list)  # requests other than the page itself
    dom: str = ""
    stderr: str = ""
    screenshot: Path | None = None

    @property
    def errors(self) -> list[str]:
        """Console messages that are errors by nature (exceptions, CSP violations)."""

        return [line for line in self.console if _PAGE_FAILURES.search(line)]

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.console and not self.requests and bool(self.dom)

    def describe(self) -> str:
        lines = [f"{self.url}: exit {self.returncode}"]
        lines += [f"console: {c}" for c in self.console]
        lines += [f"request: {r}" for r in self.requests]
        if not self.dom:
            lines.append("empty DOM dump (page did not load)")
        return "\n".join(lines)


def _browser_traffic(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return any(host == h[1:] or host.endswith(h) for h in _BROWSER_HOSTS)


def parse_log(stderr: str, page_url: str) -> tuple[list[str], list[str]]:
    console: list[str] = []
    requests: list[str] = []
    for line in stderr.splitlines():
        m = _CONSOLE.search(line)
        if m:
            console.append(m.group("text"))
            continue
        m = _FILE_REQ.search(line)
        if m:
            if m.group("url") != page_url:
                requests.append(m.group("url"))
            continue
        m = _NET_REQ.search(line)
        if m and not _browser_traffic(m.group("url")):
            requests.append(m.group("url"))
    return console, requests


def open_page(
    path: Path | str,
    screenshot: Path | None = None,
    window: tuple[int, int] = (1280, 2000),
    timeout: float = TIMEOUT,
    chromium: str | None = None,
) -> ConsoleResult:
    """Load ``path`` once in headless Chromium; return its console, requests and DOM."""

    exe = chromium or find_chromium()
    if exe is None:
        raise FileNotFoundError("no Chromium executable found (set ATTT_CHROMIUM)")
    page = Path(path).resolve()
    url = page.as_uri()
    with tempfile.TemporaryDirectory(prefix="attt-chromium-") as profile:
        args = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--vmodule=network_delegate=1,file_url_loader_factory=1",
            f"--window-size={window[0]},{window[1]}",
            "--hide-scrollbars",
            "--dump-dom",
        ]
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            args.append(f"--screenshot={screenshot}")
        args.append(url)
        proc = subprocess.run(
            args, capture_output=True, text=True, timeout=timeout, check=False,
            stdin=subprocess.DEVNULL,
        )
    console, requests = parse_log(proc.stderr, url)
    shot = screenshot if screenshot is not None and screenshot.exists() else None
    return ConsoleResult(url, proc.returncode, console, requests, proc.stdout, proc.stderr, shot)
