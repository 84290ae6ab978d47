"""One frozen request past the command line: the CLI turns argparse's namespace into a
RunRequest once, and nothing in bench/ outside bench/cli reads or changes a namespace."""
from __future__ import annotations

import ast
import dataclasses
import pathlib

import pytest

from bench.cli.parser import COMMANDS, parse_args
from bench.cli.request import parse_request, to_request
from bench.model.request import RunRequest
from bench.plan.commands import plan_options

ROOT = pathlib.Path(__file__).resolve().parents[2]
# a module run as a command has a command line of its own (python -m bench.measure.selfcheck)
# modules run as commands of their own (python -m ...), each with its own small parser
OWN_COMMAND_LINE = {"bench/measure/selfcheck.py", "bench/sim/__main__.py", "bench/sim/from_results.py"}
NAMESPACE_NAMES = {"args", "namespace", "ns"}
MEASURING = [c for c in COMMANDS if c != "list"] + ["list"]


def _namespaces_in(scope: ast.AST, nodes: list) -> set[str]:
    """The names in ``scope`` (``nodes``: all of it, ast.walk's) that hold a namespace: a
    parameter named like one, or a name bound to what ``parse_args``/``parse_known_args``
    returns."""
    names = set()
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        a = scope.args
        names |= {p.arg for p in a.posonlyargs + a.args + a.kwonlyargs} & NAMESPACE_NAMES
    for node in nodes:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = node.value.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("parse_args", "parse_known_args"):
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def namespace_uses(source: str) -> list[str]:
    """Where ``source`` imports argparse or touches a namespace: ``args.x`` read or set,
    ``getattr(args, ...)``, ``hasattr``/``setattr``/``vars`` of it."""
    tree = ast.parse(source)
    everything = list(ast.walk(tree))      # walked once, read by each check below
    found = set()
    for node in everything:
        if isinstance(node, ast.Import) and any(a.name == "argparse" for a in node.names):
            found.add((node.lineno, "import argparse"))
        elif isinstance(node, ast.ImportFrom) and node.module == "argparse":
            found.add((node.lineno, "from argparse import"))
    scopes = [tree] + [n for n in everything
                       if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))]
    for scope in scopes:
        nodes = everything if scope is tree else list(ast.walk(scope))
        held = _namespaces_in(scope, nodes)
        if not held:
            continue                 # nothing in this scope holds a namespace
        for node in nodes:
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in held):
                found.add((node.lineno, f"{node.value.id}.{node.attr}"))
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                  and node.func.id in ("getattr", "hasattr", "setattr", "vars") and node.args
                  and isinstance(node.args[0], ast.Name) and node.args[0].id in held):
                found.add((node.lineno, f"{node.func.id}({node.args[0].id}, ...)"))
    return [f"line {line}: {what}" for line, what in sorted(found)]


def test_the_check_finds_a_planted_namespace_read_and_write():
    planted = ("import argparse\n"
               "def f(args):\n    x = args.quick\n    args.workers = [2]\n"
               "    return getattr(args, 'seed', 0)\n"
               "def g(request):\n    return request.quick\n"
               "def h(parser):\n    opts = parser.parse_args([])\n    return opts.seed\n"
               "def k():\n    args = []\n    args.append(1)\n")
    assert namespace_uses(planted) == ["line 1: import argparse", "line 3: args.quick",
                                       "line 4: args.workers", "line 5: getattr(args, ...)",
                                       "line 10: opts.seed"]


def test_nothing_outside_the_cli_reads_or_changes_a_namespace():
    offenders = {}
    for path in sorted((ROOT / "bench").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("bench/cli/") or rel in OWN_COMMAND_LINE:
            continue
        uses = namespace_uses(path.read_text(encoding="utf-8"))
        if uses:
            offenders[rel] = uses
    assert offenders == {}


@pytest.mark.parametrize("command", MEASURING)
def test_every_option_of_a_measuring_command_reaches_the_request(command):
    """An option added to the parser and not to RunRequest would be dropped silently."""
    names = set(vars(parse_args([command])))
    assert names - {f.name for f in dataclasses.fields(RunRequest)} == set()


@pytest.mark.parametrize("command", MEASURING)
def test_the_requests_defaults_are_the_command_lines(command):
    request = parse_request([command])
    assert request == RunRequest(command=command, argv=(command,))


def test_the_request_is_frozen_and_the_planner_cannot_write_into_it():
    request = parse_request(["imwrite", "--workers", "2,4", "--sizes", "8x8x1"])
    assert request.workers == (2, 4) and isinstance(request.sizes, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.workers = (8,)
    opts = plan_options(request)
    opts.workers.append(8)              # the planner's own list
    assert request.workers == (2, 4)


def test_the_run_settings_come_from_the_request():
    request = parse_request(["imwrite", "--values", "5", "--no-verify", "--cv-threads", "2"])
    settings = request.settings()
    assert (settings.values, settings.verify, settings.cv_threads) == (5, False, 2)
    assert parse_request(["imwrite"]).settings().cv_threads is None


def test_a_namespace_without_own_work_options_keeps_their_defaults():
    request = to_request(parse_args(["pose"]))
    assert (request.task, request.decode, request.limit) == (None, "color", None)
