"""What a command measures, decided before anything runs: one planner for every command.

``commands`` turns the user's RunRequest into the planner's PlanRequest; ``planner``
builds the one plan model (``Plan`` of ``GroupPlan`` groups, the overhead probes, the
``Policy``). Configurations come from ``configurations`` or ``file_groups``; ``tiers``,
``named``, ``search``, ``fitting``, ``budget`` and ``sizing`` decide which enter."""
