"""Folders where uploads wait while they are checked: one per upload, removed when it ends, and those left
by a server that was killed mid-upload removed when a server starts."""

from __future__ import annotations

import ctypes
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..config import VAR_DIR


def default_staging_root() -> Path:
    return VAR_DIR / "uploads"


@contextmanager
def staging_folder(root: Path) -> Iterator[Path]:
    """A new folder for one upload, named after this process so orphans can be told apart."""
    folder = root / f"{os.getpid()}-{uuid.uuid4().hex}"
    folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        give_memory_back()


def give_memory_back() -> None:
    """Return the memory a large upload freed to the system (glibc keeps it otherwise, and the server's resident
    memory would stay at its highest)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clear_orphans(root: Path) -> list[Path]:
    """Remove the folders of uploads whose server process is gone; the folders removed."""
    removed = []
    if not root.is_dir():
        return removed
    for folder in root.iterdir():
        owner = folder.name.split("-", 1)[0]
        if folder.is_dir() and owner.isdigit() and not _alive(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
