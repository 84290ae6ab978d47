"""``recommend --code``: the recommended configuration as a short runnable Python script
(standard library, numpy, cv2; mediapipe for pose). Dask picks are not written out (a
cluster is set up outside a script): the snippet is of the best local configuration.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass

from bench.analysis.recommend import Answer
from bench.analysis.rows import CaseRow
from bench.output.snippet_work import Work, for_workload, task_of
from bench.strategies import STRATEGIES
from bench.texts import messages
from bench.texts.units import format_rate, format_speedup

# What a strategy declares on its class decides its snippet: ``snippet`` names the shape
# of the code (one writer per shape below), ``route`` the docstring's words,
# ``tasks_per_worker`` the "auto" chunk rule, ``fork_only`` the pixels inherited at fork.
SHAPES = ("loop", "per-image", "slices", "map", "shm", "inherit")


def written(name: str) -> bool:
    """Whether the strategy's class names a shape; only those are written."""
    cls = STRATEGIES.get(name)
    return cls is not None and cls.snippet in SHAPES


@dataclass(frozen=True)
class Config:
    strategy: str
    workers: int = 1
    chunk_size: int | None = None
    chunk_auto: bool = False
    start_method: str | None = None
    cv_threads: int | None = None
    folder_per_task: bool = False

    @classmethod
    def of(cls, row: CaseRow) -> "Config":
        return cls(row.strategy, row.workers, row.chunk_size, row.chunk_policy == "auto",
                   row.start_method, row.cv_threads, row.folder_per_task)

    @property
    def family(self) -> str:
        return STRATEGIES[self.strategy].family

    @property
    def per_task(self) -> int:
        return STRATEGIES[self.strategy].tasks_per_worker or 1

    @property
    def inherits(self) -> bool:
        return STRATEGIES[self.strategy].fork_only


def _chunk_line(c: Config) -> str:
    if c.chunk_auto or c.chunk_size is None:
        tasks = "WORKERS" if c.per_task == 1 else f"({c.per_task} * WORKERS)"
        return f"    chunk = max(1, math.ceil(len(images) / {tasks}))"
    return "    chunk = CHUNK"


def _pool(c: Config, initializer: str, initargs: str = "", indent: int = 4) -> str:
    """The pool's constructor, its arguments wrapped under the parenthesis when long."""
    args = ["WORKERS"]
    if c.family == "processes":
        method = '"fork"' if c.inherits else "START_METHOD"
        args.append(f"mp_context=multiprocessing.get_context({method})")
    if initializer:
        args.append(f"initializer={initializer}")
    if initargs:
        args.append(f"initargs={initargs}")
    name = "ThreadPoolExecutor" if c.family == "threads" else "ProcessPoolExecutor"
    one_line = f"{name}({', '.join(args)})"
    if indent + len("with  as pool:") + len(one_line) <= 95:
        return one_line
    pad = " " * (indent + len("with ") + len(name) + 1)
    return f"{name}(" + f",\n{pad}".join(args) + ")"


