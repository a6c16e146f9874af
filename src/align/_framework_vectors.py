"""A framework's vectors: build them once (warm), share them as a file, import them elsewhere.

An office embeds ESCO or Lightcast once (:func:`warm_cache`), writes the vectors to
a file (:func:`export_vectors`) and staff machines load it (:func:`import_vectors`):
their first match then costs seconds instead of many minutes.

This module resolves frameworks into the texts a matcher embeds for them; the file
format, its budget and the checks of an import are :mod:`align._vector_files`'s,
which sees only texts, keys and vectors. An import is checked against the
frameworks *this* machine has: only vectors of their texts are accepted, and a
sample of them is computed again here and must agree with the file.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from align._config import PathLike
from align._embed import Embedder, _cache_folder, _store, _text_key, get_embedder
from align._vector_files import SetInfo, VectorFile, VectorSet, write_vector_file
from align._vector_import import VERIFY_SAMPLE, import_vector_file
from align.exceptions import AlignError, CacheError, InvalidArgumentError
from align.frameworks._model import Framework

__all__ = ["WarmResult", "export_vectors", "import_vectors", "warm_cache"]


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


def _specs(frameworks: Any) -> list[Any]:
    return (
        [frameworks] if isinstance(frameworks, Framework | str | os.PathLike) else list(frameworks)
    )


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


def _kinds_label(kinds: Sequence[str] | str | None) -> list[str] | str | None:
    if kinds is None or kinds == "all":
        return kinds
    return [kinds] if isinstance(kinds, str) else list(kinds)


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
        exports every vector cached for the model. Only framework exports can be
        checked on import; a whole-cache export needs ``trust_unverified=True``
        there.
    target, kinds, data_dir : optional
        As for :func:`warm_cache`.
    embedder : Embedder, optional
        Defaults to the shared default model.

    Returns
    -------
    VectorFile
    """
    emb = embedder if embedder is not None else get_embedder()
    sets: list[VectorSet] = []
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
        sets.append(VectorSet({"framework": "*", "version": "", "target": ""}, keys, mat))
    else:
        for spec in _specs(frameworks):
            fw, tgt = _resolve(spec, target, data_dir)
            texts = list(dict.fromkeys(_match_texts(fw, tgt, kinds)))
            vecs = emb.encode(texts)
            keys = [_text_key(t[: emb.max_chars]) for t in texts]  # as encode() cuts them
            order = np.argsort(np.array(keys, dtype=object))
            meta: dict[str, Any] = {
                "framework": fw.info.key,
                "version": str(fw.info.version),
                "target": tgt,
                "kinds": _kinds_label(kinds),
            }
            sets.append(VectorSet(meta, [keys[i] for i in order], vecs[order]))
    return write_vector_file(path, sets, emb)


def _named(info: SetInfo) -> str | None:
    """The ``align match`` name of a set's framework and target, if it has one."""
    from align._match import MATCH_TARGETS

    for name, (key, target) in MATCH_TARGETS.items():
        if key == info.framework and target == info.target:
            return name
    return None


def import_vectors(
    path: str | os.PathLike[str],
    *,
    frameworks: Framework | PathLike | Sequence[Framework | PathLike] | None = None,
    embedder: Embedder | None = None,
    data_dir: PathLike | None = None,
    replace: bool = False,
    verify: int | Literal["all"] = VERIFY_SAMPLE,
    trust_unverified: bool = False,
) -> VectorFile:
    """Load a file written by :func:`export_vectors` into this machine's cache, checked.

    The file is untrusted input: its size, structure and manifest are checked
    before anything is read into memory; only vectors of texts of frameworks this
    machine has are imported (a file cannot fill the cache with other keys); a
    random sample of them (``verify``) is computed again here from those texts and
    must agree; vectors already cached are kept unless ``replace``. Each import
    can be undone with :func:`align.undo_import`.

    Parameters
    ----------
    path : path
        The file.
    frameworks : name, path, Framework, or a list of them, optional
        Frameworks to check the file's sets against, for sets this machine cannot
        find by name (a framework loaded from a file). Named frameworks (``esco``,
        ``onet``, ...) are loaded from ``data_dir`` as :func:`align.match` does.
    embedder : Embedder, optional
        Defaults to the shared default model.
    data_dir : path, optional
        Where named frameworks are searched.
    replace : bool
        Give texts already cached the file's vectors (default: keep the cached ones).
    verify : int or "all"
        Vectors per set computed again and compared (default 256); ``"all"`` checks
        every one (as slow as building the index here).
    trust_unverified : bool
        Also import sets of a whole-cache export, whose texts are unknown and so
        cannot be checked. Only for files from someone you trust.

    Returns
    -------
    VectorFile
        ``vectors`` accepted, with ``added``, ``kept``, ``differ``, ``replaced``,
        ``skipped`` (texts this machine does not have), ``checked`` and the
        ``import_id`` to undo it.

    Raises
    ------
    CacheError
        When the file is missing, damaged, over budget, of another model or
        backend, holds vectors that do not match their texts, or names a framework
        this machine does not have (the message says which and what to do).
    """
    emb = embedder if embedder is not None else get_embedder()
    given: dict[str, Framework] = {}  # by framework key: its sets of either target
    for spec in _specs(frameworks) if frameworks is not None else []:
        fw, _ = _resolve(spec, "competencies", data_dir)
        given[fw.info.key] = fw

    def texts_for(info: SetInfo) -> list[str] | None:
        if info.framework == "*":
            return None
        fw = given.get(info.framework) or _load_named(info, data_dir, path)
        kinds: Any = list(info.kinds) if isinstance(info.kinds, tuple) else info.kinds
        return _match_texts(fw, info.target, kinds)

    return import_vector_file(
        path,
        texts_for,
        embedder=emb,
        replace=replace,
        verify=verify,
        trust_unverified=trust_unverified,
    )


def _load_named(info: SetInfo, data_dir: PathLike | None, path: Any) -> Framework:
    what = f"{info.framework} {info.version}".strip()
    name = _named(info)
    if name is None:
        raise CacheError(
            f"{path} holds vectors of framework {what!r} ({info.target}), which align cannot "
            "find by name; give the framework file it was built from: `align cache import "
            f"{path} --framework PATH` (frameworks=[...] in Python). Its texts are needed to "
            "check the vectors."
        )
    try:
        fw, _ = _resolve(name, info.target, data_dir)
    except AlignError as exc:
        raise CacheError(
            f"{path} holds vectors of {what} ({info.target}), which is not available here "
            f"({exc}) Import the framework first (see `align data import --help`): vectors "
            "are only used when matching against it, and its texts are needed to check them."
        ) from None
    return fw
