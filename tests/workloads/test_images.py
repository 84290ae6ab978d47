import numpy as np
import pytest

from workloads.images import ImageSetSpec, ImageSize, fingerprint, generate


@pytest.mark.parametrize("content", ["noise", "smooth"])
def test_generators_are_deterministic_uint8(content):
    spec = ImageSetSpec(ImageSize(40, 30, 3), 5, content, seed=7)
    a, b = generate(spec), generate(spec)
    assert a.dtype == np.uint8 and a.shape == (5, 30, 40, 3)
    assert np.array_equal(a, b) and fingerprint(a) == fingerprint(b)
    assert not np.array_equal(a[0], a[1])           # not one picture repeated
    assert fingerprint(generate(ImageSetSpec(ImageSize(40, 30, 3), 5, content, seed=8))) != fingerprint(a)


def test_the_saving_images_in_a_loop_shape_is_grey_with_a_channel_axis():
    images = generate(ImageSetSpec(ImageSize.parse("50x50x1"), 3))
    assert images.shape == (3, 50, 50, 1)


def test_smooth_compresses_better_than_noise():
    import cv2

    noise = generate(ImageSetSpec(ImageSize(256, 256, 3), 1, "noise"))[0]
    smooth = generate(ImageSetSpec(ImageSize(256, 256, 3), 1, "smooth"))[0]
    size = lambda im: cv2.imencode(".jpg", im, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].size
    assert size(smooth) * 3 < size(noise)


@pytest.mark.parametrize("text", ["0x5", "5", "axb", "10x10x2", "-3x4", "100000x100000"])
def test_bad_sizes_are_refused(text):
    with pytest.raises(ValueError):
        ImageSize.parse(text)


def test_absurd_image_set_is_refused_up_front():
    with pytest.raises(ValueError, match="GiB"):
        ImageSetSpec(ImageSize(4000, 4000, 3), 100000)