def _strategy(c: Config, w: Work, init: str) -> tuple[list, str]:
    """Imports, and ``run`` with its helpers."""
    a = ", out_dir" if w.writes else ""
    sig = f"images{a}"
    cv = f"    cv2.setNumThreads({c.cv_threads})   # process-wide: every thread\n" \
        if c.cv_threads is not None and c.family != "processes" else ""
    shape = STRATEGIES[c.strategy].snippet
    pool = _pool(c, init, indent=4 if shape != "inherit" else 8)
    imports = ["multiprocessing", "concurrent.futures.ProcessPoolExecutor"] if c.family == "processes" \
        else ["concurrent.futures.ThreadPoolExecutor"] if c.family == "threads" else []
    if c.cv_threads is not None:
        imports.append("cv2")
    if shape == "loop":
        call = f"    {init}()\n" if init else ""
        return imports, f'''def run({sig}):
{cv}{call}    return [work(i, image{a}) for i, image in enumerate(images)]'''
    if shape == "per-image":
        return imports, f'''def run({sig}):
{cv}    with {pool} as pool:
        futures = [pool.submit(work, i, image{a}) for i, image in enumerate(images)]
        return [f.result() for f in futures]'''
    imports.append("math")
    chunk = _chunk_line(c)
    own = ""
    if c.folder_per_task and w.writes:
        imports.append("os")
        own = ('    out_dir = os.path.join(out_dir, f"task-{start:06d}")   # a folder per task\n'
               "    os.makedirs(out_dir, exist_ok=True)\n")
    if shape == "slices":
        return imports, f'''def work_slice(start, images{a}):
    """One task: a contiguous slice of the images, sent with it."""
{own}    return [work(start + k, image{a}) for k, image in enumerate(images)]


def run({sig}):
{cv}{chunk}
    with {pool} as pool:
        futures = [pool.submit(work_slice, s, images[s:s + chunk]{a})
                   for s in range(0, len(images), chunk)]
        return [r for f in futures for r in f.result()]'''
    if shape == "map":
        extra = ", itertools.repeat(out_dir)" if w.writes else ""
        if w.writes:
            imports.append("itertools")
        return imports, f'''def run({sig}):
{chunk}
    with {pool} as pool:
        return list(pool.map(work, range(len(images)), images{extra}, chunksize=chunk))'''
    ranges = f'''def work_range(start, stop{a}):
    """One task: images start..stop of the set this worker already holds."""
{own}    return [work(i, _images[i]{a}) for i in range(start, stop)]'''
    submit = f"pool.submit(work_range, s, min(s + chunk, len(images)){a})"
    if shape == "shm":
        imports += ["multiprocessing.shared_memory", "numpy"]
        attach_init = f"    {init}()\n" if init else ""
        pool = _pool(c, "attach", "(block.name, images.shape, images.dtype.str)", indent=8)
        return imports, f'''_images = None     # in a worker: the images, read from shared memory
_block = None


def attach(name, shape, dtype):
    """Once per worker: map the shared block (no pixels are sent with the tasks)."""
    global _images, _block
    _block = multiprocessing.shared_memory.SharedMemory(name=name)
    _images = np.ndarray(shape, np.dtype(dtype), buffer=_block.buf)
{attach_init}

{ranges}


def run({sig}):
    images = np.ascontiguousarray(images)          # equal-sized images, one array
{chunk}
    block = multiprocessing.shared_memory.SharedMemory(create=True, size=max(1, images.nbytes))
    try:
        np.ndarray(images.shape, images.dtype, buffer=block.buf)[...] = images   # copied once
        with {pool} as pool:
            futures = [{submit}
                       for s in range(0, len(images), chunk)]
            return [r for f in futures for r in f.result()]
    finally:
        block.close()
        block.unlink()'''
    if shape == "inherit":
        return imports, f'''_images = None     # set before the pool forks: its workers inherit it (copy-on-write)


{ranges}


def run({sig}):
    global _images
    _images = images
{chunk}
    try:
        with {pool} as pool:
            futures = [{submit}
                       for s in range(0, len(images), chunk)]
            return [r for f in futures for r in f.result()]
    finally:
        _images = None'''
    raise ValueError(f"no snippet for strategy {c.strategy!r}")


THIRD_PARTY = {"cv2": "import cv2", "numpy": "import numpy as np", "mediapipe": "import mediapipe as mp"}


def _import_block(names) -> str:
    """The standard library's imports first, then cv2, numpy, mediapipe."""
    own = sorted(set(names) - THIRD_PARTY.keys())
    pools = [n.removeprefix("concurrent.futures.") for n in own if n.startswith("concurrent.futures.")]
    lines = [f"import {n}" for n in own if not n.startswith("concurrent.futures.")]
    if pools:
        lines.append(f"from concurrent.futures import {', '.join(pools)}")
    third = [line for n, line in THIRD_PARTY.items() if n in names]
    return "\n".join(lines + ([""] if lines and third else []) + third)


def _main(w: Work, shape: tuple, count: int = 8) -> str:
    h, wd, ch = shape
    ch = 3 if w.rgb else ch
    kind = "RGB" if w.rgb else ("BGR" if ch == 3 else "grey")
    lines = ['if __name__ == "__main__":',
             f"    # your images: equal-sized {h}x{wd}x{ch} uint8 {kind} arrays; random ones to try it",
             f"    images = np.random.default_rng(0).integers(0, 256, ({count}, {h}, {wd}, {ch}), dtype=np.uint8)"]
    if w.writes:
        lines += ['    out_dir = "out"', "    os.makedirs(out_dir, exist_ok=True)",
                  "    results = run(images, out_dir)"]
    else:
        lines.append("    results = run(images)")
    lines.append('    print(len(results), "images done")')
    return "\n".join(lines)


