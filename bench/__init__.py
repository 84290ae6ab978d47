"""bench: how to parallelise image work on this machine - measured, not guessed.

One package per layer, top first; each imports only the layers below it
(tests/test_layers.py holds the order and checks every import, those inside functions
too):

``cli``         the command line: grammar, dispatch, one line and exit code 2 on bad input
``run``         a run: one engine (the race) measures every plan, raced inside the budget
                or in full, in case processes; resumable, interruptible
``output``      what people read: tables, summary, recommendation, report, charts
``analysis``    results as rows: ranking, recommendation, comparison, scaling models
``plan``        one planner: what a command measures, fitted to the budget, before anything runs
``measure``     inside a case process: timing, decomposition, memory, capacity, verification
``model``       what a case is and the settings a run shares
``strategies``  how images reach the work: serial loop, thread and process pools, Dask
``results``     the results file (pyperf JSON) and its atomic writes

What is measured (image sets and the functions workers run) lives in ``workloads``,
below them all. The ground floor every layer may import: ``texts`` (every message and
number format) and ``errors``.

A command flows down: ``cli`` builds one typed request, asks ``plan`` for the plan, hands
it to ``run``, which measures it with ``measure`` in case processes, writes it with
``results``, and prints through ``output``; the answers commands read ``results`` through ``analysis`` and
``output``. What a run prints after its summary (``bench all``: the recommendation and
the charts) the CLI hands the run as a callback. ``python -m bench.sim`` (``sim``, above
``run``) races a plan on a simulated machine whose true speeds are known.
"""
