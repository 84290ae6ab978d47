import textwrap

import pytest

from workloads import task_import, user_task


@pytest.fixture
def task_module(tmp_path, monkeypatch):
    """``make(source)``: a user's task module written as a .py file of this test's own
    (resolve() caches by spec, and a state built here must not refuse a later fork)."""
    monkeypatch.setattr(task_import, "_RESOLVED", {})
    monkeypatch.setattr(task_import, "_CALLS", {})
    monkeypatch.setattr(user_task, "_BUILT_IN_PID", None)

    def make(source: str) -> str:
        path = tmp_path / f"usertasks_{abs(hash(str(tmp_path))) % 10**8}.py"
        path.write_text(textwrap.dedent(source))
        return str(path)
    return make
