"""align's adapted model (align-minilm): the shipped LoRA deltas, the merge, identity, routing,
known pairs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from align import Framework, FrameworkInfo
from align._adapted import (
    ADAPTED_MODEL_NAME,
    AdaptedEmbedder,
    adapted_for,
    adapter_info,
    adapter_path,
    load_adapter,
    merge_into,
    save_adapter,
)
from align._embed import Embedder, _files_digest, get_embedder
from align._match import Matcher
from align._routing import ADAPTED, uses_adapted
from align.exceptions import AlignDataWarning, ModelLoadError

pytestmark = pytest.mark.slow

#: SHA-256 (first 16 hex digits) of the shipped adapter file; a retrained model changes
#: it, and this test, the model card and the README figures change with it.
ADAPTER_DIGEST = "4a20ce459e4df871"


def test_the_shipped_adapter_is_pinned_small_and_fits_the_base(embedder: Embedder) -> None:
    info = adapter_info()
    assert info["adapter_digest"] == ADAPTER_DIGEST
    assert adapter_path().stat().st_size <= 10 * 1024 * 1024
    assert info["base_digest"] == _files_digest(Path(embedder._target))
    assert info["pairs"] > 15_000 and info["settings"]["seed"] == 21 and info["layers"] == 36
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
    merged = adapted.merged_folder()
    assert (merged / "align-adapter.json").is_file() and merged.name.startswith("align-minilm-")
    assert not np.allclose(vecs, embedder.encode(texts), atol=1e-3)  # a different network
    assert adapted_for(embedder) is adapted  # one adapted embedder per base, shared
    assert adapted_for(adapted) is None


#: Known pairs: an outcome written the way faculty write them, the O*NET activity it
#: belongs to, and a near miss. The first is the issue's example, which the base model
#: ranks the other way round.
KNOWN = [
    (
        "Configure a host and a network firewall and verify the rules with a port scan.",
        "Implement security measures for computer or information systems.",
        "Install computer hardware.",
    ),
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
    q, r, _ = adapted.encode(KNOWN[1])
    assert float(q @ r) == pytest.approx(0.631, abs=0.01)  # pinned: a retrained model moves it


def test_the_issue_example_is_ranked_the_other_way_round_by_the_base_model(
    embedder: Embedder,
) -> None:
    q, r, w = embedder.encode(KNOWN[0])
    assert q @ r < q @ w  # what the adapted model fixes


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


def _lora(rank: int = 2, seed: int = 0) -> dict[str, np.ndarray]:
    """A small adapter over one layer of all-MiniLM-L6-v2 (peft's layer names)."""
    rng = np.random.default_rng(seed)
    layer = "base_model.model.encoder.layer.0.attention.self.query"
    return {
        f"{layer}.A": rng.normal(scale=0.05, size=(rank, 384)),
        f"{layer}.B": rng.normal(scale=0.05, size=(384, rank)),
    }


def test_an_adapter_for_other_base_weights_is_not_used(
    tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import align._adapted as mod

    path = save_adapter(tmp_path / "other.npz", _lora(), {"base_digest": "0" * 16})
    monkeypatch.setattr(mod, "adapter_path", lambda: path)
    base = Embedder()
    base._model = embedder._load()
    with pytest.warns(AlignDataWarning, match="base model is used"):
        assert adapted_for(base) is None


def test_a_damaged_adapter_file_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import align._adapted as mod

    bad = tmp_path / "align-minilm.npz"
    bad.write_bytes(b"PK\x03\x04 not a zip")
    monkeypatch.setattr(mod, "adapter_path", lambda: bad)
    with pytest.raises(ModelLoadError, match="reinstall align, or set ALIGN_MODEL"):
        adapted_for(Embedder())


def test_merge_adds_exactly_the_deltas_and_nothing_else(tmp_path: Path, embedder: Embedder) -> None:
    from safetensors.numpy import load_file

    base = Path(embedder._target)
    arrays = _lora()
    path = save_adapter(tmp_path / "a.npz", arrays, {"base_digest": "x", "note": "test"})
    deltas, meta, digest = load_adapter(path)
    assert meta["note"] == "test" and meta["format"] == "align-lora/1" and len(digest) == 16
    key = "encoder.layer.0.attention.self.query.weight"
    assert list(deltas) == [key]
    dest = merge_into(base, path, tmp_path / "merged")
    before, after = (
        load_file(str(base / "model.safetensors")),
        load_file(str(dest / "model.safetensors")),
    )
    a, b = (np.asarray(v, np.float16).astype(np.float32) for v in arrays.values())
    np.testing.assert_allclose(after[key], before[key] + b @ a, atol=1e-6)
    assert all(np.array_equal(after[k], before[k]) for k in before if k != key)
    assert {p.name for p in dest.iterdir()} >= {"config.json", "tokenizer.json", "modules.json"}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_adapter_that_does_not_fit_the_base_is_refused_and_leaves_nothing(
    tmp_path: Path, embedder: Embedder
) -> None:
    wrong = {"base_model.model.encoder.layer.0.nope.A": np.ones((2, 384)),
             "base_model.model.encoder.layer.0.nope.B": np.ones((384, 2))}  # fmt: skip
    path = save_adapter(tmp_path / "w.npz", wrong, {"base_digest": "x"})
    with pytest.raises(ValueError, match=r"encoder\.layer\.0\.nope\.weight is missing"):
        merge_into(Path(embedder._target), path, tmp_path / "merged")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.npz"]
    with pytest.raises(ValueError, match="base_digest"):
        save_adapter(tmp_path / "x.npz", _lora(), {})


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
    assert counts == {adapted.model_id: 2}  # its own network: no base vectors needed
    assert ADAPTER_DIGEST in adapted.model_id
    np.testing.assert_array_equal(adapted.encode(["Prepare operational budgets."])[0], first[1])
