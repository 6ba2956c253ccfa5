"""``attt checks``: the check library (``list`` here, ``show`` in commands/explain.py)."""

from __future__ import annotations

import click

from ..i18n import SEVERITY_LABELS, label
from ..library import load_all
from ..messages import T
from ..registry import CHECKS
from ._ci import lang_option
from ._output import echo
from .explain import checks_show


@click.group()
def checks() -> None:
    """Thư viện kiểm tra. / The check library."""


@checks.command("list")
@lang_option
def checks_list(lang: str) -> None:
    """Mọi kiểm tra đã đăng ký, với mức độ nghiêm trọng, nguồn dữ liệu và tham số. / Every
    registered check with severity, probes and parameters."""
    load_all()
    for spec in sorted(CHECKS.values(), key=lambda s: s.id):
        title = spec.title_vi if lang == "vi" else spec.title_en
        severity = label(SEVERITY_LABELS, spec.severity.value, lang)
        echo(f"{spec.id:<34} {severity:<12} {title}")
        params = ", ".join(f"{k}={v!r}" for k, v in spec.params.items())
        line = (T("probes: {probes}; params: {params}", probes=list(spec.probes), params=params)
                if params else T("probes: {probes}", probes=list(spec.probes)))
        echo(T("{pad} {line}", pad=" " * 34, line=line))


checks.add_command(checks_show)
