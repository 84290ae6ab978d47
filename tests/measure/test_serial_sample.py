"""The paired serial passes over part of a set: a seeded random sample of it, the same in
every process, and a reference that verifies a pool on exactly the images sampled."""
import os
import subprocess
import sys

import numpy as np
import pytest

from bench.measure.verify import VerificationError, compare_outputs, outputs_of_sample
from bench.measure.visits import _pick, serial_sample
from project import ROOT
from workloads.images import ImageSetSpec, ImageSize


def _spec(seed=0, count=1000) -> dict:
    return ImageSetSpec(ImageSize(16, 16, 1), count, "noise", seed).as_dict()


# -- which images -------------------------------------------------------------------------
def test_a_set_that_fits_one_serial_pass_is_covered_whole():
    assert serial_sample(_spec(count=40), 40, 40) == list(range(40))
    assert serial_sample(_spec(count=40), 40, 90) == list(range(40))


def test_the_sample_spans_the_set_in_input_order_without_repeats():
    got = serial_sample(_spec(), 1000, 100)
    assert len(got) == 100 and len(set(got)) == 100 and got == sorted(got)
    assert 0 <= got[0] and got[-1] < 1000
    assert got != list(range(100))
    # drawn from the whole set: the last tenth holds some (100 of 1000: about 10 of them)
    assert sum(i >= 900 for i in got) >= 3


def test_a_set_in_two_halves_is_timed_at_its_mean_cost_not_its_first_half():
    """Sub-folders that differ: the first 500 images 4x4 pixels, the last 500 64x64. The
    pixels a serial pass handles per image stand for its cost: the set's mean is 2056;
    the first 100 files (the prefix) say 16. Every seed's sample lands near the mean."""
    images = [np.zeros((4, 4), np.uint8)] * 500 + [np.zeros((64, 64), np.uint8)] * 500
    whole = np.mean([im.size for im in images])
    assert whole == 2056
    prefix = np.mean([im.size for im in images[:100]])
    assert prefix < 0.01 * whole
    for seed in range(20):
        picked = _pick(images, serial_sample(_spec(seed), len(images), 100))
        assert len(picked) == 100
        # 100 draws of 16 or 4096 px: the sample mean's spread is about 200 px (10%)
        assert abs(np.mean([im.size for im in picked]) - whole) < 0.35 * whole, seed


def test_the_sample_is_the_same_for_the_same_set_and_another_for_another():
    spec = _spec(seed=3)
    assert serial_sample(spec, 1000, 50) == serial_sample(dict(spec), 1000, 50)
    assert serial_sample(_spec(seed=4), 1000, 50) != serial_sample(spec, 1000, 50)
    files = dict(spec, source="/photos/a", total=1000)
    assert serial_sample(files, 1000, 50) != serial_sample(dict(files, source="/photos/b"), 1000, 50)


