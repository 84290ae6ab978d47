"""Answers matched across results files: one workload and image set, whatever the image count
(two machines rarely share one: a run sizes its sets from its worker counts), by
:class:`AnswerKey`. A :class:`Pick` holds one file's decision and the figures a comparison
needs, with the per-pass samples behind them (docs/compare.md).
"""
from __future__ import annotations

from dataclasses import dataclass

from bench.analysis.records import AsJson
from bench.analysis.load import Analysis
from bench.analysis.recommend import Answer, Memory, recommend
from bench.analysis.rows import CaseRow, Group

CPU_FACTOR = 2          # workers per usable CPU at most: the top of bench's worker ladder


@dataclass(frozen=True, order=True)
class AnswerKey(AsJson):
    """What an answer is about: workload, image size and content, workload parameters."""
    workload: str
    size: str
    content: str
    params: str

    JSON = {"workload": "workload", "image_size": "size", "image_content": "content",
            "params": "params"}

    @property
    def title(self) -> str:
        """Plain words: 'imwrite 50x50x1 noise, jpg-q95'."""
        head = " ".join(p for p in (self.workload, self.size, self.content) if p)
        return f"{head}, {self.params}" if self.params else head


def answer_key(group: Group) -> AnswerKey:
    r = group.first
    return AnswerKey(r.workload, str(r.meta.get("image_size", "?")),
                     str(r.meta.get("image_content", "") or ""), r.params)


@dataclass
class WorkerLimits(AsJson):
    """How many workers of the pick this machine can run: CPUs and memory counted (the RAM
    ceiling alone says "8,286 workers" on 2 CPUs)."""
    cpu_bound: int | None          # CPU_FACTOR x usable CPUs (None: CPUs not recorded)
    memory_ceiling: int | None     # process workers that fit in RAM (None: not measured/applicable)
    usable: int | None             # the smaller of the two known bounds
    kind: str                      # "serial", "threads" (share the parent's memory), "processes"

    JSON = {"cpu_bound": "cpu_bound", "memory_ceiling": "memory_ceiling", "usable": "usable",
            "kind": "kind"}


def worker_limits(row: CaseRow, memory: Memory, cpus: int | None) -> WorkerLimits:
    if row.family == "serial":
        return WorkerLimits(None, None, 1, "serial")
    cpu_bound = CPU_FACTOR * int(cpus) if cpus else None
    ceiling = memory.ceiling if row.family != "threads" else None
    known = [b for b in (cpu_bound, ceiling) if b is not None]
    return WorkerLimits(cpu_bound, ceiling, min(known) if known else None,
                        "threads" if row.family == "threads" else "processes")


@dataclass
class Pick:
    """One machine's answer for one workload and image set."""
    analysis: Analysis
    answer: Answer
    key: AnswerKey

    @property
    def row(self) -> CaseRow:
        return self.answer.choice

    @property
    def group(self) -> Group:
        return self.answer.group

    @property
    def images(self) -> int:
        return self.row.image_count

    @property
    def throughput(self) -> float:
        return self.row.throughput

    def throughput_samples(self) -> list[float]:
        """Seconds per image, pass by pass."""
        return list(self.row.bench.get_values())

    @property
    def speedup(self) -> float | None:
        return self.row.speedup_over(self.group.serial)

    def speedup_samples(self) -> list[float] | None:
        """Per-pass speedups over the serial loop, or None when the file has none."""
        if self.row.family == "serial":
            return [1.0] * max(2, self.row.nvalues)
        return self.row.paired_ratios or None

    @property
    def efficiency(self) -> float | None:
        cap, sp = self.analysis.machine.capacity, self.speedup
        return sp / cap if sp is not None and cap else None

    @property
    def memory(self) -> Memory:
        return self.answer.choice_memory

    @property
    def limits(self) -> WorkerLimits:
        return worker_limits(self.row, self.memory, self.analysis.machine.cpus)

    @property
    def evidence(self) -> dict:
        """How much the pick rests on: its passes, and how its group's race ended."""
        race = self.analysis.results.run.get("race", {}).get(self.group.key, {})
        return {"passes": self.row.nvalues, "race_outcome": race.get("outcome") or None,
                "race_rounds": race.get("rounds")}


def picks(analysis: Analysis) -> dict[AnswerKey, Pick]:
    """Every answer of a file by its key, in file order; of two groups of one key, the one
    with more images (its passes are the longer, its timings the surer)."""
    out: dict[AnswerKey, Pick] = {}
    for a in recommend(analysis):
        key = answer_key(a.group)
        if key not in out or a.choice.image_count > out[key].row.image_count:
            out[key] = Pick(analysis, a, key)
    return out


def run_kind(analysis: Analysis) -> str:
    """'race' (a budgeted run), or 'exhaustive' (every configuration in full: the same
    engine since 0.2, a pyperf run per visit; before, a run per case)."""
    run = analysis.results.run
    if run.get("mode") == "exhaustive":
        return "exhaustive"
    return "race" if run.get("mode") == "race" or run.get("race") else "exhaustive"


def capacity_readings(analysis: Analysis) -> list[float]:
    """The capacity's own readings where the file keeps them: the repeats of the reading
    kept, else one figure per reading taken (else the one figure)."""
    cap = analysis.results.run.get("capacity", {})
    for key in ("repeats", "readings"):
        readings = [r for r in cap.get(key, []) or [] if isinstance(r, (int, float))]
        if len(readings) > 1 or (readings and key == "readings"):
            return [float(r) for r in readings]
    return [analysis.machine.capacity] if analysis.machine.capacity else []
