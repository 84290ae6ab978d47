"""bench: how to parallelise image work on this machine - measured, not guessed.

The flow, one package per step:

``cli``         the command line: grammar, dispatch, one line and exit code 2 on bad input
``plan``        which cases a command means, and the settings a run shares
``run``         a run: every case in its own isolated process, resumable, interruptible
``measure``     inside a case: timing, decomposition, memory, capacity, verification
``strategies``  how images reach the work: serial loop, thread and process pools, Dask
``results``     the results file (pyperf JSON) and its atomic writes
``analysis``    results as rows: ranking, recommendation, comparison, scaling models
``output``      what people read: tables, summary, recommendation, report, charts

What is measured (image sets and the functions workers run) lives in ``workloads``.
"""
