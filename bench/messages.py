"""Every message and warning text the user can see, in one place."""

BROKEN_POOL = (
    "a worker process died abruptly (BrokenProcessPool): it was killed (signal, out of "
    "memory) or crashed; a common cause is forking after a model or thread pool was "
    "created in the parent - use the spawn or forkserver start method")

TIMED_OUT = "timed out after {seconds:.0f} s (the case and every process it started were killed)"
KILLED = "the case process was killed by {signal}"
KILLED_HINT = " (out of memory, or killed by hand)"
CRASHED = "the case process exited with code {code} without a result"

SUMMARY_NO_SERIAL = "no serial case in this group: speedups cannot be computed"
SUMMARY_OVERSUBSCRIBED = (
    "warning: {workers} workers x {cv_threads} OpenCV threads = {total} threads on {cpus} CPUs "
    "(oversubscribed); consider --cv-threads 1")

RESULTS_WRITTEN = "results: {path}"
COMPARE_HINT = "compare two runs: python -m pyperf compare_to {path} OTHER.json --table"
