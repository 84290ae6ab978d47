"""A run: ``session`` checks that the plan fits (``resources``), measures the parallel
capacity and hands the plan to ``race`` (docs/race.md), which visits each group's case
processes (``group_processes``, ``case_process``, run as ``case_main``). Faults, Ctrl-C
and ``--resume``: ``guard``, ``interrupt``, ``cleanup``, ``resume`` (docs/failures.md)."""
