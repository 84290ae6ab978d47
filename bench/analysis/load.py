"""A results file read for answers: its rows, its machine and its throughput groups.

``load`` is where every answer command starts: the files named (or the newest one),
each checked and analysed; an unusable file raises ``ResultsError`` with one line.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from bench.analysis.machine import Machine
from bench.analysis.rows import CaseRow, Group, grouped, is_overhead_workload
from bench.results import ResultsError, ResultsFile, newest_results
from bench.texts import messages


@dataclass
class Analysis:
    results: ResultsFile
    machine: Machine
    rows: list

    @property
    def path(self) -> str:
        return self.results.path

    @property
    def stem(self) -> str:
        return os.path.splitext(os.path.basename(self.path))[0]

    def groups(self) -> list[Group]:
        """Throughput groups (overhead workloads excluded), in file order."""
        work = (r for r in self.rows if not is_overhead_workload(r.workload))
        return [Group(k, v) for k, v in grouped(work, lambda r: r.group).items()]


def analyse(results: ResultsFile) -> Analysis:
    rows = [CaseRow.from_benchmark(b, results.path) for b in results.benchmarks]
    return Analysis(results, Machine.from_results(results), rows)


def load(paths: list[str] | None, results_dir: str = "results") -> list[Analysis]:
    if not paths:
        paths = [newest_results(results_dir)]
        if paths[0] is None:
            raise ResultsError(messages.NO_RESULTS_FILE.format(folder=results_dir))
    out = []
    for path in paths:
        results = ResultsFile.load(path)
        if not results.benchmarks:
            failed = messages.NO_MEASURED_CASES_FAILED.format(count=len(results.failed))
            raise ResultsError(messages.NO_MEASURED_CASES.format(path=path)
                               + (failed if results.failed else ""))
        out.append(analyse(results))
    return out
