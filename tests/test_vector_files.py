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
from align._framework_vectors import _match_texts, export_vectors, import_vectors, warm_cache
from align._match import Matcher
from align._vector_import import list_vector_imports, undo_import
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
    assert len(info.sha256) == 64
    with zipfile.ZipFile(tmp_path / "demo.alignvec") as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = zf.namelist()
        payload = b"".join(zf.read(n) for n in names)
    assert manifest["sets"][0]["framework"] == "demo" and manifest["model_id"] == MODEL_ID
    assert manifest["sets"][0]["kinds"] is None
    assert b"Skill number" not in payload  # hashes of texts, never the texts
    staff, staff_model = make_embedder(tmp_path / "staff")
    got = import_vectors(tmp_path / "demo.alignvec", frameworks=fw, embedder=staff)
    assert got.vectors == got.added == info.vectors and got.sha256 == info.sha256
    assert got.checked == info.vectors  # fewer than 256: every one was computed again
    staff_model.seen.clear()
    m = Matcher(fw, embedder=staff).fit()
    assert staff_model.seen == []  # nothing embedded on the staff machine
    assert list((tmp_path / "staff" / "bundles").glob("*.npy"))  # the next fit reads one file
    ref = Matcher(fw, embedder=office).fit()
    np.testing.assert_array_equal(m.vectors_, ref.vectors_)


def test_a_sample_is_checked_and_it_is_unpredictable(tmp_path: Path) -> None:
    office, _ = make_embedder(tmp_path / "office")
    fw = demo_framework(200)
    export_vectors(tmp_path / "v.alignvec", fw, embedder=office)
    picked: list[set[str]] = []
    for i in range(2):
        staff, model = make_embedder(tmp_path / f"staff{i}")
        got = import_vectors(tmp_path / "v.alignvec", frameworks=fw, embedder=staff, verify=10)
        assert got.checked == 10 and len(model.seen) == 10
        picked.append(set(model.seen))
    assert picked[0] != picked[1]


def test_export_everything_cached_needs_trust_to_import(tmp_path: Path) -> None:
    emb, _ = make_embedder(tmp_path / "c")
    emb.encode(["one", "two", "three"])
    info = export_vectors(tmp_path / "all.alignvec", embedder=emb)
    assert info.vectors == 3
    other, model = make_embedder(tmp_path / "d")
    with pytest.raises(CacheError, match="--trust"):
        import_vectors(tmp_path / "all.alignvec", embedder=other)
    assert _embed.cache_info(tmp_path / "d")["vectors"] == 0
    got = import_vectors(tmp_path / "all.alignvec", embedder=other, trust_unverified=True)
    assert got.unverified == 3 and got.checked == 0
    other.encode(["three", "one"])
    assert model.seen == []


def test_export_of_an_empty_cache_says_what_to_do(tmp_path: Path) -> None:
    emb, _ = make_embedder(tmp_path / "empty")
    with pytest.raises(CacheError, match="align cache warm"):
        export_vectors(tmp_path / "x.alignvec", embedder=emb)


def test_import_refuses_another_backend_or_model(tmp_path: Path) -> None:
    office, _ = make_embedder(tmp_path / "office")
    fw = demo_framework()
    export_vectors(tmp_path / "v.alignvec", fw, embedder=office)
    torch_user, _ = make_embedder(tmp_path / "t", "stub@0123:torch:mean_tokens-norm")
    with pytest.raises(CacheError, match="ALIGN_BACKEND=onnx"):
        import_vectors(tmp_path / "v.alignvec", frameworks=fw, embedder=torch_user)
    other_model, _ = make_embedder(tmp_path / "o", "stub@9999:onnx:mean_tokens-norm")
    with pytest.raises(CacheError, match="other weights"):
        import_vectors(tmp_path / "v.alignvec", frameworks=fw, embedder=other_model)
    assert _embed.cache_info(tmp_path / "t")["vectors"] == 0


def test_import_refuses_a_damaged_or_foreign_file(tmp_path: Path) -> None:
    office, _ = make_embedder(tmp_path / "office")
    path = tmp_path / "v.alignvec"
    fw = demo_framework()
    export_vectors(path, fw, embedder=office)
    staff, _ = make_embedder(tmp_path / "staff")
    # Flip bytes inside the stored vectors: the archive still opens, the checksum does not match.
    raw = bytearray(path.read_bytes())
    at = raw.rfind(b"\x93NUMPY") + 200
    raw[at : at + 16] = bytes(16)
    path.write_bytes(bytes(raw))
    with pytest.raises(CacheError, match=r"damaged|unit vectors"):
        import_vectors(path, frameworks=fw, embedder=staff)
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(CacheError, match="not an align vector file"):
        import_vectors(tmp_path / "notes.txt", frameworks=fw, embedder=staff)
    with pytest.raises(CacheError, match="does not exist"):
        import_vectors(tmp_path / "missing.alignvec", frameworks=fw, embedder=staff)
    assert _embed.cache_info(tmp_path / "staff")["vectors"] == 0


