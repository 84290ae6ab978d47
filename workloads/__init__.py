"""What is measured: deterministic image sets and the task functions workers run.

Everything here is importable by worker processes (spawn and forkserver re-import
the module that defines a task function, so nothing may live in ``__main__``).
"""
# file sets register themselves with workloads.images, which never imports them back: any
# import of a workloads module runs this first, so a spec read from a dict finds its class
from workloads import files as _files  # noqa: F401
