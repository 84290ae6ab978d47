"""Dask distributed: the same workloads through a cluster (docs/dask.md).

``DaskPool`` gives a Client an executor's shape (``submit`` -> future, ``shutdown``), so
the timing code and the probes work unchanged. ``pure=False`` on every submit (else equal
arguments are deduplicated); chunking is ours (``Executor.map`` ignores ``chunksize``).
"""
from __future__ import annotations

import logging
import os
import socket

from bench.strategies.base import (Chunked, PerImage, Ranges, Strategy, chunk_bounds, flatten,
                                   register, submit_all)
from workloads import tasks


class SchedulerError(Exception):
    """The scheduler cannot be reached or used; one line for the user."""


def connect(address: str, timeout: float):
    """A Client of the scheduler at ``SCHEME://HOST:PORT`` (``HOST:PORT`` is taken as tcp)."""
    from distributed import Client

    checked = address.strip()
    if "://" not in checked:
        checked = "tcp://" + checked
    scheme, _, rest = checked.partition("://")
    host, _, port = rest.rpartition(":")
    if scheme not in ("tcp", "tls", "inproc", "ucx", "ws", "wss") or not host or not port.isdigit():
        raise SchedulerError(f"scheduler address {address!r} is not SCHEME://HOST:PORT, "
                             "e.g. tcp://10.0.0.5:8786")
    try:
        return Client(checked, timeout=f"{timeout}s")
    except (OSError, TimeoutError) as exc:
        raise SchedulerError(f"cannot reach the Dask scheduler at {address} within "
                             f"{timeout:g} s ({type(exc).__name__})") from None


def cluster_facts(client) -> dict:
    """Workers, threads and versions of the cluster, as flat metadata."""
    info = client.scheduler_info()
    workers = info.get("workers", {})
    import dask
    import distributed

    return {
        "dask_scheduler": info.get("address", "?"),
        "dask_workers": len(workers),
        "dask_threads": sum(w.get("nthreads", 0) for w in workers.values()),
        "dask_version": dask.__version__,
        "distributed_version": distributed.__version__,
    }


def _generate_images_plugin(image_spec):
    from distributed.diagnostics.plugin import WorkerPlugin

    class GenerateImages(WorkerPlugin):
        """Once in every worker process: its own copy of the image set (dask-local)."""
        name = "bench-generate-images"

        def setup(self, worker):
            tasks.generate_images_here(image_spec)

    return GenerateImages()


def set_up_workers(client, workload, cv_threads) -> None:
    """Run the workload's set-up once on every worker, as a task pinned to it: a
    WorkerPlugin would run outside the thread that runs the tasks, and a pose model is
    per thread (it would be built twice per worker)."""
    addresses = list(client.scheduler_info().get("workers", {}))
    futures = [client.submit(tasks.init_worker, workload, cv_threads, None, workers=[a],
                             allow_other_workers=False, pure=False) for a in addresses]
    client.gather(futures)


class DaskPool:
    """A Client (plus the LocalCluster it owns, if any) with an executor's shape."""

    def __init__(self, client, cluster=None):
        self.client, self.cluster = client, cluster
        self._pids = None

    def submit(self, fn, *args):
        return self.client.submit(fn, *args, pure=False)

    def worker_pids(self) -> list[int]:
        """Pids of the workers on this machine: psutil can only read local processes, and
        a remote worker's pid would name some unrelated local process."""
        if self._pids is None:     # asked every 20 ms by the memory sampler: ask the cluster once
            here = socket.gethostname()
            where = self.client.run(lambda: (os.getpid(), socket.gethostname()))
            self._pids = [pid for pid, host in where.values() if host == here]
        return self._pids

    def shutdown(self, wait: bool = True) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


class _Dask(Strategy):
    family = "dask"
    keep_alive = False
    generates_on_workers = False

    def start(self, workload, images=None):
        from distributed import Client, LocalCluster

        cfg = self.config
        spec = cfg.image_spec if self.generates_on_workers else None
        if self.generates_on_workers and spec is None:
            raise ValueError(f"{self.name} needs the image set's spec to generate it on the workers")
        if cfg.scheduler:
            pool = DaskPool(connect(cfg.scheduler, cfg.scheduler_timeout))
        else:
            cluster = LocalCluster(n_workers=cfg.workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            pool = DaskPool(Client(cluster), cluster)
        try:
            if spec is not None:
                pool.client.register_plugin(_generate_images_plugin(spec))
            set_up_workers(pool.client, workload, cfg.cv_threads)
            return pool
        except BaseException:
            pool.shutdown()
            raise

    def worker_pids(self, pool) -> list[int]:
        try:
            return pool.worker_pids()
        except Exception:   # noqa: BLE001 - a cluster going away must not break sampling
            return []

    def describe_pool(self, pool) -> None:
        """The live cluster's facts and its workers' set-up reports (each ask is a round
        trip to all workers: the timing code calls it outside every timer)."""
        try:
            self.facts = cluster_facts(pool.client)
            reports = pool.client.run(lambda: tasks.last_report).values()
            self._last_reports = [r for r in reports if r]
        except Exception:   # noqa: BLE001 - a dying cluster has nothing to report
            self._last_reports = []

    def worker_reports(self) -> list[dict]:
        """Reports taken by the last describe_pool."""
        out, self._last_reports = getattr(self, "_last_reports", []), []
        return out


# DaskPool.submit has an executor's shape, so the local strategies' run methods apply.
@register
class DaskPerImage(PerImage, _Dask):
    name = "dask"
    simplicity = 100
    style = ("sky", "h")
    description = "Dask distributed, one task per image, pixels sent with each task"


@register
class DaskChunked(Chunked, _Dask):
    name = "dask-chunked"
    simplicity = 110
    style = ("blue", "p")
    description = "Dask distributed, one task per slice, pixels sent with each task"


@register
class DaskScatter(_Dask):
    name = "dask-scatter"
    simplicity = 120
    tasks_per_worker = 1
    style = ("purple", "8")       # sent once, like shared memory
    chunked = True
    sliced = True
    description = "Dask distributed, slices scattered to the workers first, then tasks on them"

    def run(self, pool, workload, images, on_first_result):
        bounds = chunk_bounds(len(images), self.config.chunk_size)
        # client -> workers directly; hash=False: with content hashing the same slice in two
        # passes gets one key, and releasing the earlier pass's futures loses the next's data
        data = pool.client.scatter([images[s:e] for s, e in bounds], hash=False)
        calls = ((workload, s, d) for (s, _), d in zip(bounds, data))
        return flatten(submit_all(pool, tasks.run_chunk, calls, on_first_result))


@register
class DaskLocal(Ranges, _Dask):
    name = "dask-local"
    simplicity = 130
    style = ("yellow", "<")       # already there, like inherited pixels
    generates_on_workers = True
    description = "Dask distributed, workers generate the image set themselves; index ranges sent"
