"""Inside a group's case process: the passes a race asks for, one command at a time
(docs/race.md). It holds the group's image set and a live pool per configuration, so a
visit is only what it measures: one timed pass on a warm pool. A configuration's first
visit starts its pool and makes it warm with one untimed pass: that pass on a fresh pool,
with the shutdown timed when the pool is closed, is its cold figure.

Folders of a visit are removed after its pool pass, not between the serial pass and
the pool pass: removing thousands of files hands the kernel work that would otherwise
run during the pass that follows.
"""
from __future__ import annotations

import json
import os
import random
import statistics
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property

from bench.measure.decomposition import ColdDecomposition
from bench.measure.steal import StealMeter
from bench.measure.timing import FirstResult, PassDirs, measure_cold, timed
from bench.measure.trash import Trash
from bench.model.case import Case
from bench.model.settings import RunSettings
from bench.strategies import PoolConfig, make_strategy
from workloads import tasks

# live pools kept between visits: at most this many workers in all (more are closed,
# least recently visited first, and started again when next visited)
LIVE_WORKERS_PER_CPU = 6
LIVE_WORKERS_MIN = 24


def serial_sample(images_spec: dict, count: int, size: int) -> list[int]:
    """Indices of the images the serial passes cover, in input order: all ``count`` when
    ``size`` reaches it, otherwise ``size`` drawn at random, seeded by the set's spec so
    that every process of a run and a resumed run draw the same. Not the first files: a
    folder sorted by name is sorted by sub-folder, whose images often differ in size."""
    if size >= count:
        return list(range(count))
    # a str seed is hashed with SHA-512 by random: the same in every process (hash() is not)
    rng = random.Random("serial sample " + json.dumps(images_spec, sort_keys=True))
    return sorted(rng.sample(range(count), size))


def _pick(images, indices: list[int]):
    """The images at ``indices``: the set itself when that is all of it, else a copy (so
    the serial loop reads them as it reads the set, with no indirection in its timed loop)."""
    if len(indices) == len(images):
        return images
    import numpy as np

    if isinstance(images, np.ndarray):
        return images[np.asarray(indices)]
    return [images[i] for i in indices]


@dataclass
class Live:
    """A configuration's pool, kept warm between its visits."""
    case: Case
    strategy: object
    pool: object
    workload: object
    started_s: float | None = None   # prestarted: start until every worker answered; no pass yet


