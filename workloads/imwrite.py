"""The imwrite and imencode workloads: what is done to one image.

``imwrite`` is the ``save_img`` of the classic saving-images-in-a-loop question: encode
and write one file. ``imencode`` does the same encoding into memory only, so codec cost
and file-system cost can be told apart. Output layouts: docs/measurements.md.
"""
from __future__ import annotations

import hashlib
import operator
import os
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from workloads.base import ImageGroup, Workload, register
from workloads.codecs import Codec


def _digest(data) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True)
class _CodecWorkload(Workload):
    """What imwrite and imencode share: parameters, labels, byte-exact comparison."""

    codec: Codec = Codec()
    out_dir: str = ""
    kind = "codec"
    differs = staticmethod(operator.ne)

    def __post_init__(self):
        # resolved once here, not per image, so the hot path is the bare cv2 call
        object.__setattr__(self, "_params", tuple(self.codec.params()))

    @classmethod
    def from_params(cls, params: dict):
        return cls(codec=Codec(**params))

    @staticmethod
    def params_for(codec: Codec) -> dict:
        return {"name": codec.name, "jpeg_quality": codec.jpeg_quality, "png_level": codec.png_level}

    @property
    def label(self) -> str:
        return self.codec.label


OUT_LAYOUTS = ("flat", "per-task")
TASK_FOLDER = "task-{start:06d}"


@register
@dataclass(frozen=True)
class ImwriteWorkload(_CodecWorkload):
    """Encode one image and write it to ``out_dir/<index><ext>``, or with a folder per
    task to ``out_dir/task-<first index of the task>/<index><ext>``."""

    folder_per_task: bool = False
    name: str = field(default="imwrite", init=False)
    rank = 10
    # the classic saving-images-in-a-loop set (random 50x50 grey) and the sizes users save,
    # with photo-like content
    groups = (ImageGroup("50x50x1", "noise", race=True, order=0),
              ImageGroup("256x256x3", "smooth", race=True, order=1),
              ImageGroup("640x480x3", "smooth", race=True, order=2),
              ImageGroup("1920x1080x3", "smooth", race=True, order=3))
    opencv_threads = True
    dask_strategies = ("dask", "dask-chunked")
    snippet = "imwrite"
    _params: tuple = field(default=(), init=False, compare=False)
    needs_verify_pass = False

    def with_layout(self, layout: str) -> "ImwriteWorkload":
        if layout not in OUT_LAYOUTS:
            raise ValueError(f"unknown output layout {layout!r}; choose from {', '.join(OUT_LAYOUTS)}")
        return replace(self, folder_per_task=layout == "per-task")

    @property
    def layout(self) -> str:
        return "per-task" if self.folder_per_task else "flat"

    def for_task(self, start: int) -> "ImwriteWorkload":
        """The copy one task (a slice starting at image ``start``) writes with. Its folder
        is made here, inside the task and its timing: a user's script pays for it too."""
        if not self.folder_per_task:
            return self
        path = os.path.join(self.out_dir, TASK_FOLDER.format(start=start))
        os.makedirs(path, exist_ok=True)
        return replace(self, out_dir=path, folder_per_task=False)

    def process(self, index: int, image: np.ndarray):
        path = os.path.join(self.out_dir, f"{index}{self.codec.ext}")
        if not cv2.imwrite(path, image, self._params):
            raise OSError(f"cv2.imwrite could not write {path}")
        return None

    def expected_names(self, count: int) -> list[str]:
        return [f"{i}{self.codec.ext}" for i in range(count)]

    def _files(self) -> list[str]:
        """Paths relative to ``out_dir`` of everything written: its entries, and with a
        folder per task the entries of each task folder instead of the folder."""
        found = []
        for entry in sorted(os.listdir(self.out_dir)):
            inner = os.path.join(self.out_dir, entry)
            if self.folder_per_task and os.path.isdir(inner):
                found.extend(os.path.join(entry, name) for name in sorted(os.listdir(inner)))
            else:
                found.append(entry)
        return found

    def written_names(self) -> list[str]:
        return [os.path.basename(path) for path in self._files()]

    def outputs(self, results, count: int) -> dict[str, str]:
        """Digest of every file written, by file name (extra files included, so they are
        caught; a name written into two task folders is keyed by its path the second time)."""
        out = {}
        for path in self._files():
            name = os.path.basename(path)
            with open(os.path.join(self.out_dir, path), "rb") as fh:
                out[path if name in out else name] = _digest(fh.read())
        return out

    def verifying(self) -> "ImwriteWorkload":
        """The serial reference writes the plain one-folder layout: the same files."""
        return replace(self, folder_per_task=False)


@register
@dataclass(frozen=True)
class ImencodeWorkload(_CodecWorkload):
    """Encode one image into memory; return its encoded size (or digest when verifying)."""

    return_digest: bool = False
    name: str = field(default="imencode", init=False)
    rank = 20
    # next to imwrite's on the same set: encoding without the file (full runs only)
    groups = (ImageGroup("50x50x1", "noise", race=False, order=0),)
    snippet = "imencode"
    _params: tuple = field(default=(), init=False, compare=False)
    # Timed passes only return sizes (returning the bytes would add IPC cost that
    # imwrite does not have); a separate untimed pass returns digests to verify.
    needs_verify_pass = True

    def process(self, index: int, image: np.ndarray):
        ok, buf = cv2.imencode(self.codec.ext, image, self._params)
        if not ok:
            raise ValueError(f"cv2.imencode failed for image {index}")
        if self.return_digest:
            return _digest(buf.tobytes())
        return buf.size

    def expected_names(self, count: int) -> list[str]:
        return [str(i) for i in range(count)]

    def outputs(self, results, count: int) -> dict[str, str]:
        return {str(i): d for i, d in enumerate(results)}

    def verifying(self) -> "ImencodeWorkload":
        return replace(self, return_digest=True)
