"""Images of a real person, offline: ``skimage.data.astronaut()`` (shipped in its wheel)
with deterministic variations, RGB as MediaPipe expects (docs/pose.md). Pose on noise
only exercises the person detector; users run the landmark model on people.

Image 0 is the photograph itself; the others a crop, a flip and a gain, drawn from the
set's seed; each letterboxed, so a 1280x720 frame holds an undistorted person. These
ranges keep a person detected in every image of the default sets (mediapipe 0.10.21,
seeds 0-2): wider ones (crop from 80 %, gain 0.75-1.25) lost 1-2 of 16 1280x720 frames.
"""
from __future__ import annotations

import functools

import numpy as np

CROP_RANGE = (0.9, 1.0)     # side of the square crop, as a fraction of the photograph's
GAIN_RANGE = (0.8, 1.2)     # brightness multiplier


@functools.lru_cache(maxsize=1)
def astronaut() -> np.ndarray:
    """The 512x512x3 uint8 RGB photograph shipped in scikit-image (read-only)."""
    from skimage import data  # local: scikit-image costs ~0.3 s to import

    image = np.ascontiguousarray(data.astronaut(), dtype=np.uint8)
    image.setflags(write=False)
    return image


def letterbox(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Scale ``image`` to fit ``width`` x ``height`` without distortion, centred on black."""
    import cv2

    ih, iw = image.shape[:2]
    scale = min(width / iw, height / ih)
    nw, nh = max(1, round(iw * scale)), max(1, round(ih * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(np.ascontiguousarray(image), (nw, nh), interpolation=interpolation)
    canvas = np.zeros((height, width, image.shape[2]), dtype=np.uint8)
    y, x = (height - nh) // 2, (width - nw) // 2
    canvas[y:y + nh, x:x + nw] = resized.reshape(nh, nw, -1)
    return canvas


def variation(base: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One deterministic crop / flip / brightness variation of ``base``."""
    h, w = base.shape[:2]
    side = int(round(min(h, w) * rng.uniform(*CROP_RANGE)))
    y0 = int(rng.integers(0, h - side + 1))
    x0 = int(rng.integers(0, w - side + 1))
    out = base[y0:y0 + side, x0:x0 + side]
    if rng.random() < 0.5:
        out = out[:, ::-1]
    gain = rng.uniform(*GAIN_RANGE)
    return np.clip(out.astype(np.float32) * gain, 0, 255).astype(np.uint8)


def person(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Generator for the ``person`` content: (count, height, width, 3) uint8 RGB."""
    count, height, width, channels = shape
    if channels != 3:
        raise ValueError("person images are colour (RGB): use a WIDTHxHEIGHTx3 size")
    base = astronaut()
    out = np.empty(shape, dtype=np.uint8)
    for i in range(count):
        source = base if i == 0 else variation(base, rng)
        out[i] = letterbox(source, width, height)
    return out
