"""Broker options shared by ``attt scan --broker`` and ``attt worker``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def broker_options(required: bool) -> Callable[[F], F]:
    """--broker, --broker-password-env, --broker-ca, --broker-cert, --broker-key."""

    def decorate(f: F) -> F:
        for option in reversed([
            click.option(
                "--broker", default="", envvar="ATTT_BROKER_URL", required=required,
                help="Máy chủ hàng đợi: amqps://NGƯỜI_DÙNG@MÁY:5671/VHOST (hoặc biến "
                     "$ATTT_BROKER_URL); mật khẩu lấy từ biến môi trường, không ghi trên dòng "
                     "lệnh. / Broker URL amqps://USER@HOST:5671/VHOST (or $ATTT_BROKER_URL); "
                     "the password comes from the environment, not the command line."),
            click.option(
                "--broker-password-env", default="ATTT_BROKER_PASSWORD", show_default=True,
                help="Tên biến môi trường chứa mật khẩu máy chủ hàng đợi. / Name of the "
                     "environment variable holding the broker password."),
            click.option(
                "--broker-ca", type=click.Path(exists=True, dir_okay=False), default=None,
                help="Chứng thư CA để xác thực máy chủ hàng đợi (amqps). / CA certificate "
                     "the broker's certificate is checked against (amqps)."),
            click.option(
                "--broker-cert", type=click.Path(exists=True, dir_okay=False), default=None,
                help="Chứng thư máy khách (TLS hai chiều). / Client certificate (mutual "
                     "TLS)."),
            click.option(
                "--broker-key", type=click.Path(exists=True, dir_okay=False), default=None,
                help="Khóa của chứng thư máy khách. / Key of the client certificate."),
        ]):
            f = option(f)
        return f

    return decorate
