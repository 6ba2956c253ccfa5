"""Distributed benchmark: N loopback SSH hosts (bench/fleet.py's sshd setup) scanned at level 2
by two zone workers through a real RabbitMQ, against a local scan of the same hosts in the
same run.  Prints both wall times, the distributed overhead per host and the ratio.

    python bench/distributed.py [--hosts 200] [--workers 8] [--rounds 2]

The local scan runs with 2 x --workers threads, the same concurrency as the two workers
together.  Only loopback addresses are used (127.0.1.x for zone a, 127.0.2.x for zone b) and
the broker listens on 127.0.0.1.  Needs root (sshd), /usr/sbin/sshd and Debian's
rabbitmq-server.  No assertions: figures only (targets: overhead <= 15 ms/host, total <=
1.15x local).
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "distributed"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sshd as sshd_helper
from fleet import write_inventory as fleet_inventory
from rabbit import start_rabbit

from attt.signing import generate_keys


def start_hosts(tmp: Path, n: int, pub: str) -> tuple[list[sshd_helper.SshdHandle],
                                                       list[tuple[str, int]]]:
    half = (n + 1) // 2
    endpoints = [(f"127.0.1.{i + 1}", 22023) for i in range(half)]
    endpoints += [(f"127.0.2.{i + 1}", 22023) for i in range(n - half)]
    daemons = []
    for start in range(0, n, sshd_helper.MAX_LISTEN):
        chunk = endpoints[start:start + sshd_helper.MAX_LISTEN]
        daemons.append(sshd_helper.start_sshd(tmp / f"sshd{start}", chunk, pub,
                                              log_level="ERROR"))
    return daemons, endpoints


def write_inventory(tmp: Path, key: str, endpoints: list[tuple[str, int]],
                    daemons: list[sshd_helper.SshdHandle]) -> Path:
    inv = fleet_inventory(tmp, key, endpoints, daemons)
    text = inv.read_text()
    zones = "\n".join(
        f"      - {{name: {z}, role: internal_server, workers: "
        f"[{{id: w{z}, public_key: {tmp / f'w{z}.pub'}}}]}}" for z in ("a", "b"))
    text = text.replace("    level: 2\n", f"    level: 2\n    zones:\n{zones}\n", 1)
    lines = []
    for line in text.splitlines():
        if "address: 127.0.1." in line:
            line = line.replace("}", ", zone: a}")
        elif "address: 127.0.2." in line:
            line = line.replace("}", ", zone: b}")
        lines.append(line)
    inv.write_text("\n".join(lines) + "\n")
    return inv


def dir_inventory(tmp: Path, n: int) -> Path:
    """N ``dir:`` hosts over the same tiny tree, half in zone a, half in zone b: per host
    almost no work, so the distributed run shows the pipeline's own cost per host."""

    tree = tmp / "tree"
    (tree / "etc" / "ssh").mkdir(parents=True, exist_ok=True)
    (tree / "etc" / "ssh" / "sshd_config").write_text("PermitRootLogin no\n"
                                                      "PasswordAuthentication no\n")
    zones = "\n".join(
        f"      - {{name: {z}, role: internal_server, workers: "
        f"[{{id: w{z}, public_key: {tmp / f'w{z}.pub'}}}]}}" for z in ("a", "b"))
    hosts = "\n".join(f"      - {{name: d{i:03d}, transport: dir, path: {tree}, "
                      f"zone: {'a' if i % 2 else 'b'}}}" for i in range(n))
    inv = tmp / "dir-inventory.yaml"
    inv.write_text(f"systems:\n  - name: tree\n    level: 2\n    zones:\n{zones}\n"
                   f"    hosts:\n{hosts}\n")
    return inv


def report(title: str, n: int, local_t: list[float], dist_t: list[float]) -> None:
    print(title)
    print("  local        " + ", ".join(f"{t:.2f} s" for t in local_t))
    print("  distributed  " + ", ".join(f"{t:.2f} s" for t in dist_t))
    for name, pick in (("best", min), ("median", statistics.median)):
        local, dist = pick(local_t), pick(dist_t)
        print(f"  {name:<7}      overhead {(dist - local) / n * 1000:+.1f} ms/host, "
              f"ratio {dist / local:.3f} x local")


def cpu_of(pid: int | None) -> float:
    """CPU seconds (user + system, its threads included) of a live process."""

    if pid is None:
        return 0.0
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# Per label, per run: CPU seconds of the scan process (with its children), then of each
# of the ``others`` (worker a, worker b, broker).
CPU: dict[str, list[list[float]]] = {}


