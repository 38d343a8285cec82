"""Index folders: a JSON manifest plus native files, written atomically, checked on load.

Layout of a saved index::

    my-index/
      manifest.json      format version, backend, index type and parameters, encoder,
                         dimension, count, created time, sha256 and size of every file
      vocab.json         column vocabularies (city ids, sector codes, ...)
      vectors.npy ...    numpy arrays (never pickled)
      index.faiss        the FAISS backend's native index

Writing goes to a hidden temporary folder next to the target; every file and
the folder are fsynced before the folder is renamed into place, so a crash
leaves either the old index or the new one, never a mix.
"""

from __future__ import annotations

import hashlib
import io
import json
import mmap as mmap_module
import os
import shutil
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from isa_match.index.base import (
    EncoderInfo,
    EncoderLike,
    IndexCorruptError,
    IndexMismatchError,
)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
Writer = Callable[[BinaryIO], None]


def npy_writer(arr: npt.NDArray[Any]) -> Writer:
    """A writer that stores ``arr`` as ``.npy`` without pickle."""

    def write(fh: BinaryIO) -> None:
        np.save(fh, np.ascontiguousarray(arr), allow_pickle=False)

    return write


def bytes_writer(data: bytes | npt.NDArray[np.uint8]) -> Writer:
    """A writer for raw bytes (for example a serialised FAISS index)."""

    def write(fh: BinaryIO) -> None:
        fh.write(memoryview(data) if isinstance(data, bytes) else data.data)

    return write


class _HashingFile(io.RawIOBase):
    """Write-through file wrapper that hashes and counts what passes."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.sha = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self.sha.update(view)
        self.size += len(view)
        self.fh.write(view)
        return len(view)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_folder(
    path: Path,
    manifest: dict[str, Any],
    files: Mapping[str, Writer],
    *,
    subfolders: Mapping[str, Callable[[Path], None]] | None = None,
) -> None:
    """Write ``files`` and ``manifest.json`` (with checksums) atomically to folder ``path``.

    ``subfolders`` maps a folder name to a function that writes a complete folder
    (with its own manifest) at the path it is given; they are written inside the
    temporary folder first, so the whole tree appears at once.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        checksums: dict[str, dict[str, Any]] = {}
        for name, writer in files.items():
            with open(tmp / name, "wb") as fh:
                hashing = _HashingFile(fh)
                writer(hashing)  # type: ignore[arg-type]
                fh.flush()
                os.fsync(fh.fileno())
            checksums[name] = {"sha256": hashing.sha.hexdigest(), "bytes": hashing.size}
        for name, write_sub in (subfolders or {}).items():
            write_sub(tmp / name)
        full = {
            "format_version": FORMAT_VERSION,
            **manifest,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "files": checksums,
        }
        with open(tmp / MANIFEST, "w", encoding="utf-8") as fh:
            json.dump(full, fh, indent=2, ensure_ascii=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        _fsync_dir(tmp)
        old = None
        if path.exists():
            # A directory cannot be renamed over a non-empty one: move the old one
            # aside first; the window without `path` is two renames long.
            old = path.parent / f".{path.name}.old-{uuid.uuid4().hex[:8]}"
            path.rename(old)
        tmp.rename(path)
        _fsync_dir(path.parent)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _sha256(path: Path) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


def read_manifest(
    path: Path,
    *,
    backend: str | None = None,
    expect_encoder: EncoderLike | None = None,
    verify_files: bool = True,
) -> dict[str, Any]:
    """Read and check a folder's manifest and (unless told not to) every file's checksum.

    Raises:
        IndexCorruptError: the folder, manifest or a file is missing, unreadable or altered.
        IndexMismatchError: another format version, backend or encoder.
    """
    path = Path(path)
    if not path.is_dir():
        raise IndexCorruptError(f"{path}: not an index folder (missing or not a directory)")
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise IndexCorruptError(f"{path}: {MANIFEST} is missing") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexCorruptError(f"{path / MANIFEST}: unreadable manifest ({exc})") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise IndexCorruptError(f"{path / MANIFEST}: not an index manifest")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexMismatchError(
            f"{path}: index format version {version!r}, this code reads {FORMAT_VERSION}"
        )
    if backend is not None and manifest.get("backend") != backend:
        raise IndexMismatchError(
            f"{path}: saved by backend {manifest.get('backend')!r}, loading as {backend!r}"
        )
    if expect_encoder is not None:
        want = EncoderInfo.of(expect_encoder)
        try:
            have = EncoderInfo.from_dict(manifest.get("encoder"))
        except (KeyError, TypeError) as exc:
            raise IndexCorruptError(f"{path / MANIFEST}: malformed encoder entry") from exc
        if have != want:
            shown = f"{have.name} {have.version}" if have else "no recorded encoder"
            raise IndexMismatchError(
                f"{path}: built with {shown}, expected {want.name} {want.version}; "
                "re-encode the listings and rebuild the index"
            )
    want_dim = getattr(expect_encoder, "dim", None)
    if isinstance(want_dim, int) and want_dim != manifest.get("dim"):
        raise IndexMismatchError(
            f"{path}: vectors of dimension {manifest.get('dim')}, the encoder gives {want_dim}"
        )
    for name, entry in manifest["files"].items() if verify_files else ():
        file = path / name
        if not file.is_file():
            raise IndexCorruptError(f"{file}: file listed in the manifest is missing")
        digest, size = _sha256(file)
        if size != entry.get("bytes") or digest != entry.get("sha256"):
            raise IndexCorruptError(
                f"{file}: checksum mismatch ({size} bytes, expected {entry.get('bytes')}); "
                "the file is truncated or altered"
            )
    return manifest


def load_npy(path: Path, name: str, *, mmap: bool = False) -> npt.NDArray[Any]:
    """Load one checked ``.npy`` file without pickle (memory-mapped read-only if asked)."""
    try:
        arr: npt.NDArray[Any] = np.load(
            path / name, allow_pickle=False, mmap_mode="r" if mmap else None
        )
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"{path / name}: unreadable array ({exc})") from exc
    handle = getattr(arr, "_mmap", None)
    if handle is not None and hasattr(mmap_module, "MADV_RANDOM"):
        # Re-scoring reads a few scattered rows per query: no read-ahead from disk
        # for them. (The kernel still maps up to 64 KB of already cached pages
        # around each fault, so RssFile grows faster than the rows touched.)
        handle.madvise(mmap_module.MADV_RANDOM)
    return arr


def json_writer(data: Any) -> Writer:
    """A writer of ``data`` as UTF-8 JSON (non-ASCII kept as is)."""
    return bytes_writer(json.dumps(data, ensure_ascii=False).encode("utf-8"))


def read_json(path: Path) -> Any:
    """A JSON file of a saved folder; missing or unreadable is :class:`IndexCorruptError`."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise IndexCorruptError(f"{path}: file is missing") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexCorruptError(f"{path}: unreadable JSON ({exc})") from exc
