"""Deterministic uint8 image sets: the same :class:`ImageSetSpec` gives the same bytes on
every machine. Always ``uint8``, as decoded images are (the classic question's
``np.random.randint`` gave int64 arrays, which OpenCV converts on every call).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass

import numpy as np

from workloads.people import person

CONTENTS = ("noise", "smooth", "person")
# input sets that are files (workloads.files): a user's folder or glob, and generated photos
FILE_CONTENTS = ("files", "photos")
# how those are read back from a dict, loaded and fingerprinted: registered by
# workloads.files (register_file_sets), so this module never imports the one built on it
_FILE_SETS: dict = {}

# Beyond this an image set would not fit any sane machine; refuse it up front.
MAX_PIXELS_PER_IMAGE = 16384 * 16384
MAX_SET_BYTES = 8 * 1024**3

_SIZE_RE = re.compile(r"^(\d+)x(\d+)(?:x(\d+))?$")


@dataclass(frozen=True)
class ImageSize:
    width: int
    height: int
    channels: int = 3

    @property
    def label(self) -> str:
        return f"{self.width}x{self.height}x{self.channels}"

    @property
    def nbytes(self) -> int:
        return self.width * self.height * self.channels

    @classmethod
    def parse(cls, text: str) -> "ImageSize":
        """Parse ``WIDTHxHEIGHT[xCHANNELS]`` (channels 1 or 3, default 3)."""
        m = _SIZE_RE.match(text.strip().lower())
        if not m:
            raise ValueError(f"size {text!r} is not WIDTHxHEIGHT[xCHANNELS], e.g. 640x480x3")
        width, height, channels = (int(g) for g in m.groups("3"))
        if width < 1 or height < 1:
            raise ValueError(f"size {text!r}: width and height must be at least 1")
        if channels not in (1, 3):
            raise ValueError(f"size {text!r}: channels must be 1 or 3")
        if width * height > MAX_PIXELS_PER_IMAGE:
            raise ValueError(f"size {text!r} is larger than {MAX_PIXELS_PER_IMAGE} pixels")
        return cls(width, height, channels)


@dataclass(frozen=True)
class ImageSetSpec:
    size: ImageSize
    count: int
    content: str = "noise"
    seed: int = 0

    def __post_init__(self):
        if self.content not in GENERATORS and self.content not in FILE_CONTENTS:
            raise ValueError(f"content {self.content!r} is not one of {', '.join(GENERATORS)}")
        if self.count < 1:
            raise ValueError("an image set needs at least one image")
        if self.nbytes > MAX_SET_BYTES:
            raise ValueError(
                f"image set {self.label} of {self.count} images needs "
                f"{self.nbytes / 1024**3:.1f} GiB (limit {MAX_SET_BYTES / 1024**3:.0f} GiB)")

    @property
    def nbytes(self) -> int:
        return self.size.nbytes * self.count

    @property
    def label(self) -> str:
        return f"{self.size.label}-{self.content}"

    def as_dict(self) -> dict:
        d = asdict(self)
        d["size"] = self.size.label
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ImageSetSpec":
        if d.get("source") is not None and cls is ImageSetSpec:
            return _FILE_SETS["spec_class"].from_dict(d)
        return cls(ImageSize.parse(d["size"]), int(d["count"]), d["content"], int(d["seed"]))


def generate(spec: ImageSetSpec) -> np.ndarray:
    """Return a C-contiguous uint8 array of shape (count, height, width, channels); a
    set of files gives its items instead (a list of ``workloads.files.FileItem``)."""
    if spec.content in FILE_CONTENTS:
        return _FILE_SETS["load"](spec)
    rng = np.random.default_rng(spec.seed)
    shape = (spec.count, spec.size.height, spec.size.width, spec.size.channels)
    return np.ascontiguousarray(GENERATORS[spec.content](rng, shape))


def _noise(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Worst case for every codec: nothing to predict, nothing to compress."""
    return rng.integers(0, 256, size=shape, dtype=np.uint8)


def _smooth(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Low-frequency content plus mild grain (a coarse grid upsampled, a little noise so
    it is not unrealistically compressible): what a codec sees in a photograph."""
    import cv2  # local: keeps `import workloads.images` light for the CLI

    count, h, w, c = shape
    out = np.empty(shape, dtype=np.uint8)
    gh, gw = max(2, h // 16), max(2, w // 16)
    for i in range(count):
        grid = rng.integers(0, 256, size=(gh, gw, c), dtype=np.uint8)
        big = cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
        big = big.reshape(h, w, c).astype(np.int16)
        big += rng.integers(-4, 5, size=(h, w, c), dtype=np.int16)
        out[i] = np.clip(big, 0, 255).astype(np.uint8)
    return out


# content name -> generator(rng, shape) -> uint8 array (person: for pose)
GENERATORS = {"noise": _noise, "smooth": _smooth, "person": person}


def register_file_sets(spec_class, load, fingerprint) -> None:
    """Sets of files: the spec class a dict with a ``source`` becomes, ``load(spec)`` (the
    items of a ``files`` or ``photos`` set) and ``fingerprint(items)``."""
    _FILE_SETS.update(spec_class=spec_class, load=load, fingerprint=fingerprint)


def fingerprint(images: np.ndarray) -> str:
    """Short digest of an image set, recorded so two runs can prove equal inputs."""
    if isinstance(images, list):              # a set of files: names and sizes
        return _FILE_SETS["fingerprint"](images)
    h = hashlib.blake2b(digest_size=8)
    h.update(str(images.shape).encode())
    h.update(np.ascontiguousarray(images).data)
    return h.hexdigest()