class GroupWork:
    def __init__(self, spec: dict, usable_cpus: int):
        import cv2

        from workloads.images import ImageSetSpec, generate
        from workloads.registry import make_workload

        self.settings = RunSettings.from_dict(spec.get("settings"))
        if self.settings.cv_threads is not None:
            cv2.setNumThreads(self.settings.cv_threads)
        self.spec = ImageSetSpec.from_dict(spec["images"])
        started = time.perf_counter()
        self.images = generate(self.spec)
        self.generate_s = time.perf_counter() - started
        self.base = make_workload(spec["workload"], spec.get("params") or {})
        self.base.prepare_parent()              # pose: import mediapipe, no model
        self.serial = make_strategy("serial", PoolConfig())
        self.serial_slice = min(int(spec.get("serial_slice") or len(self.images)), len(self.images))
        self.serial_indices = serial_sample(spec["images"], len(self.images), self.serial_slice)
        self.dirs = PassDirs(spec["work_dir"])
        self.live: OrderedDict[str, Live] = OrderedDict()
        # (folder, results) of the pass kept to verify each configuration: apart from its
        # pool, since a pool that is not kept alive (Dask) is closed right after the pass
        self.kept: dict[str, tuple] = {}
        self.reports: dict[str, list] = {}      # worker set-up reports of each pool's start
        self.trash = Trash()              # pass folders, removed in bulk between visits
        self.live_limit = max(LIVE_WORKERS_MIN, LIVE_WORKERS_PER_CPU * usable_cpus)
        self.capacity = spec.get("capacity")
        self.serial_case = Case.from_dict(spec["serial_case"]) if spec.get("serial_case") else None

    # -- helpers ----------------------------------------------------------------------
    def _workload_for(self, case: Case):
        w = self.base
        if case.out_layout is not None:
            if w.with_layout is None:
                raise ValueError(f"the {case.workload} workload writes no files: it has no output layout")
            w = w.with_layout(case.out_layout)
        return w

    def _strategy_for(self, case: Case):
        cv = case.cv_threads if case.cv_threads is not None else self.settings.cv_threads
        return make_strategy(case.strategy, PoolConfig(
            case.workers, case.chunk_size, case.start_method, cv,
            scheduler=self.settings.scheduler, scheduler_timeout=self.settings.scheduler_timeout,
            image_spec=case.images.as_dict()))

    @cached_property
    def serial_images(self):
        """The images of the serial passes, picked once, outside any timer."""
        return _pick(self.images, self.serial_indices)

    # -- the serial loop ----------------------------------------------------------------
    def pilot(self) -> dict:
        """The serial loop untimed once (first-call costs stay out), then timed, with how
        many items failed in it (a task that fails on most is not raced)."""
        self.serial_pass()
        self.trash.empty()
        reply, results = self._serial_pass()
        reply.update(_failures(self.base, results))
        self.trash.empty()
        return dict(reply, generate_s=self.generate_s, fs=_filesystem(self.dirs.root))

    def serial_pass(self) -> dict:
        return self._serial_pass()[0]

    def _serial_pass(self) -> tuple[dict, list]:
        images = self.serial_images
        self.trash.tidy()                       # outside the timer, once in many passes
        out = self.dirs.fresh()
        w = self.base.with_output(out)
        with StealMeter() as steal:
            results, seconds = timed(lambda: self.serial.run(None, w, images, tasks.noop))
        self.trash.add(out)
        return {"seconds": seconds, "images": len(images), "steal": steal.share}, results

    def reference(self) -> dict:
        """The serial loop's outputs over the images its passes cover, keyed as a pass
        over the whole set keys them (a pool's outputs are compared on those keys)."""
        from bench.measure.verify import outputs_of_sample

        images, indices = self.serial_images, self.serial_indices
        out = self.dirs.fresh()
        w = self.base.verifying().with_output(out)
        try:
            results = [w.process(i, img) for i, img in zip(indices, images)]
            reply = {"outputs": outputs_of_sample(w, results, indices, len(self.images)),
                     "images": len(images), "case_metadata": w.case_metadata(Passes(results, []))}
            if self.settings.save_keypoints and w.save_results is not None and self.serial_case:
                reply["case_metadata"]["keypoints_file"] = w.save_results(
                    results, self.settings.save_keypoints, self.serial_case, indices=indices)
            return reply
        finally:
            PassDirs.remove(out)

    # -- pools ------------------------------------------------------------------------
    def prestart(self, cases: list[dict]) -> dict:
        """Start the pools of ``cases`` (up to the live-pool limit) and bring every worker
        up before any has worked: a forked worker inherits the parent's allocator as it is
        at the fork, grown by the slices pickled so far (measured: 11% faster unpickling
        of 12.5 MB slices), so every pool starts as a script's first pool does."""
        started = []
        for case_dict in cases:
            case = Case.from_dict(case_dict)
            if case.name in self.live:
                continue
            if sum(lv.case.workers for lv in self.live.values()) + case.workers > self.live_limit:
                break
            strategy = self._strategy_for(case)
            if not strategy.keep_alive:
                continue
            workload = self._workload_for(case)
            start = time.perf_counter()
            pool = strategy.start(workload, self.images)
            try:
                if pool is not None and hasattr(pool, "submit"):
                    for f in [pool.submit(tasks.noop) for _ in range(case.workers)]:
                        f.result()
            except BaseException:
                strategy.stop(pool)
                raise
            self.live[case.name] = Live(case, strategy, pool, workload,
                                        started_s=time.perf_counter() - start)
            started.append(case.name)
        return {"started": started}

    def _first_pass(self, live: Live) -> dict:
        """The untimed pass that makes a started pool warm; with its start, the
        configuration's cold figures."""
        out = self.dirs.fresh()
        first = FirstResult(time.perf_counter)
        start = time.perf_counter()
        live.strategy.run(live.pool, live.workload.with_output(out), self.images, first)
        passed = time.perf_counter() - start
        self.trash.add(out)
        # what a live pool says of itself (Dask: its scheduler, workers, versions), asked
        # once and outside every timer: each ask is a round trip to every worker
        live.strategy.describe_pool(live.pool)
        facts = dict(live.strategy.facts)
        reports = live.strategy.worker_reports()
        self.reports[live.case.name] = reports
        first_at = (first.at - start) if first.at is not None else passed
        info = {"start_and_first_pass_s": live.started_s + passed,
                "first_result_s": live.started_s + first_at, "worker_reports": reports, "facts": facts}
        live.started_s = None
        return info

    def _start(self, case: Case) -> tuple[Live, dict]:
        """A fresh pool made warm by one untimed pass (its cold figures)."""
        self._evict_for(case.workers)
        strategy = self._strategy_for(case)
        workload = self._workload_for(case)
        start = time.perf_counter()
        pool = strategy.start(workload, self.images)
        live = Live(case, strategy, pool, workload, started_s=time.perf_counter() - start)
        try:
            info = self._first_pass(live)
        except BaseException:
            strategy.stop(pool)
            raise
        self.live[case.name] = live
        return live, info

    def _evict_for(self, workers: int) -> None:
        while self.live and sum(lv.case.workers for lv in self.live.values()) + workers > self.live_limit:
            self.close(next(iter(self.live)))      # the least recently visited

    def visit(self, case_dict: dict, keep: bool = False) -> dict:
        """One timed pass of the configuration's warm pool (started first if needed)."""
        case = Case.from_dict(case_dict)
        reply = {}
        live = self.live.get(case.name)
        if live is None:
            live, reply["started"] = self._start(case)
        else:
            self.live.move_to_end(case.name)
            if live.started_s is not None:
                reply["started"] = self._first_pass(live)
        self.trash.tidy()                       # outside the timer, once in many passes
        out = self.dirs.fresh()
        w = live.workload.with_output(out)
        with StealMeter() as steal:
            results, seconds = timed(lambda: live.strategy.run(live.pool, w, self.images, tasks.noop))
        reply.update(seconds=seconds, steal=steal.share)
        if keep:
            self._drop_kept(case.name)
            self.kept[case.name] = (out, results)
        else:
            self.trash.add(out)
        if not live.strategy.keep_alive:
            reply["shutdown_s"] = self.close(case.name)["seconds"]
        return reply

    def outputs(self, case_dict: dict) -> dict:
        """The outputs of the kept pass (imencode: an extra pass that returns digests)."""
        from bench.measure.verify import check_names

        case = Case.from_dict(case_dict)
        live = self.live.get(case.name)
        count = len(self.images)
        workload = self._workload_for(case)
        if workload.needs_verify_pass:
            out = self.dirs.fresh()
            w = workload.verifying().with_output(out)
            if live is not None:
                results = live.strategy.run(live.pool, w, self.images, tasks.noop)
            else:
                _, _, results = measure_cold(self._strategy_for(case), w, self.images, out)
            reply = {"outputs": w.outputs(results, count)}
            PassDirs.remove(out)
        elif case.name not in self.kept:
            raise ValueError(f"no kept pass of {case.name} to verify")
        else:
            folder, results = self.kept.pop(case.name)
            try:
                check_names(workload, folder, count)
                reply = {"outputs": workload.with_output(folder).outputs(results, count),
                         "case_metadata": workload.case_metadata(
                             Passes(results, self.reports.get(case.name, [])))}
            finally:
                PassDirs.remove(folder)
        return dict(reply, fs=_filesystem(self.dirs.root))

    def close(self, name: str) -> dict:
        live = self.live.pop(name, None)
        if live is None:
            return {"seconds": None}
        _, seconds = timed(lambda: live.strategy.stop(live.pool))
        return {"seconds": seconds}

    def _drop_kept(self, name: str) -> None:
        kept = self.kept.pop(name, None)
        if kept is not None:
            PassDirs.remove(kept[0])

    def close_all(self) -> dict:
        return {"seconds": {name: self.close(name)["seconds"] for name in list(self.live)}}

    # -- explaining a configuration -----------------------------------------------------
    def explain(self, case_dict: dict, rounds: int = 1, serial_per_image_s: float | None = None,
                memory: bool = True, decompose: bool = True) -> dict:
        """Cold passes on fresh pools, each followed by its decomposition round, then
        memory per worker during an untimed warm pass and the warm transfer."""
        case = Case.from_dict(case_dict)
        self.close(case.name)
        strategy = self._strategy_for(case)
        workload = self._workload_for(case)
        probes = ColdDecomposition(strategy.family, case.workers, self.capacity, serial_per_image_s)
        colds, firsts = [], []
        for _ in range(max(1, rounds)):
            out = self.dirs.fresh()
            total, first, _ = measure_cold(strategy, workload, self.images, out)
            PassDirs.remove(out)
            colds.append(total)
            firsts.append(first)
            if not decompose:
                continue
            scratch = PassDirs(self.dirs.fresh())
            probes.measure_fresh_pool(strategy, workload, self.images, scratch.fresh)
            PassDirs.remove(scratch.root)
            strategy.worker_reports()
        reports = []
        if memory:
            pool = strategy.start(workload, self.images)
            try:
                probes.pool_ready(strategy, pool)
                out = self.dirs.fresh()
                with probes.sampled_pass(strategy, pool):
                    strategy.run(pool, workload.with_output(out), self.images, tasks.noop)
                PassDirs.remove(out)
                probes.measure_transfer(strategy, pool, self.images)
                strategy.describe_pool(pool)
            finally:
                strategy.stop(pool)
            reports = strategy.worker_reports()
        meta = probes.metadata(strategy, len(self.images), colds)
        meta.update({"explain_cold_total_s": statistics.median(colds),
                     "explain_cold_passes": len(colds),
                     "explain_first_result_s": statistics.median(firsts)})
        meta.update(strategy.facts)
        return {"metadata": meta, "worker_reports": reports}

    def stop(self) -> dict:
        reply = self.close_all()
        for name in list(self.kept):
            self._drop_kept(name)
        self.trash.empty()
        return reply


