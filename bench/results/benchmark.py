"""One finished case as a pyperf benchmark: values in seconds per image, the case and
what it measured as pyperf metadata."""
from __future__ import annotations

import pyperf

from workloads.registry import has_layouts


def _meta_value(value):
    """pyperf metadata accepts non-empty str, int and float only."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "none"
    if isinstance(value, (int, float)):
        return value
    text = str(value).replace("\n", " ").strip()
    return text or "none"


def case_metadata(case, result: dict) -> dict:
    images = case.images
    meta = {
        "workload": case.workload,
        "group": case.group,
        "image_size": images.size.label,
        "image_content": images.content,
        "image_count": images.count,
        "image_seed": images.seed,
        "image_bytes": images.size.nbytes,
        "workload_params": case.label,
        "strategy": case.strategy,
        "family": case.family,
        "workers": case.workers,
        "chunk_size": case.chunk_size,
        "chunk_rule": (case.chunk_rule or "fixed") if case.chunk_size is not None else None,
        "start_method": case.start_method,
        "out_layout": case.out_layout or ("flat" if has_layouts(case.workload) else None),
    }
    meta.update(result.get("metadata", {}))
    return {k: _meta_value(v) for k, v in meta.items()}


def _metadata(case, result: dict, run_metadata: dict) -> dict:
    """The metadata every run of a case's benchmark carries (the case, what it measured)."""
    return {**run_metadata, **case_metadata(case, result), "name": case.name, "unit": "second",
            "loops": 1, "inner_loops": case.images.count}


def case_benchmark(case, result: dict, run_metadata: dict) -> pyperf.Benchmark:
    """One pyperf benchmark from a finished case (seconds per image)."""
    count = case.images.count
    metadata = dict(_metadata(case, result, run_metadata), date=result["date"],
                    duration=float(result["duration_s"]))
    run = pyperf.Run(
        [v / count for v in result["values_s"]],
        warmups=[(1, v / count) for v in result["warmups_s"]] or None,
        metadata=metadata,
        collect_metadata=False,
    )
    return pyperf.Benchmark([run])


def race_benchmark(case, visits: list[dict], figures: dict, run_metadata: dict) -> pyperf.Benchmark:
    """A raced configuration: one run per visit, its one value the timed pool pass (seconds
    per image), its paired serial pass and round in the run's metadata; ``figures`` (what is
    known of the configuration as a whole) in every run, so pyperf shows them as the
    benchmark's."""
    count = case.images.count
    common = _metadata(case, {"metadata": figures}, run_metadata)
    runs = []
    for v in visits:
        meta = dict(common, date=v["date"], duration=float(v["pool_s"]),
                    race_round=int(v["round"]), paired_serial_per_image_s=v["serial_per_image_s"])
        if v.get("order"):
            meta["paired_order"] = v["order"]
        if v.get("steal") is not None:
            meta["steal_share"] = float(v["steal"])
        runs.append(pyperf.Run([v["pool_s"] / count], metadata={k: _meta_value(x) for k, x in meta.items()},
                               collect_metadata=False))
    return pyperf.Benchmark(runs)
