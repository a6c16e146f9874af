"""Importing a vector file: trust nothing in it, check it against this machine, journal it.

What the checksums in a vector file prove, and what they do not: they sit in the
same file as the vectors, so they show the file was not damaged in transit, and
nothing about who made it -- anyone who edits the vectors can write new checksums.
An import therefore trusts nothing in the file:

* the archive and its manifest are read within a budget and with strict types
  (:mod:`align._vector_files`);
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
  journaled (:mod:`align._vector_store`), so :func:`undo_import` removes what it
  added and restores what it replaced; the file's SHA-256 is recorded and shown, so
  a receiver can compare it with the one the sender was shown on export.

Sets whose texts the caller cannot name (a whole-cache export, ``framework: "*"``)
cannot be checked this way; they are imported only with ``trust_unverified=True``.

This module works on texts, keys and vectors; which texts a framework needs is the
caller's business (:mod:`align._framework_vectors`).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from align._embed import Embedder, _bundle_files, _cache_folder, _text_key, get_embedder
from align._vector_files import (
    SetInfo,
    VectorFile,
    _Archive,
    _damaged,
    _file_sha256,
    _Manifest,
)
from align._vector_store import _store
from align.exceptions import CacheError, InvalidArgumentError

__all__ = [
    "AGREEMENT",
    "IMPORT_COLUMNS",
    "VERIFY_SAMPLE",
    "import_vector_file",
    "list_vector_imports",
    "undo_import",
]

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
