"""``--resume`` of a budgeted run: a group's race state rebuilt from the results file
(its benchmarks' runs and the group's ``bench.run.race`` entry: docs/race.md, "What the
results file holds"); the race then goes on with its next round.
"""
from __future__ import annotations

from bench.model.case import Case
from bench.run.race_state import NOT_RACED_SEARCH, NOT_RACED_SLOW, RACING, ConfigState, GroupState


def _runs(results, name: str):
    bench = next((b for b in results.benchmarks if b.get_name() == name), None)
    return [] if bench is None else bench.get_runs()


def restore(state: GroupState, stored: dict, results) -> None:
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
        count = cfg.count
        for run in _runs(results, name):
            meta = run.get_metadata()
            cfg.visits.append({"round": int(meta.get("race_round", 0)), "pool_s": run.values[0] * count,
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
            cfg.status = "failed"
        else:
            cfg.status = RACING
