"""Backends: ONNX Runtime parity with sentence-transformers, no torch at run time, identity."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

from align import _embed
from align._embed import Embedder, _default_model_path, _files_digest
from align.exceptions import InvalidArgumentError, ModelLoadError

pytestmark = pytest.mark.slow

# Short labels, sentences, a text longer than the model reads, odd whitespace and
# characters, an empty string: everything the tokenizer settings could get wrong.
PARITY_TEXTS = [
    "Python",
    "manage budgets",
    "Analyse financial statements and present findings to the board.",
    "  leading and trailing spaces  ",
    "",
    "C++ / C# & SQL (PostgreSQL) -- e.g. joins, CTEs; window functions!",
    "Ça va? naïve café, Zürich, 東京, emoji 😀",
    "UPPER CASE SHOUTED REQUIREMENT",
    "Lead a multidisciplinary team of nurses on a busy hospital ward " * 30,
    "tab\tand\nnew line",
]


@pytest.fixture(scope="module")
def torch_model():
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(_default_model_path()), device="cpu")


@pytest.fixture(scope="module")
def onnx_embedder() -> Embedder:
    emb = Embedder(backend="onnx", use_cache=False)
    emb._load()
    return emb


def test_auto_picks_onnx_for_the_default_model() -> None:
    emb = Embedder()
    assert emb.backend == "onnx"
    assert emb.model_id.endswith(":onnx:mean_tokens-norm")


def test_tokenisation_matches_sentence_transformers(onnx_embedder: Embedder, torch_model) -> None:
    model = onnx_embedder._load()
    ours = [e.ids for e in model._tok.encode_batch(PARITY_TEXTS)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tokenize() is deprecated in newer releases
        theirs = torch_model.tokenize(PARITY_TEXTS)["input_ids"].tolist()
    assert ours == theirs
    assert model.max_seq_length == torch_model.max_seq_length == 256
    assert max(model.token_lengths(PARITY_TEXTS)) == 256  # the long text is cut, as in torch


def test_onnx_vectors_equal_torch_vectors(onnx_embedder: Embedder, torch_model) -> None:
    ours = onnx_embedder.encode(PARITY_TEXTS)
    theirs = torch_model.encode(PARITY_TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    assert ours.dtype == np.float32 and ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, atol=2e-5)
    assert float(np.min(np.sum(ours * theirs, axis=1))) > 0.99999
    # Batching by tokens must not change a vector: one at a time gives the same rows.
    one_by_one = np.vstack([onnx_embedder.encode([t]) for t in PARITY_TEXTS])
    np.testing.assert_allclose(ours, one_by_one, atol=2e-5)


def test_int8_vectors_are_close_and_cached_apart(tmp_path: Path) -> None:
    fp32 = Embedder(backend="onnx", cache_dir=tmp_path)
    int8 = Embedder(backend="onnx-int8", cache_dir=tmp_path)
    assert fp32.model_id != int8.model_id and int8.model_id.endswith(":onnx-int8:mean_tokens-norm")
    a, b = fp32.encode(PARITY_TEXTS[:8]), int8.encode(PARITY_TEXTS[:8])
    cos = np.sum(a * b, axis=1)
    assert float(cos.min()) > 0.9  # int8 moves vectors; benchmarks/ measure what it costs
    info = _embed.cache_info(tmp_path)
    assert info["models"] == {fp32.model_id: 8, int8.model_id: 8}


def test_the_export_is_stored_under_the_cache_keyed_by_contents(onnx_embedder: Embedder) -> None:
    digest = _files_digest(_default_model_path())
    root = Path(os.environ["ALIGN_CACHE_DIR"]) / "models" / digest
    assert (root / "model.onnx").is_file()
    assert not list(root.glob("*.tmp*"))  # written atomically: no leftovers
    assert digest in onnx_embedder.model_id


def test_import_align_and_a_cached_match_never_import_torch(
    onnx_embedder: Embedder, tmp_path: Path
) -> None:
    """In a fresh process: import align, match against cached NACE vectors with a new text."""
    script = textwrap.dedent(
        """
        import sys, warnings
        import align
        assert "torch" not in sys.modules, "import align imported torch"
        from align.cli import app
        for text in ["Present findings to a committee", "a text never seen before 8f1c2"]:
            try:
                app(["match", text, "--framework", "nace", "--format", "jsonl"],
                    standalone_mode=False)
            except SystemExit as exc:
                assert not exc.code, exc.code
        heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers")
                       if m in sys.modules)
        assert not heavy, heavy
        print("no-torch-ok")
        """
    )
    env = {**os.environ}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "no-torch-ok" in done.stdout


def test_cached_vectors_need_no_torch_with_the_torch_backend_either(tmp_path: Path) -> None:
    texts = ["analyse financial statements", "lead a team of nurses"]
    Embedder(backend="torch", cache_dir=tmp_path).encode(texts)
    script = textwrap.dedent(
        f"""
        import sys
        from align._embed import Embedder
        emb = Embedder(backend="torch", cache_dir={str(tmp_path)!r})
        emb.encode({texts!r})
        assert "torch" not in sys.modules and "sentence_transformers" not in sys.modules
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0 and "ok" in done.stdout, done.stderr[-3000:]


