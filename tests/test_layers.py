"""Layers that point one way: every import in bench/ and workloads/, read with ``ast``.

Imports inside functions count too: they run as surely as module-level ones, only later,
and a cycle hidden in one breaks as soon as someone moves it to the top. Imports under
``if TYPE_CHECKING:`` never run, so they are left out.
"""
from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("bench", "workloads")

# The order the layers import in, top first: a layer may import any layer below it, never
# one above it. Why this order:
# - ``cli`` reads the command line and calls everything; nothing calls it back (the end of
#   a run is handed to the run as a callback, the run never imports the CLI).
# - ``sim`` races a simulated machine: the planner and the race as they are, with the passes
#   and the clock drawn from a machine file; nothing of a real run imports it.
# - ``run`` carries a plan out: case processes, the race, resume; it prints progress and
#   the summary through ``output`` as it goes, and asks ``analysis`` which entrants lead.
# - ``output`` words and draws what the layers below it know: ``analysis``'s decisions,
#   the plan's budget, the machine's capacity, a strategy's snippet and colour. It is
#   presentation, so it sits above the facts it presents. The sentences and number formats
#   every layer needs live on the ground floor (``texts``), not here.
# - ``analysis`` turns results files into rows and decisions; it reads ``results`` and what
#   strategies and workloads declare, and knows nothing of how a run is planned or run.
# - ``plan`` decides the cases before anything runs; it asks ``measure`` about the machine
#   (CPUs, memory) and never imports the run that carries the plan out.
# - ``measure`` times what a case process holds: passes, probes, memory, verification.
# - ``model``: what a case is and the settings a run shares - what plan builds, run
#   carries and measure reads, so none of those three imports another for it.
# - ``strategies`` move images to the work, ``results`` writes and reads the pyperf file,
#   ``workloads`` are what is measured: none of them knows a case, a plan or a run.
# - the ground floor - ``texts`` (messages and units), ``errors`` and the ``bench``
#   package itself - every layer may import; it imports no layer.
LAYERS = ("cli", "sim", "run", "output", "analysis", "plan", "measure", "model",
          "strategies", "results", "workloads", "ground")
# the ground floor's parts of bench (the ``bench`` package itself is ground too)
GROUND = {"errors", "texts"}
# Modules run as commands (``python -m ...``) sit above every layer: each may import any
# of them, and no module may import one. ``bench.measure.selfcheck`` starts a race's case
# process (``bench.run.case_process``) next to a bare script; it keeps its documented name.
COMMANDS = {"bench.__main__", "bench.measure.selfcheck"}


def module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, str]:
    """Every module of bench/ and workloads/ by dotted name, with its source."""
    return {module_name(p): p.read_text(encoding="utf-8")
            for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(node: ast.AST):
    """Every Import/ImportFrom under ``node``, at any depth, except under TYPE_CHECKING."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for stmt in child.orelse:       # the else branch does run
                yield from _import_nodes(ast.Module(body=[stmt], type_ignores=[]))
            continue
        yield from _import_nodes(child)


def _known(name: str, known) -> str | None:
    """The longest project module ``name`` starts with, or None for a third-party import."""
    parts = name.split(".")
    while parts:
        if ".".join(parts) in known:
            return ".".join(parts)
        parts.pop()
    return None


def imports_of(name: str, source: str, known, is_package: bool = False) -> set[str]:
    """The project modules ``name`` imports (``from pkg import sub`` imports ``pkg.sub``)."""
    found = set()
    for node in _import_nodes(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:                  # relative: resolved against this module's package
                package = name.split(".")
                package = package[:len(package) - node.level + (1 if is_package else 0)]
                base = ".".join(package + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                       for alias in node.names]
        found.update(t for t in (_known(t, known) for t in targets) if t and t != name)
    return found


def import_graph(modules: dict[str, str]) -> dict[str, set[str]]:
    return {name: imports_of(name, src, modules, is_package=_is_package(name))
            for name, src in modules.items()}


def _is_package(name: str) -> bool:
    return (ROOT / pathlib.Path(*name.split(".")) / "__init__.py").exists()


def layer_of(module: str) -> str:
    if module in COMMANDS:
        return "command"
    top, _, rest = module.partition(".")
    if top == "workloads":
        return "workloads"
    first = rest.split(".")[0]
    return "ground" if not first or first in GROUND else first


def layer_violations(graph: dict[str, set[str]], layers=LAYERS) -> list[str]:
    """Each import that reaches a layer not below its own, as 'a -> b (layer -> layer)'."""
    rank = {layer: i for i, layer in enumerate(("command",) + tuple(layers))}
    bad = []
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            a, b = layer_of(module), layer_of(target)
            if a != b and rank[a] >= rank[b]:
                bad.append(f"{module} -> {target} ({a} -> {b})")
    return bad


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


# -- the checker itself, on planted sources ---------------------------------------------

def test_imports_inside_functions_count_and_type_checking_ones_do_not():
    known = {"p", "p.a", "p.b", "p.c", "p.d", "p.e"}
    source = (
        "from typing import TYPE_CHECKING\n"
        "import os\n"
        "from p import b\n"
        "if TYPE_CHECKING:\n"
        "    from p import c\n"
        "else:\n"
        "    import p.e\n"
        "def f():\n"
        "    from p.d import thing\n"
        "    return thing\n")
    assert imports_of("p.a", source, known) == {"p.b", "p.d", "p.e"}


def test_a_relative_import_is_resolved_and_a_name_from_a_package_is_the_package():
    known = {"p", "p.q", "p.q.a", "p.q.b", "p.r"}
    assert imports_of("p.q.a", "from . import b\nfrom ..r import x\nfrom p import name\n",
                      known) == {"p.q.b", "p.r", "p"}


def test_the_cycle_finder_finds_a_planted_cycle_and_nothing_else():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": {"e"}, "e": set(), "f": {"f"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_an_import_up_the_layers_is_a_violation_and_a_command_is_above_them_all():
    graph = {"bench.run.x": {"bench.cli.y", "bench.plan.z", "bench.texts.messages"},
             "bench.plan.z": {"bench.plan.w"}, "bench.texts.messages": set(),
             "bench.measure.selfcheck": {"bench.run.case_process"},
             "bench.cli.main": {"bench.measure.selfcheck"}}
    assert layer_violations(graph) == [
        "bench.cli.main -> bench.measure.selfcheck (cli -> command)",
        "bench.run.x -> bench.cli.y (run -> cli)"]


# -- the project ---------------------------------------------------------------------

def test_every_layer_is_declared_once():
    found = {layer_of(m) for m in project_modules()} - {"command"}
    assert len(set(LAYERS)) == len(LAYERS)
    assert found <= set(LAYERS), f"place these in LAYERS: {sorted(found - set(LAYERS))}"
    assert COMMANDS <= set(project_modules())


@pytest.fixture(scope="module")
def project_graph():
    """The project's import graph, read once for the checks below (it reads every module)."""
    return import_graph(project_modules())


def test_the_layers_import_only_downwards(project_graph):
    assert layer_violations(project_graph) == []


def test_no_module_import_cycle(project_graph):
    assert cycles(project_graph) == []
