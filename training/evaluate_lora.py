"""Measure a LoRA adapter from ``train.py`` against the base model (an experiment, not shipped).

Usage::

    python training/evaluate_lora.py ADAPTER.npz OUT_FOLDER [--tasks 2500]
        [--only onet,titles,onet_titles,nace,esco]

Merges the adapter's ``B @ A`` deltas into the packaged all-MiniLM-L6-v2 weights, saves the
result as a sentence-transformers folder (``OUT_FOLDER``, outside the repository), and runs
the sections of ``benchmarks/model_compare.py`` with the base model and the merged one side
by side. Results go to ``OUT_FOLDER.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))


def merge(adapter: Path, out: Path) -> int:
    """Write the base model with the adapter merged into ``out``; return the layers changed."""
    import torch
    from sentence_transformers import SentenceTransformer

    from align._embed import _default_model_path

    arrays = np.load(adapter)
    model = SentenceTransformer(str(_default_model_path()), device="cpu")
    net = model[0].auto_model
    layers = sorted({k[:-2] for k in arrays.files if k.endswith(".A")})
    with torch.no_grad():
        for name in layers:
            delta = arrays[f"{name}.B"].astype(np.float32) @ arrays[f"{name}.A"].astype(np.float32)
            net.get_submodule(name.removeprefix("base_model.model.")).weight += torch.from_numpy(
                delta
            )
    model.save(str(out))
    return len(layers)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("adapter", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--tasks", type=int, default=2500)
    ap.add_argument("--only", default="onet,titles,onet_titles,nace")
    args = ap.parse_args()
    print(f"merged {merge(args.adapter, args.out)} layers into {args.out}", flush=True)

    import model_compare as mc

    from align._embed import Embedder
    from align.exceptions import AlignDataWarning

    warnings.simplefilter("ignore", AlignDataWarning)
    embs = {"base": Embedder("all-MiniLM-L6-v2"), "lora": Embedder(str(args.out))}
    runs = {
        "onet": lambda: mc.onet_section(embs, args.tasks),
        "titles": lambda: mc.titles_section(embs, 3000),
        "onet_titles": lambda: mc.onet_titles_section(embs, 2000),
        "nace": lambda: mc.nace_section(embs),
        "esco": lambda: mc.esco_section(embs),
        "lightcast": lambda: mc.lightcast_section(embs),
    }
    res: dict = {}
    t0 = time.time()
    for section in args.only.split(","):
        res[section] = runs[section]()
        Path(f"{args.out}.json").write_text(json.dumps(res, indent=2, default=str))
    res["seconds"] = round(time.time() - t0)
    Path(f"{args.out}.json").write_text(json.dumps(res, indent=2, default=str))
    print(json.dumps(res, indent=2, default=str))


if __name__ == "__main__":
    main()
