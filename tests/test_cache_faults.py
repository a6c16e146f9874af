"""The vector cache under faults: full disk, damaged rows and bundles, corrupt and unusable files.

A stub model stands in for the real one (vectors are a fixed function of the text), so
these tests are fast and say exactly which texts had to be recomputed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from align import _embed, _vector_store
from align._embed import Embedder, _VectorStore, cache_info, clear_cache
from align.exceptions import AlignDataWarning, CacheError

DIM = 16


def stub_vector(text: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    vec = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return vec / np.linalg.norm(vec)


class StubModel:
    """Deterministic unit vectors; remembers what it was asked to embed."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts: list[str], **_: object) -> np.ndarray:
        self.seen += list(texts)
        return np.stack([stub_vector(t) for t in texts])

    def get_sentence_embedding_dimension(self) -> int:
        return DIM


def make_embedder(folder: Path) -> tuple[Embedder, StubModel]:
    emb = Embedder(cache_dir=folder, show_progress=False, backend="torch")
    emb._model_id = "stub@0:test:mean"
    model = StubModel()
    emb._model = model
    return emb, model


def texts(n: int, prefix: str = "text") -> list[str]:
    return [f"{prefix} number {i}" for i in range(n)]


def expected(items: list[str]) -> np.ndarray:
    return np.stack([stub_vector(t) for t in items])


@pytest.fixture(autouse=True)
def _fresh_stores() -> Iterator[None]:
    # Each test gets its own folder; closing the process-wide stores keeps their
    # connections from outliving the folders.
    yield
    for store in list(_embed._STORES.values()):
        store.close()
    _embed._STORES.clear()
    _embed._FOLDER_WARNED.clear()


def row_count(folder: Path) -> int:
    conn = sqlite3.connect(folder / "vectors.sqlite3")
    try:
        return int(conn.execute("SELECT count(*) FROM vectors").fetchone()[0])
    finally:
        conn.close()


# -- full disk ------------------------------------------------------------------------
@contextlib.contextmanager
def small_tmpfs(path: Path, size: str) -> Iterator[bool]:
    """Mount a size-limited tmpfs at ``path`` when allowed (root on Linux); yield success."""
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    try:
        yield done.returncode == 0
    finally:
        if done.returncode == 0:
            for store in list(_embed._STORES.values()):
                store.close()
            subprocess.run(["umount", str(path)], check=False, capture_output=True)


def test_full_disk_during_a_write_keeps_every_cached_vector(tmp_path: Path) -> None:
    """A real full disk (small tmpfs) while new vectors are written: warning, no data loss."""
    mount = tmp_path / "disk"
    with small_tmpfs(mount, "2m") as mounted:
        if not mounted:
            pytest.skip("cannot mount a tmpfs here; the RLIMIT_FSIZE test covers a full disk")
        folder = mount / "embeddings"
        emb, model = make_embedder(folder)
        old = texts(3000, "old")
        emb.encode(old)
        before = row_count(folder)
        assert before == 3000
        # Fill what is left of the disk.
        with open(mount / "filler", "wb") as fh, contextlib.suppress(OSError):
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        new = texts(3000, "new")
        with pytest.warns(AlignDataWarning, match="could not be written") as caught:
            got = emb.encode(new)
        assert any("full" in str(w.message) for w in caught)
        np.testing.assert_allclose(got, expected(new), atol=1e-6)
        # Nothing was moved aside or lost; the old vectors are still served from the cache.
        assert not list(folder.glob("*corrupt*"))
        model.seen.clear()
        np.testing.assert_allclose(emb.encode(old[:500]), expected(old[:500]), atol=1e-6)
        assert model.seen == []
        (mount / "filler").unlink()
        for store in list(_embed._STORES.values()):
            store.close()
        assert row_count(folder) == before


