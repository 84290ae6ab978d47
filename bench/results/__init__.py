"""The results file: a pyperf BenchmarkSuite, one benchmark per case, plus bench's own
section (run-wide facts, failed cases). ``store`` reads and writes it, ``benchmark``
turns a finished case into a pyperf benchmark, ``atomic`` writes files whole."""
from bench.results.atomic import remove_stale_temps
from bench.results.benchmark import case_benchmark, race_benchmark
from bench.results.store import ResultsError, ResultsFile, ResultsWriteError, newest_results, utc_now

__all__ = ["ResultsError", "ResultsFile", "ResultsWriteError", "case_benchmark", "newest_results",
           "race_benchmark", "remove_stale_temps", "utc_now"]
