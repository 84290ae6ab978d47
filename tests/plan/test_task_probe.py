"""The probe of ``bench run`` on a task that fails: every item it tried raising stops the
run before the plan (a race would time how fast the task raises); some raising, or
files that cannot be read, do not."""
import textwrap

import numpy as np
import pytest

from bench.plan.task_probe import PROBE_ITEMS, _probe
from workloads import task_import
from workloads.files import list_files
from workloads.task_import import TaskError
from workloads.user_task import TaskWorkload

MODULE = '''
def always(image):
    raise ValueError("no face in this frame")

def second_only(image, name):
    if name != "1.png":
        raise ValueError(f"no face in {name}")
    return image.shape
'''


@pytest.fixture
def module(tmp_path, monkeypatch):
    name = f"probemod_{abs(hash(str(tmp_path))) % 10**8}"       # resolve caches by spec
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(MODULE))
    monkeypatch.setattr(task_import, "_RESOLVED", {})
    monkeypatch.setattr(task_import, "_CALLS", {})
    return str(path)


def _request(tmp_path, task: str, broken=()):
    import cv2

    folder = tmp_path / "img"
    folder.mkdir()
    for i in range(PROBE_ITEMS + 1):
        path = folder / f"{i}.png"
        if i in broken:
            path.write_bytes(b"not a png")
        else:
            cv2.imwrite(str(path), np.full((4, 6, 3), i, np.uint8))
    items = list_files(str(folder))
    return {"params": TaskWorkload.params_for(task), "items": [list(i) for i in items[:PROBE_ITEMS]],
            "sizes": [i.path for i in items], "out_dir": str(tmp_path / "out")}


def test_a_task_that_raises_on_every_item_tried_stops_with_its_error(module, tmp_path):
    with pytest.raises(TaskError) as caught:
        _probe(_request(tmp_path, f"{module}:always"))
    text = str(caught.value)
    assert "failed on every item the probe tried (3 of 3): ValueError: no face in this frame" in text
    assert "\n" not in text


def test_a_file_that_cannot_be_read_is_not_counted_as_the_tasks_failure(module, tmp_path):
    with pytest.raises(TaskError, match=r"\(2 of 2\): ValueError"):
        _probe(_request(tmp_path, f"{module}:always", broken={0}))


def test_no_item_the_task_could_be_called_on_is_no_verdict(module, tmp_path):
    found = _probe(_request(tmp_path, f"{module}:always", broken=set(range(PROBE_ITEMS))))
    assert found["seconds_per_item"] is not None        # planned; the race's pilot judges


def test_one_item_that_passes_is_enough_to_plan(module, tmp_path):
    found = _probe(_request(tmp_path, f"{module}:second_only"))      # 2 of 3 raise
    assert found["seconds_per_item"] is not None and found["shapes"]
