"""Pass folders put aside and removed in bulk, with the file system settled after.

Removing a pass's thousands of files right after it leaves the disk work that the next
timed pass pays for (a serial pass after a pool pass's clean-up read several times
slower). So the trash is emptied only once it holds ``LIMIT_BYTES`` (or the group ends),
then ``os.sync()`` waits for what the removal wrote, outside the timed passes.
"""
from __future__ import annotations

import os
import shutil

LIMIT_BYTES = 256 * 1024 ** 2       # what the trash holds before it is emptied
NO_WRITEBACK = ("tmpfs", "ramfs")   # file systems with nothing to write back


def folder_bytes(path: str) -> int:
    total = 0
    for dirpath, _, files in os.walk(path):
        for name in files:
            try:
                total += os.stat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


class Trash:
    def __init__(self, limit_bytes: int = LIMIT_BYTES, sync=os.sync):
        self.limit_bytes = limit_bytes
        self.paths: list[str] = []
        self.per_folder: int | None = None     # the first folder's size stands for each
        self.settles: bool | None = None       # known from the first folder's file system
        self._sync = sync

    def add(self, path: str) -> None:
        if self.per_folder is None:
            from bench.measure.machine import filesystem_of

            self.per_folder = max(1, folder_bytes(path))
            self.settles = filesystem_of(path) not in NO_WRITEBACK
        self.paths.append(path)

    def tidy(self) -> None:
        """Between visits: empty the trash once it holds more than the limit."""
        if self.paths and len(self.paths) * self.per_folder > self.limit_bytes:
            self.empty()

    def empty(self) -> None:
        if not self.paths:
            return
        for path in self.paths:
            shutil.rmtree(path, ignore_errors=True)
        self.paths = []
        if self.settles:
            self._sync()
