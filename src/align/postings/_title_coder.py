"""The job-title coder: posted title -> O*NET-SOC code, with an honest confidence.

Steps, for each distinct title:

1. **Clean** it (:func:`~align.postings._title_clean.clean_title`): drop
   seniority, schedule, pay, places and requisition numbers; find the *core*
   that names the job and its head noun.
2. **Shortlist** occupations: the 30 whose titles or alternate titles are
   nearest to the cleaned title (embedding cosine over the occupations
   matcher's surfaces; string similarity for ``method="lexical"``), plus every
   occupation that lists the cleaned title verbatim.
3. **Re-rank** the shortlist with a conditional-logit model over features
   (:data:`FEATURES`): similarity of the core and of the whole title to the
   best alternate title and to the occupation's own title, how many of the
   nearest alternate titles belong to the occupation, a verbatim match and how
   many occupations share it, whether the head noun is in the occupation's
   title. The model also has a "none of these" option, so the probability of
   the top code is the probability that the coding is right: the
   ``confidence``. Weights (``_title_weights.json``) were fitted on the dev
   half of the hand-labelled title benchmark only (``benchmarks/data/titles``;
   ``benchmarks/postings_title_codes.py --fit``); figures on both halves are in
   ``benchmarks/RESULTS-postings.md``.

Ties are not broken silently: when the runner-up is at least 90 % as likely as
the top code (:data:`TIE_RATIO`) the coding is flagged ``tied``: their order
then says little, and the confidence (low in a tie) says how likely the first is.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from align._config import METHODS, Method
from align._matchbase import normalise
from align.exceptions import InvalidArgumentError, UnknownNameError
from align.postings._title_clean import CleanTitle, Lexicon, clean_title, title_words

if TYPE_CHECKING:
    from align._match import Matcher

__all__ = ["CODE_COLUMNS", "FEATURES", "FEATURE_DOCS", "TIE_RATIO", "TitleCoder"]

#: Features of a (title, occupation) pair, by coder variant (the matching method).
FEATURES: dict[str, tuple[str, ...]] = {
    "hybrid": (
        "sem_core", "sem_full", "sem_title", "sem_title_full", "knn", "lex_core", "lex_title",
        "exact", "exact_shared", "exact_title", "head", "manager_for_staff", "staff_for_manager",
        "supervisor_for_staff",
    ),
    "semantic": (
        "sem_core", "sem_full", "sem_title", "sem_title_full", "knn", "head",
        "manager_for_staff", "staff_for_manager", "supervisor_for_staff",
    ),
    "lexical": (
        "lex_core", "lex_title", "exact", "exact_shared", "exact_title", "head",
        "manager_for_staff", "staff_for_manager", "supervisor_for_staff",
    ),
}  # fmt: skip
#: What each feature measures (for the weights file and the docs).
FEATURE_DOCS: dict[str, str] = {
    "sem_core": "cosine of the title's core and the occupation's nearest title or alternate title",
    "sem_full": "the same for the whole cleaned title",
    "sem_title": "cosine of the core and the occupation's own title",
    "sem_title_full": "cosine of the whole cleaned title and the occupation's own title",
    "knn": "share of the 25 alternate titles nearest the core that are the occupation's",
    "lex_core": "best string similarity (rapidfuzz ratio) of the core to the occupation's titles",
    "lex_title": "token-set similarity of the core to the occupation's own title",
    "exact": "the core or the cleaned title is one of the occupation's titles, verbatim",
    "exact_shared": "log of how many occupations list that verbatim title (0 without one)",
    "exact_title": "the core is the occupation's own title",
    "head": "the core's head noun is a word of the occupation's title",
    "manager_for_staff": "a management occupation for a title that names no manager",
    "staff_for_manager": "a title that names a manager, an occupation that is none",
    "supervisor_for_staff": "a first-line supervisor occupation for a title naming no lead",
}
#: Columns of :meth:`TitleCoder.code`.
CODE_COLUMNS: tuple[str, ...] = (
    "query_index", "title", "rank", "onet_code", "onet_title", "score", "confidence", "tied",
)  # fmt: skip
_WEIGHTS = "_title_weights.json"
_SHORTLIST = 30
_KNN = 25
_BATCH = 256
# Heads that name a manager whatever the taxonomy's title says ("Director of ...").
_MANAGER_HEADS = frozenset({"director", "head", "chief", "president", "vp", "manager"})
# Title words that make a posting a management or a lead job.
_MANAGER_WORDS = frozenset(
    {"manager", "director", "head", "vp", "vice", "president", "chief", "executive", "officer"}
)
_LEAD_WORDS = frozenset({"supervisor", "lead", "leader", "foreman", "superintendent"})
# Two codes are a tie when the runner-up is at least this likely relative to the top code.
TIE_RATIO = 0.9


@lru_cache(maxsize=1)
def _weights() -> dict[str, Any]:
    text = resources.files("align.postings").joinpath(_WEIGHTS).read_text(encoding="utf-8")
    return dict(json.loads(text))


def _key(text: str) -> str:
    return normalise(str(text))


def _top(a: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the ``k`` largest values of each row (all of them when fewer)."""
    if k >= a.shape[1]:
        return np.broadcast_to(np.arange(a.shape[1]), a.shape)
    return np.argpartition(-a, k, axis=1)[:, :k]