def timed(cmd: list[str], env: dict[str, str], label: str = "",
          others: tuple[int | None, ...] = ()) -> float:
    """Wall seconds of one scan; with a label, the CPU seconds of the scan process and of
    ``others`` (workers, broker) during it are recorded under that label."""

    cpu0, others0 = children_cpu(), [cpu_of(p) for p in others]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          env=env, timeout=1800, check=False)
    seconds = time.perf_counter() - t0
    if label:
        CPU.setdefault(label, []).append(
            [children_cpu() - cpu0] + [cpu_of(p) - c for p, c in zip(others, others0,
                                                                      strict=True)])
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd[:4])}... exit {proc.returncode}:\n{proc.stderr[-3000:]}")
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=200)
    ap.add_argument("--workers", type=int, default=8, help="threads per zone worker")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--broker-busy-wait", action="store_true",
                    help="leave Erlang's idle scheduler spinning on (its default)")
    ap.add_argument("--dir-hosts", type=int, default=200,
                    help="also N dir: hosts (the pipeline's own cost); 0: skip")
    args = ap.parse_args()
    n = max(2, min(args.hosts, 500))
    attt = [sys.executable, "-m", "attt"]
    with tempfile.TemporaryDirectory(prefix="attt-bench-dist-") as d:
        tmp = Path(d)
        key, pub = sshd_helper.make_client_key(tmp)
        for z in ("a", "b"):
            generate_keys(str(tmp), None, name=f"w{z}")
        rabbit = start_rabbit(tmp / "rabbit", busy_wait=args.broker_busy_wait)
        daemons: list[sshd_helper.SshdHandle] = []
        workers: list[subprocess.Popen[bytes]] = []
        try:
            daemons, endpoints = start_hosts(tmp, n, pub)
            inv = write_inventory(tmp, key, endpoints, daemons)
            base = {**os.environ, "ATTT_LANG": "en"}
            for z in ("a", "b"):
                user, password = rabbit.zone_user(z)
                log = open(tmp / f"w{z}.log", "ab")  # noqa: SIM115 - closed below
                workers.append(subprocess.Popen(
                    [*attt, "worker", "--zone", z, "--key", str(tmp / f"w{z}.key"),
                     "-w", str(args.workers)], stdin=subprocess.DEVNULL, stdout=log,
                    stderr=log, start_new_session=True,
                    env={**base, "ATTT_BROKER_URL": rabbit.url(user),
                         "ATTT_BROKER_PASSWORD": password}))
                log.close()
            deadline = time.monotonic() + 60
            while not all(" ready." in (tmp / f"w{z}.log").read_text(errors="replace")
                          for z in ("a", "b")):
                if time.monotonic() > deadline:
                    raise SystemExit("workers not ready after 60 s")
                time.sleep(0.2)
            user, password = rabbit.coordinator_user()
            dist_env = {**base, "ATTT_BROKER_URL": rabbit.url(user),
                        "ATTT_BROKER_PASSWORD": password}
            common = ["scan", "-i", str(inv), "-q", "--no-history", "--no-network"]
            local_t, dist_t = [], []
            for r in range(max(1, args.rounds)):
                local_t.append(timed([*attt, *common, "-w", str(2 * args.workers), "-o",
                                      str(tmp / f"local{r}")], base, "local"))
                dist_t.append(timed([*attt, *common, "-o", str(tmp / f"dist{r}"),
                                     "--deadline", "900"], dist_env, "distributed",
                                    (workers[0].pid, workers[1].pid, rabbit.beam_pid())))
            dir_local, dir_dist = [], []
            m = max(0, min(args.dir_hosts, 2000))
            if m:
                dcommon = ["scan", "-i", str(dir_inventory(tmp, m)), "-q", "--no-history",
                           "--no-network"]
                for r in range(max(1, args.rounds)):
                    dir_local.append(timed([*attt, *dcommon, "-w", str(2 * args.workers),
                                            "-o", str(tmp / f"dlocal{r}")], base))
                    dir_dist.append(timed([*attt, *dcommon, "-o", str(tmp / f"ddist{r}"),
                                           "--deadline", "900"], dist_env))
        finally:
            for w in workers:
                w.send_signal(signal.SIGTERM)
                try:
                    w.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    w.kill()
                    w.wait(timeout=10)
            for daemon in daemons:
                daemon.stop()
            rabbit.stop()
    report(f"distributed scan: {n} SSH hosts, level 2, 2 zone workers x {args.workers} "
           f"threads vs local -w {2 * args.workers}; {len(local_t)} rounds, interleaved, "
           f"{os.cpu_count()} CPUs", n, local_t, dist_t)
    if CPU:
        lcpu = statistics.median(sum(run) for run in CPU["local"])
        parts = [statistics.median(run[i] for run in CPU["distributed"]) for i in range(4)]
        dcpu = sum(parts)
        print(f"  attt-side CPU per run (median): local scan {lcpu:.1f} s; distributed "
              f"{dcpu:.1f} s ({(dcpu - lcpu) / n * 1000:+.1f} ms/host) = coordinator "
              f"{parts[0]:.1f} + worker a {parts[1]:.1f} + worker b {parts[2]:.1f} + broker "
              f"{parts[3]:.1f} s (broker busy-wait {'on' if args.broker_busy_wait else 'off'})"
              " — on this machine the hosts' sshd and collectors share the same 2 cores")
    if dir_local:
        report(f"same with {m} dir: hosts (tiny tree): the "
               "pipeline's own cost", m, dir_local, dir_dist)


if __name__ == "__main__":
    main()
