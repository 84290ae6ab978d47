"""Reading alone: ``cv2.imread`` of every file, the cost a task's decoding adds, as its
own group (as ``imencode`` is next to ``imwrite``). Timed passes return only each image's
shape (no pixels travel back); the verifying pass returns a digest of the pixels.
"""
from __future__ import annotations

import hashlib
import operator
from dataclasses import dataclass, field, replace

from workloads.base import ImageGroup, Workload, register
from workloads.files import DECODES, open_item
from workloads.user_task import FAILED, failed_items


@register
@dataclass(frozen=True)
class ImreadWorkload(Workload):
    decode: str = "color"
    digest: bool = False
    out_dir: str = ""
    name: str = field(default="imread", init=False)
    rank = 100
    kind = "files"
    # what reading alone costs, on bench all's photos (next to annotate's, before the models')
    groups = (ImageGroup("640x480x3", "photos", race=False, order=1),)
    needs_verify_pass = True
    differs = staticmethod(operator.ne)

    def __post_init__(self):
        if self.decode not in DECODES or self.decode == "none":
            raise ValueError(f"imread decodes: --decode {self.decode!r} is not color, grayscale or unchanged")

    @classmethod
    def from_params(cls, params: dict) -> "ImreadWorkload":
        return cls(decode=params.get("decode", "color"))

    @property
    def label(self) -> str:
        return self.decode

    @staticmethod
    def expected_seconds_per_image(size, params) -> float:
        return 1e-4 + 4e-9 * size.nbytes          # JPEG decoding, about 250 MB/s of pixels

    def process(self, index: int, item):
        name, pixels, reason = open_item(item, self.decode)
        if reason is not None:
            return FAILED + reason
        if self.digest:
            return hashlib.blake2b(pixels.tobytes(), digest_size=16).hexdigest() + str(pixels.shape)
        return pixels.shape

    def verifying(self) -> "ImreadWorkload":
        return replace(self, digest=True)

    def outputs(self, results, count: int) -> dict:
        return {f"{i:05d}": r for i, r in enumerate(results)}

    def case_metadata(self, timing) -> dict:
        return failed_items([r[len(FAILED):] for r in timing.last_results
                             if isinstance(r, str) and r.startswith(FAILED)])