def _calibrate(p: pd.Series, cal: dict[str, float] | None) -> pd.Series:
    """The top code's model probability -> the share of such codings that are right.

    Platt scaling, ``sigmoid(a * logit(p) + b)``, fitted on the cross-validated dev
    predictions of the title benchmark (``benchmarks/postings_title_codes.py --fit``).
    """
    if not cal:
        return p
    q = np.clip(p.to_numpy(np.float64), 1e-6, 1 - 1e-6)
    z = float(cal["a"]) * np.log(q / (1 - q)) + float(cal["b"])
    return pd.Series(1 / (1 + np.exp(-z)), index=p.index)


class TitleCoder:
    """Codes job titles to O*NET-SOC occupations (see the module notes).

    Parameters
    ----------
    onet : Framework, optional
        The O*NET framework (default: loaded from ``data_dir``).
    method : {"hybrid", "semantic", "lexical"}
        ``hybrid`` (default): embeddings and string evidence; ``semantic``:
        embeddings only; ``lexical``: strings only, no model.
    data_dir : str or PathLike, optional
        Data folder holding O*NET.
    embedder : Embedder, optional
        Embedding model (default: the packaged one).
    matcher : Matcher, optional
        A fitted occupations matcher to take the surfaces (and vectors) from;
        its method is the coder's method.
    weights : mapping, optional
        Model weights (``{"coef": [...], "null": float}``) instead of the fitted
        ones; ``None`` with ``features_only=True`` is how the weights are fitted.

    Examples
    --------
    >>> from align.postings._title_coder import FEATURES
    >>> FEATURES["lexical"][:3]
    ('lex_core', 'lex_title', 'exact')
    """

    def __init__(
        self,
        onet: Any = None,
        *,
        method: Method = "hybrid",
        data_dir: Any = None,
        embedder: Any = None,
        matcher: Matcher | None = None,
        weights: dict[str, Any] | None = None,
    ) -> None:
        if matcher is not None:
            method = matcher.method  # type: ignore[assignment]
        if method not in METHODS:
            raise UnknownNameError(f"method {method!r} is not one of {', '.join(METHODS)}.")
        if matcher is not None and matcher.target != "occupations":
            raise InvalidArgumentError(
                "matcher must match occupations (make_title_matcher(), or "
                "Matcher(onet, target='occupations').fit())."
            )
        self.method = str(method)
        self.onet = onet
        self.data_dir = data_dir
        self.embedder = embedder
        self.matcher = matcher
        self._given_weights = weights

    # -- fitting ----------------------------------------------------------------
    def fit(self) -> TitleCoder:
        """Index O*NET's occupations and their titles (embedding them, unless lexical)."""
        from align._match import Matcher

        m = self.matcher
        if m is None:
            onet = self.onet
            if onet is None:
                from align.frameworks import load_framework

                onet = load_framework("onet", data_dir=self.data_dir)
            m = Matcher(
                onet,
                self.method,  # type: ignore[arg-type]  # checked in __init__
                target="occupations",
                embedder=self.embedder,
                alt_labels=True,
            ).fit()
        elif not hasattr(m, "items_"):
            m = m.fit()
        self.matcher_ = m
        items = m.items_.reset_index(drop=True)
        surf = m.surfaces_.reset_index(drop=True)
        self.codes_ = items["code"].astype(str).to_numpy()
        self.titles_ = items["label"].astype(str).to_numpy()
        self._surf_item = surf["item"].to_numpy(np.int64)
        self._starts = np.flatnonzero(np.r_[True, np.diff(self._surf_item) != 0])
        self._surf_keys = [_key(t) for t in surf["text"]]
        exact: dict[str, set[int]] = {}
        for item, k in zip(self._surf_item.tolist(), self._surf_keys, strict=True):
            if k:
                exact.setdefault(k, set()).add(item)
        self._exact = exact
        self._title_key = [_key(t.split(",")[0]) for t in self.titles_]
        self._title_words = [frozenset(title_words(t)) for t in self.titles_]
        self._is_manager = np.array(
            [c.startswith("11-") or "Managers" in t or "Chief" in t
             for c, t in zip(self.codes_, self.titles_, strict=True)]
        )  # fmt: skip
        self._is_supervisor = np.array(["First-Line Supervisors" in t for t in self.titles_])
        self._item_surfaces = np.split(np.arange(len(surf)), self._starts[1:])
        self.lexicon_ = Lexicon.from_titles(surf["text"].tolist())
        self._vectors = None if self.method == "lexical" else m.vectors_
        if self._vectors is not None:
            labels = np.flatnonzero(surf["type"].to_numpy() == "label")
            self._title_vectors = self._vectors[labels[np.argsort(self._surf_item[labels])]]
        return self

    @property
    def weights(self) -> dict[str, Any]:
        """The model's weights for this coder's method."""
        if self._given_weights is not None:
            return self._given_weights
        return dict(_weights()["variants"][self.method])

    # -- features ---------------------------------------------------------------
    def features(self, titles: Sequence[str]) -> pd.DataFrame:
        """One row per (title, shortlisted occupation): ``query_index``, ``item`` and
        the features of :data:`FEATURES` for this coder's method."""
        if not hasattr(self, "codes_"):
            self.fit()
        clean = [clean_title(t, self.lexicon_) for t in titles]
        parts = [
            self._batch_features(clean[s : s + _BATCH], s) for s in range(0, len(clean), _BATCH)
        ]
        cols = ["query_index", "item", *FEATURES[self.method]]
        out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
        return out[cols]

    def _batch_features(self, clean: list[CleanTitle], offset: int) -> pd.DataFrame:
        n_items = len(self.codes_)
        cand: list[np.ndarray] = []
        sem: dict[str, np.ndarray] = {}
        if self._vectors is not None:
            emb = self.matcher_.embedder
            assert emb is not None  # a fitted semantic or hybrid matcher has its embedder
            texts = list(dict.fromkeys([c.core for c in clean] + [c.full for c in clean]))
            vec = emb.encode(texts, show_progress=False)
            pos = {t: i for i, t in enumerate(texts)}
            vc = vec[[pos[c.core] for c in clean]]
            vf = vec[[pos[c.full] for c in clean]]
            sims_c = np.clip(vc @ self._vectors.T, 0.0, 1.0)
            sims_f = np.clip(vf @ self._vectors.T, 0.0, 1.0)
            sem["sem_core"] = np.maximum.reduceat(sims_c, self._starts, axis=1)
            sem["sem_full"] = np.maximum.reduceat(sims_f, self._starts, axis=1)
            sem["sem_title"] = np.clip(vc @ self._title_vectors.T, 0.0, 1.0)
            sem["sem_title_full"] = np.clip(vf @ self._title_vectors.T, 0.0, 1.0)
            knn = np.zeros((len(clean), n_items), dtype=np.float32)
            top = _top(sims_c, _KNN)
            for q in range(len(clean)):
                s = sims_c[q, top[q]]
                np.add.at(knn[q], self._surf_item[top[q]], s / max(float(s.sum()), 1e-9))
            sem["knn"] = knn
            best = np.maximum(sem["sem_core"], sem["sem_full"])
            short = _top(best, _SHORTLIST)
            cand = [short[q] for q in range(len(clean))]
        else:
            cand = self._lexical_shortlist([c.core for c in clean])
        rows = []
        for q, c in enumerate(clean):
            keys = {_key(c.core), _key(c.full)}
            exact_items = set().union(*(self._exact.get(k, set()) for k in keys))
            items = np.unique(np.r_[cand[q], np.fromiter(exact_items, np.int64)]).astype(np.int64)
            f: dict[str, Any] = {"query_index": offset + q, "item": items}
            for name, mat in sem.items():
                f[name] = mat[q, items]
            if self.method != "semantic":
                f.update(self._string_features(c, items, exact_items))
            f["head"] = self._head_feature(c, items)
            f.update(self._level_features(c, items))
            rows.append(f)
        return pd.DataFrame({k: np.concatenate([np.broadcast_to(r[k], len(r["item"]))
                                                for r in rows]) for k in rows[0]})  # fmt: skip

    def _lexical_shortlist(self, cores: list[str]) -> list[np.ndarray]:
        keys = [_key(c) for c in cores]
        sims = process.cdist(
            keys, self._surf_keys, scorer=fuzz.token_set_ratio, dtype=np.uint8, workers=-1
        )
        out = []
        for row in sims:
            best = np.maximum.reduceat(row.astype(np.int16), self._starts)
            out.append(_top(best[None, :], _SHORTLIST)[0])
        return out

    def _string_features(
        self, c: CleanTitle, items: np.ndarray, exact_items: set[int]
    ) -> dict[str, np.ndarray]:
        core = _key(c.core)
        segs = [self._item_surfaces[it] for it in items.tolist()]
        surfs = np.concatenate(segs)
        starts = np.r_[0, np.cumsum([len(x) for x in segs])[:-1]]
        ratio = process.cdist(
            [core], [self._surf_keys[i] for i in surfs], scorer=fuzz.ratio, dtype=np.float32
        )[0]
        lex = np.maximum.reduceat(ratio, starts) / 100.0
        lex_title = np.array(
            [fuzz.token_set_ratio(core, _key(self.titles_[it])) / 100.0 for it in items],
            dtype=np.float32,
        )
        exact = np.isin(items, list(exact_items)).astype(np.float32)
        shared = exact * np.log(max(len(exact_items), 1))
        exact_title = np.array([self._title_key[it] == core for it in items], dtype=np.float32)
        return {
            "lex_core": lex,
            "lex_title": lex_title,
            "exact": exact,
            "exact_shared": shared.astype(np.float32),
            "exact_title": exact_title,
        }

    def _head_feature(self, c: CleanTitle, items: np.ndarray) -> np.ndarray:
        head = c.head
        heads = {head} | (_MANAGER_HEADS if head in _MANAGER_HEADS else set())
        return np.array(
            [bool(heads & self._title_words[it]) for it in items.tolist()], dtype=np.float32
        )

    def _level_features(self, c: CleanTitle, items: np.ndarray) -> dict[str, np.ndarray]:
        """Management and lead level of the title against the occupation's."""
        words = set(title_words(c.full))
        manager = (bool(words & _MANAGER_WORDS) and "assistant" not in words) or (
            c.head in _MANAGER_HEADS
        )
        lead = bool(words & _LEAD_WORDS)
        occ_mgr = self._is_manager[items]
        occ_sup = self._is_supervisor[items]
        return {
            "manager_for_staff": (occ_mgr & (not manager)).astype(np.float32),
            "staff_for_manager": (manager & ~occ_mgr & ~occ_sup).astype(np.float32),
            "supervisor_for_staff": (occ_sup & (not lead) & (not manager)).astype(np.float32),
        }

    # -- coding -----------------------------------------------------------------
    def code(self, titles: Sequence[str], top_k: int = 5) -> pd.DataFrame:
        """Code titles (one row per title and code, best first).

        Returns
        -------
        DataFrame
            Columns :data:`CODE_COLUMNS`: ``query_index`` (position in
            ``titles``), ``title`` (as given), ``rank``, ``onet_code``,
            ``onet_title``, ``score`` (the model's probability that this code is
            the title's occupation), ``confidence`` (how likely the rank-1 code
            is right: the top score, calibrated on the benchmark's dev half, so
            that of codings with confidence 0.8 about 8 in 10 are right) and
            ``tied`` (the runner-up is at least :data:`TIE_RATIO` as likely as
            the top code). Blank titles get no rows.
        """
        titles = list(titles)
        keep = [i for i, t in enumerate(titles) if str(t).strip()]
        if not keep:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in CODE_COLUMNS})
        feats = self.features([titles[i] for i in keep])
        w = self.weights
        names = FEATURES[self.method]
        x = feats[list(names)].to_numpy(np.float64)
        util = x @ np.asarray(w["coef"], dtype=np.float64)
        feats = feats.assign(util=util)
        # Softmax over each title's shortlist and the "none of these" option.
        top = feats.groupby("query_index")["util"].transform("max")
        m = np.maximum(top.to_numpy(), float(w["null"]))
        e = np.exp(feats["util"].to_numpy() - m)
        denom = pd.Series(e).groupby(feats["query_index"].to_numpy()).transform("sum").to_numpy()
        feats["score"] = e / (denom + np.exp(float(w["null"]) - m))
        feats = feats.sort_values(["query_index", "score", "item"], ascending=[True, False, True])
        feats["rank"] = feats.groupby("query_index").cumcount() + 1
        first = feats[feats["rank"] == 1].set_index("query_index")["score"]
        second = feats[feats["rank"] == 2].set_index("query_index")["score"]
        tied = second.reindex(first.index).fillna(0.0) >= TIE_RATIO * first
        confidence = _calibrate(first, w.get("calibration"))
        out = feats[feats["rank"] <= top_k]
        qi = out["query_index"].to_numpy()
        return pd.DataFrame(
            {
                "query_index": np.asarray(keep, dtype=np.int64)[qi],
                "title": [titles[keep[q]] for q in qi],
                "rank": out["rank"].to_numpy(np.int64),
                "onet_code": self.codes_[out["item"].to_numpy()],
                "onet_title": self.titles_[out["item"].to_numpy()],
                "score": out["score"].to_numpy(np.float64).round(6),
                "confidence": confidence.reindex(qi).to_numpy(np.float64).round(6),
                "tied": tied.reindex(qi).to_numpy(bool),
            }
        ).reset_index(drop=True)
