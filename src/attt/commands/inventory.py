"""``attt inventory export --ansible``: an attt inventory as an Ansible inventory (YAML)
and the overlay (``--systems``) that gives its systems back."""

from __future__ import annotations

import os

import click
import yaml

from ..ansible_export import export_ansible
from ..errors import InputError
from ..inventory_loader import bundled_inventory
from ..messages import T
from ..run_folder import write_atomic
from ._output import echo


def overlay_path(out: str) -> str:
    """Where the overlay goes beside ``out``: ``hosts.yml`` -> ``hosts.systems.yaml``."""

    return f"{os.path.splitext(out)[0]}.systems.yaml"


def _dump(data: object) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)


@click.group()
def inventory() -> None:
    """Tệp khai báo hệ thống: chuyển đổi. / Inventory conversions."""


@inventory.command("export")
@click.option("--ansible", "ansible", is_flag=True, required=True,
              help="Xuất thành kho Ansible dạng YAML. / Export as an Ansible YAML inventory.")
@click.option("-i", "--inventory", "source", type=click.Path(exists=True, dir_okay=False),
              default="", help="Tệp khai báo hệ thống attt (mặc định: tệp đi kèm). / attt "
                               "inventory (default: the bundled one).")
@click.option("-o", "--out", default="",
              help="Tệp kho Ansible; tệp bổ sung ghi cạnh nó (TÊN.systems.yaml). Không có: in "
                   "kho ra màn hình. / Ansible inventory file; the overlay is written beside "
                   "it (NAME.systems.yaml). None: the inventory on stdout.")
def export(ansible: bool, source: str, out: str) -> None:
    """Xuất tệp khai báo attt thành kho Ansible và tệp bổ sung --systems. / Export an attt
    inventory as an Ansible inventory and its --systems overlay."""

    result = export_ansible(source or bundled_inventory())
    for key in result.skipped:
        echo(T("attt: warning: host {host} is not exported (no Ansible connection for its "
               "transport).", host=key), err=True)
    if not out:
        click.echo(_dump(result.inventory), nl=False)
        return
    overlay = overlay_path(out)
    try:
        write_atomic(out, _dump(result.inventory))
        write_atomic(overlay, _dump(result.overlay))
    except OSError as exc:
        raise InputError("--out", out, T("cannot write here: {problem}",
                                         problem=exc.strerror or str(exc))) from None
    echo(T("Ansible inventory written to {path}", path=out))
    echo(T("Overlay written to {path} (attt scan -i {inventory} --systems {path})",
           path=overlay, inventory=out))
