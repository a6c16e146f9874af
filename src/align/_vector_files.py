"""Vector files: share cached vectors as one file, and import such files as untrusted input.

The file (conventionally ``.alignvec``) is a ZIP archive, stored, not compressed
(vectors do not compress), of

* ``manifest.json`` -- format, the model identity (:attr:`Embedder.model_id`),
  vector length, what each set of vectors is (framework, release, target, kinds:
  labels the caller gives) and the SHA-256 of every other member;
* ``keys-<i>.npy`` / ``vectors-<i>.npy`` per set: BLAKE2 hashes of the texts
  (never the texts themselves, so no framework wording is redistributed) and
  their float32 unit vectors.

What the checksums prove, and what they do not: they sit in the same file as the
vectors, so they show the file was not damaged in transit, and nothing about who
made it -- anyone who edits the vectors can write new checksums. An import
therefore trusts nothing in the file:

* the archive is checked against a budget before anything is inflated (stored
  members only, a bounded directory and manifest, member sizes that follow from
  the manifest), and arrays are read in bounded chunks after their headers match
  the manifest -- a small file never allocates gigabytes;
* the manifest is read with strict types (a wrong type is an error naming the field);
* the model identity and the vector length must be this machine's, every vector
  finite and of unit length;
* keys are accepted only for texts the caller says this machine has (for a
  framework: the texts a matcher over it embeds), so a file cannot fill the cache
  with keys nothing will ever read, and the number of vectors is bounded;
* a random sample of the accepted vectors is computed again here, from the texts
  their keys claim, and must agree (:data:`AGREEMENT`): a file whose vectors were
  permuted, rotated, re-scaled or computed by another model fails. A sample only
  catches a *share* of altered vectors (256 catch 1 % of them with probability
  92 %); ``verify="all"`` re-embeds every text, which costs as much as building the
  index;
* vectors already cached are kept unless ``replace=True``, and every import is
  journaled, so :func:`undo_import` removes what it added and restores what it
  replaced.

Sets whose texts the caller cannot name (a whole-cache export, ``framework: "*"``)
cannot be checked this way; they are imported only with ``trust_unverified=True``.

This module works on texts, keys and vectors; which texts a framework needs is the
caller's business (:mod:`align._framework_vectors`).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import secrets
import struct
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
import pandas as pd

from align._embed import Embedder, _bundle_files, _cache_folder, _text_key, get_embedder
from align._safeio import check_regular_file, parse_json
from align._vector_store import _store
from align.exceptions import CacheError, InvalidArgumentError

__all__ = [
    "AGREEMENT",
    "MAX_VECTORS",
    "VERIFY_SAMPLE",
    "SetInfo",
    "VectorFile",
    "VectorSet",
    "import_vector_file",
    "list_vector_imports",
    "undo_import",
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
#: Vectors computed again, per set, to check a file (``verify=``).
VERIFY_SAMPLE = 256
#: Least cosine between a vector from a file and the one computed here for its text.
#: The same model and backend agree to better than 0.99999 (measured: ONNX against
#: torch, two different runtimes, on 200 O*NET texts: every cosine above 0.999999),
#: while a vector that belongs to another text agrees less: no two distinct texts of
#: O*NET's 5,181 match texts reach 0.995 (the closest pair: 0.992; NACE 0.955, CMC
#: 0.867). So a permuted, rotated or re-computed file fails on every sampled row.
AGREEMENT = 0.995
#: How far from 1 a vector's length may be (float32 rounding is about 1e-7).
NORM_TOLERANCE = 1e-3
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
    if not 0 <= rows <= MAX_VECTORS:
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


def _check_model(src: Path, manifest: _Manifest, emb: Embedder) -> None:
    theirs, ours = manifest.model_id, emb.model_id
    if theirs != ours:
        t_model, _, t_rest = theirs.partition(":")
        o_model, _, o_rest = ours.partition(":")
        if t_model == o_model:
            hint = (
                f"the same model run by another backend ({t_rest} vs {o_rest}); set "
                f"ALIGN_BACKEND={manifest.backend} to use this file, or export it again with "
                "this machine's backend"
            )
        else:
            hint = (
                "another model or other weights; use the model the file was built with "
                "(ALIGN_MODEL) or build the index here with `align cache warm FRAMEWORK`"
            )
        raise CacheError(
            f"{src} holds vectors of {theirs}, but this machine embeds with {ours}: {hint}."
        )
    if manifest.dimension != emb.dimension:
        raise _damaged(
            src,
            f"holds vectors of {manifest.dimension} dimensions, but {emb.model_name} computes "
            f"{emb.dimension}",
        )


# -- importing ------------------------------------------------------------------------
TextsFor = Callable[[SetInfo], Sequence[str] | None]


@dataclass
class _Plan:
    """Which rows of one set are imported, and which of them are checked."""

    info: SetInfo
    keep: np.ndarray  # bool per row
    texts: dict[int, str]  # row -> text, for the rows to check
    skipped: int = 0


def _plan_set(
    arch: _Archive, s: SetInfo, texts: Sequence[str] | None, emb: Embedder, verify: int | None
) -> _Plan:
    keys = np.concatenate(list(arch.rows(s, "keys"))) if s.rows else np.zeros((0, 16), np.uint8)
    as_bytes = [bytes(k) for k in keys]
    if len(set(as_bytes)) != len(as_bytes):
        raise _damaged(arch.src, f"repeats keys in set {s.index}")
    if texts is None:
        return _Plan(s, np.ones(len(as_bytes), bool), {})
    known = {_text_key(t[: emb.max_chars]): t[: emb.max_chars] for t in texts}
    keep = np.array([k in known for k in as_bytes], dtype=bool)
    rows = np.flatnonzero(keep).tolist()
    n = len(rows) if verify is None else min(verify, len(rows))
    picked = secrets.SystemRandom().sample(rows, n)  # unpredictable to whoever made the file
    return _Plan(s, keep, {r: known[as_bytes[r]] for r in picked}, int((~keep).sum()))


def _check_vectors(arch: _Archive, plan: _Plan) -> dict[int, np.ndarray]:
    """Read a set's vectors once: finite, unit length; return the rows to check."""
    sample: dict[int, np.ndarray] = {}
    start = 0
    for block in arch.rows(plan.info, "vectors"):
        norms = np.sqrt(np.einsum("ij,ij->i", block, block, dtype=np.float64))
        bad = ~np.isfinite(norms) | (np.abs(norms - 1.0) > NORM_TOLERANCE)
        if bad.any():
            row = start + int(np.flatnonzero(bad)[0])
            raise _damaged(
                arch.src,
                f"holds {int(bad.sum()):,}+ vectors that are not unit vectors in set "
                f"{plan.info.index} (row {row}: length {norms[row - start]:.4g}); align's "
                "vectors all have length 1",
            )
        for r in plan.texts:
            if start <= r < start + len(block):
                sample[r] = block[r - start].copy()
        start += len(block)
    return sample


