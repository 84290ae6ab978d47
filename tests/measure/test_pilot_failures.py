"""A group's pilot serial pass says how many of its items failed, and the first failure:
the race fails a group whose serial loop fails on most of them (bench.run.race)."""
import textwrap

import cv2
import numpy as np
import pytest

from bench.measure.visits import GroupWork
from workloads import task_import
from workloads.codecs import Codec
from workloads.files import FileSetSpec
from workloads.images import ImageSetSpec, ImageSize
from workloads.imwrite import ImwriteWorkload
from workloads.user_task import TaskWorkload


@pytest.fixture
def folder(tmp_path):
    """Five small PNGs, 0.png to 4.png, and one file that is not an image."""
    root = tmp_path / "frames"
    root.mkdir()
    for i in range(5):
        cv2.imwrite(str(root / f"{i}.png"), np.full((4, 6, 3), i, np.uint8))
    (root / "5.png").write_bytes(b"not a png")
    return str(root)


@pytest.fixture
def module(tmp_path, monkeypatch):
    name = f"pilotmod_{abs(hash(str(tmp_path))) % 10**8}"        # resolve caches by spec
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent('''
        def picky(image, name):
            if name in ("1.png", "2.png", "4.png"):
                raise ValueError(f"no face in {name}")
            return image.shape
    '''))
    monkeypatch.setattr(task_import, "_RESOLVED", {})
    monkeypatch.setattr(task_import, "_CALLS", {})
    return str(path)


def _pilot(tmp_path, workload: str, params: dict, images) -> dict:
    work = tmp_path / "passes"
    work.mkdir()
    host = GroupWork({"workload": workload, "params": params, "images": images.as_dict(),
                      "serial_slice": images.count, "work_dir": str(work)}, 2)
    try:
        return host.pilot()
    finally:
        host.stop()


def test_the_pilot_counts_the_items_a_task_failed_on_and_names_the_first(tmp_path, folder, module):
    files = FileSetSpec(ImageSize(6, 4, 3), 6, "files", 0, folder, 6)
    reply = _pilot(tmp_path, "task", TaskWorkload.params_for(f"{module}:picky"), files)
    # three raised, and 5.png cannot be read: 4 of 6, in name order
    assert reply["images"] == 6 and reply["items_failed"] == 4
    assert reply["first_failure"] == "1.png: ValueError: no face in 1.png"


def test_the_pilot_of_a_read_counts_the_file_that_cannot_be_read(tmp_path, folder):
    files = FileSetSpec(ImageSize(6, 4, 3), 6, "files", 0, folder, 6)
    reply = _pilot(tmp_path, "imread", {"decode": "color"}, files)
    assert reply["items_failed"] == 1 and reply["first_failure"].startswith("5.png: cv2.imread cannot read it")


def test_a_workload_whose_items_cannot_fail_reports_none(tmp_path):
    spec = ImageSetSpec(ImageSize(8, 8, 1), 4, "noise", 0)
    reply = _pilot(tmp_path, "imwrite", ImwriteWorkload.params_for(Codec()), spec)
    assert reply["items_failed"] == 0 and reply["first_failure"] is None
