"""Vector files: the shared file format, written, and read as untrusted input within a budget.

The file (conventionally ``.alignvec``) is a ZIP archive, stored, not compressed
(vectors do not compress), of

* ``manifest.json`` -- format, the model identity (:attr:`Embedder.model_id`),
  vector length, what each set of vectors is (framework, release, target, kinds:
  labels the caller gives) and the SHA-256 of every other member;
* ``keys-<i>.npy`` / ``vectors-<i>.npy`` per set: BLAKE2 hashes of the texts
  (never the texts themselves, so no framework wording is redistributed) and
  their float32 unit vectors.

Reading (:class:`_Archive`) checks the archive against a budget before anything is
inflated: a bounded directory, stored members only (a compressed member is how a
small file inflates into gigabytes), a manifest of at most 1 MB read with strict
types (a wrong type is an error naming the field), member sizes that follow from
the manifest, and arrays read in bounded chunks after their ``.npy`` headers match
the manifest, each member hashed as it is read. What an import then trusts, and
why the checksums prove little, is :mod:`align._vector_import`'s business.

This module works on keys and vectors; it never sees a framework.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import struct
import time
import uuid
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np

from align._embed import Embedder
from align._safeio import check_regular_file, parse_json
from align.exceptions import CacheError, InvalidArgumentError

__all__ = [
    "FORMAT",
    "MAX_VECTORS",
    "SetInfo",
    "VectorFile",
    "VectorSet",
    "write_vector_file",
]

FORMAT = "align-vectors/1"
#: Most vectors one file may hold (all sets together): ESCO, Lightcast and O*NET
#: together need about 190,000; at 384 dimensions a full file is about 1.6 GB.
MAX_VECTORS = 1_000_000
#: Longest vectors a file may hold (MiniLM: 384; the largest common models: 4,096).
MAX_DIMENSION = 4096
#: Most sets (frameworks x targets) in one file.
MAX_SETS = 64
#: Largest manifest read (a manifest of 64 sets is a few kilobytes).
MAX_MANIFEST_BYTES = 1_000_000
#: Largest ZIP central directory read (the directory of 130 members is about 10 KB).
_MAX_DIRECTORY_BYTES = 1 << 20
_CHUNK_ROWS = 8192
_MEMBER = re.compile(r"^(keys|vectors)-(\d{1,3})\.npy$")
_ZIP_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"


@dataclass(frozen=True)
class VectorSet:
    """One set of vectors to write: labels, the keys of its texts, their vectors.

    Attributes
    ----------
    meta : dict
        ``framework``, ``version``, ``target`` (str) and ``kinds`` (list of str or
        ``None``): what the caller needs to find the texts again on import.
    keys : list of bytes
        16-byte keys of the texts (:func:`align._embed._text_key`), one per row.
    vectors : ndarray
        ``(len(keys), dimension)`` float32 unit vectors.
    """

    meta: dict[str, Any]
    keys: list[bytes]
    vectors: np.ndarray


@dataclass(frozen=True)
class SetInfo:
    """What one set of a vector file claims to be (from a checked manifest)."""

    index: int
    framework: str
    version: str
    target: str
    kinds: tuple[str, ...] | str | None
    rows: int


@dataclass(frozen=True)
class VectorFile:
    """A vector file written by :func:`align.export_vectors` or imported by ``import_vectors``.

    Attributes
    ----------
    path : Path
        The file.
    model_id : str
        The model identity of its vectors.
    dimension : int
        Vector length.
    vectors : int
        Written: vectors in the file. Imported: vectors of the file this machine
        accepted (texts it has), whether newly added or already cached.
    frameworks : list of dict
        ``framework``, ``version``, ``target`` of each set.
    created : str
        When the file was written (as the file says).
    sha256 : str
        SHA-256 of the whole file: how to tell which file an import came from.
    import_id : int or None
        The import's number in this cache's journal (:func:`undo_import`).
    added, replaced, kept, differ : int
        Vectors the import added; cached vectors it replaced (``replace=True``);
        cached vectors it kept; of those kept, how many differ from the file's.
    skipped : int
        Vectors of texts this machine does not have (not imported).
    checked : int
        Vectors computed again here that agreed with the file.
    unverified : int
        Vectors imported without that check (``trust_unverified=True``).
    """

    path: Path
    model_id: str
    dimension: int
    vectors: int
    frameworks: list[dict[str, str]] = field(default_factory=list)
    created: str = ""
    sha256: str = ""
    import_id: int | None = None
    added: int = 0
    replaced: int = 0
    kept: int = 0
    differ: int = 0
    skipped: int = 0
    checked: int = 0
    unverified: int = 0


# -- writing ----------------------------------------------------------------------------
def _npy_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def write_vector_file(
    path: str | os.PathLike[str], sets: Sequence[VectorSet], embedder: Embedder
) -> VectorFile:
    """Write ``sets`` to one vector file, atomically (a temporary name, then a rename).

    Parameters
    ----------
    path : path
        The file to write; replaced if it exists.
    sets : list of VectorSet
        At least one; every set's vectors as long as the others'.
    embedder : Embedder
        Whose model computed the vectors (its identity goes into the manifest).

    Returns
    -------
    VectorFile
    """
    if not sets:
        raise InvalidArgumentError("sets is empty: give at least one VectorSet to write.")
    dest = Path(path).expanduser()
    dim = int(sets[0].vectors.shape[1])
    members: dict[str, bytes] = {}
    for i, vs in enumerate(sets):
        if vs.vectors.shape != (len(vs.keys), dim):
            raise InvalidArgumentError(
                f"set {i} has {len(vs.keys)} keys but vectors of shape {vs.vectors.shape}; "
                f"expected ({len(vs.keys)}, {dim})."
            )
        members[f"keys-{i}.npy"] = _npy_bytes(
            np.frombuffer(b"".join(vs.keys), np.uint8).reshape(-1, 16)
        )
        members[f"vectors-{i}.npy"] = _npy_bytes(np.ascontiguousarray(vs.vectors, np.float32))
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "model_id": embedder.model_id,
        "model_name": embedder.model_name,
        "backend": embedder.backend,
        "dimension": dim,
        "vectors": int(sum(len(vs.keys) for vs in sets)),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "sets": [dict(vs.meta, rows=len(vs.keys)) for vs in sets],
        "sha256": {name: hashlib.sha256(data).hexdigest() for name, data in members.items()},
    }
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as zf:
            zf.writestr("manifest.json", json.dumps(manifest, indent=2))
            for name, data in members.items():
                zf.writestr(name, data)
        os.replace(tmp, dest)
    except OSError as exc:
        raise CacheError(
            f"could not write the vector file {dest} ({exc}); free disk space or choose "
            "another folder."
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return VectorFile(
        dest,
        embedder.model_id,
        dim,
        manifest["vectors"],
        [{k: _label(v) for k, v in vs.meta.items()} for vs in sets],
        manifest["created"],
        _file_sha256(dest),
    )


def _label(value: Any) -> str:
    if value is None:
        return ""
    return ",".join(value) if isinstance(value, list | tuple) else str(value)


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 22):
            h.update(block)
    return h.hexdigest()


# -- reading: the archive, within a budget ----------------------------------------------
def _damaged(src: Path, what: str) -> CacheError:
    return CacheError(
        f"vector file {src} {what}; it was not written by `align cache export` or was changed "
        "since. Nothing was imported: copy the file again, or export it again."
    )


def _directory_size(fh: IO[bytes], size: int, src: Path) -> tuple[int, int]:
    """(entries, bytes) of the ZIP central directory, read from its end record alone."""
    tail_len = min(size, 22 + 65_535)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    at = tail.rfind(_ZIP_EOCD)
    if at < 0 or len(tail) - at < 22:
        raise CacheError(
            f"{src} is not an align vector file (not a ZIP archive); give the path of a "
            "file written by `align cache export`."
        )
    entries, cd_bytes = struct.unpack("<2xH I", tail[at + 8 : at + 16])[0:2]
    if (entries == 0xFFFF or cd_bytes == 0xFFFFFFFF) and at >= 20:
        loc = tail[at - 20 : at]
        if loc[:4] == _ZIP64_LOCATOR:
            (offset,) = struct.unpack("<Q", loc[8:16])
            if offset + 56 > size:
                raise _damaged(src, "has a damaged ZIP directory")
            fh.seek(offset)
            rec = fh.read(56)
            if rec[:4] != _ZIP64_EOCD:
                raise _damaged(src, "has a damaged ZIP directory")
            entries, cd_bytes = struct.unpack("<Q Q", rec[24:40])
    return int(entries), int(cd_bytes)


class _Archive:
    """An opened vector file whose structure and manifest passed every check."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        src = check_regular_file(path, "vector file", error=CacheError)
        self.src = src
        self.size = src.stat().st_size
        try:
            with open(src, "rb") as fh:
                entries, cd_bytes = _directory_size(fh, self.size, src)
        except CacheError:
            raise
        except OSError as exc:
            raise CacheError(f"vector file {src} cannot be read ({exc.strerror}).") from None
        if entries > 2 * MAX_SETS + 1 or cd_bytes > _MAX_DIRECTORY_BYTES:
            raise _damaged(src, f"lists {entries:,} members ({cd_bytes:,} bytes of directory)")
        try:
            self.zf = zipfile.ZipFile(src)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise CacheError(
                f"{src} is not an align vector file or is damaged ({exc}); copy it again or "
                "export it again."
            ) from None
        try:
            self.infos = self._check_members()
            self.manifest = _parse_manifest(self._read_manifest(), src)
            self._check_sizes()
        except BaseException:
            self.zf.close()
            raise

    def close(self) -> None:
        self.zf.close()

    def __enter__(self) -> _Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_members(self) -> dict[str, zipfile.ZipInfo]:
        infos: dict[str, zipfile.ZipInfo] = {}
        for info in self.zf.infolist():
            name = info.filename
            if name != "manifest.json" and not _MEMBER.match(name):
                raise _damaged(self.src, f"holds an unexpected member {name!r}")
            if name in infos:
                raise _damaged(self.src, f"holds {name!r} twice")
            if info.compress_type != zipfile.ZIP_STORED or info.compress_size != info.file_size:
                # align stores members uncompressed; a compressed member is the classic
                # way to make a small file inflate into gigabytes.
                raise _damaged(
                    self.src,
                    f"has a compressed member {name!r} ({info.compress_size:,} bytes that "
                    f"would inflate to {info.file_size:,})",
                )
            if info.header_offset + info.file_size > self.size:
                raise _damaged(self.src, f"is truncated ({name!r} ends past the end of the file)")
            infos[name] = info
        if "manifest.json" not in infos:
            raise CacheError(
                f"{self.src} is not an align vector file (no manifest.json); export one with "
                "`align cache export FILE`."
            )
        return infos

    def _read_manifest(self) -> Any:
        info = self.infos["manifest.json"]
        if info.file_size > MAX_MANIFEST_BYTES:
            raise _damaged(
                self.src,
                f"has a manifest of {info.file_size:,} bytes (align writes a few kilobytes; at "
                f"most {MAX_MANIFEST_BYTES:,} are read)",
            )
        raw = self._read_member("manifest.json", MAX_MANIFEST_BYTES)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _damaged(self.src, "has a manifest that is not UTF-8 text") from None
        return parse_json(text, f"{self.src.name}: manifest.json", error=CacheError)

    def _read_member(self, name: str, limit: int) -> bytes:
        try:
            with self.zf.open(self.infos[name]) as fh:
                data = fh.read(limit + 1)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise _damaged(self.src, f"cannot be read ({name}: {exc})") from None
        if len(data) > limit:
            raise _damaged(self.src, f"has a member {name!r} larger than it claims")
        return data

    def _check_sizes(self) -> None:
        m = self.manifest
        for s in m.sets:
            for kind, row_bytes in (("keys", 16), ("vectors", 4 * m.dimension)):
                name = f"{kind}-{s.index}.npy"
                info = self.infos.get(name)
                if info is None or name not in m.sha256:
                    raise _damaged(self.src, f"lacks {name} (or its checksum)")
                data = s.rows * row_bytes
                # An .npy header is 64-4096 bytes; the payload follows from the manifest.
                if not data + 64 <= info.file_size <= data + 4096:
                    raise _damaged(
                        self.src,
                        f"has {name} of {info.file_size:,} bytes, but {s.rows:,} rows of "
                        f"{row_bytes:,} bytes need {data:,} plus a header",
                    )
        extra = set(self.infos) - {"manifest.json"} - set(m.sha256)
        if extra or len(m.sha256) != 2 * len(m.sets):
            raise _damaged(self.src, "lists members its manifest does not describe")

    def rows(self, s: SetInfo, kind: Literal["keys", "vectors"]) -> Iterator[np.ndarray]:
        """The rows of a member in chunks, checked against the manifest (shape, type, hash)."""
        name = f"{kind}-{s.index}.npy"
        width, dtype = (
            (16, np.dtype(np.uint8))
            if kind == "keys"
            else (
                self.manifest.dimension,
                np.dtype("<f4"),
            )
        )
        try:
            with self.zf.open(self.infos[name]) as raw:
                fh = _Hashing(raw)
                shape, fortran, found = _npy_header(fh)
                if shape != (s.rows, width) or fortran or found != dtype:
                    raise _damaged(
                        self.src,
                        f"has {name} of shape {shape} and type {found}, but its manifest says "
                        f"({s.rows}, {width}) {dtype}",
                    )
                done = 0
                while done < s.rows:
                    n = min(_CHUNK_ROWS, s.rows - done)
                    block = fh.read(n * width * dtype.itemsize)
                    if len(block) != n * width * dtype.itemsize:
                        raise _damaged(self.src, f"is truncated ({name})")
                    yield np.frombuffer(block, dtype=dtype).reshape(n, width)
                    done += n
                if fh.read(1):
                    raise _damaged(self.src, f"has bytes after the data of {name}")
        except CacheError:
            raise
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise _damaged(self.src, f"cannot be read ({name}: {exc})") from None
        if fh.hexdigest() != self.manifest.sha256[name]:
            raise _damaged(self.src, f"is damaged: {name} does not match its checksum")


