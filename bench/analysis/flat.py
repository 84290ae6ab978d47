"""Every case of a results file as one flat record: the report's table and its CSV.

One column per figure (TABLE_COLUMNS), ``None`` where a file did not measure it.
"""
from __future__ import annotations

import os

from bench.analysis.load import Analysis
from bench.analysis.rows import DECOMP_KEYS, MEMORY_KEYS, is_overhead_workload
from workloads.registry import has_layouts


TABLE_COLUMNS = (
    "name", "workload", "image_size", "image_content", "image_count", "params", "strategy",
    "family", "workers", "chunk_size", "start_method", "out_layout", "values", "median_s_per_image",
    "stdev_s_per_image", "img_per_s", "spread_pct", "speedup", "efficiency_pct",
    "cold_img_per_s", "first_result_s") + MEMORY_KEYS + DECOMP_KEYS + (
    "model_load_s", "verified", "hostname", "file")


def table(analysis: Analysis) -> list[dict]:
    serial = {g.key: g.serial for g in analysis.groups()}
    capacity = analysis.machine.capacity
    out = []
    for r in analysis.rows:
        speedup = r.speedup_over(serial.get(r.group))
        spread = r.spread
        row = {
            "name": r.name, "workload": r.workload, "image_size": r.meta.get("image_size"),
            "image_content": r.meta.get("image_content"), "image_count": r.image_count,
            "params": r.params, "strategy": r.strategy, "family": r.family, "workers": r.workers,
            "chunk_size": r.chunk_size, "start_method": r.start_method,
            "out_layout": r.meta.get("out_layout") if has_layouts(r.workload) else None,
            "values": r.nvalues,
            "median_s_per_image": r.median_s,
            "stdev_s_per_image": r.bench.stdev() if r.nvalues >= 2 else None,
            "img_per_s": r.throughput,
            "spread_pct": 100 * spread if spread is not None else None,
            "speedup": speedup,
            "efficiency_pct": 100 * speedup / capacity if speedup and capacity else None,
            "cold_img_per_s": r.cold_throughput, "first_result_s": r.get("first_result_s"),
            "verified": r.meta.get("verified"), "hostname": r.meta.get("hostname"),
            "file": os.path.basename(r.file),
            **{key: r.get(key) for key in MEMORY_KEYS + DECOMP_KEYS + ("model_load_s",)},
        }
        if is_overhead_workload(r.workload):
            # values are not seconds per image: no throughput or speedup to speak of
            row.update(img_per_s=None, speedup=None, efficiency_pct=None)
        out.append(row)
    return out
