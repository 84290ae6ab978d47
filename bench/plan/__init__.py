"""What a run measures, decided before anything runs.

A budgeted run's plan (``race``) gathers, per workload group, the configurations that
enter its race: the image-throughput matrix (``matrix``), pose (``pose``), a user's task
and files (``user``, probed first by ``task_probe``), the overhead probes
(``overhead``) and the cluster path (``dask``); each configuration's tier (``tiers``)
decides what a budget keeps, and ``fitting`` fits the plan into the budget that
``budget`` prices. ``sizing`` turns the machine's CPUs and memory into worker ladders
and image counts. ``commands`` says which of these each command means, and builds the
cases of ``--exhaustive``. Cases themselves and the run's settings are ``bench.model``."""
