"""What is measured: deterministic image sets and the task functions workers run.

Everything here is importable by worker processes (spawn and forkserver re-import
the module that defines a task function, so nothing may live in ``__main__``).
"""
