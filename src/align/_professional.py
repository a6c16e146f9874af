"""Professional competencies (NACE, CMC tiers 1-3) matched through what they mean.

A NACE or CMC label is one or two words ("Communication", "Teamwork"); a learning
outcome is a sentence, so label-to-sentence similarity ranks the right competency
low (for a plain communication outcome NACE "Communication" came 8th). Here each
competency is represented by its definition and its sample behaviours:

``semantic = DEFINITION_WEIGHT * cos(outcome, "label: definition")
+ (1 - DEFINITION_WEIGHT) * mean of the 2 best cos(outcome, sample behaviour)``

(the definition alone when a competency has fewer than two behaviours), and

``score = max(SEMANTIC_SCALE * semantic, 0.65 * semantic + 0.35 * mention)``

where ``mention`` is 1 when the competency's label occurs in the outcome (after
normalisation). ``SEMANTIC_SCALE`` puts the score on the calibrated credit scale
of :mod:`align._calibration`: the median ``semantic`` of the correct competency
on the dev half is 0.41, and a typical correct match should earn full credit
(``CREDIT_FULL`` 0.42), as a typical analyst-linked O*NET pair does. The mix and
the scale were chosen on the dev half of
``benchmarks/data/professional_outcomes.csv`` (160 outcomes we wrote and
labelled before any matching; the test half is only reported,
``benchmarks/validity_nace.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from align.frameworks import Framework

__all__ = ["DEFINITION_WEIGHT", "SEMANTIC_SCALE", "professional_matches"]

#: Weight of the definition against the sample behaviours (dev-tuned: 0.3, 0.5, 0.7 tried).
DEFINITION_WEIGHT = 0.3
_SEMANTIC_WEIGHT = 0.65
#: CREDIT_FULL / the dev median semantic similarity of the correct competency (0.42 / 0.41).
SEMANTIC_SCALE = 0.42 / 0.41
_TOP_BEHAVIOURS = 2


def professional_matches(
    texts: Sequence[str], fw: Framework, *, embedder: Any = None, top_k: int = 3
) -> pd.DataFrame:
    """Best ``top_k`` competencies of ``fw`` for each text, as a Matcher result table.

    Competencies are the framework's non-grouping items other than sample
    behaviours; a competency's behaviours are its children of kind
    ``behaviour``.

    Returns
    -------
    DataFrame
        Columns of :data:`align._match.MATCH_COLUMNS`; ``matched_surface`` is the
        behaviour or definition that matched best.
    """
    from align._embed import get_embedder
    from align._match import MATCH_COLUMNS, normalise

    comps = fw.competencies
    items = comps[~comps["kind"].isin(["area", "behaviour"])].reset_index(drop=True)
    if not len(texts) or items.empty:
        return pd.DataFrame(columns=list(MATCH_COLUMNS))
    beh = comps[comps["kind"] == "behaviour"]
    emb = embedder if embedder is not None else get_embedder()
    defs = [
        f"{lb}: {d}" if isinstance(d, str) and d.strip() else str(lb)
        for lb, d in zip(items["label"], items["description"], strict=True)
    ]
    q = emb.encode(list(texts))
    dv = emb.encode(defs)
    sem = np.clip(q @ dv.T, 0, None)
    surface = np.array([[d] * len(items) for d in [""]] * len(texts), dtype=object).reshape(
        len(texts), len(items)
    )
    surface[:, :] = np.array(defs, dtype=object)[None, :]
    if len(beh):
        bv = emb.encode(beh["label"].astype(str).tolist())
        bs = np.clip(q @ bv.T, 0, None)
        parents = beh["parent_id"].to_numpy()
        blabels = beh["label"].astype(str).to_numpy()
        for j, cid in enumerate(items["id"]):
            cols = np.flatnonzero(parents == cid)
            if len(cols) < _TOP_BEHAVIOURS:
                continue
            top = np.sort(bs[:, cols], axis=1)[:, -_TOP_BEHAVIOURS:].mean(axis=1)
            sem[:, j] = DEFINITION_WEIGHT * sem[:, j] + (1 - DEFINITION_WEIGHT) * top
            surface[:, j] = blabels[cols[bs[:, cols].argmax(axis=1)]]
    qn = [f" {normalise(t)} " for t in texts]
    ln = [f" {normalise(str(lb))} " for lb in items["label"]]
    lex = np.array([[1.0 if lab.strip() and lab in t else 0.0 for lab in ln] for t in qn])
    score = np.clip(
        np.maximum(SEMANTIC_SCALE * sem, _SEMANTIC_WEIGHT * sem + (1 - _SEMANTIC_WEIGHT) * lex),
        0,
        1,
    )
    rows = []
    k = min(top_k, len(items))
    for i, text in enumerate(texts):
        order = np.argsort(-score[i], kind="stable")[:k]
        for r, j in enumerate(order, start=1):
            rows.append(
                {
                    "query_index": i,
                    "query": text,
                    "rank": r,
                    "framework": fw.key,
                    "id": items["id"].iloc[j],
                    "code": items["code"].iloc[j],
                    "label": items["label"].iloc[j],
                    "kind": items["kind"].iloc[j],
                    "url": items["url"].iloc[j] if "url" in items else None,
                    "score": float(score[i, j]),
                    "semantic_score": float(sem[i, j]),
                    "lexical_score": float(lex[i, j]),
                    "matched_surface": str(surface[i, j]),
                }
            )
    return pd.DataFrame(rows, columns=list(MATCH_COLUMNS))
