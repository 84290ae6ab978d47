"""Input sets that are files: listing, the deterministic sample, the spec's round trip,
the generated photos, how an item reaches a task, the packed shared-memory layout."""
import os
import pickle

import cv2
import numpy as np
import pytest

from bench.model.case import Case
from workloads import files
from workloads.files import (Decoded, FileItem, FileSetSpec, PackedImages, Unreadable, folder_runs,
                             list_files, open_item, pack_layout, sample)
from workloads.images import ImageSetSpec, ImageSize, generate


def _folder(tmp_path):
    """Uneven sub-folders, a PNG, a corrupt file, things that are not images."""
    pixels = generate(ImageSetSpec(ImageSize(20, 10, 3), 5, "smooth", seed=1))
    (tmp_path / "b").mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / ".hidden").mkdir()
    cv2.imwrite(str(tmp_path / "a" / "0.jpg"), pixels[0])
    for i in (1, 2, 3):
        cv2.imwrite(str(tmp_path / "b" / f"{i}.PNG"), pixels[i])
    cv2.imwrite(str(tmp_path / "top.jpg"), pixels[4])
    cv2.imwrite(str(tmp_path / ".hidden" / "x.jpg"), pixels[4])
    (tmp_path / "b" / "broken.jpg").write_bytes(b"not a jpeg")
    (tmp_path / "notes.txt").write_text("not an image")
    return tmp_path


def test_a_folder_lists_its_images_by_name_sub_folders_included(tmp_path):
    items = list_files(str(_folder(tmp_path)))
    assert [i.name for i in items] == ["a/0.jpg", "b/1.PNG", "b/2.PNG", "b/3.PNG", "b/broken.jpg", "top.jpg"]
    assert all(os.path.isabs(i.path) and os.path.exists(i.path) for i in items)
    assert folder_runs(items) == [(0, 1), (1, 5), (5, 6)]          # uneven folders, in order


def test_a_glob_lists_what_it_matches_named_from_its_fixed_folder(tmp_path):
    _folder(tmp_path)
    items = list_files(str(tmp_path / "b" / "*.PNG"))
    assert [i.name for i in items] == ["1.PNG", "2.PNG", "3.PNG"]
    assert [i.name for i in list_files(str(tmp_path / "**" / "*.jpg"))] == ["a/0.jpg", "b/broken.jpg", "top.jpg"]
    assert list_files(str(tmp_path / "*.gif")) == []


def test_the_sample_is_deterministic_and_keeps_name_order():
    items = [FileItem(f"/x/{i}", f"{i:03d}") for i in range(100)]
    a, b = sample(items, 10, seed=3), sample(items, 10, seed=3)
    assert a == b and len(a) == 10 and a == sorted(a, key=lambda i: i.name)
    assert sample(items, 10, seed=4) != a
    assert sample(items, 500, seed=3) == items


def test_a_file_set_goes_through_a_case_and_back(tmp_path):
    _folder(tmp_path)
    spec = FileSetSpec(ImageSize(20, 10, 3), 4, "files", 7, str(tmp_path), 6)
    assert ImageSetSpec.from_dict(spec.as_dict()) == spec
    case = Case("task", spec, {"task": "m:f", "decode": "color"}, "processes", 2)
    back = Case.from_dict(case.as_dict())
    assert back == case and back.name == case.name
    assert case.group.count("/") == 2 and spec.label.startswith("files-")
    items = generate(spec)                   # the case process's items: the sample's files
    assert items == sample(list_files(str(tmp_path)), 4, 7)


def test_photos_are_generated_once_the_same_everywhere(tmp_path, monkeypatch):
    spec = ImageSetSpec(ImageSize(64, 48, 3), 8, "photos", 0)
    monkeypatch.setenv(files.CACHE_ENV, str(tmp_path / "one"))
    first = generate(spec)
    monkeypatch.setenv(files.CACHE_ENV, str(tmp_path / "two"))
    second = generate(spec)
    assert [i.name for i in first] == [i.name for i in second]
    for a, b in zip(first, second):
        with open(a.path, "rb") as fa, open(b.path, "rb") as fb:
            assert fa.read() == fb.read()             # byte for byte, another folder
    assert {os.path.splitext(i.name)[1] for i in first} == {".jpg", ".png"}
    shapes = {cv2.imread(i.path).shape for i in first}
    assert len(shapes) == 3 and (48, 64, 3) in shapes      # several sizes
    assert len(folder_runs(first)) == 2                    # 3 files, then 5 of the next folder
    stamp = os.path.getmtime(second[0].path)
    generate(spec)                                         # there already: not written again
    assert os.path.getmtime(second[0].path) == stamp


