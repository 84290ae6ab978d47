"""``python tests/cli_launcher.py ARGS``: ``python -m bench ARGS`` with a fixed parallel
capacity, so fault tests do not spend seconds measuring the machine.

Everything else - the process tree, signals, the results file - is exactly what a
user's ``python -m bench`` does: this process is the main process.
"""
import sys


def fake_capacity(n, iterations=0, repeats=0):
    return {"processes": n, "single_s": 1.0, "parallel_s": 1.0, "capacity": float(n)}


if __name__ == "__main__":
    import bench.run.session

    bench.run.session.measure_capacity = fake_capacity
    from bench.cli.main import main

    sys.exit(main(sys.argv[1:]))
