"""Files decoded in the parent, as a script that decodes before it submits: the pixels
travel pickled per image (``processes-decoded``) or per slice (``-chunked``), or packed
into one shared-memory block, index ranges sent (``-shm``); docs/own-work.md.

The decoding (``cv2.imread``) is inside every timed pass: a user's script has to decode
too. For the shared block the images are read once more when the pool starts, to size
it. A generated image set is decoded already: its pixels go as they are.
"""
from __future__ import annotations

from bench.strategies.base import chunk_bounds, flatten, register, submit_all
from bench.strategies.local import Processes, ProcessesChunked, ProcessesShm
from bench.strategies.mp_pool import pool_chunksize
from workloads import tasks
from workloads.files import (FileItem, PackedImages, init_worker_packed, pack_layout, read_image,
                             read_in_parent, run_packed)


class _Decoding:
    """Reads each file in the parent with the workload's decode mode (taken when the
    pool starts, so the transfer probe's no-op passes read the same way)."""
    files_only = True
    on_files_only = True
    # not what its parent class is to the planner, the tiers or the snippets
    tier_role = ""
    winner_rank = None
    suits_stateful = False
    layout_default = False
    snippet = ""
    route = ""
    # in the groups of files: at W, next to the parent's route (reads in the parent: not in
    # the read-only group, which would time the read twice)
    files_role = "at-w"
    pipeline_first = False
    files_read = False
    files_quick = ()

    _decode = "color"

    def _remember(self, workload) -> None:
        self._decode = getattr(workload, "decode", "color")
        if self._decode == "none":
            raise ValueError(f"{self.name} decodes in the parent, but the task takes paths (--decode none)")

    def start(self, workload, images=None):
        self._remember(workload)
        return super().start(workload, images)

    def _read(self, item):
        """A file read here; a generated image is decoded already and goes as it is."""
        return read_in_parent(item, self._decode) if isinstance(item, FileItem) else item


@register
class ProcessesDecoded(_Decoding, Processes):
    name = "processes-decoded"
    description = "ProcessPoolExecutor, files decoded in the parent, pixels pickled per image"
    simplicity = 250
    files_rank = 70
    pipeline_first = True
    files_quick = ("task",)
    style = ("sky", "1")

    def run(self, pool, workload, images, on_first_result):
        calls = ((workload, i, self._read(item)) for i, item in enumerate(images))
        return submit_all(pool, tasks.run_one, calls, on_first_result)

    def submit_first(self, pool, workload, images, index: int):
        return pool.submit(tasks.run_one, workload, index, self._read(images[index]))


@register
class ProcessesDecodedChunked(_Decoding, ProcessesChunked):
    name = "processes-decoded-chunked"
    description = "ProcessPoolExecutor, files decoded in the parent, pixels pickled per slice"
    simplicity = 260
    files_rank = 80
    style = ("blue", "2")

    def run(self, pool, workload, images, on_first_result):
        calls = ((workload, s, [self._read(x) for x in images[s:e]])
                 for s, e in chunk_bounds(len(images), self.config.chunk_size))
        return flatten(submit_all(pool, tasks.run_chunk, calls, on_first_result))

    def submit_first(self, pool, workload, images, index: int):
        return pool.submit(tasks.run_chunk, workload, index, [self._read(images[index])])


@register
class ProcessesDecodedShm(_Decoding, ProcessesShm):
    """processes-shm's block and its release, packed with images of any sizes."""
    name = "processes-decoded-shm"
    description = ("ProcessPoolExecutor, files decoded in the parent into one shared-memory "
                   "block (packed, any sizes), index ranges sent")
    simplicity = 270
    files_rank = 90
    tasks_per_worker = None     # no "auto" rule: a pass chunks as Pool.map does (pool_chunksize)
    style = ("purple", "3")
    _packed: PackedImages | None = None

    def start(self, workload, images=None):
        from multiprocessing import shared_memory

        if images is None:
            raise ValueError(f"{self.name} needs the files when the pool starts")
        self._remember(workload)
        ctx = self._process_context(workload)
        slots, size = pack_layout([self._read(item) for item in images])
        self._block = shared_memory.SharedMemory(create=True, size=size)
        try:
            self._packed = PackedImages(self._block.buf, slots)
            return self._executor(ctx, workload, init_worker_packed, self._block.name,
                                  [tuple(s) for s in slots])
        except BaseException:
            self._release()
            raise

    def _fill(self, images, indices) -> None:
        """Decode each file into its place in the block (the route's cost, in the pass)."""
        for i in indices:
            slot = self._packed.slots[i]
            if slot.reason:
                continue                      # unreadable when the pool started: stays so
            item = images[i]
            pixels = read_image(item.path, self._decode) if isinstance(item, FileItem) else item
            if tuple(pixels.shape) != slot.shape or pixels.dtype.str != slot.dtype:
                raise ValueError(f"{slot.name} changed while the pool ran (was {slot.shape}, "
                                 f"now {pixels.shape})")
            self._packed.view(i)[...] = pixels

    def run(self, pool, workload, images, on_first_result):
        self._fill(images, range(len(images)))
        chunk = self.config.chunk_size or pool_chunksize(len(images), self.config.workers)
        calls = ((workload, s, e) for s, e in chunk_bounds(len(images), chunk))
        return flatten(submit_all(pool, run_packed, calls, on_first_result))

    def submit_first(self, pool, workload, images, index: int):
        self._fill(images, [index])           # only this image: the set's copy is transfer
        return pool.submit(run_packed, workload, index, index + 1)

    def _release(self) -> None:
        self._packed = None              # its views first: a block with views cannot close
        super()._release()


STRATEGIES = (ProcessesDecoded, ProcessesDecodedChunked, ProcessesDecodedShm)
