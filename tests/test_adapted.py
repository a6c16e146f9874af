"""align's adapted model (align-minilm): the shipped head, its identity, routing, known pairs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from align import Framework, FrameworkInfo
from align._adapted import (
    ADAPTED_MODEL_NAME,
    AdaptedEmbedder,
    Head,
    adapted_for,
    adapter_info,
    adapter_path,
    save_adapter,
)
from align._embed import Embedder, _files_digest, get_embedder
from align._match import Matcher
from align._routing import ADAPTED, uses_adapted
from align.exceptions import AlignDataWarning

pytestmark = pytest.mark.slow

#: SHA-256 (first 16 hex digits) of the shipped adapter file; a retrained model changes
#: it, and this test, the model card and the README figures change with it.
ADAPTER_DIGEST = "8e25d2ef113607f6"


def test_the_shipped_adapter_is_pinned_small_and_fits_the_base(embedder: Embedder) -> None:
    info = adapter_info()
    assert info["adapter_digest"] == ADAPTER_DIGEST
    assert adapter_path().stat().st_size <= 10 * 1024 * 1024
    assert info["base_digest"] == _files_digest(Path(embedder._target))
    assert info["pairs"] > 20_000 and info["settings"]["seed"] == 21
    assert all(source.startswith("onet_") for source in info["pairs_per_source"])


@pytest.fixture(scope="module")
def adapted(embedder: Embedder) -> Embedder:
    emb = adapted_for(embedder)
    assert isinstance(emb, AdaptedEmbedder)
    return emb


def test_identity_and_vectors(adapted: AdaptedEmbedder, embedder: Embedder) -> None:
    assert adapted.model_name == ADAPTED_MODEL_NAME
    assert adapted.model_id == f"align-minilm@{ADAPTER_DIGEST}+{embedder.model_id}"
    texts = ["Implement security measures for computer or information systems.", "x"]
    vecs = adapted.encode(texts)
    assert vecs.shape == (2, 384) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(vecs, adapted.head(embedder.encode(texts)), atol=1e-6)
    assert adapted_for(embedder) is adapted  # one adapted embedder per base, shared
    assert adapted_for(adapted) is None


#: Known pairs: an outcome written the way faculty write them, the O*NET activity it
#: belongs to, and a near miss. (The issue's firewall example is not among them: the
#: adapted model does not fix it; docs/model-card.md, known limits.)
KNOWN = [
    (
        "Weld structural steel joints to AWS D1.1 and inspect the welds.",
        "Weld metal components.",
        "Inspect completed work to ensure proper installation.",
    ),
    (
        "Calculate electrical loads for a dwelling under NEC Article 220.",
        "Calculate specifications for electrical systems.",
        "Install electrical components, equipment, or systems.",
    ),
    (
        "Prepare a hospital medication order following USP <797> sterile compounding.",
        "Prepare medications or medical solutions.",
        "Order medical supplies or equipment.",
    ),
    (
        "Write SQL queries that join and aggregate sales tables.",
        "Develop database parameters or specifications.",
        "Analyze market or industry conditions.",
    ),
]


def test_known_pairs(adapted: AdaptedEmbedder) -> None:
    for query, right, wrong in KNOWN:
        q, r, w = adapted.encode([query, right, wrong])
        assert q @ r > q @ w + 0.04, (query, right)
    q, r, _ = adapted.encode(KNOWN[0])
    assert float(q @ r) == pytest.approx(0.480, abs=0.01)  # pinned: a retrained model moves it


def _framework() -> Framework:
    info = FrameworkInfo(
        key="mixed", name="Mixed", publisher="", version="", source_url="", licence="",
        attribution="",
    )  # fmt: skip
    return Framework(
        info,
        pd.DataFrame(
            {
                "id": ["onet:d1", "onet:d2", "nace:teamwork"],
                "framework": "mixed",
                "code": ["d1", "d2", "teamwork"],
                "label": ["Prepare medications.", "Weld metal components.", "Teamwork"],
                "kind": ["dwa", "dwa", "competency"],
            }
        ),
    )


def test_routing_compares_each_item_with_the_query_of_its_model(
    adapted: AdaptedEmbedder, embedder: Embedder
) -> None:
    assert ("onet", "dwa") in ADAPTED and not uses_adapted("nace:teamwork", "competency")
    m = Matcher(_framework(), method="semantic", label_templates=(), embedder=embedder).fit()
    assert m.vectors_ is not None and m.vectors_.shape[1] == 768  # two models side by side
    query = "Weld steel plates for a bridge"
    got = m.match(query, top_k=3).set_index("id")["semantic_score"]
    q_a, q_b = adapted.encode([query])[0], embedder.encode([query])[0]
    assert got["onet:d2"] == pytest.approx(
        float(q_a @ adapted.encode(["Weld metal components."])[0]), abs=1e-5
    )
    assert got["nace:teamwork"] == pytest.approx(
        float(max(0.0, q_b @ embedder.encode(["Teamwork"])[0])), abs=1e-5
    )


def test_another_model_or_the_base_setting_turns_routing_off(
    embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = Embedder("all-MiniLM-L6-v2")
    assert base.routes == "none" and adapted_for(base) is None
    assert base.model_id == embedder.model_id  # the same packaged weights
    m = Matcher(_framework(), method="semantic", embedder=base).fit()
    assert m.vectors_ is not None and m.vectors_.shape[1] == 384
    monkeypatch.setenv("ALIGN_MODEL", "all-MiniLM-L6-v2")
    assert get_embedder().routes == "none"
    monkeypatch.setenv("ALIGN_MODEL", ADAPTED_MODEL_NAME)
    everything = get_embedder()
    assert everything.routes == "all"
    m = Matcher(_framework(), method="semantic", embedder=everything).fit()
    assert m.vectors_ is not None and m.vectors_.shape[1] == 384
    assert m._embedders[0].model_name == ADAPTED_MODEL_NAME


def test_an_adapter_for_other_base_weights_is_not_used(
    tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import align._adapted as mod

    zeros = {"W1": np.zeros((4, 384)), "b1": np.zeros(4), "W2": np.zeros((384, 4)),
             "b2": np.zeros(384)}  # fmt: skip
    path = save_adapter(tmp_path / "other.npz", zeros, {"base_digest": "0" * 16})
    monkeypatch.setattr(mod, "adapter_path", lambda: path)
    base = Embedder()
    base._model = embedder._load()
    with pytest.warns(AlignDataWarning, match="base model is used"):
        assert adapted_for(base) is None


def test_head_round_trip_and_identity_start(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    arrays = {"W1": rng.normal(size=(8, 4)), "b1": rng.normal(size=8),
              "W2": rng.normal(size=(4, 8)), "b2": rng.normal(size=4)}  # fmt: skip
    path = save_adapter(tmp_path / "h.npz", arrays, {"base_digest": "x", "note": "test"})
    head, meta = Head.load(path)
    assert meta["note"] == "test" and json.loads(json.dumps(meta))["format"] == "align-head/1"
    v = rng.normal(size=(3, 4)).astype(np.float32)
    out = head(v)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-6)
    zero = Head(np.zeros((8, 4)), np.zeros(8), np.zeros((4, 8)), np.zeros(4))
    np.testing.assert_allclose(zero(v), v / np.linalg.norm(v, axis=1, keepdims=True), atol=1e-6)


def test_adapted_vectors_are_cached_under_their_own_identity(
    embedder: Embedder, tmp_path: Path
) -> None:
    from align._embed import cache_info

    base = Embedder(cache_dir=tmp_path)
    base._model = embedder._load()
    adapted = adapted_for(base)
    assert isinstance(adapted, AdaptedEmbedder)
    first = adapted.encode(["Weld metal components.", "Prepare operational budgets."])
    counts = cache_info(tmp_path)["models"]
    assert counts[adapted.model_id] == 2 and counts[base.model_id] == 2
    assert ADAPTER_DIGEST in adapted.model_id
    np.testing.assert_array_equal(adapted.encode(["Prepare operational budgets."])[0], first[1])