@pytest.mark.e2e        # starts two interpreters
def test_every_process_draws_the_same_sample():
    """The serial loop's process and each pool's draw it apart: Python's str hashing is
    salted per process, so the draw must not depend on it."""
    code = ("import json, sys; from bench.measure.visits import serial_sample; "
            "print(json.dumps(serial_sample(json.loads(sys.argv[1]), 1000, 50)))")
    import json

    spec = _spec(seed=7)
    seen = set()
    for salt in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=salt, PYTHONPATH=ROOT)
        out = subprocess.run([sys.executable, "-c", code, json.dumps(spec)], env=env, cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
        seen.add(out.strip())
    assert seen == {json.dumps(serial_sample(spec, 1000, 50))}


def test_an_array_set_gives_the_sampled_rows_as_one_array():
    images = np.arange(10 * 2 * 2, dtype=np.uint8).reshape(10, 2, 2)
    picked = _pick(images, [1, 4, 8])
    assert picked.flags.c_contiguous and [int(p[0, 0]) for p in picked] == [4, 16, 32]
    assert _pick(images, list(range(10))) is images              # all of it: no copy


# -- keyed as the whole set keys them -------------------------------------------------------
class Positional:
    """Outputs keyed by position, as pose's and imencode's are; the value says its item."""

    def with_output(self, out_dir):
        return self

    def outputs(self, results, count):
        return {f"{i:05d}": r for i, r in enumerate(results)}

    @staticmethod
    def differs(a, b):
        return a != b

    describe_difference = None


class Mixed(Positional):
    """A user's task: a value per item by position, and files named by the item."""

    def __init__(self, out_dir=""):
        self.out_dir = out_dir

    def with_output(self, out_dir):
        return Mixed(out_dir)

    def outputs(self, results, count):
        out = super().outputs(results, count)
        for name in sorted(os.listdir(self.out_dir)):
            with open(os.path.join(self.out_dir, name)) as fh:
                out["file:" + name] = fh.read()
        return out


def test_positional_outputs_of_a_sample_are_keyed_by_their_place_in_the_set():
    indices = [2, 5, 9]
    got = outputs_of_sample(Positional(), [f"item {i}" for i in indices], indices, 12)
    assert got == {"00002": "item 2", "00005": "item 5", "00009": "item 9"}


def test_file_outputs_keep_their_names_and_positional_ones_move(tmp_path):
    indices = [1, 3]
    for i in indices:                                  # what processing them under i wrote
        (tmp_path / f"{i}.txt").write_text(f"file of {i}")
    got = outputs_of_sample(Mixed(str(tmp_path)), [f"item {i}" for i in indices], indices, 6)
    assert got == {"00001": "item 1", "00003": "item 3",
                   "file:1.txt": "file of 1", "file:3.txt": "file of 3"}


def test_a_prefix_or_the_whole_set_is_keyed_as_before():
    got = outputs_of_sample(Positional(), ["a", "b"], [0, 1], 10)
    assert got == {"00000": "a", "00001": "b"}


def test_a_pool_is_verified_on_the_sampled_images_only():
    indices = [2, 5, 9]
    reference = outputs_of_sample(Positional(), [f"item {i}" for i in indices], indices, 12)
    pool = {f"{i:05d}": f"item {i}" for i in range(12)}
    assert compare_outputs(Positional(), reference, pool, sample_only=True) == 3
    # a difference outside the sample is not seen (the serial loop never made that image)
    assert compare_outputs(Positional(), reference, dict(pool, **{"00003": "wrong"}),
                           sample_only=True) == 3
    with pytest.raises(VerificationError, match="1 of 3 outputs differ.*first: 00005"):
        compare_outputs(Positional(), reference, dict(pool, **{"00005": "wrong"}), sample_only=True)
    with pytest.raises(VerificationError, match="missing.*00009"):
        compare_outputs(Positional(), reference, {k: v for k, v in pool.items() if k != "00009"},
                        sample_only=True)


# -- in a group's case process ----------------------------------------------------------------
@pytest.fixture
def sampled(group_work):
    spec = ImageSetSpec(ImageSize(16, 16, 1), 40, "noise", 0)
    return group_work(spec, 10), spec


@pytest.mark.e2e
def test_the_serial_pass_and_its_reference_cover_the_sample(sampled):
    h, spec = sampled
    indices = serial_sample(spec.as_dict(), 40, 10)
    assert h.serial_indices == indices and indices != list(range(10))
    assert np.array_equal(h.serial_images, h.images[indices])
    assert h.serial_pass()["images"] == 10
    reference = h.reference()
    assert reference["images"] == 10
    assert sorted(reference["outputs"]) == sorted(f"{i}.jpg" for i in indices)


@pytest.mark.e2e
def test_a_pool_pass_is_verified_against_the_sampled_reference(sampled):
    from bench.model.case import Case
    from workloads.codecs import Codec
    from workloads.imwrite import ImwriteWorkload

    h, spec = sampled
    case = Case("imwrite", spec, ImwriteWorkload.params_for(Codec()), "processes-chunked", 2, 20,
                "fork", chunk_rule="auto")
    reference = h.reference()
    h.visit(case.as_dict(), keep=True)
    got = h.outputs(case.as_dict())["outputs"]
    assert len(got) == 40
    workload = ImwriteWorkload.from_params(ImwriteWorkload.params_for(Codec()))
    assert compare_outputs(workload, reference["outputs"], got, sample_only=True) == 10
    inside = f"{h.serial_indices[4]}.jpg"
    outside = next(f"{i}.jpg" for i in range(40) if i not in h.serial_indices)
    assert compare_outputs(workload, reference["outputs"], dict(got, **{outside: "x"}),
                           sample_only=True) == 10
    with pytest.raises(VerificationError, match=f"first: {inside}"):
        compare_outputs(workload, reference["outputs"], dict(got, **{inside: "x"}), sample_only=True)


def test_the_keypoints_of_a_sample_are_saved_under_their_images_ids(tmp_path):
    from bench.model.case import Case
    from workloads.pose import PoseResult, PoseWorkload, load_keypoints

    spec = ImageSetSpec(ImageSize(32, 32, 3), 40, "noise", 0)
    case = Case("pose", spec, {}, "serial", 1, None, None)
    results = [PoseResult(np.full((33, 4), i, np.float32)) for i in (3, 17, 29)]
    path = PoseWorkload().save_results(results, str(tmp_path), case, indices=[3, 17, 29])
    arrays, _ = load_keypoints(path)
    assert sorted(arrays) == ["00003", "00017", "00029"]
    assert arrays["00017"][0, 0] == 17


@pytest.mark.e2e
def test_outputs_keyed_by_position_are_verified_on_the_sampled_images(tmp_path):
    """imencode keys its digests by position: the reference's move to the images' places
    in the set, so a pool's digest of image i meets the serial loop's of image i."""
    from bench.measure.visits import GroupWork
    from bench.model.case import Case
    from workloads.codecs import Codec
    from workloads.imwrite import ImencodeWorkload

    spec = ImageSetSpec(ImageSize(16, 16, 1), 40, "noise", 1)
    params = ImencodeWorkload.params_for(Codec())
    work = tmp_path / "passes"
    work.mkdir()
    h = GroupWork({"workload": "imencode", "params": params, "images": spec.as_dict(),
                   "serial_slice": 10, "work_dir": str(work)}, 2)
    try:
        reference = h.reference()["outputs"]
        assert sorted(reference, key=int) == [str(i) for i in h.serial_indices]
        case = Case("imencode", spec, params, "threads", 2, None, None)
        h.visit(case.as_dict(), keep=True)
        got = h.outputs(case.as_dict())["outputs"]
        workload = ImencodeWorkload.from_params(params)
        assert compare_outputs(workload, reference, got, sample_only=True) == 10
        # the first ten digests are other images' (unless the sample were the prefix)
        assert any(reference[str(i)] != got[str(j)] for j, i in enumerate(h.serial_indices))
    finally:
        h.stop()
