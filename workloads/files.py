"""Input sets that are files: a user's folder or glob (:class:`FileSetSpec`), or person
photos generated once into a cache folder (:func:`photos`); how an item is read, and how
decoded pixels travel. Items are sorted by name, so sub-folders stay together.

An item reaches a task as the :class:`FileItem` (the worker reads the file),
:class:`Decoded` (the parent read it) or :class:`Unreadable` (the parent could not: the
reason travels instead, so the item fails in the worker as in the serial loop).
"""
from __future__ import annotations

import glob
import hashlib
import itertools
import os
import random
import re
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from workloads.images import ImageSetSpec, ImageSize, register_file_sets
from workloads.people import astronaut, letterbox, variation

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".jpe", ".png", ".bmp", ".dib", ".tif", ".tiff", ".webp",
                    ".jp2", ".pbm", ".pgm", ".ppm", ".pnm", ".sr", ".ras", ".exr", ".hdr", ".pic")
DECODES = ("color", "grayscale", "unchanged", "none")
CACHE_ENV = "BENCH_CACHE_DIR"


class FileItem(NamedTuple):
    """One input file: where it is, and its name relative to the set's root."""
    path: str
    name: str


class UnreadableImage(ValueError):
    """A file that is missing, corrupt or not an image: that item's failure."""


class Decoded:
    """Pixels the parent decoded, with the item's name (failures and per-item outputs
    need it); ``np.asarray(decoded)`` is the pixels, without a copy."""

    __slots__ = ("name", "pixels")

    def __init__(self, name: str, pixels: np.ndarray):
        self.name, self.pixels = name, pixels

    def __array__(self, dtype=None, copy=None):
        return self.pixels if dtype is None else self.pixels.astype(dtype)

    def __reduce__(self):
        return Decoded, (self.name, self.pixels)


class Unreadable(NamedTuple):
    """An item the parent could not read: the reason is sent instead of pixels."""
    name: str
    reason: str


# -- reading ---------------------------------------------------------------------------
def read_image(path: str, decode: str = "color") -> np.ndarray:
    """``cv2.imread`` as a user's script calls it (BGR uint8 for ``color``)."""
    import cv2

    flags = {"color": cv2.IMREAD_COLOR, "grayscale": cv2.IMREAD_GRAYSCALE,
             "unchanged": cv2.IMREAD_UNCHANGED}[decode]
    image = cv2.imread(path, flags)
    if image is None:
        raise UnreadableImage(f"cannot read {path}: missing, corrupt or not an image file")
    return image


def read_in_parent(item: FileItem, decode: str):
    """What a strategy that decodes in the parent sends for one item (a worker that reads
    the file fails the same way)."""
    try:
        return Decoded(item.name, read_image(item.path, decode))
    except UnreadableImage:
        return Unreadable(item.name, f"{item.name}: cv2.imread cannot read it (missing, corrupt or "
                                     "not an image file)")


def open_item(item, decode: str):
    """(name, what the task gets, why it cannot run) for an item in any of its forms;
    a plain array (a generated set) has no name."""
    if isinstance(item, FileItem):
        if decode == "none":
            return item.name, item.path, None
        item = read_in_parent(item, decode)
    if isinstance(item, Decoded):
        return item.name, item.pixels, None
    if isinstance(item, Unreadable):
        return item.name, None, item.reason
    return "", item, None


def files_fingerprint(items) -> str:
    """Short digest of a set of files (names and sizes), so two runs can prove equal inputs."""
    h = hashlib.blake2b(digest_size=8)
    for item in items:
        h.update(f"{item.name}\0{os.path.getsize(item.path) if os.path.exists(item.path) else -1}\0".encode())
    return h.hexdigest()


def folder_runs(items) -> list[tuple[int, int]]:
    """(start, stop) of every run of items in the same sub-folder, in order (a generated
    set, which has no folders, is one)."""
    if len(items) and not isinstance(items[0], FileItem):
        return [(0, len(items))]
    folders = itertools.groupby(os.path.dirname(item.name) for item in items)
    ends = list(itertools.accumulate(len(list(run)) for _, run in folders))
    return list(zip([0] + ends[:-1], ends))


