"""The results file (docs/results-format.md): a pyperf BenchmarkSuite, one benchmark per
case, and a top-level ``"bench"`` object pyperf ignores (run-wide facts, failed cases).
Rewritten atomically after every case.
"""
from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pyperf

from bench.results.atomic import atomic_write_json

FORMAT_VERSION = 1


def utc_now() -> str:
    """The timestamp format of every date in a results file."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ResultsError(Exception):
    """A results file that cannot be used; the message is one line for the user."""


class ResultsWriteError(Exception):
    """The results file could not be written (disk full, folder gone or read-only).

    The file on disk is untouched: it still holds what the last successful save wrote.
    """

    def __init__(self, message: str, saved: int):
        super().__init__(message)
        self.saved = saved          # cases in the file as it is on disk


@dataclass
class ResultsFile:
    path: str
    run: dict = field(default_factory=dict)
    benchmarks: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    saved: int = 0            # cases (measured + failed) in the file on disk

    @classmethod
    def load(cls, path: str) -> "ResultsFile":
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except FileNotFoundError:
            raise ResultsError(f"{path}: no such results file") from None
        except IsADirectoryError:
            raise ResultsError(f"{path}: is a folder, not a results file") from None
        except UnicodeDecodeError:
            raise ResultsError(f"{path}: not a bench results file (not UTF-8 text)") from None
        except OSError as exc:
            raise ResultsError(f"{path}: cannot read ({exc.strerror or exc})") from None
        except json.JSONDecodeError as exc:
            raise ResultsError(f"{path}: not a bench results file (not valid JSON: {exc.msg} "
                               f"at line {exc.lineno})") from None
        return cls.from_json(path, data)

    @classmethod
    def from_json(cls, path: str, data) -> "ResultsFile":
        if not isinstance(data, dict) or not isinstance(data.get("bench"), dict):
            raise ResultsError(f"{path}: not a bench results file (no 'bench' section; "
                               "was it written by `python -m bench`?)")
        section = data["bench"]
        version = section.get("format_version")
        if version != FORMAT_VERSION:
            raise ResultsError(f"{path}: results format version {version!r} is not supported "
                               f"by this bench (expects {FORMAT_VERSION})")
        benchmarks = []
        if data.get("benchmarks"):
            try:
                suite = pyperf.BenchmarkSuite.loads(json.dumps(data))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                # pyperf's loader trusts its input; any malformed part ends up here
                raise ResultsError(f"{path}: not a valid pyperf suite ({type(exc).__name__}: {exc})") from None
            benchmarks = list(suite)
        run, failed = section.get("run", {}), section.get("failed", [])
        if not isinstance(run, dict) or not isinstance(failed, list) or not all(
                isinstance(f, dict) and isinstance(f.get("name"), str) for f in failed):
            raise ResultsError(f"{path}: not a bench results file (its 'bench' section is damaged)")
        return cls(path, dict(run), benchmarks, list(failed), len(benchmarks) + len(failed))

    def add(self, benchmark: pyperf.Benchmark) -> None:
        name = benchmark.get_name()
        self.benchmarks = [b for b in self.benchmarks if b.get_name() != name]
        self.failed = [f for f in self.failed if f["name"] != name]
        self.benchmarks.append(benchmark)

    def add_failure(self, name: str, case: dict, reason: str, date: str, detail: str = "") -> None:
        """``detail``: the end of the case's output or traceback, for diagnosis."""
        self.failed = [f for f in self.failed if f["name"] != name]
        entry = {"name": name, "case": case, "reason": reason, "date": date}
        if detail:
            entry["detail"] = detail
        self.failed.append(entry)

    def names(self) -> set[str]:
        return {b.get_name() for b in self.benchmarks} | {f["name"] for f in self.failed}

    def to_json(self) -> dict:
        if self.benchmarks:
            buf = io.StringIO()
            pyperf.BenchmarkSuite(self.benchmarks).dump(buf, compact=False)
            data = json.loads(buf.getvalue())
        else:
            data = {"version": "1.0", "benchmarks": []}
        data["bench"] = {"format_version": FORMAT_VERSION, "run": self.run, "failed": self.failed}
        return data

    def save(self) -> None:
        try:
            atomic_write_json(self.path, self.to_json())
        except OSError as exc:
            raise ResultsWriteError(f"cannot write the results file {self.path}: "
                                    f"{exc.strerror or exc}", self.saved) from None
        self.saved = len(self.benchmarks) + len(self.failed)


def newest_results(results_dir: str) -> str | None:
    try:
        names = [n for n in os.listdir(results_dir) if n.endswith(".json") and not n.startswith(".")]
    except OSError:
        return None
    return max((os.path.join(results_dir, n) for n in names), key=os.path.getmtime, default=None)
