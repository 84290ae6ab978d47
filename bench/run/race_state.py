"""What a race knows while it runs, and how that becomes (and comes back from) the
results file: one pyperf benchmark per configuration, a run per visit, plus the
group's state in the file's ``bench`` section so ``--resume`` continues its rounds."""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from bench.model.case import Case
from bench.results import race_benchmark, utc_now
from bench.results.paired import paired_ratios, paired_speedup

RACING, OUT, FAILED = "racing", "out", "failed"
NOT_RACED_BUDGET = "budget"      # planned, but the budget left no room for it
NOT_RACED_SLOW = "pilot"         # entered, but the pilot found passes too slow to race it too
NOT_RACED_SEARCH = "search"      # entered, but round one's passes left its time to the worker-count search


@dataclass
class ConfigState:
    case: Case
    visits: list = field(default_factory=list)   # {"round", "pool_s", "serial_per_image_s", ...}
    status: str = RACING
    out_round: int | None = None
    out_reason: str = ""
    verified: str = "pending"
    cold: dict = field(default_factory=dict)     # start_and_first_pass_s, first_result_s, shutdown_s
    reports: list = field(default_factory=list)  # worker set-up reports of its first pool
    explained: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)    # the workload's own facts (pose detections)
    out_fs: str | None = None

    @property
    def name(self) -> str:
        return self.case.name

    @property
    def count(self) -> int:
        return self.case.images.count

    def _pairs(self) -> tuple[list[float], list[float]]:
        """Per visit, its serial pass and its pool pass, in seconds per image."""
        return ([v["serial_per_image_s"] for v in self.visits],
                [v["pool_s"] / self.count for v in self.visits])

    def ratios(self) -> list[float]:
        """Paired speedups, one per visit: serial per image over pool per image."""
        return paired_ratios(*self._pairs())

    def figures(self) -> dict:
        """The configuration's own metadata: every figure from the same visits."""
        out: dict = {}
        if self.visits:
            pool = [v["pool_s"] for v in self.visits]
            serial_pass = [v["serial_per_image_s"] * self.count for v in self.visits]
            out.update({
                "paired_serial_s": statistics.median(serial_pass),
                "paired_serial_min_s": min(serial_pass), "paired_serial_max_s": max(serial_pass),
                # one per timed pass, in order: visit k's speedup is passes[k] / values[k]
                "paired_serial_passes_s": " ".join(repr(float(x)) for x in serial_pass),
                "paired_speedup": paired_speedup(*self._pairs()),
                "race_visits": len(self.visits),
                "race_pass_median_s": statistics.median(pool),
            })
        cold = self.cold
        if cold.get("start_and_first_pass_s") is not None:
            total = cold["start_and_first_pass_s"] + (cold.get("shutdown_s") or 0.0)
            out.update({"cold_total_s": total, "cold_per_image_s": total / self.count,
                        "cold_passes": 1, "cold_min_s": total, "cold_max_s": total,
                        "first_result_s": cold.get("first_result_s"),
                        "cold_shutdown_measured": cold.get("shutdown_s") is not None})
        ex = dict(self.explained)
        if ex.get("explain_cold_total_s") is not None:
            # fresh pools of their own: the better cold figure
            total = ex["explain_cold_total_s"]
            out.update({"cold_total_s": total, "cold_per_image_s": total / self.count,
                        "cold_passes": ex.get("explain_cold_passes", 1),
                        "first_result_s": ex.get("explain_first_result_s")})
        out.update(ex)
        if self.reports:        # per-worker facts from the pool initializers
            setups = [r["setup_s"] for r in self.reports]
            out.update(pool_workers_started=len(self.reports), worker_setup_s=statistics.median(setups),
                       worker_setup_max_s=max(setups),
                       cv_threads_worker=max(r["cv_threads"] for r in self.reports))
        out.update(self.extra)
        out.update({"race_status": self.status, "race_out_round": self.out_round,
                    "race_out_reason": self.out_reason or None, "verified": self.verified,
                    "out_fs": self.out_fs})
        return out


