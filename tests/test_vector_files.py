"""Warm the cache for a framework, export its vectors to one file, import them elsewhere.

A stub model (vectors a fixed function of the text) keeps these fast; the real model's
identity rules are tested in test_backend.py.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from align import Framework, FrameworkInfo, _embed
from align._embed import Embedder
from align._match import Matcher
from align._vector_files import export_vectors, import_vectors, warm_cache
from align.exceptions import CacheError

DIM = 8
MODEL_ID = "stub@0123:onnx:mean_tokens-norm"


def stub_vector(text: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    vec = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return vec / np.linalg.norm(vec)


class StubModel:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts: list[str], **_: object) -> np.ndarray:
        self.seen += list(texts)
        return np.stack([stub_vector(t) for t in texts])

    def get_sentence_embedding_dimension(self) -> int:
        return DIM


def make_embedder(folder: Path, model_id: str = MODEL_ID) -> tuple[Embedder, StubModel]:
    emb = Embedder(cache_dir=folder, show_progress=False, backend="torch")
    emb._model_id = model_id
    emb._backend = model_id.split(":")[1]
    model = StubModel()
    emb._model = model
    return emb, model


def demo_framework(n: int = 40) -> Framework:
    info = FrameworkInfo(
        key="demo",
        name="Demo",
        publisher="Us",
        version="1",
        source_url="",
        licence="CC0",
        attribution="",
    )
    return Framework(
        info,
        pd.DataFrame(
            {
                "id": [f"demo:{i}" for i in range(n)],
                "framework": "demo",
                "code": [str(i) for i in range(n)],
                "label": [f"Skill number {i}" for i in range(n)],
                "kind": "skill",
                "alt_labels": [[f"alternative {i}"] for i in range(n)],
            }
        ),
    )


@pytest.fixture(autouse=True)
def _small_bundles(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(_embed, "_BUNDLE_MIN", 20)
    yield
    for store in list(_embed._STORES.values()):
        store.close()
    _embed._STORES.clear()


def test_warm_embeds_what_a_matcher_needs_once(tmp_path: Path) -> None:
    emb, model = make_embedder(tmp_path / "office")
    fw = demo_framework()
    first = warm_cache(fw, embedder=emb, show_progress=False)
    assert first.framework == "demo" and first.texts == first.computed == len(set(model.seen))
    assert first.texts >= 80  # labels, alt labels and templated labels
    again = warm_cache(fw, embedder=emb, show_progress=False)
    assert again.computed == 0 and again.texts == first.texts
    model.seen.clear()
    Matcher(fw, embedder=emb).fit()
    assert model.seen == []  # the matcher found every vector it needs


def test_export_then_import_on_another_machine(tmp_path: Path) -> None:
    office, office_model = make_embedder(tmp_path / "office")
    fw = demo_framework()
    info = export_vectors(tmp_path / "demo.alignvec", fw, embedder=office)
    assert info.model_id == MODEL_ID and info.vectors == len(set(office_model.seen))
    with zipfile.ZipFile(tmp_path / "demo.alignvec") as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = zf.namelist()
        payload = b"".join(zf.read(n) for n in names)
    assert manifest["sets"][0]["framework"] == "demo" and manifest["model_id"] == MODEL_ID
    assert b"Skill number" not in payload  # hashes of texts, never the texts
    staff, staff_model = make_embedder(tmp_path / "staff")
    got = import_vectors(tmp_path / "demo.alignvec", embedder=staff)
    assert got.vectors == info.vectors
    assert list((tmp_path / "staff" / "bundles").glob("*.npy"))  # the fit reads one file
    m = Matcher(fw, embedder=staff).fit()
    assert staff_model.seen == []  # nothing embedded on the staff machine
    ref = Matcher(fw, embedder=office).fit()
    np.testing.assert_array_equal(m.vectors_, ref.vectors_)


def test_export_everything_cached(tmp_path: Path) -> None:
    emb, _ = make_embedder(tmp_path / "c")
    emb.encode(["one", "two", "three"])
    info = export_vectors(tmp_path / "all.alignvec", embedder=emb)
    assert info.vectors == 3
    other, model = make_embedder(tmp_path / "d")
    import_vectors(tmp_path / "all.alignvec", embedder=other)
    other.encode(["three", "one"])
    assert model.seen == []


def test_export_of_an_empty_cache_says_what_to_do(tmp_path: Path) -> None:
    emb, _ = make_embedder(tmp_path / "empty")
    with pytest.raises(CacheError, match="align cache warm"):
        export_vectors(tmp_path / "x.alignvec", embedder=emb)


def test_import_refuses_another_backend_or_model(tmp_path: Path) -> None:
    office, _ = make_embedder(tmp_path / "office")
    export_vectors(tmp_path / "v.alignvec", demo_framework(), embedder=office)
    torch_user, _ = make_embedder(tmp_path / "t", "stub@0123:torch:mean_tokens-norm")
    with pytest.raises(CacheError, match="ALIGN_BACKEND=onnx"):
        import_vectors(tmp_path / "v.alignvec", embedder=torch_user)
    other_model, _ = make_embedder(tmp_path / "o", "stub@9999:onnx:mean_tokens-norm")
    with pytest.raises(CacheError, match="other weights"):
        import_vectors(tmp_path / "v.alignvec", embedder=other_model)
    assert _embed.cache_info(tmp_path / "t")["vectors"] == 0


def test_import_refuses_a_damaged_or_foreign_file(tmp_path: Path) -> None:
    office, _ = make_embedder(tmp_path / "office")
    path = tmp_path / "v.alignvec"
    export_vectors(path, demo_framework(), embedder=office)
    staff, _ = make_embedder(tmp_path / "staff")
    # Flip bytes inside the stored vectors: the archive still opens, the checksum does not match.
    raw = bytearray(path.read_bytes())
    at = raw.rfind(b"\x93NUMPY") + 200
    raw[at : at + 16] = bytes(16)
    path.write_bytes(bytes(raw))
    with pytest.raises(CacheError, match="damaged"):
        import_vectors(path, embedder=staff)
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(CacheError, match="not an align vector file"):
        import_vectors(tmp_path / "notes.txt", embedder=staff)
    with pytest.raises(CacheError, match="does not exist"):
        import_vectors(tmp_path / "missing.alignvec", embedder=staff)
    assert _embed.cache_info(tmp_path / "staff")["vectors"] == 0
