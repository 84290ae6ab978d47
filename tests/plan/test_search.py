"""The worker-count search's rules on planted figures: which counts, which lines."""
from types import SimpleNamespace

from bench.plan import search


def test_the_coarse_ladder_runs_from_an_eighth_of_w_to_twice_it():
    ladder = [1, 2, 4, 8, 16, 32, 64, 128]
    assert search.coarse_counts(64, ladder) == [8, 16, 32, 64, 128]
    assert search.coarse_counts(64, ladder, "quick") == [16, 32, 64, 128]
    assert search.coarse_counts(2, [1, 2, 4]) == [1, 2, 4]


def test_the_refinement_halves_the_gaps_around_the_best_count():
    # best at 16 between 8 and 32: a peak at 12 or 24 is between the rungs
    assert search.refine_counts({2: 1.8, 4: 3.5, 8: 6.0, 16: 7.1, 32: 5.0}, 32) == [12, 24]
    # best at the top: only below it
    assert search.refine_counts({8: 6.0, 16: 7.0, 32: 7.5}, 32) == [24]
    # rungs 2 apart (two cores) are searched finely enough by the ladder itself
    assert search.refine_counts({1: 1.0, 2: 1.7, 4: 1.6}, 4) == []
    # from the counts measured next to the best (12 was): halfway again
    assert search.refine_counts({8: 6.0, 12: 6.5, 16: 7.0, 32: 5.0}, 32) == [14, 24]
    assert search.refine_counts({}, 32) == []
    # best at the top of a ladder the image set capped (1920x1080 on 256 CPUs: 8 GiB feed
    # 345 workers, the ladder ends at 256): the most the set feeds, where a line that still
    # climbs past the last rung is fastest (halfway, 300, is too close to 256 to tell)
    assert search.refine_counts({64: 30.0, 128: 55.0, 256: 90.0}, 345, capped=True) == [192, 345]
    # a cap closer than MIN_GAP above the best adds nothing the ladder did not measure
    assert search.refine_counts({64: 30.0, 128: 55.0, 256: 90.0}, 258, capped=True) == [192]
    # not capped: the rung above the best failed or was not visited yet (2 W = 32 missing),
    # halfway towards it, so 2 W itself is not entered twice and 1.5 W still is
    assert search.refine_counts({4: 3.5, 8: 6.0, 16: 7.0}, 32) == [12, 24]
    # at 2 W (the top) nothing above it
    assert search.refine_counts({8: 6.0, 16: 7.0, 32: 7.5}, 32) == [24]


def _config(strategy, family, speed):
    return SimpleNamespace(case=SimpleNamespace(strategy=strategy, family=family), speed=speed)


def test_the_leaders_are_one_line_per_pool_family_unless_a_family_is_far_behind():
    threads = _config("threads-chunked", "threads", 1.6)
    chunked = _config("processes-chunked", "processes", 1.0)      # best at W/4, slow at W
    shm = _config("processes-shm", "processes", 0.9)
    found = search.leaders([threads, chunked, shm], lambda c: c.speed)
    assert [c.case.strategy for c in found] == ["threads-chunked", "processes-chunked"]
    # threads 12x slower than the processes at W: not searched; the next process pool is
    fast = _config("processes-chunked", "processes", 20.0)
    fast_shm = _config("processes-shm", "processes", 19.0)
    slow_threads = _config("threads", "threads", 1.6)
    found = search.leaders([slow_threads, fast, fast_shm], lambda c: c.speed)
    assert [c.case.strategy for c in found] == ["processes-chunked", "processes-shm"]


