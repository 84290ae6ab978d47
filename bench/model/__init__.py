"""What every layer means by a case (``case``) and by a run's settings (``settings``): the
planner builds cases, the run carries them, the measuring code reads them, so the model
sits below all three and knows strategies and workloads by name only.
"""
