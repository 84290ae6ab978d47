"""``--resume RESULTS.json``: finish an interrupted run into the same file, with the
command line, plan, settings and machine its ``bench.run`` section records
(docs/failures.md, "Resume").
"""
from __future__ import annotations

import json
import os
import shlex
from dataclasses import asdict, replace

from bench.errors import UsageError
from bench.model.request import RunRequest
from bench.results import ResultsError, ResultsFile
from bench.texts import messages

# options that may differ between the original run and its resumption
NEUTRAL_OPTIONS = ("--resume", "--case-timeout", "--results-dir", "--plots-dir")

MACHINE_KEYS = ("hostname", "bench_cpu_model", "bench_logical_cpus", "bench_available_cpus",
                "bench_python", "bench_version_numpy", "bench_version_opencv-contrib-python")


def plan_dict(opts) -> dict:
    """PlanOptions as plain JSON values (what is stored in, and compared with, the file)."""
    return json.loads(json.dumps(asdict(opts)))


def strip_neutral(argv: list[str]) -> list[str]:
    out, tokens = [], iter(argv)
    for token in tokens:
        if token.split("=", 1)[0] not in NEUTRAL_OPTIONS:
            out.append(token)
        elif "=" not in token:
            next(tokens, None)          # its value
    return out


def resume_command(command: str, path: str, case_timeout=None) -> str:
    parts = ["python", "-m", "bench", command, "--resume", path]
    if case_timeout:
        parts += ["--case-timeout", str(case_timeout)]
    return " ".join(shlex.quote(p) for p in parts)


def load(path: str) -> ResultsFile:
    """The file to resume, or one clear UsageError line."""
    try:
        results = ResultsFile.load(path)
    except ResultsError as exc:
        raise UsageError(messages.RESUME_UNUSABLE.format(why=exc)) from None
    run = results.run
    if not isinstance(run.get("argv"), list) or not isinstance(run.get("plan"), dict):
        raise UsageError(messages.RESUME_NO_OPTIONS.format(path=path))
    if not os.access(os.path.dirname(os.path.abspath(path)), os.W_OK) or not os.access(path, os.W_OK):
        raise UsageError(messages.RESUME_NOT_WRITABLE.format(path=path))
    results.path = path
    return results


def _refuse_difference(message: str, there: dict, here: dict, **fmt) -> None:
    """Refuse, in ``message``, at the first key (sorted) whose values differ."""
    for key in sorted(set(there) | set(here)):
        if there.get(key) != here.get(key):
            raise UsageError(message.format(key=key, there=there.get(key), here=here.get(key),
                                            **fmt))


def check_machine(path: str, stored: dict, current: dict) -> None:
    _refuse_difference(messages.RESUME_OTHER_MACHINE, {k: stored.get(k) for k in MACHINE_KEYS},
                       {k: current.get(k) for k in MACHINE_KEYS}, path=path)


def reconcile(typed: RunRequest, results: ResultsFile, parse, plan_options) -> RunRequest:
    """Return the request to run with: the stored one, checked against what was typed.

    ``parse(argv)`` turns a command line into a RunRequest, ``plan_options(request)`` gives
    PlanOptions. Neither request is changed: the one returned is a new one.
    """
    path, run = results.path, results.run
    stored_argv = [str(a) for a in run["argv"]]
    try:
        stored = parse(stored_argv)
    except UsageError as exc:
        raise UsageError(messages.RESUME_OPTIONS_BROKEN.format(path=path, why=exc)) from None
    if typed.command != "list" and stored.command != typed.command:
        raise UsageError(messages.RESUME_OTHER_COMMAND.format(path=path, there=stored.command,
                                                              here=typed.command))
    as_stored = strip_neutral(list(typed.argv)) == [typed.command]
    chosen = stored if as_stored else typed
    hint = messages.RESUME_AS_PLANNED.format(command=resume_command(stored.command, path))
    _refuse_difference(messages.RESUME_OTHER_PLAN, run["plan"], plan_dict(plan_options(chosen)),
                       path=path, hint=hint)
    if chosen.out_dir:
        chosen = replace(chosen, out_dir=os.path.abspath(chosen.out_dir))
    settings = chosen.settings().chosen()
    stored_settings = {k: v for k, v in run.get("settings", {}).items() if k in settings}
    _refuse_difference(messages.RESUME_OTHER_SETTINGS, stored_settings, settings, path=path,
                       hint=hint)
    # what may differ from the stored run (NEUTRAL_OPTIONS) comes from what was typed
    neutral = {"resume": typed.resume, "argv": tuple(stored_argv)}
    if typed.case_timeout is not None:
        neutral["case_timeout"] = typed.case_timeout
    if as_stored:
        neutral["results_dir"] = typed.results_dir
    return replace(chosen, **neutral)


def remaining(cases, results: ResultsFile):
    done = results.names()
    return [c for c in cases if c.name not in done]
