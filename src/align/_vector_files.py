"""Build a framework's vector index once, and share it as one checksummed file.

An office embeds ESCO or Lightcast once (:func:`warm_cache`), writes the vectors to
a file (:func:`export_vectors`) and staff machines load it (:func:`import_vectors`):
their first match then costs seconds instead of many minutes.

The file is a ZIP archive (stored, not compressed: vectors do not compress) of

* ``manifest.json`` -- format, the model identity (:attr:`Embedder.model_id`: model
  name, digest of the weights' contents, backend, pooling), vector length, the
  frameworks and the SHA-256 of every other member;
* ``keys-<i>.npy`` / ``vectors-<i>.npy`` per set of texts: BLAKE2 hashes of the
  texts (never the texts themselves, so no framework wording is redistributed)
  and their float32 vectors.

Import refuses a file whose model identity differs from the importing machine's
(another checkpoint, or the same model run by another backend), or whose
checksums do not match, with a message saying what to do.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import align._embed as _embed
from align._config import PathLike
from align._embed import (
    Embedder,
    _bundle_stem,
    _cache_folder,
    _store,
    _text_key,
    _write_bundle,
    get_embedder,
)
from align.exceptions import CacheError, InvalidArgumentError
from align.frameworks._model import Framework

__all__ = ["VectorFile", "WarmResult", "export_vectors", "import_vectors", "warm_cache"]

FORMAT = "align-vectors/1"


@dataclass(frozen=True)
class WarmResult:
    """What :func:`warm_cache` did for one framework.

    Attributes
    ----------
    framework, version, target : str
        The framework key, its release and what was indexed (``competencies`` or
        ``occupations``).
    texts : int
        Distinct texts the matcher embeds for it.
    computed : int
        How many of them were not cached and had to be embedded now.
    seconds : float
        Wall time.
    model_id : str
        The model identity the vectors are cached under.
    """

    framework: str
    version: str
    target: str
    texts: int
    computed: int
    seconds: float
    model_id: str


@dataclass(frozen=True)
class VectorFile:
    """A vector file written by :func:`export_vectors` or read by :func:`import_vectors`."""

    path: Path
    model_id: str
    dimension: int
    vectors: int
    frameworks: list[dict[str, str]] = field(default_factory=list)
    created: str = ""


class _Capture:
    """Stands in for the embedder during a fit, to learn which texts a matcher embeds."""

    show_progress: bool | None = None

    def __init__(self) -> None:
        self.texts: list[str] = []

    def encode(self, texts: Sequence[str], *, show_progress: bool | None = None) -> np.ndarray:
        self.texts.extend(texts)
        vecs = np.zeros((len(texts), 2), dtype=np.float32)
        vecs[:, 0] = 1.0
        return vecs


def _match_texts(framework: Framework, target: str, kinds: Any) -> list[str]:
    from align._match import Matcher, _professional_route

    capture = _Capture()
    Matcher(
        framework,
        target=target,  # type: ignore[arg-type]
        kinds=kinds,
        embedder=capture,  # type: ignore[arg-type]
    ).fit()
    if _professional_route(framework, "hybrid", target, kinds):
        # align.match reads NACE through definitions, behaviours and example outcomes.
        from align._professional import surface_texts

        capture.texts.extend(surface_texts(framework))
    return capture.texts


def _resolve(spec: Any, target: str, data_dir: PathLike | None) -> tuple[Framework, str]:
    """A framework name (as in ``align.match``), path or Framework, with its target."""
    from align._match import TARGETS, _check_choice
    from align._match import _resolve as resolve_framework

    _check_choice("target", target, TARGETS)
    if not isinstance(spec, Framework | str | os.PathLike):
        raise InvalidArgumentError(
            f"framework is a {type(spec).__name__}; expected a name such as 'esco', the path "
            "of a framework file, or a Framework from align.load_framework(...)."
        )
    _, fw, fw_target = resolve_framework(spec, target, data_dir)  # type: ignore[arg-type]
    return fw, str(fw_target)


def warm_cache(
    framework: Framework | PathLike,
    *,
    target: str = "competencies",
    kinds: Sequence[str] | str | None = None,
    embedder: Embedder | None = None,
    data_dir: PathLike | None = None,
    show_progress: bool | None = True,
) -> WarmResult:
    """Embed every text a matcher over ``framework`` needs, so later matches start fast.

    Exactly what the first ``align match --framework NAME`` (or ``Matcher(framework,
    target=..., kinds=...).fit()``) would embed, with a progress bar showing texts/s
    and the time left. Vectors are written to the cache as they are computed, so an
    interrupted run resumes where it stopped.

    Parameters
    ----------
    framework : Framework, name or path
        A name as in :func:`align.match` (``"esco"``, ``"lightcast"``,
        ``"onet-occupations"``, ...), the path of a framework file, or a
        :class:`~align.Framework`.
    target : {"competencies", "occupations"}
        What the matcher indexes, for Framework objects and paths (names carry
        their own target).
    kinds : list of str, "all" or None
        As for :class:`~align.Matcher` (``None``: its default kinds).
    embedder : Embedder, optional
        Defaults to the shared default model (backend from ``ALIGN_BACKEND``).
    data_dir : path, optional
        Where named frameworks are searched.
    show_progress : bool, optional
        Progress bar while embedding.

    Returns
    -------
    WarmResult
    """
    fw, target = _resolve(framework, target, data_dir)
    emb = embedder if embedder is not None else get_embedder()
    texts = _match_texts(fw, target, kinds)
    start = time.perf_counter()
    computed = 0
    if texts:
        folder = _cache_folder(emb.cache_dir)
        keys = [_text_key(t[: emb.max_chars]) for t in texts]
        cached = _store(folder).get(emb.model_id, keys, None)
        computed = len(set(keys) - set(cached))
        emb.encode(texts, show_progress=show_progress)
    return WarmResult(
        framework=fw.info.key,
        version=str(fw.info.version),
        target=target,
        texts=len(texts),
        computed=computed,
        seconds=time.perf_counter() - start,
        model_id=emb.model_id,
    )


def _npy_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def export_vectors(
    path: str | os.PathLike[str],
    frameworks: Framework | PathLike | Sequence[Framework | PathLike] | None = None,
    *,
    target: str = "competencies",
    kinds: Sequence[str] | str | None = None,
    embedder: Embedder | None = None,
    data_dir: PathLike | None = None,
) -> VectorFile:
    """Write the vectors of ``frameworks`` (or of every cached text) to one file.

    Texts of the frameworks that are not cached yet are embedded first (as
    :func:`warm_cache` does). The file is written to a temporary name and renamed,
    so a reader never sees half of it.

    Parameters
    ----------
    path : path
        The file to write (conventionally ``.alignvec``); replaced if it exists.
    frameworks : name, path, Framework, or a list of them, optional
        Whose matcher texts to export (as for :func:`warm_cache`; ``["esco",
        "esco-occupations"]`` puts both of ESCO's indexes in one file); ``None``
        exports every vector cached for the model.
    target, kinds, data_dir : optional
        As for :func:`warm_cache`.
    embedder : Embedder, optional
        Defaults to the shared default model.

    Returns
    -------
    VectorFile
    """
    emb = embedder if embedder is not None else get_embedder()
    dest = Path(path).expanduser()
    sets: list[tuple[dict[str, str], list[bytes], np.ndarray]] = []
    if frameworks is None:
        store = _store(_cache_folder(emb.cache_dir))
        keys = store.keys(emb.model_id)
        found = store.get(emb.model_id, keys, None)
        keys = [k for k in keys if k in found]
        if not keys:
            raise CacheError(
                f"no vectors are cached for model {emb.model_id}; run `align cache warm "
                "FRAMEWORK` (or align.warm_cache) first, or pass the frameworks to export."
            )
        mat = np.stack([found[k] for k in keys])
        sets.append(({"framework": "*", "version": "", "target": ""}, keys, mat))
    else:
        specs: list[Any] = (
            [frameworks]
            if isinstance(frameworks, Framework | str | os.PathLike)
            else list(frameworks)
        )
        for spec in specs:
            fw, tgt = _resolve(spec, target, data_dir)
            texts = list(dict.fromkeys(_match_texts(fw, tgt, kinds)))
            vecs = emb.encode(texts)
            keys = [_text_key(t[: emb.max_chars]) for t in texts]  # as encode() cuts them
            order = np.argsort(np.array(keys, dtype=object))
            meta = {"framework": fw.info.key, "version": str(fw.info.version), "target": tgt}
            sets.append((meta, [keys[i] for i in order], vecs[order]))
    dim = int(sets[0][2].shape[1])
    members: dict[str, bytes] = {}
    for i, (_, keys, mat) in enumerate(sets):
        members[f"keys-{i}.npy"] = _npy_bytes(
            np.frombuffer(b"".join(keys), np.uint8).reshape(-1, 16)
        )
        members[f"vectors-{i}.npy"] = _npy_bytes(np.ascontiguousarray(mat, np.float32))
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "model_id": emb.model_id,
        "model_name": emb.model_name,
        "backend": emb.backend,
        "dimension": dim,
        "vectors": int(sum(len(k) for _, k, _ in sets)),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "sets": [dict(meta, rows=len(keys)) for meta, keys, _ in sets],
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
        emb.model_id,
        dim,
        manifest["vectors"],
        [m for m, _, _ in sets],
        manifest["created"],
    )


def _read_manifest(zf: zipfile.ZipFile, src: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(zf.read("manifest.json"))
    except (KeyError, ValueError) as exc:
        raise CacheError(
            f"{src} is not an align vector file (no readable manifest.json); export one with "
            "`align cache export FILE`."
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise CacheError(
            f"{src} has format {found!r}; this version of align reads {FORMAT!r}. "
            "Export the file again with this version."
        )
    return manifest


def import_vectors(path: str | os.PathLike[str], *, embedder: Embedder | None = None) -> VectorFile:
    """Load a file written by :func:`export_vectors` into this machine's cache.

    Raises
    ------
    CacheError
        When the file is missing, damaged (a checksum differs) or holds vectors of
        another model or backend than ``embedder`` (the message says which).
    """
    emb = embedder if embedder is not None else get_embedder()
    src = Path(path).expanduser()
    if not src.is_file():
        raise CacheError(
            f"vector file {src} does not exist; give the path of a file written by "
            "`align cache export`."
        )
    try:
        zf = zipfile.ZipFile(src)
    except (zipfile.BadZipFile, OSError) as exc:
        raise CacheError(
            f"{src} is not an align vector file or is damaged ({exc}); copy it again or "
            "export it again."
        ) from exc
    with zf:
        manifest = _read_manifest(zf, src)
        theirs, ours = str(manifest.get("model_id")), emb.model_id
        if theirs != ours:
            t_model, _, t_rest = theirs.partition(":")
            o_model, _, o_rest = ours.partition(":")
            if t_model == o_model:
                hint = (
                    f"the same model run by another backend ({t_rest} vs {o_rest}); set "
                    f"ALIGN_BACKEND={manifest.get('backend')} to use this file, or export "
                    "it again with this machine's backend"
                )
            else:
                hint = (
                    "another model or other weights; use the model the file was built with "
                    "(ALIGN_MODEL) or build the index here with `align cache warm FRAMEWORK`"
                )
            raise CacheError(
                f"{src} holds vectors of {theirs}, but this machine embeds with {ours}: {hint}."
            )
        members: dict[str, bytes] = {}
        for name, digest in dict(manifest.get("sha256", {})).items():
            try:
                data = zf.read(name)
            except (KeyError, zipfile.BadZipFile, OSError) as exc:
                raise CacheError(f"{src} is damaged: {name} cannot be read ({exc}).") from exc
            if hashlib.sha256(data).hexdigest() != digest:
                raise CacheError(
                    f"{src} is damaged: {name} does not match its checksum; copy or export "
                    "the file again."
                )
            members[name] = data
    folder = _cache_folder(emb.cache_dir)
    store = _store(folder)
    dim = int(manifest["dimension"])
    total = 0
    for i, meta in enumerate(manifest.get("sets", [])):
        try:
            keys_arr = np.load(io.BytesIO(members[f"keys-{i}.npy"]), allow_pickle=False)
            mat = np.load(io.BytesIO(members[f"vectors-{i}.npy"]), allow_pickle=False)
        except (KeyError, ValueError, OSError) as exc:
            raise CacheError(f"{src} is damaged: set {i} cannot be read ({exc}).") from exc
        if (
            mat.ndim != 2
            or mat.shape != (keys_arr.shape[0], dim)
            or mat.dtype != np.float32
            or not np.isfinite(mat).all()
        ):
            raise CacheError(f"{src} is damaged: set {i} has vectors of the wrong shape or values.")
        keys = [bytes(row) for row in keys_arr]
        for start in range(0, len(keys), 5000):
            stop = start + 5000
            if not store.put(ours, zip(keys[start:stop], mat[start:stop], strict=True)):
                raise CacheError(
                    f"could not store the vectors of {src} in the cache at {folder} (see the "
                    "warning above); free disk space or set ALIGN_CACHE_DIR."
                )
        if meta.get("framework") != "*" and len(keys) >= _embed._BUNDLE_MIN:
            # The matcher asks for exactly this set: give it the one-file bundle too.
            _write_bundle(_bundle_stem(folder, ours, keys), mat, store)
        total += len(keys)
    return VectorFile(
        src,
        ours,
        dim,
        total,
        [{k: str(v) for k, v in m.items() if k != "rows"} for m in manifest.get("sets", [])],
        str(manifest.get("created", "")),
    )
