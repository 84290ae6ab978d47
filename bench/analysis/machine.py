"""Who measured: the machine and run of a results file, as every answer and chart names it.

The facts themselves are collected during a run (:mod:`bench.measure.machine`); this
module reads them back, from the run's section or, in files that lost it, from a case.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bench.analysis.rows import numeric
from bench.results import ResultsFile
from bench.texts.units import format_bytes


@dataclass
class Machine:
    hostname: str
    cpu_model: str
    cpus: int | None
    capacity: float | None
    mem_available: int | None
    mem_total: int | None
    started: str
    default_start_method: str | None
    raw: dict = field(default_factory=dict)

    @classmethod
    def from_results(cls, results: ResultsFile) -> "Machine":
        m = dict(results.run.get("machine", {}))
        if results.benchmarks:          # files where run metadata was lost: per-case copy
            for k, v in results.benchmarks[0].get_metadata().items():
                if k.startswith("bench_") or k in ("hostname", "cpu_model_name"):
                    m.setdefault(k, v)
        cap = results.run.get("capacity", {}).get("capacity", m.get("bench_parallel_capacity"))
        return cls(hostname=str(m.get("hostname", "?")),
                   cpu_model=str(m.get("bench_cpu_model", m.get("cpu_model_name", "?"))),
                   cpus=numeric(m.get("bench_available_cpus")),
                   capacity=numeric(cap),
                   mem_available=numeric(m.get("bench_mem_available")),
                   mem_total=numeric(m.get("bench_mem_total")),
                   started=str(results.run.get("started", "")),
                   default_start_method=m.get("bench_default_start_method"),
                   raw=m)

    @property
    def date(self) -> str:
        """'2026-11-22 02:47 UTC' from the ISO start time (as written when unparsable)."""
        try:
            when = datetime.fromisoformat(self.started)
        except ValueError:
            return self.started or "date unknown"
        zone = " UTC" if when.utcoffset() is not None and not when.utcoffset() else ""
        return when.strftime("%Y-%m-%d %H:%M") + zone

    def _cpus(self) -> list[str]:
        return [f"{self.cpus} CPU{'s' if self.cpus != 1 else ''}"] if self.cpus else []

    def subtitle(self) -> str:
        """One line under every chart title: which machine, when."""
        parts = [self.hostname, self.cpu_model, *self._cpus()]
        if self.capacity:
            parts.append(f"parallel capacity {self.capacity:.2f}")
        parts.append(self.date)
        return " - ".join(parts)

    def summary(self) -> str:
        parts = [self.cpu_model, *self._cpus()]
        parts.append(f"parallel capacity {self.capacity:.2f}" if self.capacity
                     else "parallel capacity not measured")
        if self.mem_available:
            parts.append(f"{format_bytes(self.mem_available)} RAM available")
        return f"{self.hostname} ({', '.join(parts)})"
