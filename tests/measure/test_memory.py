"""Memory of pool workers: a worker that holds a known buffer shows up with it."""
import multiprocessing
import os
import time

import pytest

from bench.measure.memory import PeakSampler, snapshot, workers_idle

MiB = 1024 * 1024


def _hold(size, ready, release):
    buf = bytearray(size)          # zero-filled and written: resident, private
    for i in range(0, size, 4096):
        buf[i] = 1
    ready.set()
    release.wait(30)


def _smaps_rollup_uss(pid):
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                fields[parts[0][:-1]] = int(parts[1]) * 1024
    return fields["Private_Clean"] + fields["Private_Dirty"] + fields.get("Private_Hugetlb", 0)


@pytest.fixture
def worker_holding_50mib():
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    p = ctx.Process(target=_hold, args=(50 * MiB, ready, release))
    p.start()
    assert ready.wait(30)
    yield p
    if p.is_alive():
        release.set()       # never set() after a waiter was killed: mp.Event.set would wait for it
        p.join(10)
    if p.is_alive():
        p.kill()
        p.join()


@pytest.mark.skipif(not os.path.exists("/proc/self/smaps_rollup"), reason="needs Linux smaps_rollup")
def test_uss_of_a_worker_agrees_with_smaps_rollup(worker_holding_50mib):
    pid = worker_holding_50mib.pid
    ours = snapshot(pid)["uss"]
    kernel = _smaps_rollup_uss(pid)
    assert ours >= 50 * MiB
    assert abs(ours - kernel) <= 0.10 * kernel


def test_sampler_keeps_the_peak_not_the_last_value(worker_holding_50mib):
    pid = worker_holding_50mib.pid
    with PeakSampler(lambda: [pid], interval=0.01) as sampler:
        time.sleep(0.05)
    worker_holding_50mib.kill()    # gone before the last sample: the peak must survive
    worker_holding_50mib.join()
    sampler.sample_once()
    assert sampler.worker_peak("uss") >= 50 * MiB
    assert sampler.worker_peak("rss") >= sampler.worker_peak("uss")
    assert sampler.samples >= 3
    assert sampler.parent["rss"] > 0


def test_idle_snapshot_and_vanished_process(worker_holding_50mib):
    assert workers_idle([worker_holding_50mib.pid])["uss"] >= 50 * MiB
    assert snapshot(2 ** 22 + 12345) is None


def _allocate_briefly(size, go, allocated, done):
    """Holds nothing at first; allocates ``size`` when told, frees it, then waits."""
    go.wait(30)
    buf = bytearray(size)
    for i in range(0, size, 4096):
        buf[i] = 1
    allocated.set()
    time.sleep(0.3)                # held for a while, then freed
    del buf
    done.set()
    time.sleep(30)


def test_the_sampler_sees_memory_held_only_between_its_first_and_last_sample():
    """The first sample (on entering) and the last (on leaving) both see the worker
    without the buffer: only the background thread's samples can see it."""
    ctx = multiprocessing.get_context("spawn")
    go, allocated, done = ctx.Event(), ctx.Event(), ctx.Event()
    p = ctx.Process(target=_allocate_briefly, args=(80 * MiB, go, allocated, done))
    p.start()
    try:
        time.sleep(0.5)                        # interpreter up, nothing allocated yet
        before = snapshot(p.pid)["uss"]
        with PeakSampler(lambda: [p.pid], interval=0.02) as sampler:
            first = sampler.worker_peak("uss")
            go.set()
            assert allocated.wait(30) and done.wait(30)
            time.sleep(0.1)
            after = snapshot(p.pid)["uss"]
        assert first < 40 * MiB + before and after < 40 * MiB + before   # freed again
        assert sampler.worker_peak("uss") >= before + 70 * MiB
        assert sampler.samples >= 5
    finally:
        p.kill()
        p.join()
