"""A run: one engine measures every plan.

``session`` checks that the plan fits (``resources``: disk, memory, a timeout per
command), measures the machine's parallel capacity and hands the plan to ``race``. The
race measures the overhead probes first (in a case process of their own, answered by
``overhead_probes``), then each group: its case processes (``group_processes``, each a
``case_process.CaseProcess`` whose typed commands the process runs in ``case_main``,
serving ``bench.measure.visits.GroupWork``) are visited round after round, each visit a
timed pool pass paired with a serial pass; ``race_state`` holds what the race knows (who
is out is ``bench.analysis.racing``'s call), the worker-count search
(``bench.plan.search``) adds entrants mid-race, ``slowdown`` keeps the visits left inside
the budget, and a group's end explains its finalists. The plan's policy says how:
raced inside the budget, or every configuration in full (``--exhaustive``, ``overhead``,
``dask``). A case process cleans up after itself if the run dies (``guard``); a run can
be interrupted (``interrupt``), leaves nothing behind (``cleanup``) and is resumed from
its results file (``resume``, ``race_resume``)."""
