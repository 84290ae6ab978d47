"""Pass folders are removed in bulk between visits, and on a disk the file system is
settled after, so no timed pass pays for an earlier pass's clean-up."""
import os

import pytest

from bench.measure import machine
from bench.measure.trash import Trash, folder_bytes


def _pass_folder(root, n, files=4, size=1000):
    path = root / f"pass-{n}"
    (path / "task-0").mkdir(parents=True)
    for k in range(files):
        (path / "task-0" / f"{k}.jpg").write_bytes(b"x" * size)
    return str(path)


def test_a_folder_is_measured_with_its_sub_folders(tmp_path):
    assert folder_bytes(_pass_folder(tmp_path, 0, files=3, size=500)) == 1500


@pytest.mark.parametrize("fs, settles", [("ext4", True), ("tmpfs", False)])
def test_the_trash_is_emptied_in_bulk_once_over_its_limit_and_settled_on_a_disk(fs, settles, tmp_path, monkeypatch):
    monkeypatch.setattr(machine, "filesystem_of", lambda path: fs)
    syncs = []
    trash = Trash(limit_bytes=10_000, sync=lambda: syncs.append(sorted(os.listdir(tmp_path))))
    folders = []
    for n in range(3):                       # 3 x 4,000 bytes: over the limit at the third
        folders.append(_pass_folder(tmp_path, n))
        trash.add(folders[-1])
        trash.tidy()
        if n < 2:
            assert all(os.path.isdir(f) for f in folders) and syncs == []
    assert not any(os.path.exists(f) for f in folders)
    # the sync comes after the removal, so it waits for what the removal wrote
    assert syncs == ([[]] if settles else [])
    trash.add(_pass_folder(tmp_path, 3))
    trash.empty()                            # the group ends: whatever is left goes
    assert os.listdir(tmp_path) == [] and len(syncs) == (2 if settles else 0)
    trash.empty()                            # nothing left: no removal, no sync
    assert len(syncs) == (2 if settles else 0)