def test_a_family_read_near_the_line_and_the_leader_get_a_second_visit():
    """processes-chunked reads 0.53 of the threads at W on one visit: within FAMILY_BAND of
    FAMILY_WITHIN, so it and the leader are visited again before the leaders are read; at
    0.75 or 0.1 of the leader, or visited twice already, one visit decides."""
    def config(strategy, family, speed, visits=1):
        return SimpleNamespace(case=SimpleNamespace(strategy=strategy, family=family), speed=speed,
                               visits=[None] * visits)

    threads = config("threads-chunked", "threads", 1.6)
    chunked, shm = config("processes-chunked", "processes", 0.85), config("processes-shm", "processes", 0.8)
    speed = lambda c: c.speed  # noqa: E731
    assert search.near_the_line([shm, chunked, threads], speed) == [threads, chunked]
    # a quick run's one round has no time for it
    assert search.near_the_line([shm, chunked, threads], speed, "quick") == []
    assert search.near_the_line([threads, config("processes-chunked", "processes", 1.2)], speed) == []
    assert search.near_the_line([threads, config("processes-chunked", "processes", 0.16)], speed) == []
    assert search.near_the_line([threads, config("processes-chunked", "processes", 0.85, 2)], speed) == [threads]
    # the band is symmetric around the line (in ratio): 0.41 in, 0.39 out
    assert search.near_the_line([threads, config("p", "processes", 0.41 * 1.6)], speed) != []
    assert search.near_the_line([threads, config("p", "processes", 0.39 * 1.6)], speed) == []
    assert search.near_the_line([], speed) == []


def test_the_rivals_are_the_fastest_of_the_leaders_family_on_no_searched_line():
    """processes-shm led the process pools at W on one visit; processes-chunked and
    processes-inherit are its family's next fastest there and enter at its best count;
    threads (another family) and a searched line do not."""
    def config(strategy, family, speed, workers=16):
        case = SimpleNamespace(workload="imwrite", strategy=strategy, family=family, chunk_rule="auto",
                               out_layout=None, start_method="fork", cv_threads=None, workers=workers)
        return SimpleNamespace(case=case, speed=speed)

    shm, chunked = config("processes-shm", "processes", 1.0), config("processes-chunked", "processes", 0.97)
    inherit, naive = config("processes-inherit", "processes", 0.9), config("processes", "processes", 0.4)
    threads = config("threads-chunked", "threads", 1.6)
    searched = {search.line_key(shm.case), search.line_key(threads.case)}
    found = search.rivals(shm.case, [shm, chunked, inherit, naive, threads], lambda c: c.speed, searched)
    assert [c.case.strategy for c in found] == ["processes-chunked", "processes-inherit"]


def test_the_refinement_enters_the_counts_around_the_best_rung_and_the_rivals_at_it():
    """processes-chunked, searched, reads best at 4 of its rungs 2..32 (planted); a full run
    enters 6 above it (2 is too near below: MIN_GAP) and the two next fastest process pools
    at W (16) at 4, not threads (another family) nor the naive pool (third); a quick run
    only the fastest rival; a line best at W gets its refined counts and no rivals."""
    from workloads.codecs import Codec
    from workloads.imwrite import ImwriteWorkload
    from bench.model.case import Case
    from workloads.images import ImageSetSpec, ImageSize

    spec = ImageSetSpec(ImageSize(64, 64, 3), 4096, "smooth", 0)
    params = ImwriteWorkload.params_for(Codec())

    def visited(strategy, workers, speed):
        case = search.at_workers(Case("imwrite", spec, params, strategy, 16, None, chunk_rule="auto"), workers)
        return SimpleNamespace(case=case, speed=speed)

    line = {w: visited("processes-chunked", w, s) for w, s in
            {2: 1.8, 4: 2.3, 8: 1.8, 16: 1.0, 32: 0.5}.items()}
    at_w = [line[16], visited("processes-shm", 16, 0.9), visited("processes-inherit", 16, 0.85),
            visited("processes", 16, 0.4), visited("threads-chunked", 16, 1.6)]
    configs = list(line.values()) + at_w[1:]
    leader = line[16].case
    full = search.refinement_entrants([leader], configs, at_w, lambda c: c.speed, 16, 32, "full")
    assert sorted((c.strategy, c.workers) for c in full) == [
        ("processes-chunked", 6), ("processes-inherit", 4), ("processes-shm", 4)]
    quick = search.refinement_entrants([leader], configs, at_w, lambda c: c.speed, 16, 32, "quick")
    assert [(c.strategy, c.workers) for c in quick] == [("processes-shm", 4)]
    flat = {w: visited("threads-chunked", w, s) for w, s in {4: 1.4, 8: 1.5, 16: 1.6, 32: 1.55}.items()}
    got = search.refinement_entrants([flat[16].case], list(flat.values()), at_w, lambda c: c.speed, 16, 32, "full")
    assert sorted(c.workers for c in got) == [12, 24] and {c.strategy for c in got} == {"threads-chunked"}
