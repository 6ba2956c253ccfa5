"""``attt coverage`` matching at province scale: N computers in AD and DHCP, all in a KSC
export, grouped and attached (the CSV readers are not included).  Prints the time.

    python bench/coverage.py 20000
"""

from __future__ import annotations

import datetime as dt
import sys
import time

from attt.coverage.match import Params, attach, group
from attt.coverage.sources import Record

AS_OF = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)


def mac(i: int) -> str:
    return ":".join(f"{b:02x}" for b in (0, 0x15, 0x5D, (i >> 16) & 255, (i >> 8) & 255, i & 255))


def ip(i: int) -> str:
    # Only data: nothing is contacted.
    return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


def main(n: int) -> None:
    ad = [Record("ad.csv", "ad", "", (f"PC-{i}", f"pc-{i}.so.local"), (), (ip(i),), AS_OF)
          for i in range(n)]
    dhcp = [Record("dhcp.csv", "windows-dhcp", "", (f"pc-{i}.so.local",), (mac(i),), (ip(i),),
                   AS_OF) for i in range(n)]
    ksc = [Record("ksc.csv", "ksc", "", (f"PC-{i}",), (), (ip(i),), AS_OF, True, AS_OF, True)
           for i in range(n)]
    params = Params(AS_OF)
    started = time.perf_counter()
    machines = group(ad + dhcp, params)
    orphans = attach(ksc, machines, params)
    seconds = time.perf_counter() - started
    print(f"{n} computers, {3 * n} records: {len(machines)} machines, {len(orphans)} orphans, "
          f"{seconds:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
