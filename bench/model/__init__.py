"""What every layer means by a case and by a run's settings.

``case`` is one workload x image set x strategy x workers x chunk size x start method,
named as results files, ``list`` and ``--resume`` know it; ``settings`` the frozen
settings every case of a run shares. The planner builds cases, the run carries them to
case processes, the measuring code inside reads them: the model sits below all three, so
none of them imports another to learn what a case is. It knows strategies and workloads
by name only.
"""
