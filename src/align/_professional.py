"""Professional competencies (NACE, CMC tiers 1-3) matched through what they mean.

A NACE or CMC label is one or two words ("Communication", "Teamwork"); a learning
outcome is a sentence, so label-to-sentence similarity ranks the right competency
low (for a plain communication outcome NACE "Communication" came 8th). Here each
competency is represented by up to three kinds of text, and ``semantic`` is their
weighted mean (:data:`WEIGHTS`, renormalised over the kinds a competency has):

- ``definition``: cos(outcome, "label: definition");
- ``behaviours``: mean of the 2 best cos(outcome, sample behaviour), for
  competencies with at least two behaviours;
- ``examples``: mean of the 3 best cos(outcome, example outcome), where the
  examples are outcome-shaped sentences align ships for each NACE competency
  (``frameworks/_builtin/professional_outcomes.yaml``, our wording, keyed by
  competency id so they serve NACE's own file and the built-in paraphrase alike).
  Definitions and behaviours describe a person ("Takes charge of ..."); outcomes
  say what a student will do ("Present findings to ..."), and MiniLM puts the two
  styles far apart: the examples bridge them.

Then

``score = max(SEMANTIC_SCALE * semantic, 0.65 * semantic + 0.35 * mention)``

where ``mention`` is 1 when the competency's label occurs in the outcome (after
normalisation). ``SEMANTIC_SCALE`` puts the score on the calibrated credit scale
of :mod:`align._calibration`: the median ``semantic`` of the correct competency
on the dev half is 0.45 (0.44 with align's paraphrase), and a typical correct
match should earn full credit (``CREDIT_FULL`` 0.42), as a typical
analyst-linked O*NET pair does. The mix, the scale, the weights and the number
of best sentences averaged were chosen on the dev half of
``benchmarks/data/professional_outcomes.csv`` (outcomes we wrote and labelled
before any matching; the test half and a later "fresh" set are only reported,
``benchmarks/validity_nace.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from align.frameworks import Framework

__all__ = [
    "SEMANTIC_SCALE",
    "WEIGHTS",
    "example_outcomes",
    "professional_matches",
    "surface_texts",
]

#: Weight of each kind of text in ``semantic`` (dev-tuned on a grid of 0-1 weights
#: and 1-3 best sentences; renormalised over the kinds a competency has).
WEIGHTS: dict[str, float] = {"definition": 0.1, "behaviours": 0.45, "examples": 0.45}
_SEMANTIC_WEIGHT = 0.65
#: CREDIT_FULL / the dev median semantic similarity of the correct competency.
SEMANTIC_SCALE = 0.42 / 0.45
_TOP_BEHAVIOURS = 2
_TOP_EXAMPLES = 3


@cache
def example_outcomes() -> dict[str, tuple[str, ...]]:
    """Outcome-shaped example sentences per competency id, as align ships them.

    Examples
    --------
    >>> ex = example_outcomes()
    >>> len(ex), min(len(v) for v in ex.values()) >= 20
    (8, True)
    >>> ex["nace:communication"][0]
    'Present research findings orally to a general audience, with visuals that support the message.'
    """
    from align.frameworks._builtin import read_builtin

    data = read_builtin("professional_outcomes.yaml")
    return {str(k): tuple(str(x) for x in v) for k, v in data.items()}


def _mean_best(q: np.ndarray, vectors: np.ndarray, k: int) -> np.ndarray:
    """Mean of each row's ``k`` best cosine similarities with ``vectors``."""
    sims = np.sort(q @ vectors.T, axis=1)
    return np.asarray(sims[:, -k:].mean(axis=1))


@dataclass(frozen=True)
class _Surfaces:
    """The texts a framework's competencies are matched through (definitions first)."""

    definitions: list[str]
    behaviours: list[str]
    behaviour_parents: np.ndarray
    examples: list[str]
    example_owners: list[str]

    @classmethod
    def of(cls, fw: Framework) -> _Surfaces:
        comps = fw.competencies
        items = comps[~comps["kind"].isin(["area", "behaviour"])]
        beh = comps[comps["kind"] == "behaviour"]
        examples = example_outcomes()
        owners = [cid for cid in items["id"] if len(examples.get(cid, ())) >= _TOP_EXAMPLES]
        return cls(
            definitions=[
                f"{lb}: {d}" if isinstance(d, str) and d.strip() else str(lb)
                for lb, d in zip(items["label"], items["description"], strict=True)
            ],
            behaviours=beh["label"].astype(str).tolist(),
            behaviour_parents=beh["parent_id"].to_numpy(),
            examples=[text for cid in owners for text in examples[cid]],
            example_owners=[cid for cid in owners for _ in examples[cid]],
        )


def surface_texts(fw: Framework) -> list[str]:
    """Every text :func:`professional_matches` embeds for ``fw`` besides the queries
    (what ``align cache warm`` needs)."""
    src = _Surfaces.of(fw)
    return [*src.definitions, *src.behaviours, *src.examples]


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
    from align._matchbase import MATCH_COLUMNS, normalise

    comps = fw.competencies
    items = comps[~comps["kind"].isin(["area", "behaviour"])].reset_index(drop=True)
    if not len(texts) or items.empty:
        return pd.DataFrame(columns=list(MATCH_COLUMNS))
    emb = embedder if embedder is not None else get_embedder()
    src = _Surfaces.of(fw)
    q = emb.encode(list(texts))
    dv = emb.encode(src.definitions)
    parts = {"definition": q @ dv.T}
    surface = np.empty((len(texts), len(items)), dtype=object)
    surface[:, :] = np.array(src.definitions, dtype=object)[None, :]
    beh_part = np.full((len(texts), len(items)), np.nan)
    ex_part = np.full((len(texts), len(items)), np.nan)
    parents = src.behaviour_parents
    blabels = np.array(src.behaviours, dtype=object)
    bv = emb.encode(src.behaviours) if src.behaviours else np.zeros((0, q.shape[1]))
    ex_owner = np.array(src.example_owners, dtype=object)
    ev = emb.encode(src.examples) if src.examples else np.zeros((0, q.shape[1]))
    for j, cid in enumerate(items["id"]):
        cols = np.flatnonzero(parents == cid)
        if len(cols) >= _TOP_BEHAVIOURS:
            beh_part[:, j] = _mean_best(q, bv[cols], _TOP_BEHAVIOURS)
            surface[:, j] = blabels[cols[(q @ bv[cols].T).argmax(axis=1)]]
        mine = np.flatnonzero(ex_owner == cid)
        if len(mine):
            ex_part[:, j] = _mean_best(q, ev[mine], _TOP_EXAMPLES)
    parts["behaviours"] = beh_part
    parts["examples"] = ex_part
    total = np.zeros((len(texts), len(items)))
    weight = np.zeros((len(texts), len(items)))
    for kind, values in parts.items():
        have = ~np.isnan(values)
        total += np.where(have, WEIGHTS[kind] * values, 0.0)
        weight += np.where(have, WEIGHTS[kind], 0.0)
    sem = np.clip(total / weight, 0, None)
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
        if not str(text).strip():
            continue  # a blank outcome matches nothing (as with the Matcher)
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
