"""Reading an Ansible inventory of N hosts (INI, 10 groups, group and host vars) with its
overlay, then applying an ssh_config of 50 Host blocks.  Prints the times.

    python bench/ansible_inventory.py 2000
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from attt.ansible_overlay import load_ansible
from attt.ssh_config import apply_ssh_config


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        lines = []
        for g in range(10):
            lines.append(f"[g{g}]")
            # Only data: nothing is contacted.
            lines += [f"h{g}-{i} ansible_host=192.0.2.{i % 250 + 1} ansible_port={2000 + i}"
                      for i in range(n // 10)]
            lines += [f"[g{g}:vars]", "ansible_user=attt", "ansible_become=true"]
        (root / "hosts.ini").write_text("\n".join(lines) + "\n")
        (root / "systems.yaml").write_text("systems:\n" + "".join(
            f"  - {{name: s{g}, level: 2, groups: [g{g}]}}\n" for g in range(10)))
        (root / "ssh_config").write_text("".join(
            f"Host h{g}-1{b}*\n  User u{b}\n  ConnectTimeout 5\n" for g in range(10)
            for b in range(5)) + "Host *\n  StrictHostKeyChecking yes\n")
        started = time.perf_counter()
        inv = load_ansible(str(root / "hosts.ini"), str(root / "systems.yaml"))
        loaded = time.perf_counter()
        apply_ssh_config(inv, str(root / "ssh_config"))
        done = time.perf_counter()
    hosts = len(inv.hosts())
    print(f"{hosts} hosts: Ansible inventory + overlay {loaded - started:.2f} s "
          f"({(loaded - started) / hosts * 1000:.2f} ms a host), "
          f"ssh_config {done - loaded:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
