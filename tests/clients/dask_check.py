"""The Dask driver on a LocalCluster of two worker processes, against one `cityreach access` run.

Usage: python3 dask_check.py CITYREACH_BINARY WORKDIR

1. A sharded run writes the same file, byte for byte, as the single run.
2. Killing one worker process after the first shard finishes still yields the identical file
   (Dask reschedules the lost shards; the nanny restarts the worker).
3. A shard that fails on bad input fails the job with that shard's message, quickly.
Prints one summary line `dask: N passed, 0 failed`; exits non-zero on the first failure.
"""

import filecmp
import os
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))

from distributed import Client, LocalCluster  # noqa: E402

from cityreach_dask import ShardError, run_access  # noqa: E402

ARGS = ["--opportunities", "commercial", "--cutoff", "20,40", "--compare", "plan-2025",
        "--within", "二七区", "--within", "管城回族区", "--cell", "500"]


def main():
    binary, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    single = os.path.join(work, "single.csv")
    subprocess.run([binary, "access", *ARGS, "--out", single], check=True, capture_output=True)
    passed = 0
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    try:
        out = os.path.join(work, "sharded.csv")
        run_access(client, ARGS, out, shards=6, binary=binary)
        assert filecmp.cmp(single, out, shallow=False), "sharded run differs from the single run"
        passed += 1

        killed = []

        def kill_one(done, total, r):
            if killed:
                return
            pids = client.run(os.getpid)
            addr, pid = sorted(pids.items())[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(addr)

        out = os.path.join(work, "killed.csv")
        run_access(client, ARGS, out, shards=12, binary=binary, on_progress=kill_one)
        assert killed, "no worker was killed"
        assert filecmp.cmp(single, out, shallow=False), "the run with a killed worker differs"
        passed += 1

        t0 = time.perf_counter()
        try:
            run_access(client, ["--cutoff", "30,10"], os.path.join(work, "bad.csv"), shards=4,
                       binary=binary)
            raise AssertionError("a refused shard did not fail the job")
        except ShardError as e:
            assert "cutoff" in str(e), str(e)
        assert time.perf_counter() - t0 < 60, "the failing job took too long"
        passed += 1
    finally:
        client.close()
        cluster.close()
    print(f"dask: {passed} passed, 0 failed")


if __name__ == "__main__":
    main()
