"""The scan's Ctrl-C guard, with real SIGINTs sent to this process (issue 8 follow-up).

CI once lost a report: a Ctrl-C that landed between run.json and the first host went to
Python's default handler and ended the run with no results.json.  The guard is now
installed before the run folder exists and only raises while hosts are being scanned.
"""

from __future__ import annotations

import os
import signal

import pytest

from attt.scan import _SigintGuard


def _ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)
    # Delivered to the main thread at the next bytecode boundary; make sure it has run.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


def test_before_scanning_is_counted_and_scanning_never_starts() -> None:
    with _SigintGuard() as guard:
        _ctrl_c()
        assert guard.count == 1
        assert guard.start_scanning() is False
        _ctrl_c()  # still only counted
        assert guard.count == 2


def test_first_while_scanning_raises_then_only_counted() -> None:
    with _SigintGuard() as guard:
        assert guard.start_scanning() is True
        with pytest.raises(KeyboardInterrupt):
            _ctrl_c()
        _ctrl_c()
        _ctrl_c()
        assert guard.count == 3


def test_after_scanning_is_counted() -> None:
    with _SigintGuard() as guard:
        assert guard.start_scanning() is True
        guard.stop_scanning()
        _ctrl_c()
        assert guard.count == 1


def test_previous_handler_restored() -> None:
    before = signal.getsignal(signal.SIGINT)
    with _SigintGuard():
        assert signal.getsignal(signal.SIGINT) is not before
    assert signal.getsignal(signal.SIGINT) is before