def test_same_sized_checkpoints_with_other_weights_never_share_vectors(tmp_path: Path) -> None:
    """Two copies of the model whose weight files differ only in content (same size)."""
    from safetensors.numpy import load_file, save_file

    src = _default_model_path()
    folders = []
    for where, scale in (("a", 1.0), ("b", 1.05)):
        dest = tmp_path / where / "ckpt"  # same name, same file sizes
        dest.mkdir(parents=True)
        for p in src.rglob("*"):
            if p.is_file() and p.name != "model.safetensors":
                target = dest / p.relative_to(src)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(p.read_bytes())
        weights = load_file(str(src / "model.safetensors"))
        key = next(k for k in weights if "word_embeddings" in k)
        weights[key] = (weights[key] * scale).astype(weights[key].dtype)
        save_file(weights, str(dest / "model.safetensors"))
        folders.append(dest)
    a, b = folders
    assert (a / "model.safetensors").stat().st_size == (b / "model.safetensors").stat().st_size
    cache = tmp_path / "cache"
    emb_a = Embedder(a, cache_dir=cache, backend="torch")
    emb_b = Embedder(b, cache_dir=cache, backend="torch")
    assert emb_a.model_name == emb_b.model_name == "ckpt"
    assert emb_a.model_id != emb_b.model_id
    text = ["analyse financial statements and present findings"]
    va = emb_a.encode(text)
    calls: list[int] = []
    real = emb_b._load

    def counting_load():
        calls.append(1)
        return real()

    emb_b._load = counting_load  # type: ignore[method-assign]
    vb = emb_b.encode(text)
    assert calls, "checkpoint b reused checkpoint a's cached vector"
    assert not np.allclose(va, vb, atol=1e-4)


def test_a_checkpoint_rewritten_in_place_gets_a_new_identity(tmp_path: Path) -> None:
    model = tmp_path / "m"
    model.mkdir()
    weights = model / "model.safetensors"
    weights.write_bytes(b"a" * 1000)
    first = _files_digest(model)
    stat = weights.stat()
    weights.write_bytes(b"b" * 1000)  # same size ...
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # ... and the old mtime
    assert _files_digest(model) != first


@pytest.mark.parametrize("value", ["gpu", "ONNX-fp16", ""])
def test_unknown_backend_is_rejected(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if value:
        with pytest.raises(InvalidArgumentError, match="not a backend"):
            Embedder(backend=value)  # type: ignore[arg-type]
    monkeypatch.setenv("ALIGN_BACKEND", value or "tensorflow")
    with pytest.raises(InvalidArgumentError, match="ALIGN_BACKEND"):
        Embedder()


def test_backend_env_and_device(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIGN_BACKEND", "torch")
    assert Embedder().backend == "torch"
    assert ":torch:" in Embedder().model_id
    monkeypatch.delenv("ALIGN_BACKEND")
    assert Embedder(device="cuda").backend == "torch"
    with pytest.raises(InvalidArgumentError, match="CPU only"):
        Embedder(backend="onnx", device="cuda")


def test_a_model_onnx_cannot_run_uses_torch_or_says_why(tmp_path: Path) -> None:
    src = _default_model_path()
    other = tmp_path / "cls-model"
    other.mkdir()
    for p in src.rglob("*"):
        if p.is_file():
            target = other / p.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            if p.name == "model.safetensors":
                target.symlink_to(p)
            else:
                target.write_bytes(p.read_bytes())
    (other / "1_Pooling" / "config.json").write_text(
        '{"word_embedding_dimension": 384, "pooling_mode_cls_token": true}'
    )
    assert Embedder(other).backend == "torch"
    with pytest.raises(ModelLoadError, match="ALIGN_BACKEND=torch"):
        _ = Embedder(other, backend="onnx").backend


def test_a_failed_export_leaves_no_file_and_says_how_to_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path))

    def broken(*args: object, **kwargs: object) -> None:
        Path(str(args[2])).write_bytes(b"half an export")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(torch.onnx, "export", broken)
    emb = Embedder(backend="onnx", use_cache=False)
    with pytest.raises(ModelLoadError, match="ALIGN_BACKEND=torch") as err:
        emb.encode(["text"])
    assert "No space left" in str(err.value)
    assert not [p for p in (tmp_path / "models").rglob("*") if p.is_file() and p.suffix == ".onnx"]
