"""The self-check puts bench's figure next to a bare pool per family, on the same images."""
import os

import pytest

from bench.measure import selfcheck


@pytest.mark.e2e
def test_every_family_is_timed_on_both_sides_each_in_its_own_interpreter(tmp_path):
    """The small version of the self-check (CI runs it): bench's side in a race's case
    process among a race's live pools, the bare side in an interpreter that holds nothing
    of bench's harness. Whether bench reads within the threshold is a figure for the
    findings, not an assert: it depends on the machine's mood."""
    rows = selfcheck.run(count=400, rounds=2, workers=2, out_root=str(tmp_path), echo=lambda _: None)
    *families, facts = rows
    assert [r["family"] for r in families] == list(selfcheck.FAMILIES)
    for r in families:
        assert r["bare_img_per_s"] > 0 and r["bench_img_per_s"] > 0
        # the ratio is of the same medians the two figures come from
        assert r["ratio"] == pytest.approx(r["bench_img_per_s"] / r["bare_img_per_s"])
        assert r["within"] == (abs(r["ratio"] - 1) <= selfcheck.THRESHOLD)
    assert list(tmp_path.iterdir()) == []          # every pass folder removed
    assert "steal_max" in facts
    assert facts["bare_pid"] not in (facts["bench_pid"], os.getpid())
    assert facts["bare_bench_modules"] == []       # no harness beside the bare pools
    assert facts["live_pools"] == 2 * (len(selfcheck.FAMILIES) - 1) + len(selfcheck.CROWD)


def test_bench_side_is_the_race_visit_of_the_same_configuration():
    from workloads.images import ImageSetSpec, ImageSize

    spec = ImageSetSpec(ImageSize(50, 50, 1), 1000, "noise", 0)
    case = selfcheck.bench_case("processes-shm", spec, 2)
    assert (case.strategy, case.workers, case.chunk_size, case.start_method) == ("processes-shm", 2, 125, "fork")
    assert selfcheck.bench_case("threads-chunked", spec, 2).chunk_size == 500
