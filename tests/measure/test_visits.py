"""A group's case process: its pools started before any works, visits, cold figures."""
import pytest

from bench.model.case import Case
from workloads.codecs import Codec
from workloads.images import ImageSetSpec, ImageSize
from workloads.imwrite import ImwriteWorkload

pytestmark = pytest.mark.e2e


@pytest.fixture
def host(group_work):
    spec = ImageSetSpec(ImageSize(16, 16, 1), 40, "noise", 0)
    return group_work(spec, 40), spec


def case(spec, strategy, chunk=None, method="fork"):
    return Case("imwrite", spec, ImwriteWorkload.params_for(Codec()), strategy, 2, chunk, method,
                chunk_rule="auto" if chunk else None)


def test_prestarted_pools_have_their_workers_before_any_pass(host):
    h, spec = host
    chunked, shm = case(spec, "processes-chunked", 20), case(spec, "processes-shm", 5)
    assert h.prestart([chunked.as_dict(), shm.as_dict()])["started"] == [chunked.name, shm.name]
    for c in (chunked, shm):
        live = h.live[c.name]
        assert len(live.strategy.worker_pids(live.pool)) == 2     # forked already
        assert live.started_s > 0
    prestarted = h.live[chunked.name].started_s
    first = h.visit(chunked.as_dict(), keep=True)
    # the first visit makes it warm: cold = the prestart plus that first pass
    started = first["started"]
    assert started["start_and_first_pass_s"] > prestarted
    assert started["first_result_s"] > prestarted
    assert started["first_result_s"] <= started["start_and_first_pass_s"]
    assert "started" not in h.visit(chunked.as_dict())              # warm from now on
    got = h.outputs(chunked.as_dict())["outputs"]
    assert got == h.reference()["outputs"]                          # the serial loop's bytes


def test_a_pool_that_is_not_kept_warm_is_not_prestarted(host, monkeypatch):
    h, spec = host
    from bench.strategies.local import ProcessesChunked

    monkeypatch.setattr(ProcessesChunked, "keep_alive", False)
    assert h.prestart([case(spec, "processes-chunked", 20).as_dict()])["started"] == []


def test_the_trash_is_emptied_between_timed_passes_never_inside_one(host, monkeypatch):
    """Removing earlier passes' folders (and settling the disk after) costs a disk real
    time: it happens before a timed pass starts, and only once the trash is over its
    limit; what each pass wrote waits in the trash until then."""
    from bench.measure import visits

    h, spec = host
    events, timing = [], [False]
    real_timed = visits.timed

    def watched_timed(fn, *a, **kw):
        timing[0] = True
        try:
            return real_timed(fn, *a, **kw)
        finally:
            timing[0] = False

    def watched_empty():
        events.append(("empty", timing[0], len(h.trash.paths)))
        for path in h.trash.paths:
            visits.PassDirs.remove(path)
        h.trash.paths = []

    monkeypatch.setattr(visits, "timed", watched_timed)
    monkeypatch.setattr(h.trash, "empty", watched_empty)
    h.serial_pass()
    h.trash.limit_bytes = 3 * h.trash.per_folder           # full after the third folder
    c = case(spec, "threads-chunked", 20).as_dict()
    for _ in range(3):
        h.serial_pass()
        h.visit(c)
    assert events and all(not inside for _, inside, _ in events)   # never inside a timer
    assert all(count > 3 for _, _, count in events)                # in bulk, over the limit


def test_a_pool_closed_after_each_pass_still_hands_over_its_kept_pass(host, monkeypatch):
    """A strategy whose pool is not kept warm (Dask: a cluster per pass) is closed right
    after the visit: the pass kept for verification must outlive the pool (it used to go
    with it, and every Dask configuration failed with 'no kept pass ... to verify')."""
    h, spec = host
    from bench.strategies.local import ProcessesChunked

    monkeypatch.setattr(ProcessesChunked, "keep_alive", False)
    chunked = case(spec, "processes-chunked", 20)
    reply = h.visit(chunked.as_dict(), keep=True)
    assert reply["shutdown_s"] is not None and chunked.name not in h.live   # closed
    got = h.outputs(chunked.as_dict())["outputs"]
    assert got == h.reference()["outputs"]
    with pytest.raises(ValueError, match="no kept pass"):                    # handed over once
        h.outputs(chunked.as_dict())


def test_a_dask_configuration_is_verified_in_a_race_visit(host):
    h, spec = host
    pytest.importorskip("distributed")
    dask = case(spec, "dask-chunked", 20, method=None)
    h.visit(dask.as_dict(), keep=True)
    assert h.outputs(dask.as_dict())["outputs"] == h.reference()["outputs"]
