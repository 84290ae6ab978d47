"""What a command measures, decided before anything runs: one planner for every command.

``commands`` turns the user's RunRequest into the planner's PlanRequest for ``all``,
``imwrite``, ``pose``, ``run``, ``overhead`` and ``dask``; ``planner`` builds the one plan
model (``Plan``: groups, each a ``GroupPlan`` of configurations with tiers and an
estimate; the overhead probes; the budget; the ``Policy`` - raced, or measured in full).
A group's configurations come from ``configurations`` (the cartesian product of the
choices) or ``file_groups`` (a user's task and the pipelines on files, probed first by
``task_probe``); ``overhead`` plans the probes. ``tiers`` says how much a review needs
each configuration, ``named`` what the command line names (planned first, named when a
budget cannot hold it, refused in one line when no group can race it), ``search`` which worker counts the leading strategies are searched
at, ``fitting`` fits tiers into the budget that ``budget`` prices, ``sizing`` turns the
machine's CPUs and memory into worker ladders and image counts. Cases themselves and
the run's settings are ``bench.model``."""
