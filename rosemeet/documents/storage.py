"""Where the bytes of documents live: one small interface, content-addressed by SHA-256.

``LocalStorage`` keeps each file at ``<root>/<ab>/<cd>/<sha256>`` (root: the config's
``FILES_PATH``, by default ``<instance>/files``). Several web servers share one storage by
mounting the same volume (NFS, a cloud file share) at that path: files are written to a
temporary name in the same folder and renamed into place, which is atomic on POSIX file
systems, so a reader never sees half a file and two servers storing the same content at the
same time write the same bytes. Another backend (an object store) implements the same five
methods and is set with ``set_storage``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import Flask, current_app

#: where an app keeps its storage
EXTENSION = "rosemeet_storage"
#: bytes read and written at a time: a file is never held in memory whole
CHUNK = 1024 * 1024


class TooLarge(Exception):
    """More bytes came than the limit allows."""


@dataclass(frozen=True)
class Staged:
    """A file received into the storage's staging area and not yet kept."""

    #: the temporary file
    path: Path
    #: its SHA-256 in hex
    sha256: str
    #: its size in bytes
    size: int
    #: its first bytes, for detecting the type
    head: bytes


class Storage(Protocol):
    """What the documents need of a storage."""

    def stage(self, stream: BinaryIO, limit: int) -> Staged:
        """Copy ``stream`` to a temporary file while hashing it; ``TooLarge`` past ``limit``."""

    def keep(self, staged: Staged) -> bool:
        """Move a staged file to its place; True if it was not there before."""

    def discard(self, staged: Staged) -> None:
        """Remove a staged file that will not be kept."""

    def open(self, sha256: str) -> BinaryIO:
        """The content of a kept file (``FileNotFoundError`` when it is gone)."""

    def delete(self, sha256: str) -> None:
        """Remove a kept file (nothing happens when it is not there)."""

    def path(self, sha256: str) -> Path | None:
        """A local path for ``send_file`` to serve from, or None for a remote storage."""

    def kept(self, older_than: float = 0) -> Iterator[str]:
        """The hashes of the kept files at least ``older_than`` seconds old."""


class LocalStorage:
    """Files in a folder of this machine (or a shared volume mounted there)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _place(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise FileNotFoundError(sha256)  # never a path from anything but a hash
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def stage(self, stream: BinaryIO, limit: int) -> Staged:
        """Copy ``stream`` in chunks to a temporary file beside the kept ones."""
        staging = self.root / "tmp"
        staging.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        head = b""
        handle, name = tempfile.mkstemp(dir=staging, prefix="upload-")
        path = Path(name)
        try:
            with os.fdopen(handle, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge(size)
                    if len(head) < 8192:
                        head += chunk[: 8192 - len(head)]
                    digest.update(chunk)
                    out.write(chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return Staged(path, digest.hexdigest(), size, head)

    def keep(self, staged: Staged) -> bool:
        """Rename into place (atomic); an existing file of the same hash is the same bytes."""
        place = self._place(staged.sha256)
        if place.exists():
            staged.path.unlink(missing_ok=True)
            return False
        place.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged.path, place)
        return True

    def discard(self, staged: Staged) -> None:
        """Remove the temporary file."""
        staged.path.unlink(missing_ok=True)

    def open(self, sha256: str) -> BinaryIO:
        """Open a kept file for reading."""
        return self._place(sha256).open("rb")

    def delete(self, sha256: str) -> None:
        """Remove a kept file."""
        with contextlib.suppress(FileNotFoundError):
            self._place(sha256).unlink()

    def path(self, sha256: str) -> Path | None:
        """The file's path (it may not exist)."""
        return self._place(sha256)

    def kept(self, older_than: float = 0) -> Iterator[str]:
        """The hashes of the kept files at least ``older_than`` seconds old (the clean-up of
        unused files); staged uploads as old as that are removed on the way."""
        limit = time.time() - older_than
        for path in (self.root / "tmp").glob("upload-*"):
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime <= limit:
                    path.unlink()
        for path in self.root.glob("??/??/*"):
            with contextlib.suppress(FileNotFoundError):
                if len(path.name) == 64 and path.stat().st_mtime <= limit:
                    yield path.name


def init_app(app: Flask) -> None:
    """Give the app its storage: a ``LocalStorage`` at ``FILES_PATH`` (or in the instance)."""
    root = app.config.get("FILES_PATH") or os.path.join(app.instance_path, "files")
    set_storage(app, LocalStorage(root))


def set_storage(app: Flask, storage: Storage) -> None:
    """Use another storage for this app's documents."""
    app.extensions[EXTENSION] = storage


def storage() -> Storage:
    """The current app's storage."""
    return current_app.extensions[EXTENSION]
