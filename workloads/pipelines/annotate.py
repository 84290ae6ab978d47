"""The annotation pipeline, written as a user writes a task for ``bench run``: the
augmentation script's flow (docs/pipelines.md). Every random choice comes from a
generator seeded by the image's name, so outputs are verified byte for byte.

    python -m bench run --images DIR --task workloads.pipelines.annotate:annotate \
        --init workloads.pipelines.annotate:load_backgrounds
"""
from __future__ import annotations

import os
import zlib

import cv2
import numpy as np

BACKGROUND = (640, 480)          # width, height
BACKGROUNDS = 4
JPEG = [cv2.IMWRITE_JPEG_QUALITY, 90]
VOC = """<annotation>
  <folder>{folder}</folder>
  <filename>{filename}</filename>
  <size><width>{width}</width><height>{height}</height><depth>3</depth></size>
  <object>
    <name>person</name>
    <bndbox><xmin>{x0}</xmin><ymin>{y0}</ymin><xmax>{x1}</xmax><ymax>{y1}</ymax></bndbox>
  </object>
</annotation>
"""


def load_backgrounds() -> list:
    """A few photo-like backgrounds (a user's script reads them from a folder)."""
    from workloads.images import ImageSetSpec, ImageSize, generate

    width, height = BACKGROUND
    return list(generate(ImageSetSpec(ImageSize(width, height, 3), BACKGROUNDS, "smooth", seed=7)))


def _augment(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    image = cv2.convertScaleAbs(image, alpha=float(rng.uniform(0.7, 1.3)), beta=float(rng.uniform(-20, 20)))
    k = int(rng.choice([1, 3, 5]))
    if k > 1:
        image = cv2.GaussianBlur(image, (k, k), 0)
    width, height = BACKGROUND
    scale = float(rng.uniform(0.3, 0.6)) * min(width / image.shape[1], height / image.shape[0])
    size = (max(8, int(image.shape[1] * scale)), max(8, int(image.shape[0] * scale)))
    image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), float(rng.uniform(-12, 12)), 1.0)
    matrix[0, 1] += float(rng.uniform(-0.1, 0.1))            # a little shear
    return cv2.warpAffine(image, matrix, (w, h), borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def annotate(image, backgrounds, *, name, out_dir) -> tuple:
    """Augment one BGR image, paste it onto a background, write the three files; the
    box (xmin, ymin, xmax, ymax) where it was pasted."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    obj = _augment(image, rng)
    canvas = backgrounds[int(rng.integers(len(backgrounds)))].copy()
    h, w = obj.shape[:2]
    y0 = int(rng.integers(0, canvas.shape[0] - h + 1))
    x0 = int(rng.integers(0, canvas.shape[1] - w + 1))
    region = canvas[y0:y0 + h, x0:x0 + w]
    mask = obj.any(axis=2)                    # the warp's black corners stay background
    region[mask] = obj[mask]
    box = (x0, y0, x0 + w - 1, y0 + h - 1)
    stem = os.path.join(out_dir, os.path.splitext(name)[0])
    os.makedirs(os.path.dirname(stem), exist_ok=True)
    for path, pixels in ((stem + ".jpg", canvas),
                         (stem + "_marked.jpg", cv2.rectangle(canvas.copy(), box[:2], box[2:], (0, 0, 255), 2))):
        if not cv2.imwrite(path, pixels, JPEG):
            raise OSError(f"cv2.imwrite could not write {path}")
    with open(stem + ".xml", "w") as fh:
        fh.write(VOC.format(folder=os.path.basename(os.path.dirname(stem)), filename=os.path.basename(stem) + ".jpg",
                            width=canvas.shape[1], height=canvas.shape[0], x0=box[0], y0=box[1],
                            x1=box[2], y1=box[3]))
    return box
