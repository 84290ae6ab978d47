"""Every message and warning text the user can see, in one place."""

BROKEN_POOL = (
    "a worker process died abruptly (BrokenProcessPool): it was killed (signal, out of "
    "memory) or crashed; a common cause is forking after a model or thread pool was "
    "created in the parent - use the spawn or forkserver start method")

TIMED_OUT = "timed out after {seconds:.0f} s (the case and every process it started were killed)"
KILLED = "the case process was killed by {signal}"
KILLED_HINT = " (out of memory, or killed by hand)"
CRASHED = "the case process exited with code {code} without a result"

# how imwrite's per-task output layout is named in tables, charts and answers
FOLDER_PER_TASK = "folder per task"
LAYOUT_HEADING = "Where the files go (imwrite): every file in one folder, or a folder per task:"
LAYOUT_CHOSEN = ("Folder per task: every task writes its slice of the images into its own "
                 "subfolder (task-<first index>/), the same files as the serial loop writes into one")
LAYOUT_CAUSE = " Creating files in one folder is serialised by the file system (one lock per folder)."
LAYOUT_CHOSEN_VS = ("; the best pool writing into one folder, {best}, reached {rate} img/s "
                    "(a folder per task: {ratio:.2f}x that)." + LAYOUT_CAUSE)
LAYOUT_CHOSEN_VS_PAIRED = ("; the best pool writing into one folder, {best}, was {speedup:.2f}x the "
                           "serial loop, this {mine:.2f}x." + LAYOUT_CAUSE)
RANKED_BY_PAIRED = ("Ranked by speedup over serial passes timed in the same case, pass by pass "
                    "(img/s are each case's own medians, taken minutes apart, so a drifting disk "
                    "or CPU can reorder them; the speedups it cannot).")
LAYOUT_WHY = (
    "speedup: paired (img/s where a case has no paired serial passes); ratio: folder per "
    "task over one folder. Creating files in one folder is "
    "serialised by the file system (ext4 holds the folder's lock for every create), so "
    "workers writing into one folder queue for it when file creation is slow; a folder "
    "per task (each worker's slice in its own subfolder) removes that queue.")

SPEEDUP_NOTE = ("speedup: over the serial loop, timed in the same case, one serial pass before each "
                "pool pass (a case without such passes: over the group's serial case); "
                "efficiency: speedup / measured parallel capacity.")

SUMMARY_NO_SERIAL = "no serial case in this group: speedups cannot be computed"
SUMMARY_OVERSUBSCRIBED = (
    "warning: {workers} workers x {cv_threads} OpenCV threads = {total} threads on {cpus} CPUs "
    "(oversubscribed); consider --cv-threads 1")

LOW_CAPACITY = (
    "warning: parallel capacity {capacity:.2f} with {processes} processes, under {share:.0%} of "
    "{processes}: the machine is busy or throttled right now (another job, or one that just "
    "ended), and efficiencies are judged against this figure; let it rest and run again "
    "for figures to compare with other runs")

RESULTS_WRITTEN = "results: {path}"
COMPARE_HINT = "compare two runs: python -m pyperf compare_to {path} OTHER.json --table"
