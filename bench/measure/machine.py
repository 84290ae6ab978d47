"""What machine a run was made on: pyperf's own metadata plus what pools care about."""
from __future__ import annotations

import os
import platform
from importlib import metadata as importlib_metadata

import psutil

from bench.measure import opencv_build

PACKAGES = ("numpy", "opencv-contrib-python", "pyperf", "psutil", "mediapipe",
            "matplotlib", "scikit-image")


def cgroup_cpu_quota() -> float | None:
    """CPUs allowed by a cgroup v2 (or v1) quota, or None when unlimited."""
    try:
        with open("/sys/fs/cgroup/cpu.max") as fh:
            quota, period = fh.read().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    quota = _read_int("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")
    period = _read_int("/sys/fs/cgroup/cpu/cpu.cfs_period_us")
    return None if quota is None or period is None or quota <= 0 else quota / period


def available_cpus() -> int:
    """CPUs this process may run on (affinity), capped by a cgroup quota."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:
        n = os.cpu_count() or 1
    quota = cgroup_cpu_quota()
    if quota is not None:
        n = max(1, min(n, int(quota)))
    return n


def _read_int(path: str) -> int | None:
    try:
        with open(path) as fh:
            text = fh.read().strip()
        return None if text == "max" else int(text)
    except (OSError, ValueError):
        return None


def memory_available() -> int:
    """Memory available now: the system's, or a cgroup limit's remainder if smaller."""
    available = psutil.virtual_memory().available
    for limit_path, usage_path in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                                   ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                                    "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        limit, usage = _read_int(limit_path), _read_int(usage_path)
        if limit is not None and usage is not None and limit < 1 << 60:
            available = min(available, max(0, limit - usage))
    return available


def package_versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def filesystem_of(path: str) -> str:
    """File-system type of the mount that holds ``path`` (ext4, tmpfs, ...)."""
    path = os.path.realpath(path)
    best, fstype = "", "unknown"
    for part in psutil.disk_partitions(all=True):
        mp = part.mountpoint
        if (path == mp or path.startswith(mp.rstrip("/") + "/")) and len(mp) > len(best):
            best, fstype = mp, part.fstype
    return fstype


def collect(start_method: str) -> dict:
    """Machine metadata as pyperf metadata (str, int or float values only)."""
    import cv2
    import pyperf._collect_metadata as pyperf_meta  # pyperf's own collector

    meta = pyperf_meta.collect_metadata(process=False)
    for volatile in ("date", "load_avg_1min", "uptime", "runnable_threads"):
        meta.pop(volatile, None)   # these belong to each case, not to the machine
    vm = psutil.virtual_memory()
    affinity = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    quota = cgroup_cpu_quota()
    meta.update({
        "bench_cpu_model": (meta["cpu_model_name"] if "cpu_model_name" in meta
                            else platform.processor() or "unknown"),
        "bench_logical_cpus": psutil.cpu_count(logical=True) or 1,
        "bench_physical_cores": psutil.cpu_count(logical=False) or 1,
        "bench_available_cpus": available_cpus(),
        "bench_cpu_affinity": ",".join(map(str, affinity)) or "unknown",
        "bench_cgroup_cpu_quota": "none" if quota is None else f"{quota:g}",
        "bench_mem_total": vm.total,
        "bench_mem_available": vm.available,
        "bench_os": platform.platform(),
        "bench_python": platform.python_version(),
        "bench_cv2_threads": cv2.getNumThreads(),
        "bench_default_start_method": start_method,
    })
    meta.update(opencv_build.collect())     # the codec build: JPEG speed follows it
    meta.update({f"bench_version_{name}": version for name, version in package_versions().items()})
    return meta
