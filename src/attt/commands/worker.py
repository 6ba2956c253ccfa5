"""``attt worker``: serve one zone's queue (see attt.distributed.worker)."""

from __future__ import annotations

import logging
import os

import click

from ..errors import InputError
from ..messages import T
from ._broker import broker_options
from .keys import load_signing_key


@click.command()
@click.option("--zone", required=True,
              help="Vùng mạng mà worker này phục vụ (hàng đợi zone.VÙNG). / The zone this "
                   "worker serves (queue zone.ZONE).")
@broker_options(required=True)
@click.option("-k", "--key", "key", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Khóa bí mật Ed25519 ký kết quả (attt keys generate). / Ed25519 private "
                   "key that signs the results (attt keys generate).")
@click.option("--id", "worker_id", default="",
              help="Mã của worker như trong zones[].workers[].id (mặc định: tên tệp khóa). / "
                   "The worker's id as in zones[].workers[].id (default: the key's file "
                   "name).")
@click.option("-w", "--workers", type=click.IntRange(1, 256), default=8, show_default=True,
              help="Số đơn vị chạy đồng thời. / Units run at once.")
@click.option("--pool", type=click.Choice(["threads", "prefork"]), default="threads",
              show_default=True,
              help="threads (mặc định, theo I/O) hoặc prefork (mỗi đơn vị trong một tiến trình "
                   "con). / threads (I/O-bound) or prefork (each unit in a child process).")
def worker(zone: str, broker: str, broker_password_env: str, broker_ca: str | None,
           broker_cert: str | None, broker_key: str | None, key: str, worker_id: str,
           workers: int, pool: str) -> None:
    """Chạy worker của một vùng mạng: nhận việc từ hàng đợi của vùng, quét, ký và gửi kết
    quả. / Run a zone worker: take units from the zone's queue, scan, sign and send back."""

    from ..distributed.app import broker_from
    from ..distributed.coordinator import connect
    from ..distributed.worker import WorkerIdentity, start

    if not zone or not all(c.isalnum() or c in "-_." for c in zone):
        raise InputError("--zone", zone, T("expected letters, digits, '-', '_' or '.'"))
    wid = worker_id or os.path.splitext(os.path.basename(key))[0]
    me = WorkerIdentity(zone, wid, load_signing_key(key))
    conf = broker_from(broker, broker_password_env, broker_ca or "", broker_cert or "",
                       broker_key or "")
    _, conn = connect(conf)  # broker down: exit 3 with a clear message, no traceback
    conn.release()
    logging.getLogger("attt").setLevel(logging.INFO)
    start(conf, me, workers, "threads" if pool == "threads" else "prefork")
