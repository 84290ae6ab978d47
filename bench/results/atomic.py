"""Writing a file so that readers see the old one or the new one, never a torn one."""
from __future__ import annotations

import contextlib
import json
import os
import secrets


def atomic_write_json(path: str, data) -> None:
    """Write, fsync, rename (docs/failures.md). An unnamed ``O_TMPFILE`` where Linux allows,
    named an instant before the rename, so a kill during the write leaves nothing behind;
    elsewhere a named temporary file, which the next ``--resume`` removes."""
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    folder = os.path.dirname(os.path.abspath(path))
    umask = os.umask(0)
    os.umask(umask)
    mode = 0o666 & ~umask                      # like any file the user writes
    tmp = os.path.join(folder, f"{_temp_prefix(path)}{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(folder, os.O_TMPFILE | os.O_WRONLY, mode)
        unnamed = True
    except (AttributeError, OSError):          # no O_TMPFILE here, or not on this fs
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        unnamed = False
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
            if unnamed:
                _name_unnamed(fh.fileno(), tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _name_unnamed(fd: int, name: str) -> None:
    """Give an O_TMPFILE file a name: linkat(/proc/self/fd/N, AT_SYMLINK_FOLLOW).
    (os.link falls back to link(2), which does not follow the /proc link, unless a
    directory fd is given.)"""
    root = os.open("/", os.O_RDONLY)
    try:
        os.link(f"proc/self/fd/{fd}", name, src_dir_fd=root, follow_symlinks=True)
    finally:
        os.close(root)


def _temp_prefix(path: str) -> str:
    return "." + os.path.basename(path) + "."


def remove_stale_temps(path: str) -> list[str]:
    """Remove temporary files a killed writer of ``path`` left beside it."""
    folder = os.path.dirname(os.path.abspath(path))
    prefix = _temp_prefix(path)
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    removed = []
    for name in names:
        if name.startswith(prefix) and name.endswith(".tmp"):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, name))
                removed.append(name)
    return removed
