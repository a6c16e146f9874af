"""Inference without torch: ONNX Runtime + tokenizers for BERT-style sentence models.

The packaged all-MiniLM-L6-v2 (and any sentence-transformers folder made of a
BERT ``Transformer``, mean ``Pooling`` and an optional ``Normalize``) is
exported once to ONNX with ``torch.onnx.export`` -- the only time torch is
imported -- and stored under ``ALIGN_CACHE_DIR/models/<content digest>/``, so a
different checkpoint never reuses another's export. The export is written to a
temporary file, checked against the torch model on a few texts and renamed into
place, so an interrupted export leaves nothing half-written. An optional int8
copy is made with ONNX Runtime's dynamic quantization.

Tokenisation uses the model's own ``tokenizer.json`` with the model's
``max_seq_length`` (sentence-transformers reads 256 word pieces; the file itself
says 128 and pads to a fixed width, which we override), and pooling is the mean
of the token vectors under the attention mask followed by L2 normalisation,
exactly as sentence-transformers computes it (checked in tests/test_backend.py).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["OnnxModel", "export_onnx", "onnx_unsupported"]

logger = logging.getLogger(__name__)

#: Model types whose export and inputs we have checked.
_MODEL_TYPES = {"bert"}
#: Padded tokens per forward pass; bounds memory and keeps batches of short texts large.
_TOKEN_BUDGET = 16_384
_MAX_BATCH = 256
_CHECK_TEXTS = [
    "Analyse financial statements and present findings.",
    "x",
    "Lead a multidisciplinary team of nurses in a hospital ward " * 20,
]


def _read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def onnx_unsupported(folder: Path) -> str | None:
    """Why the ONNX backend cannot run the model in ``folder`` (``None``: it can)."""
    try:
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed (`pip install onnxruntime tokenizers`)"
    if not folder.is_dir():
        return f"{folder} is not a local model folder"
    try:
        modules = _read_json(folder / "modules.json")
        types = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
        if types not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
            return f"its modules are {types}, not Transformer + Pooling (+ Normalize)"
        if modules[0].get("path", "") not in ("", "."):
            return "its transformer is not at the top of the folder"
        pooling = _read_json(folder / modules[1]["path"] / "config.json")
        modes = [k for k, v in pooling.items() if k.startswith("pooling_mode") and v]
        if modes != ["pooling_mode_mean_tokens"]:
            return f"its pooling is {modes or 'unset'}, not mean pooling"
        config = _read_json(folder / "config.json")
        if config.get("model_type") not in _MODEL_TYPES:
            return f"model type {config.get('model_type')!r} is not one of {sorted(_MODEL_TYPES)}"
        if not (folder / "tokenizer.json").is_file():
            return "it has no tokenizer.json"
    except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        return f"its sentence-transformers configuration could not be read ({exc})"
    return None


def _normalises(folder: Path) -> bool:
    modules = _read_json(folder / "modules.json")
    return str(modules[-1].get("type", "")).endswith("Normalize")


def _max_seq_length(folder: Path) -> int:
    limit = int(_read_json(folder / "config.json").get("max_position_embeddings", 512))
    cfg = folder / "sentence_bert_config.json"
    if cfg.is_file():
        value = _read_json(cfg).get("max_seq_length")
        if value:
            return min(int(value), limit)
    return limit


def _lower_case(folder: Path) -> bool:
    cfg = folder / "sentence_bert_config.json"
    return bool(cfg.is_file() and _read_json(cfg).get("do_lower_case"))


class _DropPreprocessHint(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()


def export_onnx(folder: Path, dest: Path, *, int8: bool = False) -> Path:
    """Export the model in ``folder`` to ``dest`` (an ``.onnx`` file); return ``dest``.

    Uses torch (imported here only). The fp32 graph is checked against the
    torch model on a few texts before it is renamed into place. With
    ``int8=True`` ``dest`` is the dynamically quantised copy of the fp32 export
    next to it (made first if missing).
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    if int8:
        fp32 = dest.with_name("model.onnx")
        if not fp32.is_file():
            export_onnx(folder, fp32)
        from onnxruntime.quantization import QuantType, quantize_dynamic

        tmp = dest.with_name(f".{dest.stem}.{uuid.uuid4().hex}.tmp.onnx")
        root = logging.getLogger()
        quiet = _DropPreprocessHint()
        root.addFilter(quiet)  # onnxruntime logs a hint on the root logger; not for users
        try:
            quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
            os.replace(tmp, dest)
        finally:
            root.removeFilter(quiet)
            tmp.unlink(missing_ok=True)
        return dest

    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

    class _Hidden(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    model = AutoModel.from_pretrained(str(folder))
    model.eval()
    wrapper = _Hidden(model).eval()  # export restores this mode on every submodule
    tok = _tokenizer(folder, _max_seq_length(folder))
    ids, mask = _batch_arrays(tok.encode_batch(_CHECK_TEXTS))
    check = (
        torch.from_numpy(ids),
        torch.from_numpy(mask),
        torch.zeros_like(torch.from_numpy(ids)),
    )
    # Traced on an unpadded batch of two; the comparison on padded texts below checks
    # that the graph handles padding and other shapes too.
    n = int(mask[0].sum())
    trace = tuple(t[:1, :n].repeat(2, 1) for t in check)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    tmp = dest.with_name(f".{dest.stem}.{uuid.uuid4().hex}.tmp.onnx")
    try:
        with warnings.catch_warnings(), torch.no_grad():
            # The tracer's notes on Python booleans concern branches that no input of
            # ours takes; the comparison with torch below is what tells.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                wrapper,
                trace,
                str(tmp),
                input_names=names,
                output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
                opset_version=17,
                dynamo=False,
            )
            expected = wrapper(*check).numpy()
        got = _session(tmp, threads=1).run(None, _feed(ids, mask))[0]
        # Compared after pooling: padded positions differ between runtimes and never count.
        diff = float(np.abs(_mean_pool(got, mask) - _mean_pool(expected, mask)).max())
        if diff > 1e-4:
            raise RuntimeError(f"the ONNX export differs from the torch model by up to {diff:.2g}")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    logger.info("exported %s to %s", folder, dest)
    return dest


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    return np.asarray(summed / np.clip(weights.sum(axis=1), 1e-9, None), dtype=np.float32)


