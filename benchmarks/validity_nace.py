"""Professional competencies: outcome sentences -> NACE competency and CMC tier 1-3 block.

Data: ``benchmarks/data/professional_outcomes.csv`` (200 outcomes we wrote, each
labelled with its NACE competency and CMC tier 1-3 competency before any matching;
split dev/test/fresh, see ``benchmarks/data/README.md``). Tune on ``dev`` only;
``test`` and ``fresh`` (40 outcomes written later, after the dev tuning, and never
tuned on) are reported beside it.

For each outcome the matcher ranks the 8 NACE competencies (a match on a NACE
sample behaviour counts for its competency, as ``score_alignment`` reports it)
and, separately, the 26 CMC tier 1-3 competencies. Reported per split: acc@1,
acc@3 and MRR for NACE; acc@1 and acc@3 for CMC.

Methods: ``semantic`` (plain MiniLM on labels only), ``default`` (align's default
hybrid Matcher with the framework's built-in descriptions and behaviours), and
any method registered in ``METHODS``.

Usage::

    python benchmarks/validity_nace.py [--methods semantic,default]
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _validity_common import HERE, OUT

from align import Framework, load_framework
from align._match import Matcher
from align.exceptions import AlignDataWarning


def _semantic(fw: Framework) -> Matcher:
    comps = fw.competencies[fw.competencies["kind"] == "competency"]
    return Matcher(
        Framework(replace(fw.info), comps),
        method="semantic",
        kinds="all",
        label_templates=(),
        alt_labels=False,
        descriptions="never",
    )


def _default(fw: Framework) -> Matcher:
    return Matcher(fw, kinds="all")


class _Professional:
    """Adapter: the scoring's professional matcher (definitions, behaviours, examples)."""

    def __init__(self, fw: Framework) -> None:
        self.fw = fw

    def fit(self) -> _Professional:
        return self

    def match(self, texts: list[str], top_k: int = 3, min_score: float = 0.0) -> pd.DataFrame:
        from align._professional import professional_matches

        return professional_matches(texts, self.fw, top_k=top_k)


class _ProfessionalParaphrase(_Professional):
    """The same, on align's built-in NACE paraphrase instead of NACE's own file."""

    def __init__(self, fw: Framework) -> None:
        from align.frameworks.nace import load_nace

        if fw.info.key == "nace":
            fw = load_nace(data_dir=OUT / "no-nace-here")
        super().__init__(fw)


METHODS: dict[str, Callable[[Framework], Any]] = {
    "semantic": _semantic,
    "default": _default,
    "new": _Professional,
    "new-paraphrase": _ProfessionalParaphrase,
}
SPLITS = ("dev", "test", "fresh")


def load_data() -> pd.DataFrame:
    return pd.read_csv(HERE / "data" / "professional_outcomes.csv")


def frameworks() -> tuple[Framework, Framework]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)
        nace = load_framework("nace")
        cmc = load_framework("cmc")
    keep = cmc.competencies[
        (cmc.competencies["kind"] != "area") & (cmc.competencies["level"].astype(int) <= 3)
    ]
    return nace, Framework(replace(cmc.info), keep.reset_index(drop=True))


def ranked(m: Any, fw: Framework, texts: list[str]) -> list[list[str]]:
    """Competency ids per text, best first (behaviours folded into their competency)."""
    parents = dict(zip(fw.competencies["id"], fw.competencies["parent_id"], strict=True))
    kinds = dict(zip(fw.competencies["id"], fw.competencies["kind"], strict=True))
    t = m.match(texts, top_k=200, min_score=0.0)
    t = t.assign(
        comp=[parents[i] if kinds.get(i) == "behaviour" else i for i in t["id"]]
    ).sort_values(["query_index", "score"], ascending=[True, False])
    out: list[list[str]] = [[] for _ in texts]
    for q, g in t.groupby("query_index"):
        out[int(q)] = list(dict.fromkeys(g["comp"]))
    return out


def scores(rank_lists: list[list[str]], gold: pd.Series, split: pd.Series) -> dict:
    pos = np.array(
        [r.index(g) + 1 if g in r else np.inf for r, g in zip(rank_lists, gold, strict=True)]
    )
    out = {}
    for s in SPLITS:
        p = pos[(split == s).to_numpy()]
        out[s] = {
            "n": len(p),
            "acc@1": float((p == 1).mean()),
            "acc@3": float((p <= 3).mean()),
            "mrr": float(np.where(np.isfinite(p), 1 / p, 0).mean()),
        }
    return out


def run(methods: list[str]) -> dict:
    data = load_data()
    nace, cmc = frameworks()
    texts = data["outcome"].to_list()
    res: dict = {"n": {s: int((data["split"] == s).sum()) for s in SPLITS}}
    for name in methods:
        r_n = ranked(METHODS[name](nace).fit(), nace, texts)
        r_c = ranked(METHODS[name](cmc).fit(), cmc, texts)
        res[name] = {
            "nace": scores(r_n, data["nace"], data["split"]),
            "cmc": scores(r_c, data["cmc"], data["split"]),
        }
        data[f"top_nace_{name}"] = [r[0] if r else "" for r in r_n]
        print(
            f"{name:12s} NACE "
            + "  ".join(
                f"{s}: acc@1 {res[name]['nace'][s]['acc@1']:.3f} acc@3 "
                f"{res[name]['nace'][s]['acc@3']:.3f}"
                for s in SPLITS
            )
            + "   CMC "
            + "  ".join(f"{s}: acc@1 {res[name]['cmc'][s]['acc@1']:.3f}" for s in SPLITS),
            flush=True,
        )
    data.to_csv(OUT / "validity_nace_predictions.csv", index=False)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--split", default="", help="report only this split (tuning: dev)")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    res = run(args.methods.split(","))
    (OUT / "validity_nace.json").write_text(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