def _verify(arch: _Archive, plan: _Plan, sample: dict[int, np.ndarray], emb: Embedder) -> int:
    if not sample:
        return 0
    rows = sorted(sample)
    fresh = emb.encode_fresh([plan.texts[r] for r in rows])
    agree = np.einsum("ij,ij->i", np.stack([sample[r] for r in rows]), fresh)
    bad = np.flatnonzero(agree < AGREEMENT)
    if len(bad):
        worst = int(np.argmin(agree))
        raise CacheError(
            f"{arch.src}: {len(bad)} of {len(rows)} vectors of set {plan.info.index} "
            f"({plan.info.framework}) computed again here from their texts do not match the "
            f"file's (lowest cosine {agree[worst]:.3f}, for {plan.texts[rows[worst]][:60]!r}). "
            "The file was altered, or built with other settings; nothing was imported. Build "
            f"the index here with `align cache warm {plan.info.framework}` instead."
        )
    return len(rows)


def _chunks(arch: _Archive, plans: list[_Plan]) -> Iterator[tuple[list[bytes], np.ndarray]]:
    """The accepted rows of every set, read again (and hashed again) for writing."""
    for plan in plans:
        start = 0
        for keys, vecs in zip(
            arch.rows(plan.info, "keys"), arch.rows(plan.info, "vectors"), strict=True
        ):
            keep = plan.keep[start : start + len(keys)]
            start += len(keys)
            if keep.any():
                yield [bytes(k) for k in keys[keep]], vecs[keep]