# -- a user's folder or glob -------------------------------------------------------------
def _is_image(name: str) -> bool:
    return name.lower().endswith(IMAGE_EXTENSIONS) and not os.path.basename(name).startswith(".")


def glob_root(pattern: str) -> str:
    """The folder a glob's names are relative to: its leading parts without wildcards."""
    fixed = itertools.takewhile(lambda part: not glob.has_magic(part), pattern.split(os.sep)[:-1])
    return os.sep.join(fixed) or os.sep


def list_files(source: str) -> list[FileItem]:
    """Every image file of a folder (sub-folders included) or of a glob, by name."""
    source = os.path.abspath(os.path.expanduser(source))
    if os.path.isdir(source):
        root, found = source, []
        for folder, dirs, names in os.walk(source):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found += [os.path.join(folder, n) for n in names if _is_image(n)]
    else:
        root = glob_root(source)
        found = [p for p in glob.glob(source, recursive=True) if os.path.isfile(p) and _is_image(p)]
    items = [FileItem(p, os.path.relpath(p, root).replace(os.sep, "/")) for p in found]
    return sorted(items, key=lambda it: it.name)


def sample(items: list, count: int, seed: int) -> list:
    """``count`` of ``items``, drawn by ``seed`` and kept in order (all when fewer)."""
    if count >= len(items):
        return list(items)
    picked = sorted(random.Random(seed).sample(range(len(items)), count))
    return [items[i] for i in picked]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:24] or "files"


@dataclass(frozen=True)
class FileSetSpec(ImageSetSpec):
    """A user's folder or glob. ``size`` is a typical decoded size (estimates only),
    ``count`` the files measured, ``total`` the files the source held when planned."""
    source: str = ""
    total: int = 0

    @property
    def label(self) -> str:
        digest = hashlib.blake2b(self.source.encode(), digest_size=3).hexdigest()
        name = os.path.basename(glob_root(self.source) if glob.has_magic(self.source) else self.source)
        return f"files-{_slug(name)}-{digest}"

    @classmethod
    def from_dict(cls, d: dict) -> "FileSetSpec":
        return cls(ImageSize.parse(d["size"]), int(d["count"]), d["content"], int(d["seed"]),
                   d["source"], int(d.get("total") or 0))


def load(spec: ImageSetSpec) -> list[FileItem]:
    """The items of a file set (generated ``photos`` are made here when missing)."""
    if spec.content == "photos":
        return photos(spec)
    items = sample(list_files(spec.source), spec.count, spec.seed)
    if len(items) < spec.count:
        raise ValueError(f"{spec.source} holds {len(items)} image files now, {spec.count} were planned")
    return items


register_file_sets(FileSetSpec, load, files_fingerprint)


# -- person photos generated once into a cache folder (docs/pipelines.md) ------------------
SCALES = (1.0, 0.75, 0.5)
FOLDER_SIZES = (3, 9, 5, 13, 7, 11)
CACHE_VERSION = "v1"


def cache_dir() -> str:
    """Where generated input files are kept: ``--cache-dir``, else the user's cache."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.environ.get(CACHE_ENV) or os.path.join(base, "bench", "inputs")


def photo_name(index: int) -> str:
    """Sub-folders of uneven sizes, as a user's are; JPEG except every fourth (PNG)."""
    ends = itertools.accumulate(itertools.cycle(FOLDER_SIZES))
    folder = next(k for k, end in enumerate(ends) if index < end)
    ext = "png" if index % 4 == 3 else "jpg"
    return f"part{folder:03d}/{index:05d}.{ext}"


def photo_pixels(size: ImageSize, index: int, seed: int) -> np.ndarray:
    """Image ``index`` of a photos set, BGR as a file holds it (the same on every machine)."""
    import cv2

    rng = np.random.default_rng([seed, index])
    scale = SCALES[index % len(SCALES)]
    width, height = max(8, round(size.width * scale)), max(8, round(size.height * scale))
    rgb = letterbox(variation(astronaut(), rng), width, height)
    if size.channels == 1:
        return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


