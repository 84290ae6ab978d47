"""The CLI boundary: argparse's namespace turned, once, into the frozen :class:`RunRequest`
that the planner, the run and ``--resume`` read (they never see the namespace)."""
from __future__ import annotations

from dataclasses import fields

from bench.cli.parser import parse_args
from bench.model.request import RunRequest


def to_request(namespace) -> RunRequest:
    """Every option given; one not given (None, or absent from a sub-command) keeps its
    field's default, written there only. Lists become tuples, so no later step can change
    the request in place."""
    given = {f.name: getattr(namespace, f.name, None) for f in fields(RunRequest)}
    return RunRequest(**{name: tuple(value) if isinstance(value, list) else value
                         for name, value in given.items() if value is not None})


def parse_request(argv) -> RunRequest:
    """A command line as the request it makes (bad input: one UsageError line)."""
    return to_request(parse_args(argv))
