"""Finding a user's function: ``MODULE:FUNCTION`` (``--task``, ``--init``, ``--same``)
imported, checked and called as bench calls it. Every way a spec can be wrong is a
:class:`TaskError` with one line for the user.
"""
from __future__ import annotations

import importlib
import inspect
import os
import sys
from typing import NamedTuple


class TaskError(ValueError):
    """A --task, --init or --same that cannot be used: one line for the user."""


_RESOLVED: dict = {}


def split_spec(spec: str, what: str) -> tuple[str, str]:
    module, sep, attr = spec.rpartition(":")
    if not sep or not module or not attr:
        raise TaskError(f"{what} {spec!r} is not MODULE:FUNCTION (a module or a .py file, a colon, "
                        "a function name)")
    return module, attr


def _import(module: str, what: str, spec: str):
    if module.endswith(".py") or "/" in module or os.sep in module:
        path = os.path.abspath(module)
        if not os.path.isfile(path):
            raise TaskError(f"{what} {spec}: no such file {path}")
        folder, stem = os.path.split(path)
        stem = stem[:-3] if stem.endswith(".py") else stem
        if not stem.isidentifier():
            raise TaskError(f"{what} {spec}: {os.path.basename(path)} is not a Python module name")
        if folder not in sys.path:
            sys.path.insert(0, folder)        # as Python does for a script's folder
        mod = _import(stem, what, spec)
        found = getattr(mod, "__file__", None)
        if not found or not os.path.samefile(found, path):
            raise TaskError(f"{what} {spec}: it would be imported as module {stem!r}, which is "
                            f"already {found or 'a built-in module'}; rename the file")
        return mod
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.split(".")[0] == exc.name.split(".")[0]:
            raise TaskError(f"{what} {spec}: no module named {exc.name!r}") from None
        raise TaskError(f"{what} {spec}: importing {module} failed: {one_line(exc)}") from None
    except Exception as exc:  # noqa: BLE001 - the user's module failed to import
        raise TaskError(f"{what} {spec}: importing {module} failed: {one_line(exc)}") from None


def resolve(spec: str, what: str = "--task"):
    """The callable ``spec`` names, imported once per process."""
    fn = _RESOLVED.get(spec)
    if fn is None:
        module, attr = split_spec(spec, what)
        fn = _import(module, what, spec)
        for part in attr.split("."):
            try:
                fn = getattr(fn, part)
            except AttributeError:
                raise TaskError(f"{what} {spec}: {module} has no {attr!r}") from None
        if not callable(fn):
            raise TaskError(f"{what} {spec}: {attr} is a {type(fn).__name__}, not a function")
        _RESOLVED[spec] = fn
    return fn


def check_picklable(spec: str, what: str) -> None:
    """A process pool sends a function to its workers by reference (its module and
    name): a lambda, a nested function or a callable object without a module-level name
    cannot be sent (an initializer neither, under spawn or forkserver)."""
    import pickle

    fn = resolve(spec, what)
    try:
        same = pickle.loads(pickle.dumps(fn)) is fn
    except Exception as exc:  # noqa: BLE001 - pickle raises several kinds
        raise TaskError(f"{what} {spec} cannot be pickled ({one_line(exc)}), so no process pool "
                        "(spawn or forkserver) can send it to its workers: define it at module "
                        "level") from None
    if not same:
        raise TaskError(f"{what} {spec} does not pickle back to itself, so a process pool would "
                        "run another object: define it at module level")


class _Call(NamedTuple):
    fn: object
    keywords: tuple   # those of ``name=`` and ``out_dir=`` it takes


_CALLS: dict = {}


def call_for(spec: str) -> _Call:
    call = _CALLS.get(spec)
    if call is None:
        fn = resolve(spec)
        try:
            params = inspect.signature(fn).parameters
        except (TypeError, ValueError):      # a builtin without a signature
            params = {}
        call = _CALLS[spec] = _Call(fn, tuple(k for k in ("name", "out_dir") if k in params))
    return call


def one_line(exc: BaseException) -> str:
    text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    return f"{type(exc).__name__}: {text[:300] or '(no message)'}"