def write(c: Config, w: Work, header: str, shape: tuple = (64, 64, 3)) -> str:
    init_lines = list(w.init_body)
    if c.cv_threads is not None and c.family == "processes":
        init_lines.insert(0, f"cv2.setNumThreads({c.cv_threads})   # in every worker")
    init = "init" if init_lines else ""
    imports, run = _strategy(c, w, init)
    consts = [f"WORKERS = {c.workers}"] if c.family != "serial" else []
    if c.chunk_size is not None and not c.chunk_auto:
        consts.append(f"CHUNK = {c.chunk_size}")
    if c.family == "processes" and not c.inherits:
        consts.append(f'START_METHOD = "{c.start_method or "fork"}"')
    head = [header, _import_block(set(imports) | set(w.imports) | {"numpy"})]
    head += ["\n".join(consts)] if consts else []
    head += [w.setup] if w.setup else []
    defs = []
    if init:
        body = "\n".join("    " + line for line in init_lines)
        defs.append(f'def init():\n    """Once per worker, before its first image."""\n{body}')
    defs += [w.work, run, _main(w, shape)]
    # one blank line between the module's head parts, two around definitions (PEP 8)
    return ("\n\n".join(p.strip("\n") for p in head) + "\n\n\n"
            + "\n\n\n".join(p.strip("\n") for p in defs) + "\n")


def _local_row(a: Answer) -> tuple[CaseRow | None, str]:
    """The row to write out, and a note when it is not the pick itself (Dask, or a
    strategy no snippet is written for)."""
    if written(a.choice.strategy):
        return a.choice, ""
    local = [r for r in a.group.rows if written(r.strategy)]
    if not local:
        return None, messages.SNIPPET_NOT_WRITTEN.format(pick=a.choice.describe())
    best = max(local, key=a.group.rate)
    why = messages.SNIPPET_NOT_LOCAL if a.choice.family == "dask" else messages.SNIPPET_OTHER
    return best, why.format(pick=a.choice.describe(), local=best.describe())


def _shape(row: CaseRow) -> tuple:
    try:
        w, h, c = (int(x) for x in str(row.meta.get("image_size", "64x64x3")).split("x"))
        return h, w, c
    except ValueError:
        return 64, 64, 3


def snippet(a: Answer, machine, path: str) -> tuple[str, str]:
    """(the code, a note) for one answer; a user's own function where the results file
    names one, in place of the workload."""
    row, note = _local_row(a)
    if row is None:
        return "", note
    w = for_workload(row.workload, row.params, STRATEGIES[row.strategy].needs_model, task_of(row.meta))
    if w is None:
        return "", messages.SNIPPET_NO_WORKLOAD.format(workload=row.workload)
    c = Config.of(row)
    header = messages.SNIPPET_HEADER.format(
        title=a.group.short_title + (f", {row.params}" if row.params else ""),
        machine=machine.summary(), date=machine.date, config=_words(c),
        route=STRATEGIES[row.strategy].route or row.strategy, rate=format_rate(row.throughput),
        speedup=format_speedup(row.speedup_over(a.group.serial)), path=path, needs=w.needs)
    return write(c, w, _wrap(header), _shape(row)), note


def _wrap(text: str, width: int = 92) -> str:
    return "\n".join(textwrap.fill(line, width, break_on_hyphens=False) if line.strip() else line
                     for line in text.split("\n"))


def _words(c: Config) -> str:
    parts = [c.strategy]
    if c.family != "serial":
        parts.append(f"{c.workers} worker{'s' if c.workers != 1 else ''}")
    if c.chunk_size is not None:
        tasks = "workers" if c.per_task == 1 else f"({c.per_task} x workers)"
        parts.append(messages.SNIPPET_CHUNK_AUTO.format(per=tasks) if c.chunk_auto
                     else f"chunk {c.chunk_size}")
    if c.family == "processes":
        parts.append(f"start method {'fork' if c.inherits else c.start_method or 'fork'}")
    if c.cv_threads is not None:
        parts.append(f"cv2.setNumThreads({c.cv_threads})")
    if c.folder_per_task:
        parts.append(messages.FOLDER_PER_TASK)
    return ", ".join(parts)
