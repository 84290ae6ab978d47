"""The results file: a pyperf BenchmarkSuite, one benchmark per case.

Values are seconds per image (pyperf ``inner_loops`` = images per pass, so pyperf's
raw values are seconds per pass). Everything pyperf has no place for lives in a
top-level ``"bench"`` object that pyperf ignores when it loads the file: run-wide
facts (machine, parallel capacity, options) and the failed cases with their reasons.

The file is rewritten atomically after every case: temporary file in the same folder,
fsync, rename. A kill at any moment leaves the previous or the new complete file.
"""
from __future__ import annotations

import io
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pyperf

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


@dataclass
class ResultsFile:
    path: str
    run: dict = field(default_factory=dict)
    benchmarks: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    saved: int = 0            # cases (measured + failed) in the file on disk

    # -- reading -------------------------------------------------------------
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

    # -- writing -------------------------------------------------------------
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


def atomic_write_json(path: str, data) -> None:
    """Write, fsync, rename: readers see the old file or the new one, never a torn one.

    Where the OS allows (Linux ``O_TMPFILE``), the new content is written to an
    unnamed file that only gets a name, beside the target, an instant before the
    rename: a kill during the write leaves nothing behind at all. Elsewhere a named
    temporary file is used; one left by a kill is removed by the next ``--resume``.
    """
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    folder = os.path.dirname(os.path.abspath(path))
    umask = os.umask(0)
    os.umask(umask)
    mode = 0o666 & ~umask                      # like any file the user writes
    tmp = os.path.join(folder, f"{_temp_prefix(path)}{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(folder, os.O_TMPFILE | os.O_WRONLY, mode)
        unnamed = True
    except (AttributeError, OSError):          # no O_TMPFILE here, or not on this fs
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        unnamed = False
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
            if unnamed:
                _name_unnamed(fh.fileno(), tmp)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def _name_unnamed(fd: int, name: str) -> None:
    """Give an O_TMPFILE file a name: linkat(/proc/self/fd/N, AT_SYMLINK_FOLLOW).
    (os.link falls back to link(2), which does not follow the /proc link, unless a
    directory fd is given.)"""
    root = os.open("/", os.O_RDONLY)
    try:
        os.link(f"proc/self/fd/{fd}", name, src_dir_fd=root, follow_symlinks=True)
    finally:
        os.close(root)


def _temp_prefix(path: str) -> str:
    return "." + os.path.basename(path) + "."


def remove_stale_temps(path: str) -> list[str]:
    """Remove temporary files a killed writer of ``path`` left beside it."""
    folder = os.path.dirname(os.path.abspath(path))
    prefix = _temp_prefix(path)
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if name.startswith(prefix) and name.endswith(".tmp"):
            try:
                os.unlink(os.path.join(folder, name))
                removed.append(name)
            except OSError:
                pass
    return removed


def newest_results(results_dir: str) -> str | None:
    try:
        names = [n for n in os.listdir(results_dir) if n.endswith(".json") and not n.startswith(".")]
    except OSError:
        return None
    if not names:
        return None
    return max((os.path.join(results_dir, n) for n in names), key=os.path.getmtime)