class ProbeWork:
    """The overhead probes' process, each probe measured briefly: pool start-up and pickling
    time themselves (their workloads' ``measure``); the round trip of a no-op task is one
    untimed pass on a warm pool, then a few timed ones. A result has the shape of a finished
    case (bench.results.case_benchmark reads it)."""
    live: dict = {}

    @staticmethod
    def probe(case_dict: dict, values: int = 3, scheduler: str | None = None,
              scheduler_timeout: float = 10.0) -> dict:
        """``scheduler``: a Dask probe's cluster is that scheduler's (--scheduler), not a
        LocalCluster of its own."""
        from bench.results import utc_now
        from workloads.images import fingerprint, generate
        from workloads.registry import make_workload

        case = Case.from_dict(case_dict)
        started = time.perf_counter()
        images = generate(case.images)
        workload = make_workload(case.workload, case.params)
        strategy = make_strategy(case.strategy, PoolConfig(case.workers, case.chunk_size, case.start_method,
                                                          scheduler=scheduler,
                                                          scheduler_timeout=scheduler_timeout))
        if workload.measure is not None:
            result = workload.measure(strategy, images, values)
        else:
            pool = strategy.start(workload, images)
            try:
                strategy.run(pool, workload, images, tasks.noop)        # every worker up and warm
                passes = [timed(lambda: strategy.run(pool, workload, images, tasks.noop))[1]
                          for _ in range(values)]
                strategy.describe_pool(pool)
            finally:
                strategy.stop(pool)
            result = {"values_s": passes, "warmups_s": [], "metadata": {"probe": "warm pool"}}
        result["metadata"]["image_fingerprint"] = fingerprint(images)
        result["metadata"].update(strategy.facts)
        result.update(ok=True, date=utc_now(), duration_s=time.perf_counter() - started)
        return result

    def stop(self) -> dict:
        return {}


@dataclass
class Passes:
    """What a workload's case_metadata reads of a case's passes."""
    last_results: list
    warm_workers: list


def _failures(workload, results) -> dict:
    """How many items of a serial pass failed, and the first failure, as the workload's
    own metadata counts them."""
    meta = workload.case_metadata(Passes(results, []))
    count = meta.get("items_failed", meta.get("failed_images")) or 0
    first = meta.get("first_failed_image")
    if first is None and isinstance(meta.get("failed_items"), str):
        first = (json.loads(meta["failed_items"]) or [None])[0]
    return {"items_failed": count, "first_failure": first}


def _filesystem(path: str) -> str:
    from bench.measure.machine import filesystem_of

    return filesystem_of(path) if os.path.exists(path) else "unknown"