@dataclass
class GroupState:
    key: str
    configs: dict                   # name -> ConfigState (serial not included)
    serial: Case
    serial_passes: list = field(default_factory=list)   # {"round", "seconds", "images", ...}
    rounds: int = 0
    status: str = "planned"         # planned | racing | done
    outcome: str = ""               # winner | tie | budget | one left | rounds
    pilot: dict = field(default_factory=dict)
    serial_extra: dict = field(default_factory=dict)    # the workload's facts of the serial loop
    finalists: list = field(default_factory=list)
    not_raced: dict = field(default_factory=dict)       # strategy or case -> why (NOT_RACED_*)
    duration_s: float = 0.0
    timed_s: float = 0.0
    # the worker-count search (bench.plan.search): 0 not begun, 1 the coarse ladder entered
    # (round ``search_round``), 2 refined; the configurations whose lines it searches
    search_stage: int = 0
    search_round: int = 0
    search_leaders: list = field(default_factory=list)

    def racing(self) -> list[ConfigState]:
        return [c for c in self.configs.values() if c.status == RACING]

    def section(self) -> dict:
        """The group's state for the file's ``bench.run.race`` (what resume needs)."""
        return {
            "status": self.status, "outcome": self.outcome, "rounds": self.rounds,
            "serial": self.serial.as_dict(),
            "entrants": [c.case.as_dict() for c in self.configs.values()],
            "out": {c.name: {"round": c.out_round, "reason": c.out_reason, "status": c.status}
                    for c in self.configs.values() if c.status != RACING},
            "finalists": list(self.finalists), "pilot": self.pilot,
            "not_raced": self.not_raced, "duration_s": round(self.duration_s, 2),
            "timed_s": round(self.timed_s, 3),
            "search": {"stage": self.search_stage, "round": self.search_round,
                       "leaders": list(self.search_leaders)},
        }

    def benchmarks(self, machine_meta: dict) -> list:
        out = []
        if self.serial_passes:          # the serial loop: every serial pass, one run each
            count = self.serial.images.count
            visits = [{"round": p["round"], "pool_s": p["seconds"] / p["images"] * count,
                       "serial_per_image_s": p["seconds"] / p["images"], "date": p["date"],
                       "steal": p.get("steal")} for p in self.serial_passes]
            figures = dict(self.serial_extra, race_status="reference", verified="yes",
                           out_fs=self.pilot.get("fs"), race_visits=len(visits),
                           serial_slice=self.serial_passes[0]["images"])
            out.append(race_benchmark(self.serial, visits, figures, machine_meta))
        for c in self.configs.values():
            if c.visits and c.status != FAILED:      # a failed one is in the file's failures
                out.append(race_benchmark(c.case, c.visits, c.figures(), machine_meta))
        return out


def visit_record(round_: int, pool_s: float, serial: dict, steal, pool_first: bool = False) -> dict:
    return {"round": round_, "pool_s": pool_s,
            "serial_per_image_s": serial["seconds"] / serial["images"],
            "order": "pool-first" if pool_first else "serial-first",
            "steal": steal, "date": utc_now()}


def _runs(results, name: str):
    bench = next((b for b in results.benchmarks if b.get_name() == name), None)
    return [] if bench is None else bench.get_runs()


def restore(state: GroupState, stored: dict, results) -> None:
    """``--resume``: ``state`` as the results file left it (its benchmarks' runs and the
    group's ``bench.run.race`` entry: docs/race.md, "What the results file holds")."""
    state.rounds = int(stored.get("rounds", 0))
    state.pilot = dict(stored.get("pilot") or {})
    state.outcome = stored.get("outcome", "")
    state.timed_s = float(stored.get("timed_s", 0.0))
    state.duration_s = float(stored.get("duration_s", 0.0))
    for run in _runs(results, state.serial.name):
        meta = run.get_metadata()
        per_image = float(meta["paired_serial_per_image_s"])
        images = int(state.pilot.get("images") or state.serial.images.count)
        state.serial_passes.append({"round": int(meta.get("race_round", 0)), "seconds": per_image * images,
                                    "images": images, "date": meta.get("date", ""),
                                    "steal": meta.get("steal_share")})
    # configurations the worker-count search entered race on
    for entrant in stored.get("entrants") or []:
        case = Case.from_dict(entrant)
        if case.family != "serial" and case.name not in state.configs:
            state.configs[case.name] = ConfigState(case)
    found = stored.get("search") or {}
    state.search_stage = int(found.get("stage", 0))
    state.search_round = int(found.get("round", 0))
    state.search_leaders = list(found.get("leaders") or [])
    # configurations the pilot or the search left out stay out
    for name, why in (stored.get("not_raced") or {}).items():
        state.not_raced[name] = why
        if why in (NOT_RACED_SLOW, NOT_RACED_SEARCH):
            state.configs.pop(name, None)
    out = stored.get("out", {})
    for name, cfg in state.configs.items():
        for run in _runs(results, name):
            meta = run.get_metadata()
            cfg.visits.append({"round": int(meta.get("race_round", 0)), "pool_s": run.values[0] * cfg.count,
                               "serial_per_image_s": float(meta["paired_serial_per_image_s"]),
                               "steal": meta.get("steal_share"), "date": meta.get("date", ""),
                               "order": meta.get("paired_order")})
            if cfg.verified == "pending" and meta.get("verified") in ("yes", "skipped"):
                cfg.verified = meta["verified"]
        if name in out:
            cfg.status = out[name].get("status", "out")
            cfg.out_round = out[name].get("round")
            cfg.out_reason = out[name].get("reason", "")
        elif name in {f["name"] for f in results.failed}:
            cfg.status = FAILED
        else:
            cfg.status = RACING