def photos(spec: ImageSetSpec) -> list[FileItem]:
    """The first ``count`` files of a photos series, written where missing (under a
    temporary name, then renamed: two processes making one file both end with all of it)."""
    import cv2

    root = os.path.join(cache_dir(), f"photos-{CACHE_VERSION}-{spec.size.label}-s{spec.seed}")
    items = []
    for i in range(spec.count):
        name = photo_name(i)
        path = os.path.join(root, name)
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            ext = os.path.splitext(name)[1]
            params = [cv2.IMWRITE_PNG_COMPRESSION, 3] if ext == ".png" else [cv2.IMWRITE_JPEG_QUALITY, 90]
            ok, buf = cv2.imencode(ext, photo_pixels(spec.size, i, spec.seed), params)
            if not ok:
                raise OSError(f"cv2.imencode could not encode {name}")
            tmp = f"{path}.tmp-{os.getpid()}"
            buf.tofile(tmp)
            os.replace(tmp, path)
        items.append(FileItem(path, name))
    return items


# -- decoded pixels packed into one shared-memory block (processes-decoded-shm) ---------------
class Slot(NamedTuple):
    """Where one decoded image lies in the block (an unreadable one: its reason)."""
    name: str
    offset: int
    shape: tuple
    dtype: str
    reason: str = ""


ALIGN = 64


def pack_layout(decoded: list) -> tuple[list[Slot], int]:
    """Slots for images of any sizes, one after another (64-byte aligned); the block size.
    Items are ``Decoded``, ``Unreadable`` or plain arrays (a generated set: no names)."""
    slots, offset = [], 0
    for d in decoded:
        if isinstance(d, Unreadable):
            slots.append(Slot(d.name, 0, (), "|u1", d.reason))
            continue
        name, pixels = (d.name, d.pixels) if isinstance(d, Decoded) else ("", np.asarray(d))
        slots.append(Slot(name, offset, tuple(pixels.shape), pixels.dtype.str))
        offset += -(-pixels.nbytes // ALIGN) * ALIGN
    return slots, max(1, offset)


class PackedImages:
    """Images of one block read by index: ``Decoded`` views (no copy), or ``Unreadable``."""

    def __init__(self, buf, slots: list[Slot]):
        self.buf, self.slots = buf, slots

    def view(self, index: int) -> np.ndarray:
        s = self.slots[index]
        return np.ndarray(s.shape, np.dtype(s.dtype), buffer=self.buf, offset=s.offset)

    def __getitem__(self, index: int):
        s = self.slots[index]
        if s.reason:
            return Unreadable(s.name, s.reason)
        # a file's pixels keep its name; a generated image is a plain array, as it was
        return Decoded(s.name, self.view(index)) if s.name else self.view(index)


# -- worker side of the Pool and file-route strategies (importable, so spawn workers find them)
_packed: PackedImages | None = None
_block = None       # keeps the worker's mapping of the block alive


def init_worker_packed(workload, cv_threads, report, shm_name: str, slots: list) -> None:
    """Initializer of processes-decoded-shm: map the block once, then read by index."""
    global _packed, _block
    from multiprocessing import shared_memory

    from workloads.tasks import init_worker

    _block = shared_memory.SharedMemory(name=shm_name)
    _packed = PackedImages(_block.buf, [Slot(*s) for s in slots])
    init_worker(workload, cv_threads, report)


def run_packed(workload, start: int, stop: int) -> list:
    """Images ``start..stop`` of the block this worker mapped."""
    if _packed is None:
        raise RuntimeError("no shared-memory block in this worker")
    return [workload.process(i, _packed[i]) for i in range(start, stop)]


def run_numbered(args) -> tuple:
    """``Pool.imap``'s one-argument task: (index, result), so results can be re-ordered."""
    workload, index, item = args
    return index, workload.process(index, item)