def test_a_framework_the_importer_lacks_is_named(tmp_path: Path) -> None:
    office, _ = make_embedder(tmp_path / "office")
    export_vectors(tmp_path / "v.alignvec", demo_framework(), embedder=office)
    staff, _ = make_embedder(tmp_path / "staff")
    with pytest.raises(CacheError, match=r"'demo 1'.*--framework PATH"):
        import_vectors(tmp_path / "v.alignvec", embedder=staff)


def test_cached_vectors_are_kept_unless_replace_and_undo_restores_them(tmp_path: Path) -> None:
    office, _ = make_embedder(tmp_path / "office")
    fw = demo_framework()
    path = tmp_path / "v.alignvec"
    export_vectors(path, fw, embedder=office)
    staff, _ = make_embedder(tmp_path / "staff")
    texts = ["Skill number 1", "Skill number 2"]
    own = staff.encode(texts)
    store = _embed._store(tmp_path / "staff")
    keys = [_embed._text_key(t) for t in texts]
    # This machine's vectors for two texts differ from the office's (another run, say).
    store.put(MODEL_ID, zip(keys, -own, strict=True))
    first = import_vectors(path, frameworks=fw, embedder=staff)
    assert first.kept == 2 and first.differ == 2 and first.added == first.vectors - 2
    np.testing.assert_array_equal(staff.encode(texts), -own)  # not changed unless asked
    second = import_vectors(path, frameworks=fw, embedder=staff, replace=True)
    assert second.replaced == 2 and second.added == 0
    np.testing.assert_array_equal(staff.encode(texts), own)
    assert undo_import(embedder=staff) == {
        "import_id": second.import_id,
        "removed": 0,
        "restored": 2,
    }
    np.testing.assert_array_equal(staff.encode(texts), -own)
    assert undo_import(first.import_id, embedder=staff)["removed"] == first.added
    assert _embed.cache_info(tmp_path / "staff")["vectors"] == 2
    with pytest.raises(CacheError, match="already undone"):
        undo_import(first.import_id, embedder=staff)
    with pytest.raises(CacheError, match="no import 99"):
        undo_import(99, embedder=staff)
    log = list_vector_imports(staff)
    assert list(log["import_id"]) == [first.import_id, second.import_id]
    assert log["undone_at"].notna().all() and (log["sha256"] == first.sha256).all()


def test_an_import_is_undone_only_after_later_ones_that_changed_its_vectors(
    tmp_path: Path,
) -> None:
    office, _ = make_embedder(tmp_path / "office")
    fw = demo_framework()
    path = tmp_path / "v.alignvec"
    export_vectors(path, fw, embedder=office)
    staff, _ = make_embedder(tmp_path / "staff")
    first = import_vectors(path, frameworks=fw, embedder=staff)
    text = _match_texts(fw, "competencies", None)[0]
    _embed._store(tmp_path / "staff").put(MODEL_ID, [(_embed._text_key(text), -stub_vector(text))])
    second = import_vectors(path, frameworks=fw, embedder=staff, replace=True)
    assert second.replaced == 1
    with pytest.raises(CacheError, match=f"undo import {second.import_id} first"):
        undo_import(first.import_id, embedder=staff)
    undo_import(second.import_id, embedder=staff)
    undo_import(first.import_id, embedder=staff)
    assert _embed.cache_info(tmp_path / "staff")["vectors"] == 0  # as before the first import


def test_only_keys_of_texts_this_machine_has_are_imported(tmp_path: Path) -> None:
    office, _ = make_embedder(tmp_path / "office")
    path = tmp_path / "v.alignvec"
    export_vectors(path, demo_framework(60), embedder=office)
    staff, _ = make_embedder(tmp_path / "staff")
    older = demo_framework(40)  # another release: 20 skills fewer
    got = import_vectors(path, frameworks=older, embedder=staff)
    assert got.skipped > 0 and got.vectors == got.added
    assert _embed.cache_info(tmp_path / "staff")["vectors"] == got.added


def test_the_vector_layer_never_imports_frameworks() -> None:
    import ast
    import inspect

    import align._vector_files as vf
    import align._vector_import as vi
    import align._vector_store as vs

    for module in (vf, vi, vs):
        tree = ast.parse(inspect.getsource(module))
        names = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
            a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
        }
        assert not any(
            n.startswith(("align.frameworks", "align._match", "align.proposals")) for n in names
        ), (module.__name__, names)