class _Hashing:
    """A read-only stream that hashes what is read through it."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self._h = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(n)
        self._h.update(data)
        return data

    def hexdigest(self) -> str:
        return self._h.hexdigest()


def _npy_header(fh: Any) -> tuple[tuple[int, ...], bool, np.dtype[Any]]:
    version = np.lib.format.read_magic(fh)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh, max_header_size=4096)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh, max_header_size=4096)
    else:
        raise ValueError(f"unsupported .npy version {version}")
    return tuple(int(x) for x in shape), bool(fortran), np.dtype(dtype)


# -- reading: the manifest, with strict types ---------------------------------------------
@dataclass(frozen=True)
class _Manifest:
    model_id: str
    backend: str
    dimension: int
    created: str
    sets: list[SetInfo]
    sha256: dict[str, str]


def _field(data: Mapping[str, Any], key: str, kind: type, src: Path, where: str = "") -> Any:
    value = data.get(key)
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if not ok:
        found = "nothing" if value is None else f"{type(value).__name__} {_short(value)}"
        expected = {int: "a whole number", str: "text", list: "a list", dict: "a mapping"}[kind]
        raise _damaged(src, f"has a manifest whose {where}{key!r} is {found}; expected {expected}")
    return value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _parse_manifest(data: Any, src: Path) -> _Manifest:
    if not isinstance(data, dict):
        raise _damaged(src, "has a manifest that is not a JSON object")
    fmt = data.get("format")
    if fmt != FORMAT:
        raise CacheError(
            f"{src} has format {fmt!r}; this version of align reads {FORMAT!r}. Export the "
            "file again with this version."
        )
    model_id = _field(data, "model_id", str, src)
    backend = str(data.get("backend") or "")
    dimension = _field(data, "dimension", int, src)
    if not 1 <= dimension <= MAX_DIMENSION:
        raise _damaged(src, f"claims vectors of {dimension:,} dimensions")
    raw_sets = _field(data, "sets", list, src)
    if not 1 <= len(raw_sets) <= MAX_SETS:
        raise _damaged(src, f"lists {len(raw_sets)} sets (1 to {MAX_SETS} expected)")
    sets = [_parse_set(i, s, src) for i, s in enumerate(raw_sets)]
    total = sum(s.rows for s in sets)
    if total > MAX_VECTORS:
        raise CacheError(
            f"{src} holds {total:,} vectors; align imports at most {MAX_VECTORS:,} from one "
            "file. Export the frameworks you need with `align cache export FILE -f NAME`."
        )
    vectors = data.get("vectors", total)
    if not isinstance(vectors, int) or isinstance(vectors, bool) or vectors != total:
        raise _damaged(src, f"says it holds {_short(vectors)} vectors but its sets hold {total:,}")
    sha = _field(data, "sha256", dict, src)
    for name, digest in sha.items():
        if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise _damaged(src, f"has a manifest whose checksum of {name!r} is not a SHA-256")
    created = data.get("created", "")
    return _Manifest(
        model_id, backend, dimension, created if isinstance(created, str) else "", sets, sha
    )


def _parse_set(i: int, raw: Any, src: Path) -> SetInfo:
    if not isinstance(raw, dict):
        raise _damaged(src, f"has a manifest whose set {i} is {_short(raw)}; expected a mapping")
    where = f"set {i} "
    rows = _field(raw, "rows", int, src, where)
    if rows < 0:
        raise _damaged(src, f"claims {rows:,} rows in set {i}")
    kinds = raw.get("kinds")
    if not (
        kinds is None
        or kinds == "all"
        or (isinstance(kinds, list) and all(isinstance(k, str) for k in kinds))
    ):
        raise _damaged(src, f"has a manifest whose set {i} 'kinds' is {_short(kinds)}")
    return SetInfo(
        index=i,
        framework=_field(raw, "framework", str, src, where),
        version=str(_field(raw, "version", str, src, where)),
        target=_field(raw, "target", str, src, where),
        kinds=tuple(kinds) if isinstance(kinds, list) else kinds,
        rows=rows,
    )