def test_file_size_limit_during_a_write_is_not_corruption(tmp_path: Path) -> None:
    """The same with RLIMIT_FSIZE (works without root): the write fails, nothing is lost."""
    folder = tmp_path / "embeddings"
    emb, _ = make_embedder(folder)
    emb.encode(texts(300, "old"))
    _embed._store(folder).close()
    limit = max(p.stat().st_size for p in folder.glob("vectors.sqlite3*")) + 32_768
    script = textwrap.dedent(
        f"""
        import resource, signal, sys, warnings
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
        import numpy as np
        from pathlib import Path
        from test_cache_faults import expected, make_embedder, texts
        emb, model = make_embedder(Path({str(folder)!r}))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            got = emb.encode(texts(3000, "new"))
        assert np.allclose(got, expected(texts(3000, "new")), atol=1e-6)
        messages = [str(w.message) for w in caught]
        assert any("could not be written" in m for m in messages), messages
        model.seen.clear()
        again = emb.encode(texts(300, "old"))
        assert model.seen == [], len(model.seen)
        print("ok")
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0 and "ok" in done.stdout, done.stderr[-3000:]
    assert not list(folder.glob("*corrupt*"))
    assert row_count(folder) == 300


def test_a_disk_full_error_is_never_treated_as_corruption(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "embeddings"
    emb, model = make_embedder(folder)
    emb.encode(texts(50))
    store = _embed._store(folder)

    def full(*args: object, **kwargs: object) -> None:
        exc = sqlite3.OperationalError("database or disk is full")
        exc.sqlite_errorcode = 13  # type: ignore[attr-defined]
        raise exc

    real_put = _VectorStore.put

    def failing_put(self: _VectorStore, model_id: str, items: object) -> bool:
        def run(conn: sqlite3.Connection) -> bool:
            full()
            return True

        return self._run("written", run, False)

    monkeypatch.setattr(_VectorStore, "put", failing_put)
    with pytest.warns(AlignDataWarning, match="disk is full"):
        emb.encode(texts(20, "more"))
    monkeypatch.setattr(_VectorStore, "put", real_put)
    assert not list(folder.glob("*corrupt*"))
    model.seen.clear()
    emb.encode(texts(50))
    assert model.seen == []
    assert store.counts() == {"stub@0:test:mean": 50}


# -- damaged contents ---------------------------------------------------------------
def test_garbled_bundle_payload_with_intact_header_is_detected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_embed, "_BUNDLE_MIN", 10)
    folder = tmp_path / "embeddings"
    emb, _ = make_embedder(folder)
    items = texts(40)
    emb.encode(items)
    (bundle,) = (folder / "bundles").glob("*.npy")
    raw = bytearray(bundle.read_bytes())
    header = 128  # an .npy header of this shape fits in the first 128 bytes
    rng = np.random.default_rng(0)
    raw[header:] = rng.integers(0, 256, len(raw) - header, dtype=np.uint8).tobytes()
    bundle.write_bytes(bytes(raw))
    assert np.load(bundle).shape == (40, DIM)  # still a valid .npy file
    with pytest.warns(AlignDataWarning, match="does not match its checksum"):
        got = emb.encode(items)
    np.testing.assert_allclose(got, expected(items), atol=1e-6)
    assert len(list((folder / "bundles").glob("*.npy"))) == 1  # rewritten


def test_nan_rows_and_random_blobs_are_recomputed_with_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "embeddings"
    emb, model = make_embedder(folder)
    items = texts(75)
    emb.encode(items)
    conn = sqlite3.connect(folder / "vectors.sqlite3")
    keys = [bytes(k) for (k,) in conn.execute("SELECT key FROM vectors ORDER BY key")]
    rng = np.random.default_rng(1)
    with conn:
        for key in keys[:25]:  # random bytes of the right size, old checksum
            conn.execute("UPDATE vectors SET vec = ? WHERE key = ?", (rng.bytes(4 * DIM), key))
        for key in keys[25:50]:  # NaN vectors with a checksum that matches them
            blob = np.full(DIM, np.nan, np.float32).tobytes()
            conn.execute(
                "UPDATE vectors SET vec = ?, sum = ? WHERE key = ?",
                (blob, _embed._row_sum(key, blob), key),
            )
    conn.close()
    model.seen.clear()
    with pytest.warns(AlignDataWarning, match="50 cached vector"):
        got = emb.encode(items)
    np.testing.assert_allclose(got, expected(items), atol=1e-6)
    assert len(model.seen) == 50
    model.seen.clear()
    np.testing.assert_allclose(emb.encode(items), expected(items), atol=1e-6)
    assert model.seen == []  # rewritten, so the next run is clean


# -- corrupt database ---------------------------------------------------------------
def test_quarantines_in_the_same_second_get_their_own_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_vector_store.time, "strftime", lambda fmt, *a: "20260101-000000")
    folder = tmp_path / "embeddings"
    moved: list[Path] = []
    for round_ in range(2):
        emb, _ = make_embedder(folder)
        emb.encode(texts(30, f"round{round_}"))
        _embed._store(folder).close()
        size = (folder / "vectors.sqlite3").stat().st_size
        with open(folder / "vectors.sqlite3", "r+b") as fh:
            fh.write(b"garbage, not a database header" * 4)
        with pytest.warns(AlignDataWarning, match="is corrupt") as caught:
            emb.encode(texts(5, "after"))
        named = str(caught[0].message).split("moved to ", 1)[1].split(" (", 1)[0]
        assert Path(named).exists() and Path(named).stat().st_size == size
        moved.append(Path(named))
        _embed._store(folder).close()
        for p in folder.glob("vectors.sqlite3*"):
            if "corrupt" not in p.name:
                p.unlink()
    assert moved[0] != moved[1]
    assert all(p.exists() for p in moved)


def test_other_sqlite_errors_leave_the_database_in_place(tmp_path: Path) -> None:
    folder = tmp_path / "embeddings"
    emb, _ = make_embedder(folder)
    emb.encode(texts(10))
    store = _embed._store(folder)

    def io_error(conn: sqlite3.Connection) -> dict[bytes, np.ndarray]:
        exc = sqlite3.OperationalError("disk I/O error")
        exc.sqlite_errorcode = 10  # type: ignore[attr-defined]
        raise exc

    with pytest.warns(AlignDataWarning, match="could not be read"):
        assert store._run("read", io_error, {}) == {}
    assert not list(folder.glob("*corrupt*"))
    assert row_count(folder) == 10


# -- unusable cache folder ------------------------------------------------------------
def test_unwritable_cache_dir_warns_and_computes_without_a_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(blocker / "cache"))
    emb = Embedder(show_progress=False, backend="torch")
    emb._model_id = "stub@0:test:mean"
    emb._model = StubModel()
    with pytest.warns(AlignDataWarning, match="ALIGN_CACHE_DIR"):
        got = emb.encode(texts(5))
    np.testing.assert_allclose(got, expected(texts(5)), atol=1e-6)
    with pytest.raises(CacheError, match="ALIGN_CACHE_DIR"):
        cache_info()
    with pytest.raises(CacheError, match="writable"):
        clear_cache()


def test_read_only_cache_folder_degrades_to_not_cached(tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "mnt", "1m") as mounted:
        if not mounted:
            pytest.skip("cannot mount here")
        ro = tmp_path / "mnt"
        subprocess.run(["mount", "-o", "remount,ro", str(ro)], check=True)
        emb2, _ = make_embedder(ro / "embeddings")
        with pytest.warns(AlignDataWarning, match="ALIGN_CACHE_DIR"):
            got = emb2.encode(texts(3))
        np.testing.assert_allclose(got, expected(texts(3)), atol=1e-6)