def test_an_item_reaches_the_task_in_any_of_its_forms(tmp_path):
    items = list_files(str(_folder(tmp_path)))
    good, broken = items[0], items[4]
    name, pixels, why = open_item(good, "color")
    assert name == "a/0.jpg" and pixels.shape == (10, 20, 3) and why is None
    assert open_item(good, "grayscale")[1].shape == (10, 20)
    assert open_item(good, "none")[1] == good.path                 # --decode none: the path
    name, pixels, why = open_item(broken, "color")
    assert pixels is None and why.startswith("b/broken.jpg: cv2.imread cannot read")
    parent = files.read_in_parent(broken, "color")
    assert isinstance(parent, Unreadable) and open_item(parent, "color")[2] == why   # same failure
    decoded = files.read_in_parent(good, "color")
    again = pickle.loads(pickle.dumps(decoded))
    assert again.name == "a/0.jpg" and np.array_equal(np.asarray(again), decoded.pixels)
    array = np.zeros((2, 2), np.uint8)
    assert open_item(array, "color") == ("", array, None)         # a generated set's image


def test_images_of_any_sizes_pack_into_one_block_and_read_back():
    images = [np.full((3, 5, 3), 7, np.uint8), np.arange(12, dtype=np.uint8).reshape(3, 4),
              np.full((1, 1, 3), 9, np.uint8)]
    decoded = [Decoded("a", images[0]), Unreadable("bad", "bad: unreadable"), Decoded("b", images[1]),
               Decoded("c", images[2])]
    slots, size = pack_layout(decoded)
    assert all(s.offset % files.ALIGN == 0 for s in slots)
    buf = bytearray(size)
    packed = PackedImages(memoryview(buf), slots)
    for i, d in enumerate(decoded):
        if isinstance(d, Decoded):
            packed.view(i)[...] = d.pixels
    assert isinstance(packed[1], Unreadable) and packed[1].reason == "bad: unreadable"
    for i, want in ((0, images[0]), (2, images[1]), (3, images[2])):
        got = packed[i]
        assert isinstance(got, Decoded) and np.array_equal(got.pixels, want)
    plain = pack_layout([images[1]])[0]                   # a generated image: no name
    assert isinstance(PackedImages(memoryview(bytearray(64)), plain)[0], np.ndarray)


def test_a_set_of_files_has_a_fingerprint_of_names_and_sizes(tmp_path):
    from workloads.images import fingerprint

    items = list_files(str(_folder(tmp_path)))
    first = fingerprint(items)
    assert first == fingerprint(list(items))
    (tmp_path / "top.jpg").write_bytes(b"x")
    assert fingerprint(items) != first


@pytest.mark.parametrize("source", ["", "/no/such/place"])
def test_a_source_with_nothing_lists_nothing(source):
    assert list_files(source or "/no/such/*.jpg") == []


@pytest.mark.e2e
def test_a_file_set_read_back_in_a_fresh_interpreter_that_imports_only_images_is_a_file_set(tmp_path):
    # workloads.images never imports workloads.files (no import cycle): the file set's class
    # and loader reach it by registration, which must have happened before any spec is read
    import subprocess
    import sys

    (tmp_path / "a.png").write_bytes(b"")
    code = ("from workloads.images import ImageSetSpec, generate, fingerprint\n"
            f"s = ImageSetSpec.from_dict({{'size': '4x4x3', 'count': 1, 'content': 'files', "
            f"'seed': 0, 'source': {str(tmp_path)!r}}})\n"
            "items = generate(s)\n"
            "print(type(s).__name__, [i.name for i in items], len(fingerprint(items)))\n")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                         check=True).stdout
    assert out.split() == ["FileSetSpec", "['a.png']", "16"]
