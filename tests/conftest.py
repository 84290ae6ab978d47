import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# PYTHONDONTWRITEBYTECODE (set in some containers) makes pytest rewrite the asserts of every
# test module, and of hypothesis (a plugin: its whole package is rewritten), on every run:
# half of the collection's time. The caches it writes are __pycache__ folders (ignored by
# git) and stay correct (each is checked against its source's mtime and size).
sys.dont_write_bytecode = False


@pytest.fixture
def tiny_images():
    from workloads.images import ImageSetSpec, ImageSize, generate

    return generate(ImageSetSpec(ImageSize(16, 12, 3), 12, "smooth", seed=3))


@pytest.fixture
def run_cli(tmp_path):
    """Run ``python -m bench ...`` in a subprocess; returns CompletedProcess."""

    def run(*args, timeout=120, env=None):
        # the checkout under test, whatever an editable install elsewhere points to
        env = dict(os.environ if env is None else env)
        env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
        return subprocess.run([sys.executable, "-m", "bench", *args], capture_output=True,
                              text=True, timeout=timeout, cwd=tmp_path, env=env)
    return run


class FakeClock:
    """A clock that only moves when told to: durations are exact and known."""

    def __init__(self, start=1000.0):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def group_work(tmp_path):
    """``make(spec, serial_slice, workload="imwrite")``: a group's case-process work
    (bench.measure.visits.GroupWork) in this process, on a generated image set; every one
    made is stopped at the end of the test."""
    from bench.measure.visits import GroupWork
    from workloads.codecs import Codec
    from workloads.imwrite import ImwriteWorkload

    made = []

    def make(spec, serial_slice: int, workload: str = "imwrite") -> GroupWork:
        work = tmp_path / f"passes-{len(made)}"
        work.mkdir()
        made.append(GroupWork({"workload": workload, "params": ImwriteWorkload.params_for(Codec()),
                               "images": spec.as_dict(), "serial_slice": serial_slice,
                               "work_dir": str(work)}, 2))
        return made[-1]

    yield make
    for w in made:
        w.stop()


@pytest.fixture
def fake_clock():
    return FakeClock()


def assert_images_equal(a, b):
    assert a.dtype == np.uint8 and b.dtype == np.uint8
    assert np.array_equal(a, b)


# Tests that start interpreters, pools or case processes are end-to-end (`-m e2e`);
# `python -m pytest -m "not e2e"` is the fast unit subset. A whole module is marked when
# nearly every test of it starts processes; elsewhere the test itself says so.
E2E_MODULES = {
    "test_faults.py", "test_race_faults.py", "test_interrupt.py", "test_dask.py",
    "test_strategies.py", "test_atomic.py", "test_pose.py", "test_cli.py", "test_capacity.py",
    "test_memory.py", "test_resume.py",
}
E2E_FIXTURES = {"run_cli"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in E2E_MODULES or E2E_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)
