"""One finished case as a pyperf benchmark: values in seconds per image, the case and
what it measured as pyperf metadata."""
from __future__ import annotations

import pyperf


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
        "out_layout": case.out_layout or ("flat" if case.workload == "imwrite" else None),
    }
    meta.update(result.get("metadata", {}))
    return {k: _meta_value(v) for k, v in meta.items()}


def case_benchmark(case, result: dict, run_metadata: dict) -> pyperf.Benchmark:
    """One pyperf benchmark from a finished case (seconds per image)."""
    count = case.images.count
    metadata = dict(run_metadata)
    metadata.update(case_metadata(case, result))
    metadata.update({
        "name": case.name,
        "unit": "second",
        "loops": 1,
        "inner_loops": count,
        "date": result["date"],
        "duration": float(result["duration_s"]),
    })
    run = pyperf.Run(
        [v / count for v in result["values_s"]],
        warmups=[(1, v / count) for v in result["warmups_s"]] or None,
        metadata=metadata,
        collect_metadata=False,
    )
    return pyperf.Benchmark([run])
