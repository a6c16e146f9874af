"""Fitting the title coder's conditional-logit weights (used by postings_title_codes.py --fit).

Each title's shortlist of occupations plus a "none of these" option is one choice set: the
model's probability of a code is ``exp(w . x) / (exp(null) + sum over the shortlist)``.
The likelihood of a classifiable title is the probability of its acceptable codes (the
label's code or second code) when one is shortlisted; an unclassifiable title, or one whose
codes the shortlist missed, is explained by "none of these". L2 penalty on ``w``.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import logsumexp


def _prepare(feats: pd.DataFrame, names: list[str], gold: dict[int, frozenset[str]], codes):
    f = feats.sort_values("query_index", kind="stable").reset_index(drop=True)
    x = f[names].to_numpy(np.float64)
    q = f["query_index"].to_numpy()
    hit = np.array(
        [codes[it] in gold.get(qi, frozenset()) for qi, it in zip(q, f["item"], strict=True)]
    )
    starts = np.flatnonzero(np.r_[True, np.diff(q) != 0])
    any_hit = np.logical_or.reduceat(hit, starts)
    return x, q, hit, starts, any_hit


def fit(feats, names, gold, codes, l2: float = 1.0) -> dict:
    """Weights ``{"coef": [...], "null": b}`` maximising the penalised likelihood."""
    x, _q, hit, starts, any_hit = _prepare(feats, names, gold, codes)
    seg = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(x)]))
    d = x.shape[1]

    def nll(theta):
        w, b = theta[:d], theta[d]
        u = x @ w
        mx = np.maximum(np.maximum.reduceat(u, starts), b)
        e = np.exp(u - mx[seg])
        z = np.add.reduceat(e, starts) + np.exp(b - mx)
        eg = np.where(hit, e, 0.0)
        zg = np.add.reduceat(eg, starts)
        num = np.where(any_hit, zg, np.exp(b - mx))
        ll = np.log(num) - np.log(z)
        p = e / z[seg]
        pg = np.where(hit, eg / np.where(zg > 0, zg, 1.0)[seg], 0.0)
        # gradient of -ll
        gw = -(
            np.add.reduceat(pg[:, None] * x, starts)[any_hit].sum(axis=0)
            - np.add.reduceat(p[:, None] * x, starts).sum(axis=0)
        )
        pnull = np.exp(b - mx) / z
        gb = -((~any_hit).sum() - pnull.sum())
        loss = -ll.sum() + l2 * (w @ w)
        return loss, np.r_[gw + 2 * l2 * w, gb]

    res = minimize(nll, np.zeros(d + 1), jac=True, method="L-BFGS-B")
    return {"coef": [round(float(v), 6) for v in res.x[:d]], "null": round(float(res.x[d]), 6)}


def predict(feats, names, weights) -> pd.DataFrame:
    """Top-1 item and its probability per query_index."""
    u = feats[names].to_numpy(np.float64) @ np.asarray(weights["coef"])
    f = feats.assign(u=u)
    null = float(weights["null"])
    rows = []
    for qi, g in f.groupby("query_index"):
        uu = g["u"].to_numpy()
        z = logsumexp(np.r_[uu, null])
        order = np.argsort(-uu, kind="stable")
        p = np.exp(uu[order] - z)
        rows.append(
            {
                "query_index": qi,
                "item": int(g["item"].to_numpy()[order[0]]),
                "p1": float(p[0]),
                "p2": float(p[1]) if len(p) > 1 else 0.0,
                "items": g["item"].to_numpy()[order].tolist(),
            }
        )
    return pd.DataFrame(rows)


def reliability(p: np.ndarray, right: np.ndarray, edges=(0, 0.3, 0.5, 0.7, 0.85, 1.0001)):
    """Per confidence band: titles, mean confidence, share right."""
    out = []
    for lo, hi in itertools.pairwise(edges):
        m = (p >= lo) & (p < hi)
        if m.any():
            out.append(
                {
                    "band": f"{lo:.2f}-{min(hi, 1):.2f}",
                    "titles": int(m.sum()),
                    "mean confidence": round(float(p[m].mean()), 3),
                    "share right": round(float(right[m].mean()), 3),
                }
            )
    return out


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def platt(p: np.ndarray, right: np.ndarray) -> dict:
    """``a``, ``b`` of ``sigmoid(a * logit(p) + b)`` fitted to ``right`` (max likelihood)."""
    x, y = _logit(np.asarray(p, float)), np.asarray(right, float)

    def nll(t):
        z = t[0] * x + t[1]
        pr = 1 / (1 + np.exp(-z))
        g = pr - y
        return -(y * np.log(pr + 1e-12) + (1 - y) * np.log(1 - pr + 1e-12)).sum(), np.array(
            [(g * x).sum(), g.sum()]
        )

    res = minimize(nll, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B")
    return {"a": round(float(res.x[0]), 6), "b": round(float(res.x[1]), 6)}


def calibrated(p: np.ndarray, cal: dict) -> np.ndarray:
    return 1 / (1 + np.exp(-(cal["a"] * _logit(np.asarray(p, float)) + cal["b"])))
