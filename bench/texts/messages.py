"""Every message and warning text the user can see, in one place."""
from __future__ import annotations

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
    "task over one folder. Creating a file in a folder takes that folder's lock{fs}, so "
    "workers writing into one folder queue for it when file creation is slow; a folder "
    "per task (each worker's slice in its own subfolder) removes that queue.")
LAYOUT_FS = " (the files here went to {fs})"

SPEEDUP_NOTE = ("speedup: over the serial loop, timed in the same case, one serial pass next to each "
                "pool pass, before and after it in turn (a case without such passes: over the group's "
                "serial case); "
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

# -- a budgeted run (bench.run.race) --
RACE_PLANNED = ("bench {command}: racing {configurations} configurations in {groups} groups "
                "(+{probes} overhead probes) on {where}; estimate {estimate}, budget {budget}")
RACE_FIT_TO_PILOT = ("  the serial loop took {ratio:.1f}x the planned time per image (slow storage?): "
                     "{kept} configurations race, so that each gets {visits} visits, {dropped} "
                     "are left out (the results file lists them as not raced)")
RACE_FIT_TO_SEARCH = ("  round one's passes took longer than planned: {dropped} configurations of the "
                      "later tiers are left out so that the worker-count search gets its visits "
                      "(the results file lists them as not raced)")
RACE_LEFT_OUT = ("  left out by this budget: {groups} (about {estimate} more); a longer --budget "
                 "takes them in, --workloads or --sizes measures one on its own")
RACE_LEFT_OUT_FOR_SEARCH = (
    "  {count} of them so that {searched} image set(s) get their worker-count search: on {usable} "
    "CPUs, a set raced at {usable} workers alone would answer {usable} by construction")
LIST_RACE = ("{cases} cases: {configurations} configurations to race in {groups} groups, "
             "{probes} overhead probes; estimate {estimate}, budget {budget}")
TIMED_SHARE = "timed passes (pool and paired serial): {timed} of {wall} ({share:.0%})"

# -- recommend: does a configuration fit in RAM (notes on the memory line) -----------
MEMORY_SERIAL = "one process: no workers to add"
MEMORY_THREADS = "threads share the parent process's memory"
MEMORY_THREADS_GREW = " (it grew by {growth} during the run)"
MEMORY_NOT_MEASURED = "memory per worker not measured in this file"
MEMORY_NO_AVAILABLE = "available RAM not recorded in this file"
MEMORY_CEILING = "{kind} {per_worker} per worker; {usable} available -> the RAM holds {ceiling:,} such workers"
MEMORY_RSS_CONSERVATIVE = " (RSS counts shared pages in every worker: conservative)"

# -- recommend: warnings and notes of one answer -------------------------------------
NOTHING_FITS = "no measured configuration fits in the available RAM; the fastest is shown anyway"
ONE_VISIT_NOT_PICKED = (
    "{config} read fastest, but on a single visit (no spread to test it by); the pick is "
    "{best}, the fastest of those measured at least {visits} times")
CURVE_SETTLES = (
    "{fastest} read fastest, but not significantly faster than {best}; the line's {model} "
    "curve through its {counts} worker counts puts {workers} workers highest, so the best "
    "count is {workers}")
FASTEST_TOO_BIG = (
    "the fastest measured configuration, {config} ({rate} img/s), needs {workers} x {kind} "
    "{per_worker} = {total}, more than the {available} available: only {ceiling} such workers fit")
ONE_VALUE_PER_CASE = ("one value per case: the spread is unknown, so the fastest is taken as is "
                      "(run with --values 3 or more to test significance)")
NOT_RACED_PILOT = ("{count} configuration(s) planned here were not raced: this group's passes were "
                   "far slower than planned (slow storage?), so only those that get three visits "
                   "each in its share of the budget raced; a longer --budget races them too")
NOT_RACED_SEARCH = ("{count} configuration(s) planned here were not raced: its pools ran far slower "
                    "than planned, and the time went to the search for the worker count of the "
                    "strategies leading at {w} workers; a longer --budget races them too")
ONE_VISIT_PER_CONFIGURATION = (
    "one visit per configuration: the spread is unknown, so the fastest is taken as is (this "
    "group's share of the budget held one round: its passes took longer than planned); a longer "
    "--budget, or --out-dir on faster storage, for a firmer answer")
ABOVE_CAPACITY = (
    "{speedup:.2f}x the serial loop is more than the CPUs allow (parallel capacity {capacity:.2f}): "
    "the work waits on something more workers overlap - storage most often (the files went to "
    "{fs}) - or some serial passes were slowed; with the files on tmpfs (--out-dir /dev/shm) the "
    "CPUs set the pace")
NOISY_BEST = ("the best case's timings vary by ±{spread:.0%}: run again with a longer --budget "
              "(or on a quieter machine) for a firmer answer")
NO_SCALING_MODEL = "no scaling model for {line}: measured at {count} worker count(s), a fit needs 3 or more"
MODEL_STAND_IN = "; the model shown is of {line}, the fastest strategy measured at 3 or more worker counts"
MODEL_PEAK_TOO_BIG = ("the model's best worker count ({peak}) would not fit in RAM (at most {ceiling} "
                      "workers of {line})")
NOT_VERIFIED = "{config} did not verify its output against serial"
NO_SERIAL = SUMMARY_NO_SERIAL           # the recommendation says it too

# -- recommend: the answer's sentences -------------------------------------------------
RATE_ONE_VALUE = " (one value: spread unknown)"
RATE_SPREAD = " ±{spread:.0%} (pyperf std dev of {count} values)"
NO_WORKERS = "a plain loop, no workers"
USE = "Use {config} ({workers}): {rate}."
OVER_SERIAL = "{speedup:.2f}x the serial loop"
COLD_RATE = "cold (pool start + work + shutdown, what a script sees): {rate} img/s"
FASTEST_NOT_CHOSEN = (
    "Fastest measured: {best} at {rate}. {others} configuration(s) are as good: not "
    "significantly different from it (pyperf t-test, 95%) and shown within {margin:.0%} of "
    "it (a test at 95%); of those, {choice} has the fewest workers and the simplest "
    "strategy, so it is recommended.")
TIES_NONE_SIMPLER = ("{others} other configuration(s) are as good (not significantly different, "
                     "and shown within {margin:.0%}), but none has fewer workers or is simpler.")
NOT_SEPARATED = (
    "{count} configuration(s) are not significantly different from the best, yet their "
    "timings do not show them within {margin:.0%} of it (n.s. in the table): too noisy to "
    "call them ties, so the faster is kept; a longer --budget would separate them.")
WITHIN_THIS = "Fewest workers within {margin:.0%} of the best: this one ({share:.0%} of the best)."
WITHIN_OTHER = (
    "Fewest workers within {margin:.0%} of the best: {config} ({workers}, {rate} img/s, "
    "{share:.0%} of the best).")
MEMORY_LINE = "Memory: {note}{verdict}."
MEMORY_FIT = "; the recommended {workers} fit"
MEMORY_NO_FIT = "; the recommended {workers} do NOT fit"
SCALING_LINE = "Scaling: {model}"
SCALING_WHY = "why this model: {reason}."
WARNING_LINE = "WARNING: {text}."
NOTE_LINE = "Note: {text}."
RECOMMENDATION_FOR = "Recommendation for {machine}"
RECOMMENDATION_FROM = "from {path}, run started {date}"
NO_THROUGHPUT_GROUPS = "No throughput groups in this file (only overhead measurements)."
GROUPS_LEFT_OUT = ("Not measured, left out by the run's budget: {groups}{why}; a longer --budget, or "
                   "--sizes / --workloads naming one, measures them.")
GROUPS_LEFT_OUT_FOR_SEARCH = " ({searched} of them so that the others got their worker-count search)"
FAILED_NOT_CONSIDERED = "{count} case(s) failed and are not considered: {names}"
RECOMMEND_TABLE_NOTE = (
    "img/s: images per second, pyperf median of the warm passes; ±: pyperf std dev / mean; "
    "of best: by speedup where cases timed paired serial passes, else by img/s; ≈ best: not "
    "significantly different from the best (t-test, 95%) and shown within {margin:.0%} of "
    "it (a test at 95%); n.s.: not significantly different, but not shown within "
    "{margin:.0%}; curve: read faster than the best, not significantly, at a worker count "
    "the line's fitted curve puts lower (see the note); workers that fit: at most 2 x the "
    "usable CPUs, and as many as the RAM available holds where memory per worker was "
    "measured.")

# -- compare: answers side by side (bench.output.comparison) -----------------------------
COMPARING_ANSWERS = "Comparing {count} results files answer by answer ({reference} is the reference):"
ANSWERS_TITLE = "Answers of {count} runs side by side"
MACHINES_HEADING = "Machines:"
AGAINST = "against {ref}:"
NOT_IN_FILE = "not measured in this file"
THREADS_SHARE = "threads: shared"
RAM_SHARED = "shared"
WORKERS_FIT_CELL = "{usable} (CPU {cpu}, RAM {ram})"
SIG_YES = "significant ({test})"
SIG_NO = "not significant"
SIG_TOO_FEW = "unknown (too few values)"
SIG_NO_SAMPLES = "unknown (no per-pass speedups: no paired serial passes)"
SAME_PICK = "same as {ref}"
SAME_PICK_OTHER_WORKERS = "same as {ref}, {workers} worker(s) ({ref}: {ref_workers})"
OTHER_PICK = "differs from {ref}"
EVIDENCE_VISITS = "{count} visits"
EVIDENCE_RACE = ", race: {outcome}"
EVIDENCE_PASSES = "{count} passes"
RUN_RACE = "budgeted race, {configurations} configurations{probes}{duration}"
RUN_PROBES = " (+{count} overhead probes)"
OUTPUTS_DIFFER = ("outputs written to different file systems ({where}): img/s compares the "
                  "storage as well as the CPUs; the speedups each over its own serial loop do not")
RUN_EXHAUSTIVE = "every configuration in full, {cases} configurations{duration}"
PICKS_GEOMETRIC_MEAN = ("{label} vs {reference}: {mean:.2f}x (geometric mean of the picks' img/s "
                        "ratios over {count} answer(s) in common; >1 means {label} is faster)")
NO_ANSWER_IN_COMMON = ("No answer in common: the files measured different workloads, image sizes, "
                       "contents or codec settings")
ANSWER_ONLY_IN = "Only in {label}: {titles}"
ANSWER_COLUMNS_NOTE = (
    "Answers are matched by workload, image size, content and codec settings (image counts "
    "follow each machine's worker counts and may differ). pick: the recommendation "
    "(chunk=auto: the chunk size follows images and workers); img/s: pyperf median of the "
    "pick's passes; ±: their std dev / mean; speedup: over the machine's own serial loop "
    "(paired passes where measured); efficiency: speedup / the machine's measured parallel "
    "capacity; workers fit: the smaller of the CPU limit (2 x usable CPUs) and the RAM "
    "limit (process workers of the pick's size that fit in the RAM available); plateau: the "
    "fewest workers of the pick's configuration within {margin:.0%} of its best worker "
    "count (in brackets; '?': fewer than 3 counts measured, not searched); evidence: the "
    "passes behind the pick (a race: one per visit).")
ANSWER_SIGNIFICANCE_NOTE = (
    "Significance: img/s vs the reference is tested on the two picks' pass timings, speedup on "
    "their per-pass paired speedups (pyperf's t-test at 95%, Welch's when the counts differ); "
    "capacity on the repeats of its reading (3 per reading); 'unknown' with fewer than two values a side.")
COMPARE_CHART_TITLE = "Machines compared: {workload}, throughput and speedup against workers"
COMPARE_CHART_NOTE = (
    "line: the pick's configuration at each worker count measured; ring: its plateau "
    "(fewest workers within {margin:.0%} of its best); band: scaling model; star: the pick")
COMPARE_MODEL_REF = "scaling model of the pick's configuration (band)"
COMPARE_PICK_REF = "each machine's pick"
COMPARE_CHART_ALT = "{workload} on every machine"
COMPARE_CHART_CAPTION = ("{workload}: every machine's pick's configuration, img/s and speedup "
                         "against workers, its plateau (ring), scaling model (band) and pick (star)")

# -- compare --by case (bench.output.comparison_cases) ------------------------------------------
COMPARING_CASES = "Comparing {count} results files case by case ({reference} is the reference):"
CASES_TITLE = "Cases of {count} runs side by side"
CASE_PAIRING = (
    "Cases are paired by workload, image size, content and codec settings, then strategy, chunk "
    "policy (a chunk size that follows the worker count is paired as auto, whatever number it "
    "came to; a fixed size only with the same size), start method and variants, and the exact "
    "worker count; image counts may differ. Cases with no partner are counted below.")
GEOMETRIC_MEAN = ("{label} vs {reference}: {mean:.2f}x (geometric mean of the speed ratios over "
                  "{count} paired cases; >1 means {label} is faster)")
NO_CASE_PAIRED = ("No case paired: no configuration was measured at the same worker count on "
                  "every machine (compare the answers instead: drop --by case)")
UNPAIRED_IN = "{label}: {count} case(s) with no partner in every other file"
ONLY_IN_MORE = "... and {count} more (--format json lists them all)"
SIGNIFICANCE_NOTE = ("Significance: pyperf's t-test (95%) on the timings of each pair; "
                     "'x faster' compares medians.")

# -- reading results files for answers -----------------------------------------------------
NO_RESULTS_FILE = ("no results file in {folder}/; run `python -m bench all` first or name a "
                   "results file")
NO_MEASURED_CASES = "{path}: no measured cases in this results file"
NO_MEASURED_CASES_FAILED = " ({count} failed)"

# -- the end-of-run summary -------------------------------------------------------------------
SUMMARY_HEADER = ("bench on {host} - {cpu}, {cpus} CPUs available, parallel capacity {capacity} - "
                  "{started}")
SUMMARY_RATE_NOTE = ("img/s: images per second, median of the warm passes (pool already started); "
                     "serial img/s: the serial passes timed next to the best's own; "
                     "cold: pool start + work + shutdown.")
RACE_HEADING = "How each group's race went (configurations raced in rounds, the slower ones out):"
RACE_OUTCOMES = {"tie": "tie", "winner": "one left", "budget": "budget spent",
                 "rounds": "most rounds", "failed": "failed", "none left": "none left"}
RACE_NOTE = (
    "ended by - tie: the configurations still racing are within {margin:.0%} of each other; "
    "one left: every other one was significantly slower than the leader; budget spent / "
    "most rounds: those still racing are not separated by the data (the recommendation says "
    "which it picks and why).")
SUMMARY_BEST_NOTE = ("best: by paired speedup where every case has one, else by median img/s; the "
                     "recommendation below also weighs noise, worker count and memory.")
SUMMARY_FAILED_IMAGES = "{case}: {count} image(s) could not be processed (first: {first})"
PIXEL_ROUTES_HEADING = ("How pixels reach {cpus} workers (transfer = a no-op pass of the same "
                        "strategy, warm pool):")
POOL_START_HEADING = "Pool start-up (fresh pool, no-op tasks):"
ROUNDTRIP_HEADING = "Round trip of a no-op task carrying one image (all tasks in flight, warm pool):"
PICKLE_HEADING = "pickle.dumps + loads of one image (protocol {protocol}):"
SUMMARY_FAILED = "{count} case(s) failed:"
SUMMARY_FAILED_GROUP = "{group}: {count} cases, all for one reason: {reason}"

# -- charts: titles, notes, the reference lines' legend, why a chart is not drawn -------------
THROUGHPUT_TITLE = "Throughput against workers (higher is better)"
THROUGHPUT_NOTE = "warm passes (pool already started): median; bars span the fastest and slowest pass"
SERIAL_REF = "serial loop (reference; band: its fastest to slowest pass)"
IDEAL_REF = "ideal: serial x workers, capped at capacity {cap:.2f}"
MODEL_REF = "fitted scaling model (band under the line it models)"
SPEEDUP_TITLE = "Speedup over the serial loop, and efficiency"
SPEEDUP_TITLE_PAIRED = "Speedup over the serial loop (timed in the same case), and efficiency"
SERIAL_IS_ONE = "serial loop = 1x"
IDEAL_SPEEDUP = "ideal: min(workers, capacity)"
CAPACITY_REF = "measured parallel capacity ({cap:.2f}x = 100% efficiency)"
DECOMPOSITION_TITLE = "Where the time goes: one cold run of the whole image set"
DECOMPOSITION_IN_ROUNDS = ("start-up, transfer and work measured on a fresh pool after each cold pass "
                           "(medians)")
DECOMPOSITION_PROBED = "start-up and transfer probed, work = warm pass - transfer"
DECOMPOSITION_COLD_MARK = "; the black diamond is the measured cold total"
DECOMPOSITION_NOT_MEASURED = ("start-up/transfer/work not measured in this file: the cold total split "
                              "into (cold - warm pass) and one warm pass")
DECOMPOSITION_AT = "; each configuration at its fastest cold worker count"
COLD_MARK = "measured cold total"
NO_COLD_TIMINGS = "no cold timings in this file"
MEMORY_TITLE = "Memory per worker (peak, largest over worker counts)"
WORKERS_FIT = "  {ceiling} workers fit in\n  {available} ({kind})"
NO_WORKER_MEMORY = "no per-worker memory (USS/PSS/RSS) in this file"
NO_THROUGHPUT_CASES = "no throughput cases in this file"
NO_SERIAL_FOR_SPEEDUP = "no serial case: speedup cannot be computed"

# -- the report -------------------------------------------------------------------------------
REPORT_TITLE = "bench report - {host}, {date}"
REPORT_TITLE_RUNS = "bench report - {count} runs compared"
REPORT_MADE = "report made {made} by {command}"
CAPACITY_FACT = "{capacity:.2f} (measured: N processes of pure CPU work vs one)"
NOT_MEASURED = "not measured"
RAM_FACT = "{available} available of {total}"
RUN_FACT = "started {date}, {duration} s, {cases} cases measured, {failed} failed"
NO_GROUPS_IN_FILE = "No throughput groups in this file."
CHART_NOT_DRAWN = "{chart}: not drawn, {why}"
SVG_FOR_SLIDES = "(SVG for slides: {name})"
SVG_BESIDE = "(SVG: `{path}`)"
COLUMNS_NOT_MEASURED = "Not measured in this file: {columns}."

# -- the answer commands ----------------------------------------------------------------------
COMPARE_NEEDS_TWO = "compare needs at least two results files"
CSV_PATH_NOT_CSV = ("--csv PATH must end in .csv, got {path!r} (put --csv after the results files "
                    "to use the default path)")
CANNOT_WRITE = "cannot write {path}: {error}"
CHART_WRITTEN = "chart: {png} (+ {svg})"
REPORT_WRITTEN = "report: {path}"
TABLE_WRITTEN = "table: {path}"
ANSWERS_NOT_PRODUCED = ("recommendation/charts not produced ({error}); try `python -m bench report` "
                        "on the results file")


# -- the command line: option values (bench.cli.options) --
EMPTY_LIST = "empty list {text!r}"
UNKNOWN_CHOICE = "unknown {what} {item!r}; choose from {allowed}"
START_METHOD_MISSING = "start method {item!r} is not available on this platform (available: {available})"
NOT_A_WHOLE_NUMBER = "{what} must be a whole number, got {text!r}"
AT_LEAST_ONE = "{what} must be at least 1, got {value}"
AT_MOST = "{what} must be at most {maximum}, got {value}"
BETWEEN_ZERO_AND = "{what} must be between 0 and {maximum}, got {value}"
CASE_TIMEOUT_NOT_A_NUMBER = "--case-timeout must be a number of seconds or 'auto', got {text!r}"
CASE_TIMEOUT_RANGE = "--case-timeout must be more than 0 and at most a week, got {text!r}"
RESUME_NO_FILE = "--resume: {text}: no such results file"
RESUME_A_FOLDER = "--resume: {text} is a folder, not a results file"
NOT_A_FOLDER = "{what} {path} exists and is not a folder"
CANNOT_CREATE = "{what} {path} cannot be created: {why}"
DOES_NOT_EXIST = "{what} {path} does not exist"
NOT_WRITABLE = "{what} {path} is not writable: {why}"
BAD_BUDGET = "--budget: {why}"

# -- --resume (bench.run.resume) --
RESUME_UNUSABLE = "cannot resume: {why}"
RESUME_NO_OPTIONS = ("cannot resume {path}: it does not record the options it was made with "
                     "(written by an older bench); start a new run")
RESUME_NOT_WRITABLE = "cannot resume {path}: its folder or the file is not writable"
RESUME_OTHER_MACHINE = ("cannot resume {path}: it was made on another machine or software "
                        "({key}: {there!r} there, {here!r} here); start a new run")
RESUME_OPTIONS_BROKEN = "cannot resume {path}: its recorded options no longer parse ({why})"
RESUME_OTHER_COMMAND = "cannot resume {path}: it was made by `bench {there}`, not `bench {here}`"
RESUME_AS_PLANNED = "; resume with {command} to continue it as planned"
RESUME_OTHER_PLAN = ("cannot resume {path}: it was made with other generator settings "
                     "({key}: {there!r} there, {here!r} here){hint}")
RESUME_OTHER_SETTINGS = ("cannot resume {path}: it was made with other run settings "
                         "({key}: {there!r} there, {here!r} here){hint}")

# -- a run (bench.run.session) --
ERROR_LINE = "bench: error: {error}"
DISK_FULL_KEPT = ("the file keeps the {saved} case(s) saved before; free space, then resume "
                  "with: {command}")
IN_FULL_PLANNED = ("bench {command}: measuring {configurations} configurations in {groups} groups "
                   "(+{probes} overhead probes) in full, {visits} visits each, on {where}; estimate {estimate}")
MEASURING_CAPACITY = "measuring parallel capacity (pure CPU work, 1 vs N processes) ..."
CAPACITY_MEASURED = "parallel capacity: {capacity:.2f} with {processes} processes"
CAPACITY_READINGS = " (the median of readings {readings})"
RESUMING = "bench {command}: resuming {path}: {saved} of {planned} cases already there, {left} to run"
INTERRUPTED_EARLY = "bench: interrupted by {signal} before any case ran; nothing to resume"
INTERRUPTED = "bench: interrupted by {signal}: {done} of {planned} cases are in {path}"
RESUME_WITH = "resume with: {command}"

# -- which cases a command means (bench.plan.commands) --
WARMUPS_NEGATIVE = "--warmups must be 0 or more, got {value}"
POSE_ELSEWHERE = "pose is measured by `bench pose` (or `bench all`)"
POSE_SKIPPED = "bench: pose skipped: {why}"
SCHEDULER_NO_WORKERS = "the Dask scheduler at {address} has no workers"

INTERRUPTED_BY = "bench: interrupted by {signal}"

LIST_IN_FULL = ("{cases} cases: {configurations} configurations in {groups} groups, {probes} overhead "
                "probes, each measured in full; estimate {estimate}")

# -- will it fit (bench.run.resources) --
NO_DISK_FOR_RESULTS = "not enough free disk for the results file in {where}: {free} free, about {need} needed"
NO_DISK_FOR_IMAGES = ("not enough free disk in {where}: the largest case ({case}) writes up to "
                      "{largest}, {free} free; use --out-dir on a larger disk, or fewer --n-images / "
                      "smaller --sizes")
NO_MEMORY = ("not enough memory: every case needs more than the {available} available (e.g. "
             "{case} needs about {need}); use fewer --workers, fewer --n-images or smaller --sizes")
NEEDS_MEMORY = "needs about {need} of memory, {available} available"
SKIPPING_FOR_MEMORY = ("memory: skipping {skipped} of {planned} cases that would not fit (e.g. "
                       "{example}: {why}); lower --workers to run them")

# -- what users reach for instead: joblib and mpire (bench.strategies.libraries) -----
LIBRARY_MISSING = "{library} is not installed: pip install '{requirement}' (or pip install -e . again)"
LIBRARY_SKIPPED = "bench: {strategies} skipped: {why}"
LIBRARY_NEEDS_FORK = ("{name} needs the fork start method, not {method}: mpire's shared_objects "
                      "are inherited copy-on-write only by forked workers (under spawn or "
                      "forkserver mpire pickles them to every worker)")
LIBRARY_NO_POOL = ("{name}: joblib ran the loop in this process ({backend}) instead of {workers} "
                   "workers: the case process is daemonic or joblib is nested")
LIBRARY_SHARED_SET = "{name} reads the image set given at start; this pass gave another ({got} images, {want} shared)"
# "joblib with its defaults: 0.6x the serial loop; mpire: 0.9x; the pick: 1.9x"
LIBRARY_DEFAULTS_LINE = "{parts}; the pick: {pick}"
LIBRARY_DEFAULTS_FIRST = "{label} with its defaults: {speedup} the serial loop"
LIBRARY_DEFAULTS_NEXT = "{label}: {speedup}"
LIBRARY_LEFT_OUT = ("{labels}: not measured here, this run's budget left no room for them "
                    "(a longer --budget measures them)")
LIBRARY_DEFAULTS_HEADING = "What the libraries' defaults give here (paired speedup over the serial loop):"

# -- recommend --cpus / --holdout (bench.output.prediction) -----------------------------------
PREDICT_HEADER = "Predicted for a machine with {cpus} CPUs, from {machine} - {path}"
PREDICT_FLAG = ("EXTRAPOLATION: a machine not measured. Each figure is a scaling model's, fitted on "
                "this machine; a machine of another make, memory or disk may differ far beyond the band.")
PREDICT_LINE = ("{line} ({whose}): best at {workers} worker{plural}{workers_range}, predicted "
                "{rate} img/s ({level:.0%} band {low}-{high})")
PREDICT_PICK = "the pick's configuration"
PREDICT_STAND_IN = "the pick was measured at one worker count: the fastest configuration measured at several"
PREDICT_WORKERS_RANGE = " (bootstrap: {low}-{high})"
PREDICT_MODEL = "model: {model} fitted to {span} workers, {params}, worst error {worst:.1%}"
PREDICT_WITHIN_CORES = " (up to this machine's {cpus} CPUs)"
PREDICT_EXTRAPOLATED = ("EXTRAPOLATED: {cpus} CPUs is past the {span} workers the model was "
                        "fitted to")
PREDICT_NO_MODEL = ("not predicted: no parallel configuration was measured at two or more worker "
                    "counts within this machine's CPUs (a model needs two or more)")
PREDICT_TOO_FAR = ("not predicted: {cpus} CPUs is past twice the largest worker count fitted for "
                   "{line} ({largest}, within this machine's CPUs)")
PREDICT_NOTE = ("band: {level:.0%} percentile bootstrap over the measured passes (each resample "
                "refitted), each side combined with the model's error at a new point (the "
                "t-quantile of its spare points x its residual standard error); a fit with no spare "
                "point has no band and predicts nothing past its counts. Workers are never predicted "
                "past the CPUs, and past the counts fitted at most one worker's img/s x the "
                "CPU-equivalents (the measured capacity per CPU). Check the model on this file: "
                "recommend --holdout.")
CPUS_TOO_FAR = ("--cpus {cpus}: past twice the largest worker count measured within the machine's "
                "CPUs in {files} ({largest}); a prediction that far is a guess - measure a machine "
                "of that size instead")
HOLDOUT_HEADER = "Held-out check of the scaling model: {machine} - {path}"
HOLDOUT_HOW = ("Each configuration measured at 3 or more worker counts is fitted without its "
               "largest, on the counts within this machine's CPUs, and predicts it: no gain past "
               "the cores, and past the counts fitted at most one worker's img/s x the parallel "
               "capacity (error: + = the model too high).")
HOLDOUT_SUMMARY = ("{count} configurations, {predicted} predicted: median |error| {median} (median "
                   "signed {signed}), worst {worst}; {banded} with a {level:.0%} band (a fit with "
                   "spare points), the measured value inside it in {covered} of {banded}.")
HOLDOUT_PAST_CORES = ("{count} held-out counts are past this machine's {cpus} CPUs: predicted as no "
                      "gain past the cores; the model's own curve drawn on to them misses by "
                      "{curve} (median |error|).")
HOLDOUT_NONE = ("No configuration measured at 3 or more worker counts: nothing to hold out (an "
                "--exhaustive run measures every configuration at every count).")
HOLDOUT_NOTE = ("band: {level:.0%} bootstrap over the passes of the counts fitted, each side "
                "combined with the model's error at a new point (no spare point: no band); uncapped: "
                "the model's own curve at the held-out count, past this machine's {cpus} CPUs.")

# -- recommend --code (bench.output.snippets) --------------------------------------------------
SNIPPET_HEADER = '''"""{title}: bench's pick on {machine}, run of {date}.

{config}: {route}.
Measured there: {rate} img/s, {speedup} the serial loop ({path}).
Made by `python -m bench recommend --code`; needs only the standard library, {needs}.
"""'''
SNIPPET_CHUNK_AUTO = "chunk = images / {per}"
SNIPPET_NOT_LOCAL = ("the pick, {pick}, needs a Dask cluster (docs/dask.md); the snippet is of "
                     "the best local configuration, {local}")
SNIPPET_OTHER = ("no snippet is written for the pick, {pick}, yet; the snippet is of the best "
                 "configuration one is written for, {local}")
SNIPPET_NOT_WRITTEN = "no snippet is written for the pick, {pick}, nor for any other configuration measured"
SNIPPET_NO_WORKLOAD = "no snippet for the {workload} workload"
SNIPPET_FOR = "# --- {title}: {path}"
SNIPPET_NOTE = "# note: {text}"
REPORT_EACH_RUN = "Each run on its own"

# -- your own work: bench run --task ... --images ..., the groups of files (bench.plan.file_groups) --
RUN_NEEDS = "bench run needs --task MODULE:FUNCTION and --images DIR (a folder, or a glob in quotes)"
RUN_TASK_WORKLOAD = "{workload} is measured by `bench run --task MODULE:FUNCTION --images DIR`"
RUN_ATOL = "--atol must be 0 or more, got {value}"
RUN_PER_ITEM_NEEDS_INIT = "--init-per-item races the state rebuilt for every item: it needs --init"
RUN_NO_SOURCE = "--images {source}: no such folder, and no file matches it as a pattern"
RUN_NO_IMAGES = ("--images {source}: no image files there (sub-folders included; files ending in "
                 "{extensions})")
RUN_GLOB_EMPTY = "--images {source}: the pattern matches no image file (files ending in {extensions})"
RUN_PROBING = "bench run: timing {task} on {count} of {total} files (imported and pickled in a fresh interpreter) ..."
RUN_PROBED = ("bench run: {per_item} per item{init}; the files decode to about {size} "
              "(cv2.imread: {read} each)")
RUN_PROBE_INIT = ", state built in {init}"
RUN_PROBE_HUNG = ("bench run: warning: the task did not return within {seconds:.0f} s on its first "
                  "files; planning with {guess} per item, and the case timeout will end what hangs")
RUN_PROBE_CRASHED = ("bench run: warning: the task's process ended without an answer ({why}); "
                     "planning with {guess} per item, and the race records what fails")
RUN_SAMPLE = ("bench run: {group}: {count} of the {total} files are measured (a sample drawn by "
              "--seed, in name order); --limit N measures N of them")
FAILED_ITEMS_HEADING = "{group}: {count} item(s) could not be processed (path: error; the same in every configuration):"
FAILED_ITEMS_MORE = "  ... and {count} more: every case's failed_items in the results file"

# -- compare: where the machines' OpenCV builds differ (bench.analysis.opencv_build) --
OPENCV_BUILD_FACTS = {"bench_cv2_version": "OpenCV", "bench_cv2_jpeg": "JPEG",
                      "bench_cv2_jpeg_simd": "JPEG SIMD", "bench_cv2_png": "PNG",
                      "bench_cv2_simd_baseline": "SIMD baseline",
                      "bench_cv2_simd_dispatch": "SIMD dispatch",
                      "bench_cv2_parallel": "parallel framework",
                      "bench_cv2_threads": "OpenCV threads"}
OPENCV_BUILD_FACT = "{fact} ({values})"
OPENCV_THREADS_VALUE = "{threads} of {cpus} CPUs"
OPENCV_BUILDS_DIFFER = ("OpenCV differs between the machines: {facts}. Encoding, decoding and pixel "
                        "work run on it: img/s compares its build as well as the CPUs")

# -- a task that fails on most items: not benchmarked (bench.plan.task_probe, bench.run.race) --
RUN_PROBE_ALL_FAILED = ("your task failed on every item the probe tried ({failed} of {tried}): "
                        "{error} - fix the task, or check --images")
RACE_MOSTLY_FAILED = ("{failed} of {images} items failed in the serial loop (the first: {first}); "
                      "a loop that fails on most items times its errors, not the work, so none "
                      "of this group is raced")

# -- figures that disagree: the storage changed speed during a race (bench.output.summary,
#    bench.analysis.recommend) --
FIGURES_DISAGREE = (
    "{group}: the figures disagree - {best} leads by paired speedup ({speedup}) but {other} wrote "
    "{times:.1f}x as many img/s; the serial passes timed next to them ran at {best_serial} and "
    "{other_serial} img/s: the storage changed speed during the race, so img/s of different "
    "moments are not comparable, and each speedup (a pool pass over the serial pass next to it) is "
    "what ranks them{above}")
FIGURES_DISAGREE_ABOVE = "; {speedup} is past what the CPUs allow (capacity {capacity:.2f}): the storage's doing"
THIN_PICK_ON_SLOW_STORAGE = (
    "the pick rests on {visits} visit(s) while the same serial work ran {swing:.1f}x faster at one "
    "moment than at another (a slow minute of the storage or the CPUs): treat it as provisional - "
    "a longer --budget gives a firmer answer (where the work writes files, so does tmpfs: "
    "--out-dir /dev/shm)")

# -- what the user names is planned or refused (bench.plan.planner) --
RACE_SERIAL_TOO = "  the serial loop is raced too: every speedup is measured against it"
RACE_NAMED_GROUPS = "in {count} of the {groups} groups"
RACE_NAMED_LEFT_OUT = ("  named, but this budget has no room for: {items}; --budget {budget} takes "
                       "them in")
RACE_OVER_BUDGET = ("  this budget ({budget}) cannot hold the serial loop and the configurations at "
                    "the usable CPU count, {usable} (about {estimate}); --budget {needed} holds them")
PLAN_STRATEGY_NO_GROUP = "--strategies {strategy}: no group of this command can race it ({why})"
PLAN_NEEDS_MODEL = "it needs a workload with a model: pose, keypoints, holistic, or bench run with --init"
PLAN_NOT_PER_TASK = "--layouts per-task alone leaves it out: its tasks are not slices; add flat to --layouts"
PLAN_NOT_ON_FILES = "groups of files race {allowed}"
PLAN_NOT_HERE = "this command's groups: {groups}"
PLAN_WORKERS_SERIAL_ONLY = ("--workers sizes pools, and --strategies names only the serial loop; "
                            "name a parallel strategy too")
PLAN_CHUNKS_UNUSED = ("--chunk-sizes applies to strategies whose tasks are chunks ({chunked}); "
                      "none of those is planned here")
PLAN_LAYOUT_NO_IMWRITE = ("--layouts {layout}: output layouts are imwrite's, and this command plans "
                          "no imwrite group")
PLAN_LAYOUT_NO_SLICES = ("--layouts per-task: a folder per task needs a strategy whose tasks are "
                         "slices ({sliced}); none is planned here")
PLAN_SET_UNUSED = ("{option} {value}: no group of this command measures it (pose takes WxHx3 with "
                   "person, noise or smooth content; the pipelines and bench run measure files)")
PLAN_WORKLOAD_NO_SET = ("--workloads {workload}: none of the image sets named fits it (pose takes "
                        "WxHx3 with person, noise or smooth content)")
PLAN_WORKLOAD_UNUSED = ("--workloads {workload}: `bench {command}` does not measure it; "
                        "`bench all --workloads {workload}` does")

# -- a simulated machine: MACHINE.json read and checked (bench.sim.machine) --
SIM_IN_FILE = "{path}: {error}"
SIM_UNREADABLE = "cannot read it ({error})"
SIM_NOT_JSON = "not JSON ({error})"
SIM_NOT_OBJECT = "{field} must be a JSON object, not {value}"
SIM_UNKNOWN_FIELD = "unknown field {field!r} in {where} (its fields: {fields})"
SIM_MISSING = "{field} is missing: {what}"
SIM_NUMBER = "{field} must be a number {bound}, not {value}"
SIM_WHOLE = "{field} must be a whole number {bound}, not {value}"
SIM_TEXT = "{field} must be a string, not {value}"
SIM_NAMES = "{field} must be a list of strategy names, not {value}"
SIM_CURVE = ("{field} must be points [[workers, speedup], ...] or USL parameters "
             "{{\"sigma\": s, \"kappa\": k, \"scale\": c}}, not {value}")
SIM_POINTS_ORDER = "{field}: the workers must increase from point to point ({workers})"
SIM_SERIAL_CURVE = "{field}: the serial loop is the reference, its speedup is 1 by definition"
SIM_UNKNOWN_STRATEGY = "{field}: no strategy is called {name!r} (bench's: {known})"
SIM_NO_DEFAULT = "{field} names no \"default\": {what}"
SIM_STALL_FACTOR = "stall_p {stall_p} needs stall_factor (how many times longer a stalled pass takes)"
SIM_NO_GROUP = "no serial_s_per_image for the group {group!r} and no \"default\" (named: {named})"
SIM_NOT_STRATEGY_IN_MACHINE = "planted names {name!r}, which the machine's speedup does not name"
SIM_ARGUMENT = "{what} must be {bound}, not {value}"

# -- recommend --cpus / --holdout: spare points, the capacity's cap (bench.output.prediction) --
PREDICT_LINE_NO_BAND = ("{line} ({whose}): best at {workers} worker{plural}, predicted {rate} img/s "
                        "(no band: {points} points, a model of {params} parameters: no error can be "
                        "estimated)")
PREDICT_SPARE = "; {spare} spare point{plural}: its error at a new point {error:.1%}"
PREDICT_CAPPED = ("CAPPED: past the {fitted} workers fitted, at most one worker's {lam} img/s x the "
                  "CPU-equivalents the workers can use ({share:.2f} per CPU: {capacity})")
PREDICT_CAPACITY = "this machine's parallel capacity {capacity:.2f} of {cpus} CPUs"
PREDICT_NO_CAPACITY = "parallel capacity not measured"
PREDICT_NO_SPARE = ("not predicted: {line} was fitted to {span} workers, {points} points, a model of "
                    "{params} parameters: no error can be estimated, so nothing past {largest} "
                    "workers is predicted")
HOLDOUT_NOT_PREDICTED = ("{count} not predicted ({reasons}): past the counts fitted, a fit with no "
                         "spare point has no error to go by, and past twice the largest count "
                         "fitted nothing is trusted.")
HOLDOUT_NO_BAND = "none: {points} pts, {params} params"
HOLDOUT_REFUSED = {"no spare point": "no spare point", "too far": "too far",
                   "one worker count": "< 2 counts within the CPUs"}

# -- python -m bench.sim: the planner and race on a simulated machine --
SIM_SEEDS = "--seeds must be 1 or more, not {value}"
SIM_NO_SPEEDUPS = "{path}: no configuration with a paired speedup: nothing to shape a machine from"
SIM_PROGRESS = "simulated {done} of {seeds} runs; ETA {eta}"
SIM_HEADER = ("{machine}: {cpus} CPUs, bench all {mode} (budget {budget}), {seeds} seeds; speedups are "
              "the machine's true ones, over the serial loop")
SIM_GROUP = ("  {group}: true best {best}; pick within {share:.0%} of it in {within} of {seeds} "
             "(pick/best median {median:.3f}, worst {worst:.3f}); picks: {picks}; runs that put out a "
             "configuration within 2% of the leader: {wrong}")
SIM_LEFT_OUT = ("not measured, left out by the plan (not in the figures above): {groups}")
SIM_SUMMARY = ("summary: {picks_within} of {groups} picks within {within:.0%} of the true best (the "
               "best count the answer names next to its pick: {best_counts_within}); every run "
               "inside budget + 10% in {runs_within_budget_10pct} of {seeds} (worst {wall_over_budget_worst:.2f}x the "
               "budget); groups with a wrong elimination: {groups_with_wrong_outs}")

# -- the worker count: the best and the plateau of the pick's configuration --------------------
# (bench.output.recommendation, bench.output.charts.workers, bench.output.charts.machines)
PLATEAU_LINE = ("Workers{whose}: best {best} ({best_figure}), plateau from {plateau} "
                "({plateau_figure}, within {margin:.0%}): fewer workers leave memory and CPUs to "
                "other jobs.")
PLATEAU_AT_BEST = ("Workers{whose}: best {best} ({best_figure}); no fewer come within {margin:.0%} "
                   "({fewer}: {fewer_figure}).")
PLATEAU_FEWEST = "Workers{whose}: best {best} ({best_figure}), the fewest measured."
PLATEAU_WHOSE = " ({line}, the fastest parallel configuration)"
PLATEAU_NOT_SEARCHED = " The count is not searched: measured at {counts} workers only."
PLATEAU_TOO_BIG = " Not counted: {counts} workers do not fit in RAM."
WORKERS_CHART_TITLE = "Workers: {title}"
WORKERS_CHART_NOTE = ("the pick's configuration (thick) and the {others} next fastest; ring: the "
                      "plateau, the fewest workers within {margin:.0%} of the best (by {by}, medians)")
WORKERS_RATE_PANEL = "throughput (higher is better)"
WORKERS_SPEEDUP_PANEL = "speedup over the serial loop"
WORKERS_NO_SPEEDUP = "no serial loop measured:\nno speedup"
PLATEAU_REF = "plateau: the fewest workers within {margin:.0%} of the best count"
PLATEAU_BEST_REF = "best worker count"
PLATEAU_MARGIN_REF = "{margin:.0%} below the best"
PLATEAU_MARK = "plateau {workers}"
PLATEAU_MARK_MACHINE = "{label}: plateau {workers}"
NO_PARALLEL_LINE = "no parallel configuration measured"
PLATEAU_BY = {"speedup": "paired speedup", "img/s": "img/s"}
COMPARE_SPEEDUP_PANEL = "{title}: speedup"
PLATEAU_CELL = "{plateau} (best {best}){searched}"
