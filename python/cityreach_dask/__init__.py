"""Shard a `cityreach access` run over a Dask cluster and merge the parts.

Each task runs the `cityreach` binary on a worker for one shard (`--shard K/N`) and returns the
part it wrote; the driver writes the parts locally and runs `cityreach access-merge`. The merged
file equals what one `cityreach access` run writes. Workers need the binary (on PATH or at
`binary`) and the data the arguments name; they need no shared file system.

A shard whose input is refused (exit code 2) fails the whole job with its message at once; any
other failure is retried (`retries`), and shards of a worker that dies are rescheduled by Dask.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

__all__ = ["ShardError", "ShardResult", "run_shard", "run_access", "split_out"]


class ShardError(RuntimeError):
    """A shard the engine refused: the job cannot succeed by retrying it."""


@dataclass(frozen=True)
class ShardResult:
    shard: int
    shards: int
    code: int
    part: bytes
    message: str


def run_shard(binary: str, args: Sequence[str], shard: int, shards: int) -> ShardResult:
    """Runs one shard on this machine; raises on failures worth retrying."""
    with tempfile.TemporaryDirectory(prefix="cityreach-shard-") as tmp:
        part_path = os.path.join(tmp, f"part-{shard}.json")
        cmd = [binary, "access", *args, "--shard", f"{shard}/{shards}", "--out", part_path]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode == 2:
            # Bad input: the same on every worker, so not retried.
            return ShardResult(shard, shards, 2, b"", proc.stderr.strip())
        if proc.returncode != 0:
            raise RuntimeError(
                f"shard {shard}/{shards} failed with exit code {proc.returncode}: {proc.stderr.strip()}"
            )
        with open(part_path, "rb") as f:
            return ShardResult(shard, shards, 0, f.read(), proc.stdout.strip())


def split_out(access_args: Sequence[str]) -> tuple[list[str], str]:
    """Takes `--out FILE` (or `--out=FILE`) out of the access arguments."""
    rest: list[str] = []
    out: Optional[str] = None
    args = list(access_args)
    if args[:1] == ["access"]:
        args = args[1:]  # `cityreach access …` written out in full
    it = iter(args)
    for a in it:
        if a == "--out":
            out = next(it, None)
        elif a.startswith("--out="):
            out = a.split("=", 1)[1]
        else:
            rest.append(a)
    if not out:
        raise ValueError("the access arguments need --out FILE (.tif, .csv or .geojson)")
    if any(a == "--shard" or a.startswith("--shard=") for a in rest):
        raise ValueError("--shard is set by the driver; leave it out")
    return rest, out


def run_access(
    client,
    access_args: Sequence[str],
    out: str,
    shards: int,
    binary: Optional[str] = None,
    retries: int = 2,
    on_progress: Optional[Callable[[int, int, ShardResult], None]] = None,
) -> str:
    """Runs the analysis on `client`'s cluster in `shards` shards and writes `out`."""
    from distributed import as_completed

    binary = binary or shutil.which("cityreach") or "cityreach"
    if shards < 1:
        raise ValueError("shards must be at least 1")
    futures = [
        client.submit(run_shard, binary, list(access_args), k, shards, retries=retries, pure=False)
        for k in range(1, shards + 1)
    ]
    parts: dict[int, bytes] = {}
    done = 0
    try:
        for fut in as_completed(futures):
            r: ShardResult = fut.result()
            if r.code != 0:
                raise ShardError(f"shard {r.shard}/{r.shards}: {r.message}")
            parts[r.shard] = r.part
            done += 1
            if on_progress:
                on_progress(done, shards, r)
    except BaseException:
        client.cancel(futures)
        raise
    with tempfile.TemporaryDirectory(prefix="cityreach-parts-") as tmp:
        paths = []
        for k in range(1, shards + 1):
            p = os.path.join(tmp, f"part-{k}.json")
            with open(p, "wb") as f:
                f.write(parts[k])
            paths.append(p)
        proc = subprocess.run(
            [binary, "access-merge", *paths, "--out", out], capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise RuntimeError(f"access-merge failed: {proc.stderr.strip()}")
    return out
