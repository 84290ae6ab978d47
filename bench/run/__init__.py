"""A run: ``resources`` checks first that the cases fit (disk, memory, a timeout per
case); the session (``session``) measures the machine's capacity, then carries the plan
out in one of two ways.

A budgeted run races (``race``): each group's case processes (``group_hosts``, each a
``host`` whose other side is ``host_main``, serving ``bench.measure.visits``) are visited
round after round; ``race_state`` holds what the race knows (who is out is
``bench.analysis.racing``'s call), a group's end explains its finalists
(``race_explain``) and an interrupted race comes back from its results file
(``race_resume``). The overhead probes are measured first, in a case process of their
own (``probes``).

``--exhaustive`` measures every case in full, one after another (``sequence``), each in a
fresh interpreter in its own process group (``isolation`` in the parent, ``guard`` and
``child`` in the case).

Either way a run can be interrupted (``interrupt``), leaves nothing behind (``cleanup``)
and can be resumed (``resume``)."""
