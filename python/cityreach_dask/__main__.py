"""python -m cityreach_dask (--local N | --scheduler ADDRESS) [options] -- ACCESS-ARGS… --out FILE"""

from __future__ import annotations

import argparse
import sys
import time

from . import ShardError, ShardResult, run_access, split_out


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" not in argv:
        print("usage: python -m cityreach_dask (--local N | --scheduler ADDRESS) -- ACCESS-ARGS… --out FILE",
              file=sys.stderr)
        return 2
    cut = argv.index("--")
    ours, access_args = argv[:cut], argv[cut + 1:]
    ap = argparse.ArgumentParser(prog="python -m cityreach_dask")
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--local", type=int, metavar="N", help="start a LocalCluster of N worker processes")
    where.add_argument("--scheduler", metavar="ADDRESS", help="use a running cluster, e.g. tcp://host:8786")
    ap.add_argument("--shards", type=int, default=0, help="number of shards (default: 4 per worker)")
    ap.add_argument("--binary", default=None, help="the cityreach binary on the workers (default: found on PATH)")
    ap.add_argument("--retries", type=int, default=2, help="retries of a shard that fails for other reasons than bad input")
    a = ap.parse_args(ours)
    try:
        args, out = split_out(access_args)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    from distributed import Client, LocalCluster

    cluster = None
    if a.local is not None:
        if a.local < 1:
            print("error: --local needs at least 1 worker", file=sys.stderr)
            return 2
        cluster = LocalCluster(n_workers=a.local, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(a.scheduler)
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        shards = a.shards or 4 * workers
        started = time.perf_counter()

        def progress(done: int, total: int, r: ShardResult) -> None:
            print(f"[{done}/{total}] {r.message}", file=sys.stderr, flush=True)

        run_access(client, args, out, shards, binary=a.binary, retries=a.retries, on_progress=progress)
        print(f"wrote {out}: {shards} shards on {workers} workers in {time.perf_counter() - started:.2f} s")
        return 0
    except ShardError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # a failure Dask could not recover from
        print(f"error: {e}", file=sys.stderr)
        return 1
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":
    sys.exit(main())