def _tokenizer(folder: Path, max_length: int) -> Any:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    pad = tok.padding or {}
    # tokenizer.json pads to a fixed 128 and truncates at 128; sentence-transformers
    # pads each batch to its longest text and reads max_seq_length word pieces.
    tok.enable_truncation(max_length)
    tok.enable_padding(
        pad_id=int(pad.get("pad_id", 0)), pad_token=str(pad.get("pad_token", "[PAD]"))
    )
    return tok


def _batch_arrays(encodings: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    return ids, mask


def _feed(ids: np.ndarray, mask: np.ndarray) -> dict[str, np.ndarray]:
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}


def _session(path: Path, threads: int | None) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    # Busy-waiting worker threads burn CPU that other processes on a shared machine need.
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


class OnnxModel:
    """A sentence model run by ONNX Runtime, with the ``encode`` of sentence-transformers.

    Parameters
    ----------
    folder : path
        The sentence-transformers model folder (tokenizer and configuration).
    onnx_path : path
        The exported graph (:func:`export_onnx`).
    threads : int, optional
        Intra-op threads; ``None`` lets ONNX Runtime use one per core.
    """

    def __init__(self, folder: Path, onnx_path: Path, threads: int | None = None) -> None:
        self.folder = folder
        self.onnx_path = onnx_path
        self.max_seq_length = _max_seq_length(folder)
        self._lower = _lower_case(folder)
        self._normalise = _normalises(folder)
        self._tok = _tokenizer(folder, self.max_seq_length)
        self._tok_bare = _tokenizer(folder, self.max_seq_length)
        self._tok_bare.no_padding()
        self._session = _session(onnx_path, threads)
        self._dim = int(_read_json(folder / "config.json")["hidden_size"])
        self._lock = threading.Lock()

    def get_sentence_embedding_dimension(self) -> int:
        return self._dim

    def _prepare(self, texts: Sequence[str]) -> list[str]:
        return [t.lower() for t in texts] if self._lower else list(texts)

    def token_lengths(self, texts: Sequence[str]) -> list[int]:
        """Word pieces per text (after truncation), as the model will read them."""
        with self._lock:
            enc = self._tok_bare.encode_batch(self._prepare(texts))
        return [len(e.ids) for e in enc]

    def encode(
        self,
        texts: Sequence[str],
        batch_size: int = 64,
        normalize_embeddings: bool = True,
        **_: Any,
    ) -> np.ndarray:
        """Embed ``texts``; rows in input order, float32.

        Texts are sorted by token count and grouped so a batch holds at most
        ``batch_size * 64`` padded tokens (and at most 256 texts): short labels go
        through in large batches, long sentences in small ones.
        """
        prepared = self._prepare(texts)
        out = np.empty((len(prepared), self._dim), dtype=np.float32)
        if not prepared:
            return out
        lengths = self.token_lengths(prepared)
        order = np.argsort(lengths, kind="stable")[::-1]
        budget = max(_TOKEN_BUDGET, batch_size * 64)
        start = 0
        while start < len(order):
            width = lengths[order[start]]
            size = max(1, min(_MAX_BATCH, budget // max(width, 1)))
            idx = order[start : start + size]
            with self._lock:
                enc = self._tok.encode_batch([prepared[i] for i in idx])
            ids, mask = _batch_arrays(enc)
            vecs = _mean_pool(self._session.run(None, _feed(ids, mask))[0], mask)
            if normalize_embeddings or self._normalise:
                norms = np.linalg.norm(vecs, axis=1, keepdims=True)
                vecs = vecs / np.clip(norms, 1e-12, None)
            out[idx] = vecs
            start += size
        return out
