"""A task for ``bench run``: thumbnails of a folder of photos, with a per-worker state.

    python -m bench run --images ~/Pictures --task examples/thumbnails.py:make_thumbnail
    python -m bench run --images ~/Pictures --task examples/thumbnails.py:make_thumbnail \
        --init examples/thumbnails.py:load_settings --init-per-item

``make_thumbnail(image, state)`` gets one decoded image (BGR uint8, as ``cv2.imread``
gives it) and, with ``--init``, the state ``load_settings()`` built once in each worker
(without it, the function builds its own once per process), and returns the thumbnail.
bench runs it under every strategy that fits its budget, checks that every one returns
the serial loop's thumbnails in input order, and recommends the fastest. With
``--init-per-item`` it also races the state rebuilt for every image, the anti-pattern
of a script that loads its model inside the task.
"""
from __future__ import annotations

import cv2
import numpy as np

WIDTH = 160


def load_settings() -> dict:
    """What a worker builds once: here a gamma table and a sharpening kernel (for a
    real pipeline: a model)."""
    gamma = 0.9
    table = np.array([((i / 255.0) ** gamma) * 255 for i in range(256)], dtype=np.uint8)
    kernel = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float32)
    return {"table": table, "kernel": kernel}


_OWN: dict = {}        # without --init: the settings this process built for itself


def make_thumbnail(image: np.ndarray, state: dict | None = None) -> np.ndarray:
    """A WIDTH-pixel-wide, gamma-corrected, sharpened thumbnail of one image."""
    if state is None:
        if not _OWN:
            _OWN.update(load_settings())
        state = _OWN
    height = max(1, round(image.shape[0] * WIDTH / image.shape[1]))
    small = cv2.resize(image, (WIDTH, height), interpolation=cv2.INTER_AREA)
    small = cv2.LUT(small, state["table"])
    return cv2.filter2D(small, -1, state["kernel"])