def import_vector_file(
    path: str | os.PathLike[str],
    texts_for: TextsFor,
    *,
    embedder: Embedder | None = None,
    replace: bool = False,
    verify: int | Literal["all"] = VERIFY_SAMPLE,
    trust_unverified: bool = False,
) -> VectorFile:
    """Import a vector file into the cache, trusting nothing in it (see the module notes).

    Parameters
    ----------
    path : path
        A file written by :func:`write_vector_file`.
    texts_for : callable
        Given a set (:class:`SetInfo`), the texts this machine has for it (their
        keys are the only ones imported from that set), or ``None`` when the set
        cannot be checked (a whole-cache export). It may raise an ``AlignError``
        saying what is missing.
    embedder : Embedder, optional
        Defaults to the shared default model.
    replace : bool
        Give cached texts the file's vectors (default: cached vectors are kept).
    verify : int or "all"
        How many vectors per set are computed again here and compared (at least 1).
    trust_unverified : bool
        Import sets whose texts are unknown (``texts_for`` gave ``None``) unchecked.

    Returns
    -------
    VectorFile
        With the import's counts and its number for :func:`undo_import`.

    Raises
    ------
    CacheError
        For any file that is not what it claims; nothing is imported then.
    """
    if verify != "all" and (isinstance(verify, bool) or not isinstance(verify, int) or verify < 1):
        raise InvalidArgumentError(
            f"verify={verify!r}; expected how many vectors per set to check (1 or more, "
            f'default {VERIFY_SAMPLE}) or "all".'
        )
    emb = embedder if embedder is not None else get_embedder()
    with _Archive(path) as arch:
        manifest = arch.manifest
        _check_model(arch.src, manifest, emb)
        plans: list[_Plan] = []
        unverified = 0
        for s in manifest.sets:
            texts = texts_for(s)
            if texts is None:
                if not trust_unverified:
                    raise CacheError(
                        f"{arch.src} holds {s.rows:,} vectors of unnamed texts (a whole-cache "
                        "export), which this machine cannot check against its own model. Ask "
                        "for a file exported with --framework NAME (checked on import), or, "
                        "if you trust whoever made this file, import it with --trust."
                    )
                unverified += s.rows
            plans.append(_plan_set(arch, s, texts, emb, None if verify == "all" else verify))
        checked = 0
        for plan in plans:
            checked += _verify(arch, plan, _check_vectors(arch, plan), emb)
        accepted = sum(int(p.keep.sum()) for p in plans)
        if accepted == 0 and any(s.rows for s in manifest.sets):
            raise CacheError(
                f"none of the {sum(s.rows for s in manifest.sets):,} vectors in {arch.src} "
                "belongs to a text this machine matches against (another release of the "
                "framework, or other kinds); nothing was imported. Build the index here with "
                "`align cache warm FRAMEWORK`."
            )
        sha = _file_sha256(arch.src)
        frameworks = [
            {"framework": s.framework, "version": s.version, "target": s.target}
            for s in manifest.sets
        ]
        folder = _cache_folder(emb.cache_dir)
        store = _store(folder)
        record = {
            "file": str(arch.src.resolve()),
            "sha256": sha,
            "frameworks": ", ".join(f"{f['framework']} {f['version']}".strip() for f in frameworks),
        }
        counts = store.import_rows(
            emb.model_id, _chunks(arch, plans), replace=replace, record=record
        )
    if counts is None:
        raise CacheError(
            f"could not store the vectors of {arch.src} in the cache at {folder} (see the "
            "warning above); nothing was imported. Free disk space or set ALIGN_CACHE_DIR."
        )
    if counts.replaced:
        _drop_bundles(folder)  # they may hold the vectors just replaced
    return VectorFile(
        arch.src,
        emb.model_id,
        manifest.dimension,
        accepted,
        frameworks,
        manifest.created,
        sha,
        import_id=counts.import_id,
        added=counts.added,
        replaced=counts.replaced,
        kept=counts.kept,
        differ=counts.differ,
        skipped=sum(p.skipped for p in plans),
        checked=checked,
        unverified=unverified,
    )


def _drop_bundles(folder: Path) -> None:
    """Whole-set vector files are a speed-up rebuilt from the cache on next use."""
    for b in _bundle_files(folder):
        b.unlink(missing_ok=True)


# -- the journal --------------------------------------------------------------------------
#: Columns of :func:`list_vector_imports`.
IMPORT_COLUMNS = (
    "import_id", "imported_at", "file", "sha256", "frameworks", "added", "replaced", "kept",
    "undone_at", "model_id",
)  # fmt: skip


def list_vector_imports(embedder: Embedder | None = None) -> pd.DataFrame:
    """Every vector-file import recorded in the cache, oldest first.

    Returns
    -------
    DataFrame
        Columns :data:`IMPORT_COLUMNS`: the import's number, when, the file and its
        SHA-256, its frameworks, vectors added / replaced / kept, when it was undone
        (empty while in place) and the model identity.
    """
    emb = embedder if embedder is not None else get_embedder()
    rows = _store(_cache_folder(emb.cache_dir)).imports()
    out = pd.DataFrame(rows, columns=["id", *IMPORT_COLUMNS[1:-1], "model"])
    return out.rename(columns={"id": "import_id", "model": "model_id"})[list(IMPORT_COLUMNS)]


def undo_import(
    import_id: int | None = None, *, embedder: Embedder | None = None
) -> dict[str, int]:
    """Undo a vector-file import: remove the vectors it added, restore those it replaced.

    Parameters
    ----------
    import_id : int, optional
        As :func:`list_vector_imports` lists it; ``None`` undoes the latest import
        still in place.
    embedder : Embedder, optional
        Whose cache folder (defaults to the shared default model's).

    Returns
    -------
    dict
        ``import_id``, ``removed`` and ``restored`` (vectors).
    """
    emb = embedder if embedder is not None else get_embedder()
    folder = _cache_folder(emb.cache_dir)
    store = _store(folder)
    if import_id is None:
        active = [r["id"] for r in store.imports() if r["undone_at"] is None]
        if not active:
            raise CacheError(
                f"there is no import to undo in the cache at {folder}; `align cache imports` "
                "lists what was imported."
            )
        import_id = int(active[-1])
    if isinstance(import_id, bool) or not isinstance(import_id, int) or import_id < 1:
        raise InvalidArgumentError(
            f"import_id={import_id!r}; expected an import number from `align cache imports`."
        )
    done = store.undo_import(import_id)
    _drop_bundles(folder)
    return {"import_id": import_id, **done}
