"""Matcher: short texts (outcomes, posting sentences, job titles) to competencies.

Two signals, one fused score:

* **semantic** -- cosine similarity between the query's vector and the vector
  of each *surface form* of a competency (its label, each alt label and, where
  it helps, its description), maximised over the surfaces. Negative cosines
  count as 0. A short preferred label is embedded both bare and inside a
  sentence frame (``label_templates``, default "Required skill: {label}.") and
  the two vectors are averaged, which brings it nearer to how postings and
  outcomes write it.
* **lexical** -- string evidence computed with rapidfuzz on normalised text
  (lower case, punctuation and ``&`` unified, plural ``s`` stripped): the
  larger of (a) the similarity of the whole query to a label
  (``fuzz.ratio``), so a job title or outcome that *is* a label scores 1, and
  (b) a *mention* score when a label or alt label occurs inside the query:
  ``mention_weight`` for an exact mention of a multi-word label,
  ``single_word_mention_weight`` for a one-word label, 0.9 times those for a
  near-exact mention (``fuzz.partial_ratio`` >= 90 on labels of 8+
  characters). Values below ``lexical_floor`` count as 0, so weak fuzzy
  overlap adds no noise.

``score = (1 - lexical_weight) * semantic_score + lexical_weight * lexical_score``
for ``method="hybrid"``; the semantic or lexical score alone for the other
methods (with ``priors``, mixed with the prior's percentile rank; see
:class:`Matcher`). It is a fused similarity in [0, 1], not a probability: 1 means the
query is (a normalised form of) the competency's label; a label mentioned inside
the query adds up to 0.35; a close paraphrase with no shared wording (cosine
about 0.7) scores about 0.5; unrelated texts stay below about 0.3. The default
weights were chosen by grid search on the dev splits of the TECH and HOUSE
skill-linking benchmarks only (see ``benchmarks/quality.py`` and
``benchmarks/RESULTS-matching.md``).

Candidates: each query's ``shortlist`` best competencies by semantic score,
plus every competency whose label or alt label occurs verbatim (after
normalisation) in the query, found by an n-gram lookup, so exact and
near-exact label mentions are never lost however the embedding ranks them.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from align._adapted import adapted_for
from align._config import METHODS, Method, PathLike
from align._embed import Embedder, get_embedder
from align._matchbase import MATCH_COLUMNS, normalise
from align._routing import adapted_mask
from align._safeio import check_text
from align._warnings import warn
from align.exceptions import (
    InvalidArgumentError,
    UnknownNameError,
)
from align.frameworks._model import KINDS, Framework

__all__ = [
    "DEFAULT_LABEL_TEMPLATES",
    "MATCH_COLUMNS",
    "MATCH_TARGETS",
    "METHODS",
    "SKIPPED_KINDS",
    "TARGETS",
    "Matcher",
    "match",
    "normalise",
    "split_clauses",
]

logger = logging.getLogger(__name__)

Target = Literal["competencies", "occupations"]
#: What a Matcher matches against.
TARGETS: dict[str, str] = {
    "competencies": "competencies: label, alt labels and (see `descriptions`) descriptions",
    "occupations": "occupations: title and alternate titles (job-title coding)",
}
Descriptions = Literal["auto", "always", "never"]
_DESCRIPTIONS: dict[str, str] = {
    "auto": "use descriptions for the kinds of a framework that have at most 2,000 items "
    "(cheap, and terse labels such as O*NET's 'Active Learning' need them)",
    "always": "embed every description too",
    "never": "labels and alt labels only",
}
_AUTO_DESCRIPTION_LIMIT = 2000
#: Sentence frames a competency label is also embedded in (see ``label_templates``).
DEFAULT_LABEL_TEMPLATES: tuple[str, ...] = ("Required skill: {label}.",)
# Labels longer than this are sentences already (O*NET tasks, learning outcomes used as
# targets): they are embedded as they are. ESCO's labels have at most 13 words (99 % at
# most 8), O*NET's DWAs 15 (90 % at most 9).
_TEMPLATE_MAX_WORDS = 10
#: Kinds a Matcher leaves out unless ``kinds`` names them (or is ``"all"``), by
#: framework key; ``"*"`` applies to every framework. Grouping nodes are headings, not
#: competencies. O*NET's 18,796 task statements and its technology examples would make
#: a first run embed ~60,000 more texts, and outcomes are described better by its
#: skills, knowledge and work activities.
SKIPPED_KINDS: dict[str, frozenset[str]] = {
    "*": frozenset({"area"}),
    "onet": frozenset({"area", "task", "technology"}),
}
# Chosen on dev data only: TECH/HOUSE skill linking for competencies, JobBERT dev titles
# for occupations (a job title gains little from string evidence beyond its embedding).
_DEFAULT_LEXICAL_WEIGHT = {"competencies": 0.35, "occupations": 0.1}

_MAX_NGRAM = 8
_QUALIFIER = re.compile(r"\s*\([^)]*\)")
# An all-capitals surface such as "IT", "HR" or "SQL": in a query written in mixed case
# it counts as mentioned only where the query also writes it in capitals ("in it" is
# not "IT").
_ACRONYM = re.compile(r"[A-Z][A-Z0-9+#]{0,5}")
_CAPS_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Z][A-Z0-9+#]*(?![a-z0-9])")
# Bounds the (queries x surfaces) similarity block held in memory at once.
_BLOCK_FLOATS = 16_000_000


_CLAUSE = re.compile(
    r"\s*(?:[,;:|/•·*\n\t()\[\]!?]|\.\s|\s[-–]\s|\b(?:and|or|as well as|including|"
    r"such as|e\.g\.|with)\b)\s*",
    re.IGNORECASE,
)
_MAX_CLAUSES = 12


def _caps_words(text: str) -> frozenset[str] | None:
    """Normalised words written in capitals, or None when case tells nothing.

    A text written all in capitals (a shouted title) or all in lower case
    gives ``None``: acronyms then match whatever their case.

    Examples
    --------
    >>> sorted(_caps_words("Experience in IT or SQL, and in it"))
    ['it', 'sql']
    >>> _caps_words("experience with sql") is None
    True
    """
    if not any(c.islower() for c in text) or not any(c.isupper() for c in text):
        return None
    return frozenset(normalise(w) for w in _CAPS_WORD.findall(text))


def split_clauses(text: str) -> list[str]:
    """Split a sentence into clauses at punctuation and conjunctions.

    Returns the clauses (at least two characters, at most 12), or ``[]``
    when the text is a single clause.

    Examples
    --------
    >>> split_clauses("Prepare budgets, present findings and coach staff")
    ['Prepare budgets', 'present findings', 'coach staff']
    >>> split_clauses("Teamwork")
    []
    """
    parts = [p.strip(" .-") for p in _CLAUSE.split(text)]
    parts = [p for p in parts if len(p) >= 2]
    if len(parts) < 2:
        return []
    return list(dict.fromkeys(parts))[:_MAX_CLAUSES]


def _check_frameworks(frameworks: Framework | Sequence[Framework]) -> list[Framework]:
    fws = [frameworks] if isinstance(frameworks, Framework) else list(frameworks)
    if not fws:
        raise InvalidArgumentError(
            "frameworks is empty; pass a Framework (e.g. align.load_framework('onet')) or a "
            "list of them."
        )
    for i, fw in enumerate(fws):
        if not isinstance(fw, Framework):
            raise InvalidArgumentError(
                f"frameworks[{i}] is a {type(fw).__name__}; expected a Framework from "
                "align.load_framework(...)."
            )
    return fws


def _check_choice(name: str, value: Any, options: dict[str, str]) -> str:
    if value not in options:
        raise InvalidArgumentError(
            f"{name}={value!r} is not an option; use one of {', '.join(map(repr, options))}."
        )
    return str(value)


def _check_queries(texts: Sequence[str] | str) -> list[str]:
    if isinstance(texts, str):
        return [texts]
    if not isinstance(texts, Iterable):
        raise InvalidArgumentError(
            f"texts is a {type(texts).__name__}; expected a string or a list of strings."
        )
    out = list(texts)
    for i, t in enumerate(out):
        if not isinstance(t, str):
            raise InvalidArgumentError(
                f"texts[{i}] is a {type(t).__name__} ({t!r:.60}); expected a string. "
                "Convert numbers and missing values to text (or drop them) first."
            )
        # Lone surrogates (bytes that were not UTF-8) break the tokenizer; very long texts
        # cost time and say nothing a sentence would not (limit: MAX_TEXT_CHARS).
        check_text(t, f"texts[{i}]")
    return out


def _empty_result() -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series(dtype=object) for c in MATCH_COLUMNS})
    for c in ("query_index", "rank"):
        df[c] = df[c].astype("int64")
    for c in ("score", "semantic_score", "lexical_score"):
        df[c] = df[c].astype("float64")
    return df


class Matcher:
    """Match short texts to the competencies (or occupations) of frameworks.

    Parameters
    ----------
    frameworks : Framework or sequence of Framework
        What to match against.
    method : {"hybrid", "semantic", "lexical"}
        How to score; see :data:`METHODS`.
    target : {"competencies", "occupations"}
        Match competencies, or occupation titles and alternate titles.
    kinds : sequence of str or "all", optional
        Only competencies of these kinds (``["skill", "knowledge"]``). ``None``
        keeps every kind but those in :data:`SKIPPED_KINDS` (grouping nodes;
        O*NET tasks and technology examples); ``"all"`` keeps everything.
        Ignored for ``target="occupations"``.
    embedder : Embedder, optional
        Defaults to the shared default model (:func:`align._embed.get_embedder`).
    descriptions : {"auto", "always", "never"}
        Whether descriptions are surface forms too; see the module docstring.
    alt_labels : bool
        Use alt labels (alternate titles) as surface forms.
    lexical_weight, mention_weight, single_word_mention_weight, lexical_floor
        Fusion parameters (module docstring); the defaults were chosen on the
        dev sets. ``lexical_weight=None`` means 0.35 for competencies and 0.1
        for occupations.
    shortlist : int
        Semantic candidates per query that get a lexical score (at least
        ``top_k``). 30, 50 and 100 give identical dev-set RP@5 and RP@10; 50
        keeps matching 1,000 queries against all of ESCO under 2 s.
    split_queries : bool
        Also match each clause of a query (split at punctuation and
        conjunctions, :func:`split_clauses`): semantic similarity becomes the
        max over the whole query and its clauses (clauses weighted by
        ``piece_weight``), and a clause that is a label counts as lexical
        evidence. Off by default: on the dev sets it helped TECH and hurt HOUSE.
    piece_weight : float
        Weight of clause similarities when ``split_queries`` is on.
    label_templates : sequence of str
        Sentences with a ``{label}`` placeholder. The semantic vector of a
        competency's preferred label is the normalised sum of the embeddings of
        the bare label and of the label written into each template (prompt
        ensembling): a bare label such as "think analytically" sits far from
        the way job ads and outcomes write it, and a sentence frame moves it
        closer. The default, ``("Required skill: {label}.",)``, was chosen on
        the dev splits (see ``benchmarks/RESULTS-matching.md``); ``()`` turns
        it off. Labels of more than 10 words (task statements, outcomes used
        as targets) are already sentences and stay bare; not used for
        ``target="occupations"`` (job titles are matched as titles).
    alt_weight, description_weight : float
        Multipliers of the semantic similarity of alt labels and descriptions
        (a preferred label is the most precise surface; alt labels and long
        descriptions match loosely more often).
    priors : mapping of competency id to float, optional
        Prior frequency of each competency (any scale, e.g. how often it is
        asked for in postings). Enters as its percentile rank:
        ``score = (1 - prior_weight) * fused + prior_weight * prior_rank``.
    prior_weight : float
        Weight of the prior when ``priors`` are given.
    show_progress : bool, optional
        Progress bar while fitting; ``None`` shows it on long runs.

    Examples
    --------
    >>> import pandas as pd
    >>> from align import Framework, FrameworkInfo
    >>> from align._match import Matcher
    >>> info = FrameworkInfo(key="demo", name="Demo", publisher="Us", version="1",
    ...                      source_url="", licence="CC0", attribution="")
    >>> fw = Framework(info, pd.DataFrame({
    ...     "id": ["demo:a", "demo:b"], "framework": "demo", "code": ["a", "b"],
    ...     "label": ["Teamwork", "Financial analysis"], "kind": "skill",
    ...     "alt_labels": [["collaboration"], []]}))
    >>> m = Matcher(fw, method="lexical").fit()
    >>> m.match("Financial analysis", top_k=1)[["rank", "id", "score"]]
       rank      id  score
    0     1  demo:b    1.0
    """

    def __init__(
        self,
        frameworks: Framework | Sequence[Framework],
        method: Method = "hybrid",
        *,
        target: Target = "competencies",
        kinds: Sequence[str] | str | None = None,
        embedder: Embedder | None = None,
        descriptions: Descriptions = "auto",
        alt_labels: bool = True,
        lexical_weight: float | None = None,
        mention_weight: float = 0.9,
        single_word_mention_weight: float = 0.8,
        lexical_floor: float = 0.7,
        shortlist: int = 50,
        alt_weight: float = 0.85,
        description_weight: float = 0.9,
        split_queries: bool = False,
        piece_weight: float = 0.9,
        priors: Mapping[str, float] | None = None,
        prior_weight: float = 0.06,
        label_templates: Sequence[str] = DEFAULT_LABEL_TEMPLATES,
        show_progress: bool | None = None,
    ) -> None:
        self.frameworks = _check_frameworks(frameworks)
        self.method = _check_choice("method", method, METHODS)
        self.target = _check_choice("target", target, TARGETS)
        self.descriptions = _check_choice("descriptions", descriptions, _DESCRIPTIONS)
        if kinds is not None and kinds != "all":
            kinds = [kinds] if isinstance(kinds, str) else list(kinds)
            unknown = sorted(set(kinds) - set(KINDS))
            if unknown:
                raise UnknownNameError(
                    f"kinds={unknown} are not competency kinds; use some of {sorted(KINDS)} "
                    "or 'all'."
                )
        self.kinds = kinds
        self.embedder = embedder
        self.alt_labels = bool(alt_labels)
        if lexical_weight is None:
            lexical_weight = _DEFAULT_LEXICAL_WEIGHT[self.target]
        for name, value in (
            ("lexical_weight", lexical_weight),
            ("mention_weight", mention_weight),
            ("single_word_mention_weight", single_word_mention_weight),
            ("lexical_floor", lexical_floor),
        ):
            if not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
                raise InvalidArgumentError(f"{name}={value!r}; expected a number in [0, 1].")
        self.lexical_weight = float(lexical_weight)
        self.mention_weight = float(mention_weight)
        self.single_word_mention_weight = float(single_word_mention_weight)
        self.lexical_floor = float(lexical_floor)
        if not isinstance(shortlist, int) or shortlist < 1:
            raise InvalidArgumentError(f"shortlist={shortlist!r}; expected a positive integer.")
        self.shortlist = shortlist
        self.split_queries = bool(split_queries)
        for name, value in (
            ("piece_weight", piece_weight),
            ("prior_weight", prior_weight),
            ("alt_weight", alt_weight),
            ("description_weight", description_weight),
        ):
            if not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
                raise InvalidArgumentError(f"{name}={value!r}; expected a number in [0, 1].")
        self.piece_weight = float(piece_weight)
        self.alt_weight = float(alt_weight)
        self.description_weight = float(description_weight)
        if isinstance(label_templates, str):
            label_templates = (label_templates,)
        bad = [t for t in label_templates if not isinstance(t, str) or "{label}" not in t]
        if bad:
            raise InvalidArgumentError(
                f"label_templates={bad!r}: each template must be a string containing "
                "'{label}', such as 'Required skill: {label}.'; use () for none."
            )
        self.label_templates = tuple(label_templates)
        self.priors = dict(priors) if priors is not None else None
        self.prior_weight = float(prior_weight)
        self.show_progress = show_progress

    def __repr__(self) -> str:
        keys = ", ".join(fw.key for fw in self.frameworks)
        state = f"{len(self.items_)} items" if hasattr(self, "items_") else "not fitted"
        return f"<Matcher {self.method} {self.target} of {keys}: {state}>"

    # -- fitting ---------------------------------------------------------------
    def _items_and_surfaces(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        items: list[pd.DataFrame] = []
        surfaces: list[tuple[int, str, str]] = []
        offset = 0
        for fw in self.frameworks:
            if self.target == "competencies":
                df = fw.competencies
                if self.kinds is None:
                    skip = SKIPPED_KINDS.get(fw.key, SKIPPED_KINDS["*"])
                    df = df[~df["kind"].isin(skip)]
                elif self.kinds != "all":
                    df = df[df["kind"].isin(self.kinds)]
                part = df[["framework", "id", "code", "label", "kind", "url"]].copy()
                alts = df["alt_labels"].tolist()
            else:
                df = fw.occupations
                part = df[["framework", "id", "code", "title", "url"]].rename(
                    columns={"title": "label"}
                )
                part.insert(4, "kind", "occupation")
                alts = df["alt_titles"].tolist()
            part["framework"] = part["framework"].where(part["framework"] != "", fw.key)
            if self.descriptions == "auto" and self.target == "occupations":
                # A job title is a title: long occupation descriptions only add noise.
                use_desc = [False] * len(part)
            elif self.descriptions == "auto":
                sizes = part["kind"].map(part["kind"].value_counts())
                use_desc = (sizes <= _AUTO_DESCRIPTION_LIMIT).tolist()
            else:
                use_desc = [self.descriptions == "always"] * len(part)
            descs = df["description"].tolist()
            for j, (label, code) in enumerate(zip(part["label"], part["code"], strict=True)):
                idx = offset + j
                seen = set()
                names = [label or code, *(alts[j] if self.alt_labels else [])]
                # "Python (computer programming)" is asked for as "Python": the name
                # without its parenthetical qualifier is one more alt label.
                bare = [_QUALIFIER.sub("", n).strip() for n in names if "(" in n]
                for text, kind in [
                    (names[0], "label"),
                    *((a, "alt") for a in names[1:]),
                    *((b, "alt") for b in bare if b),
                    *([(descs[j], "description")] if use_desc[j] and descs[j] else []),
                ]:
                    text = " ".join(str(text).split())
                    if text and text.lower() not in seen:
                        seen.add(text.lower())
                        surfaces.append((idx, text, kind))
            offset += len(part)
            items.append(part)
        item_df = (
            pd.concat(items, ignore_index=True)
            if items
            else pd.DataFrame(columns=["framework", "id", "code", "label", "kind", "url"])
        )
        surf_df = pd.DataFrame(surfaces, columns=["item", "text", "type"])
        return item_df, surf_df

    def fit(self) -> Matcher:
        """Index every surface form once (embedding it for semantic/hybrid methods).

        Returns
        -------
        Matcher
            ``self``, fitted: ``items_``, ``surfaces_``, ``vectors_`` (or
            ``None`` for the lexical method) and the lexical index.
        """
        items, surfaces = self._items_and_surfaces()
        if items.empty:
            what = f"kinds {self.kinds}" if self.kinds else self.target
            raise InvalidArgumentError(
                f"nothing to match against: the frameworks have no {what}. "
                "Check the kinds (see `align frameworks show NAME`) or the target."
            )
        self.items_ = items
        self.surfaces_ = surfaces
        present: set[str] = set()
        if self.target == "competencies":
            for fw in self.frameworks:
                present.update(fw.competencies["kind"])
        self._unfitted_kinds = present - set(items["kind"])
        self._twin_parent = self._twin_parents(items)
        self._surf_item = surfaces["item"].to_numpy(np.int64)
        self._item_starts = np.flatnonzero(np.r_[True, np.diff(self._surf_item) != 0])
        norm = [normalise(t) for t in surfaces["text"]]
        self._surf_norm = np.array(norm, dtype=object)
        lexical = (surfaces["type"] != "description").to_numpy()
        self._surf_lexical = lexical
        self._surf_words = np.array([len(n.split()) for n in norm], dtype=np.int64)
        self._surf_len = np.array([len(n) for n in norm], dtype=np.int64)
        self._surf_acronym = np.array(
            [bool(_ACRONYM.fullmatch(t)) for t in surfaces["text"]], dtype=bool
        )
        index: dict[str, list[int]] = {}
        for i, n in enumerate(norm):
            if lexical[i] and n and self._surf_words[i] <= _MAX_NGRAM:
                index.setdefault(n, []).append(i)
        self._ngram_index = index
        self._item_surfaces = np.split(np.arange(len(surfaces)), self._item_starts[1:])
        self._prior = None
        if self.priors:
            # Priors enter as their percentile rank, so any scale (counts, probabilities)
            # gives a bonus in [0, 1]; competencies without a prior get 0.
            raw = items["id"].map(self.priors).astype("float64")
            self._prior = raw.rank(pct=True).fillna(0.0).to_numpy()
        self._embedders: list[Embedder] = []
        if self.method == "lexical":
            self.vectors_ = None
        else:
            if self.embedder is None:
                self.embedder = get_embedder()
            self.vectors_ = self._surface_vectors(items, surfaces)
        return self

    def _routes(self, items: pd.DataFrame, surfaces: pd.DataFrame) -> np.ndarray:
        """Per surface, the index into ``self._embedders`` of the model that embeds it.

        A default embedder routes the kinds of :mod:`align._routing` to align's
        adapted model; any other embedder embeds everything.
        """
        assert self.embedder is not None
        adapted = adapted_for(self.embedder)
        item_adapted = (
            adapted_mask(items["id"].tolist(), items["kind"].tolist(), self.embedder.routes)
            if adapted is not None
            else np.zeros(len(items), dtype=bool)
        )
        on_adapted = item_adapted[surfaces["item"].to_numpy(np.int64)]
        if on_adapted.all() and adapted is not None:
            self._embedders = [adapted]
            return np.zeros(len(surfaces), dtype=np.int64)
        self._embedders = [self.embedder]
        if on_adapted.any() and adapted is not None:
            self._embedders.append(adapted)
        return on_adapted.astype(np.int64)

    def _surface_vectors(self, items: pd.DataFrame, surfaces: pd.DataFrame) -> np.ndarray:
        """Unit vectors of the surfaces (label templates ensembled), one row per surface.

        With two models (some kinds on the adapted model), a row holds its own
        model's vector in that model's block of columns and zeros elsewhere; a query
        is embedded by both (:meth:`_encode_queries`), so a dot product compares each
        surface with the query's vector of its own model.
        """
        route = self._routes(items, surfaces)
        texts = surfaces["text"].tolist()
        templates = self.label_templates if self.target == "competencies" else ()
        at = np.zeros(0, dtype=np.int64)
        if templates:
            short = [len(t.split()) <= _TEMPLATE_MAX_WORDS for t in texts]
            at = np.flatnonzero((surfaces["type"] == "label").to_numpy() & np.array(short))
        extra = [t.replace("{label}", texts[i]) for t in templates for i in at]
        all_texts = np.array(texts + extra, dtype=object)
        all_route = np.concatenate([route, np.tile(route[at], len(templates))])
        blocks: list[tuple[np.ndarray, np.ndarray]] = []
        for g, emb in enumerate(self._embedders):
            rows = np.flatnonzero(all_route == g)
            uniq, inverse = np.unique(all_texts[rows], return_inverse=True)
            # The progress choice goes with this call: the embedder is shared by every
            # Matcher (and every dashboard session thread), so it is never changed here.
            vecs = emb.encode(uniq.tolist(), show_progress=self.show_progress)
            blocks.append((rows, vecs[inverse]))
        if len(blocks) == 1:
            full = blocks[0][1]
        else:
            full = np.zeros((len(all_texts), sum(v.shape[1] for _, v in blocks)), np.float32)
            col = 0
            for rows, v in blocks:
                full[rows, col : col + v.shape[1]] = v
                col += v.shape[1]
        vectors = np.ascontiguousarray(full[: len(texts)])
        if len(extra):
            # Prompt ensembling: a label's vector is the mean direction of the bare
            # label and the label written into each template.
            grid = len(texts) + np.arange(len(extra)).reshape(len(templates), len(at))
            ens = vectors[at] + full[grid].sum(axis=0)
            ens /= np.linalg.norm(ens, axis=1, keepdims=True)
            vectors[at] = ens
        return vectors

    def _encode_queries(self, texts: list[str], show_progress: bool | None) -> np.ndarray:
        """Query vectors: one block per model of the fit (see :meth:`_surface_vectors`)."""
        parts = [e.encode(texts, show_progress=show_progress) for e in self._embedders]
        return parts[0] if len(parts) == 1 else np.hstack(parts)

    def _twin_parents(self, items: pd.DataFrame) -> np.ndarray | None:
        """Per item, the index of its parent when both have the same label (else -1)."""
        if self.target != "competencies":
            return None
        parent: dict[str, str] = {}
        for fw in self.frameworks:
            comps = fw.competencies.dropna(subset=["parent_id"])
            parent.update(zip(comps["id"], comps["parent_id"], strict=True))
        pos = {cid: i for i, cid in enumerate(items["id"])}
        labels = [normalise(str(x)) for x in items["label"]]
        twin = np.full(len(items), -1, dtype=np.int64)
        for i, cid in enumerate(items["id"]):
            j = pos.get(parent.get(cid, ""))
            if j is not None and labels[j] == labels[i]:
                twin[i] = j
        return twin if (twin >= 0).any() else None

    # -- filters -----------------------------------------------------------------
    def _item_mask(
        self,
        kinds: Sequence[str] | str | None,
        occupations: Sequence[str] | str | None,
        frameworks: Sequence[str] | str | None,
    ) -> np.ndarray:
        items = self.items_
        mask = np.ones(len(items), dtype=bool)
        if frameworks is not None:
            wanted = [frameworks] if isinstance(frameworks, str) else list(frameworks)
            fitted = set(items["framework"])
            unknown = sorted(set(wanted) - fitted)
            if unknown:
                raise UnknownNameError(
                    f"frameworks={unknown} were not fitted; this matcher holds {sorted(fitted)}."
                )
            mask &= items["framework"].isin(wanted).to_numpy()
        if kinds is not None:
            wanted = [kinds] if isinstance(kinds, str) else list(kinds)
            unknown = sorted(set(wanted) - set(KINDS) - {"occupation"})
            if unknown:
                raise UnknownNameError(
                    f"kinds={unknown} are not competency kinds; use some of {sorted(KINDS)}."
                )
            missing = sorted(set(wanted) & self._unfitted_kinds)
            if missing:
                built = "the default kinds" if self.kinds is None else f"kinds={self.kinds}"
                raise InvalidArgumentError(
                    f"kinds={missing} were not fitted (the matcher was built with {built}); "
                    f"build a Matcher with kinds={sorted(set(wanted))} or kinds='all'."
                )
            mask &= items["kind"].isin(wanted).to_numpy()
        if occupations is not None:
            if self.target == "occupations":
                raise InvalidArgumentError(
                    "occupations= filters competencies by occupation profile; it does not "
                    "apply to a matcher with target='occupations'."
                )
            codes = [occupations] if isinstance(occupations, str) else list(occupations)
            mask &= items["id"].isin(self._profile_ids(codes)).to_numpy()
        return mask

    def _profile_ids(self, codes: list[str]) -> set[str]:
        ids: set[str] = set()
        for code in codes:
            found = False
            for fw in self.frameworks:
                occ = fw.occupations
                hit = occ[(occ["code"] == code) | (occ["id"] == code) | (occ["url"] == code)]
                if hit.empty:
                    continue
                found = True
                rel = fw.relations
                rel = rel[rel["source_id"].isin(hit["id"]) & (rel["relation"] == "requires")]
                ids.update(rel["target_id"])
            if not found:
                examples = [
                    str(fw.occupations["code"].iloc[0])
                    for fw in self.frameworks
                    if not fw.occupations.empty
                ]
                raise UnknownNameError(
                    f"occupation {code!r} is not in the fitted frameworks"
                    + (
                        f"; codes look like {', '.join(map(repr, examples))}"
                        if examples
                        else " (none of them has occupations; use onet or esco)"
                    )
                    + '. Find codes with `align match "<job title>" --framework '
                    "onet-occupations`."
                )
        return ids

    # -- scoring -------------------------------------------------------------------
    def _lexical_many(
        self,
        variants: list[str],
        surfs: np.ndarray,
        mention_w: np.ndarray,
        caps: frozenset[str] | None,
    ) -> np.ndarray:
        """Lexical evidence for each surface in ``surfs`` (module docstring).

        ``variants[0]`` is the normalised query, the rest its clauses: a clause
        that *is* a label counts as much as a whole query that is one. ``caps``
        holds the normalised words the query writes in capitals, or ``None``
        when the query has no lower-case letters to tell them apart.
        """
        out = np.zeros(len(surfs), dtype=np.float32)
        q_norm = variants[0]
        if not q_norm or not len(surfs):
            return out
        norms = self._surf_norm[surfs].tolist()
        whole = process.cdist(variants, norms, scorer=fuzz.ratio, dtype=np.float32).max(axis=0)
        whole /= 100.0
        padded = f" {q_norm} "
        weights = mention_w[surfs]
        mention = np.array(
            [w if f" {n} " in padded else 0.0 for n, w in zip(norms, weights, strict=True)],
            dtype=np.float32,
        )
        if caps is not None:
            acronym = np.flatnonzero(self._surf_acronym[surfs] & (mention > 0))
            for i in acronym:
                if norms[i] not in caps:
                    mention[i] = 0.0
        lengths = self._surf_len[surfs]
        fuzzy = np.flatnonzero((mention == 0) & (lengths >= 8) & (lengths < len(q_norm)))
        if len(fuzzy):
            pr = process.cdist(
                [q_norm],
                [norms[i] for i in fuzzy],
                scorer=fuzz.partial_ratio,
                score_cutoff=90,
                dtype=np.float32,
            )[0]
            mention[fuzzy] = 0.9 * weights[fuzzy] * pr / 100.0
        out = np.maximum(whole, mention)
        out[out < self.lexical_floor] = 0.0
        return out

    def _rank_candidates(
        self,
        cand: np.ndarray,
        variants: list[str],
        sims_row: np.ndarray | None,
        col_of: np.ndarray | None,
        lam: float,
        beta: float,
        mention_w: np.ndarray,
        caps: frozenset[str] | None,
        top_k: int,
        min_score: float,
    ) -> list[tuple[float, float, float, int, int]]:
        """Score candidate items of one query; best first, at most ``top_k``."""
        cand.sort()
        segs = [self._item_surfaces[it] for it in cand]
        lens = np.fromiter((len(x) for x in segs), dtype=np.int64, count=len(segs))
        all_s = np.concatenate(segs)
        seg_id = np.repeat(np.arange(len(cand)), lens)
        seg_start = np.r_[0, np.cumsum(lens)[:-1]]
        lex = np.zeros(len(all_s), dtype=np.float32)
        lexical = self._surf_lexical[all_s]
        lex[lexical] = self._lexical_many(variants, all_s[lexical], mention_w, caps)
        best_lex = np.maximum.reduceat(lex, seg_start)
        # Within each item, surfaces sorted by descending evidence: the first is the argmax.
        lex_s = all_s[np.lexsort((-lex, seg_id))[seg_start]]
        if sims_row is not None:
            sem = sims_row[all_s if col_of is None else col_of[all_s]]
            best_sem = np.maximum.reduceat(sem, seg_start)
            sem_s = all_s[np.lexsort((-sem, seg_id))[seg_start]]
            sem_part = (1.0 - lam) * best_sem
        else:
            best_sem = np.full(len(cand), np.nan, dtype=np.float32)
            sem_s = lex_s
            sem_part = np.zeros(len(cand), dtype=np.float32)
        score = sem_part + lam * best_lex
        if beta and self._prior is not None:
            score = (1.0 - beta) * score + beta * self._prior[cand]
        score = np.clip(score, 0.0, 1.0)
        matched = np.where((lam * best_lex >= sem_part) & (best_lex > 0), lex_s, sem_s)
        order = np.lexsort((cand, -best_lex, -score))
        if self._twin_parent is not None:
            # An O*NET IWA and its DWA can carry the same words: show the DWA only.
            head = order[: top_k + 10]
            shadowed = set(self._twin_parent[cand[head]].tolist())
            order = head[~np.isin(cand[head], list(shadowed))]
        order = order[:top_k]
        return [
            (float(score[i]), float(best_sem[i]), float(best_lex[i]), int(cand[i]), int(matched[i]))
            for i in order
            if float(score[i]) >= min_score
        ]

    def _mention_weights(self) -> np.ndarray:
        """Lexical weight of a verbatim mention of each surface."""
        return np.where(
            self._surf_words == 1, self.single_word_mention_weight, self.mention_weight
        ).astype(np.float32)

    def _surface_weights(self, surf_idx: np.ndarray) -> np.ndarray | None:
        """Per-surface multipliers of semantic similarity (alt labels, descriptions)."""
        if self.alt_weight == 1.0 and self.description_weight == 1.0:
            return None
        types = self.surfaces_["type"].to_numpy()[surf_idx]
        w = np.ones(len(surf_idx), dtype=np.float32)
        w[types == "alt"] = self.alt_weight
        w[types == "description"] = self.description_weight
        return w

    def _ngram_hits(self, q_norm: str) -> set[int]:
        toks = q_norm.split()
        hits: set[int] = set()
        for n in range(1, min(_MAX_NGRAM, len(toks)) + 1):
            for i in range(len(toks) - n + 1):
                found = self._ngram_index.get(" ".join(toks[i : i + n]))
                if found:
                    hits.update(found)
        return hits

    def _lexical_candidates(
        self, q_norms: list[str], surf_idx: np.ndarray, top_k: int
    ) -> list[np.ndarray]:
        """Shortlist by token-set similarity over all (lexical) surfaces: lexical method."""
        choices = self._surf_norm[surf_idx].tolist()
        out = []
        block = max(1, _BLOCK_FLOATS // max(1, len(choices)))
        for start in range(0, len(q_norms), block):
            part = q_norms[start : start + block]
            sims = process.cdist(
                part, choices, scorer=fuzz.token_set_ratio, dtype=np.uint8, workers=-1
            )
            for row in sims:
                k = min(max(self.shortlist, top_k) * 3, len(choices))
                top = np.argpartition(-row.astype(np.int16), k - 1)[:k]
                out.append(np.unique(self._surf_item[surf_idx[top]]))
        return out

    def match(
        self,
        texts: Sequence[str] | str,
        top_k: int = 5,
        min_score: float = 0.0,
        *,
        kinds: Sequence[str] | str | None = None,
        occupations: Sequence[str] | str | None = None,
        frameworks: Sequence[str] | str | None = None,
        show_progress: bool | None = None,
    ) -> pd.DataFrame:
        """Return the best matches of each text.

        Parameters
        ----------
        texts : str or sequence of str
            Outcomes, posting sentences or job titles. Blank texts get no rows
            (with an AlignDataWarning).
        top_k : int
            Matches per text at most.
        min_score : float
            Drop matches whose ``score`` is below this.
        kinds : str or sequence of str, optional
            Only competencies of these kinds (among those fitted).
        occupations : str or sequence of str, optional
            Only competencies that these occupations require (O*NET-SOC codes such
            as ``13-2051.00``, ESCO occupation URIs or namespaced ids).
        frameworks : str or sequence of str, optional
            Only competencies of these framework keys.
        show_progress : bool, optional
            Progress bar while the texts are embedded; ``None`` uses the
            matcher's ``show_progress`` (callers with their own bar, such as
            postings extraction counting postings, pass ``False``).

        Returns
        -------
        DataFrame
            One row per (text, match), sorted by ``query_index`` then ``rank``,
            with the columns of :data:`MATCH_COLUMNS`: ``score`` is the fused
            score in [0, 1], ``semantic_score`` the best cosine over the surfaces,
            alt labels and descriptions times ``alt_weight`` and
            ``description_weight`` (NaN for ``method="lexical"``),
            ``lexical_score`` the best lexical evidence, ``matched_surface`` the
            label, alt label or description that contributed most. Where a
            competency and its parent carry the same label (53 O*NET IWAs and
            their DWAs), only the more specific child is listed.
        """
        if not hasattr(self, "items_"):
            self.fit()
        queries = _check_queries(texts)
        if not isinstance(top_k, int) or isinstance(top_k, bool) or top_k < 1:
            raise InvalidArgumentError(f"top_k={top_k!r}; expected a positive integer such as 5.")
        if not isinstance(min_score, int | float) or not 0.0 <= float(min_score) <= 1.0:
            raise InvalidArgumentError(f"min_score={min_score!r}; expected a number in [0, 1].")
        blank = [i for i, q in enumerate(queries) if not q.strip()]
        if blank:
            shown = ", ".join(map(str, blank[:10])) + (" ..." if len(blank) > 10 else "")
            warn(
                f"{len(blank)} blank text(s) (index {shown}) have nothing to match; they get "
                "no matches.",
            )
        live = [i for i, q in enumerate(queries) if q.strip()]
        mask = self._item_mask(kinds, occupations, frameworks)
        if not live or not mask.any():
            return _empty_result()
        progress = self.show_progress if show_progress is None else show_progress
        rows = self._score(queries, live, mask, top_k, float(min_score), progress)
        if not rows:
            return _empty_result()
        out = pd.DataFrame(rows, columns=list(MATCH_COLUMNS))
        return out.sort_values(["query_index", "rank"], kind="stable").reset_index(drop=True)

    def _score(
        self,
        queries: list[str],
        live: list[int],
        mask: np.ndarray,
        top_k: int,
        min_score: float,
        show_progress: bool | None = None,
    ) -> list[tuple[Any, ...]]:
        surf_idx = np.flatnonzero(mask[self._surf_item])
        sub_items = self._surf_item[surf_idx]
        starts = np.flatnonzero(np.r_[True, np.diff(sub_items) != 0])
        start_items = sub_items[starts]
        q_texts = [queries[i] for i in live]
        q_norms = [normalise(q) for q in q_texts]
        pieces = [split_clauses(q) if self.split_queries else [] for q in q_texts]
        piece_norms = [[normalise(p) for p in ps] for ps in pieces]
        semantic = self.method != "lexical"
        lam = {"hybrid": self.lexical_weight, "semantic": 0.0, "lexical": 1.0}[self.method]
        beta = self.prior_weight if self._prior is not None else 0.0
        if semantic:
            if self.embedder is None or self.vectors_ is None:
                raise InvalidArgumentError("the matcher has no vectors; call fit() first.")
            # One encode call for queries and their clauses: row r of all_vecs.
            flat = [*q_texts, *(p for ps in pieces for p in ps)]
            all_vecs = self._encode_queries(flat, show_progress)
            piece_rows: list[list[int]] = []
            r = len(q_texts)
            for ps in pieces:
                piece_rows.append(list(range(r, r + len(ps))))
                r += len(ps)
            full = len(surf_idx) == len(self._surf_item)
            vecs = self.vectors_ if full else self.vectors_[surf_idx]
        else:
            lex_cands = self._lexical_candidates(
                q_norms, surf_idx[self._surf_lexical[surf_idx]], top_k
            )
        max_rows = 1 + max((len(p) for p in pieces), default=0)
        block = max(1, _BLOCK_FLOATS // max(1, len(surf_idx) * max_rows))
        items = self.items_
        cols = {
            c: items[c].to_numpy(object)
            for c in ("framework", "id", "code", "label", "kind", "url")
        }
        texts = self.surfaces_["text"].to_numpy(object)
        rows: list[tuple[Any, ...]] = []
        col_of = None
        if semantic and len(surf_idx) != len(self._surf_item):
            col_of = np.full(len(self._surf_item), -1, dtype=np.int64)
            col_of[surf_idx] = np.arange(len(surf_idx))
        mention_w = self._mention_weights()
        for b0 in range(0, len(live), block):
            b1 = min(len(live), b0 + block)
            if semantic:
                # Each query's similarity to every surface is the max over the whole query
                # and its clauses (clauses weighted by piece_weight).
                # One matrix product per block (a product per query would re-read
                # every surface vector per query: memory-bound and many times slower).
                sims = all_vecs[b0:b1] @ vecs.T
                extra = [r for j in range(b0, b1) for r in piece_rows[j]]
                if extra:
                    psims = all_vecs[extra] @ vecs.T
                    psims *= self.piece_weight
                    at = 0
                    for j in range(b0, b1):
                        n = len(piece_rows[j])
                        if n:
                            np.maximum(
                                sims[j - b0], psims[at : at + n].max(axis=0), out=sims[j - b0]
                            )
                            at += n
                weights = self._surface_weights(surf_idx)
                if weights is not None:
                    sims *= weights
                np.clip(sims, 0.0, 1.0, out=sims)
                item_sem = np.maximum.reduceat(sims, starts, axis=1)
            for j in range(b0, b1):
                qn = q_norms[j]
                variants = [qn, *piece_norms[j]]
                if semantic:
                    row = item_sem[j - b0]
                    k = min(max(self.shortlist, top_k), len(row))
                    cand = set(start_items[np.argpartition(-row, k - 1)[:k]].tolist())
                else:
                    cand = set(lex_cands[j].tolist())
                cand.update(
                    int(self._surf_item[s])
                    for s in self._ngram_hits(qn)
                    if mask[self._surf_item[s]]
                )
                q_index = live[j]
                kept = self._rank_candidates(
                    np.fromiter(cand, dtype=np.int64, count=len(cand)),
                    variants,
                    sims[j - b0] if semantic else None,
                    col_of,
                    lam,
                    beta,
                    mention_w,
                    _caps_words(q_texts[j]),
                    top_k,
                    min_score,
                )
                for rank, (score, sem, lex, it, s) in enumerate(kept, start=1):
                    rows.append(
                        (
                            q_index,
                            queries[q_index],
                            rank,
                            cols["framework"][it],
                            cols["id"][it],
                            cols["code"][it],
                            cols["label"][it],
                            cols["kind"][it],
                            cols["url"][it],
                            score,
                            sem if semantic else float("nan"),
                            lex,
                            texts[s],
                        )
                    )
        return rows


#: Framework names :func:`match` knows, and what each matches against:
#: name -> (framework loaded with :func:`align.load_framework`, target). Any other
#: string must be the path of a framework file or release folder.
MATCH_TARGETS: dict[str, tuple[str, Target]] = {
    "onet": ("onet", "competencies"),
    "onet-occupations": ("onet", "occupations"),
    "esco": ("esco", "competencies"),
    "esco-occupations": ("esco", "occupations"),
    "lightcast": ("lightcast", "competencies"),
    "nace": ("nace", "competencies"),
    "cmc": ("cmc", "competencies"),
}

KindsArg = Sequence[str] | str | Mapping[str, Sequence[str] | str] | None


def _resolve(
    spec: Framework | PathLike, target: Target, data_dir: PathLike | None
) -> tuple[str, Framework, Target]:
    """(name as given, framework, target) of one entry of ``frameworks``."""
    if isinstance(spec, Framework):
        return spec.key, spec, target
    name = str(spec)
    known = MATCH_TARGETS.get(name.lower())
    if known is None and not Path(name).expanduser().exists():
        raise UnknownNameError(
            f"frameworks={name!r} is not a framework name or an existing file. Available: "
            f"{', '.join(MATCH_TARGETS)}, or the path of a framework file or release folder."
        )
    from align.frameworks import load_framework

    source, fw_target = known if known else (name, target)
    return name, load_framework(source, data_dir=data_dir), fw_target


def _professional_route(fw: Framework, method: str, target: str, kinds: Any) -> bool:
    """Whether :func:`match` matches ``fw`` as the score matches NACE (align._professional)."""
    return (
        fw.info.key == "nace" and method == "hybrid" and target == "competencies" and kinds is None
    )


def _kinds_for(
    kinds: KindsArg, name: str, fw: Framework, target: Target
) -> Sequence[str] | str | None:
    """The kinds one framework is matched on (see :func:`match`)."""
    if target != "competencies" or kinds is None:
        return None
    if isinstance(kinds, Mapping):
        picked = kinds.get(name, kinds.get(fw.key))
        if picked is None:
            return None
        kinds = picked
    asked = [kinds] if isinstance(kinds, str) else list(kinds)
    if not asked:
        return None
    if "all" in asked:
        return "all"
    # With several frameworks, each keeps the asked kinds it has.
    present = set(fw.competencies["kind"])
    return [k for k in asked if k in present] or asked


def match(
    texts: Sequence[str] | str,
    frameworks: Framework | PathLike | Sequence[Framework | PathLike],
    top_k: int = 5,
    min_score: float = 0.0,
    *,
    method: Method = "hybrid",
    target: Target = "competencies",
    kinds: KindsArg = None,
    occupations: Sequence[str] | str | None = None,
    embedder: Embedder | None = None,
    data_dir: PathLike | None = None,
) -> pd.DataFrame:
    """Match texts to the competencies (or occupations) of one or more frameworks.

    The one call behind ``align match``, the dashboard and notebooks: each
    framework is fitted with its own :class:`Matcher` (cached vectors make a
    re-fit cheap), then the matches of all frameworks are merged and re-ranked
    per text by score, keeping the ``top_k`` best overall.

    Parameters
    ----------
    texts : str or sequence of str
        Outcomes, posting sentences or job titles.
    frameworks : Framework, name, path, or a sequence of them
        Names are those of :data:`MATCH_TARGETS` (``"onet"``, ``"esco"``,
        ``"nace"``, ``"cmc"``, ``"lightcast"``, and ``"onet-occupations"`` /
        ``"esco-occupations"`` to match job titles to occupations); any other
        string is the path of a framework file or release folder.
    top_k : int
        Matches kept per text, over all frameworks.
    min_score : float
        Matches scoring below this are dropped.
    method : {"hybrid", "semantic", "lexical"}
        See :data:`align._config.METHODS`.
    target : {"competencies", "occupations"}
        What Framework objects and paths are matched against (names carry
        their own target).
    kinds : kinds, ``"all"``, or a mapping, optional
        Only competencies of these kinds (``["skill", "dwa"]``); each framework
        keeps the asked kinds it has. A mapping gives each framework its own
        kinds (``{"onet": ["skill"], "esco": "all"}``; keys are the names as
        given or framework keys). ``None``: each framework's default kinds
        (:data:`SKIPPED_KINDS` left out); NACE with the default ``hybrid``
        method is then matched as the score matches it, one row per
        competency, through its definitions, sample behaviours and
        outcome-shaped examples (:mod:`align._professional`), with the best
        behaviour as ``matched_surface``.
    occupations : str or sequence of str, optional
        Only competencies these occupations require (see :meth:`Matcher.match`);
        frameworks without occupations then contribute no matches.
    embedder : Embedder, optional
        Reuse a loaded embedder.
    data_dir : path, optional
        Where named frameworks are searched.

    Returns
    -------
    DataFrame
        The columns of :data:`MATCH_COLUMNS`; ``rank`` is the rank over all frameworks.

    Examples
    --------
    >>> from align import match
    >>> df = match("work well in a team", "nace", top_k=1, method="lexical")
    >>> list(df.columns) == list(MATCH_COLUMNS), len(df)
    (True, 1)
    """
    _check_choice("method", method, METHODS)
    _check_choice("target", target, TARGETS)
    specs: list[Any] = (
        [frameworks] if isinstance(frameworks, Framework | str | os.PathLike) else list(frameworks)
    )
    if not specs:
        raise InvalidArgumentError(
            f"frameworks=[] names no framework; give at least one of {', '.join(MATCH_TARGETS)} "
            "(or a Framework, or the path of a framework file)."
        )
    resolved = [_resolve(spec, target, data_dir) for spec in specs]
    if occupations is not None and any(not fw.occupations.empty for _, fw, _ in resolved):
        # Only frameworks with occupations have occupation profiles to filter by.
        resolved = [r for r in resolved if not r[1].occupations.empty]
    frames = []
    for name, fw, fw_target in resolved:
        if occupations is None and _professional_route(
            fw, method, fw_target, _kinds_for(kinds, name, fw, fw_target)
        ):
            # NACE through its definitions, behaviours and outcome-shaped examples, as
            # score_alignment matches it (align._professional): one competency per row.
            from align._professional import professional_matches

            pm = professional_matches(
                [texts] if isinstance(texts, str) else list(texts), fw, embedder=embedder,
                top_k=top_k,
            )  # fmt: skip
            frames.append(pm[pm["score"] >= min_score].reset_index(drop=True))
            continue
        matcher = Matcher(
            fw,
            method,
            target=fw_target,
            kinds=_kinds_for(kinds, name, fw, fw_target),
            embedder=embedder,
        )
        frames.append(matcher.fit().match(texts, top_k, min_score, occupations=occupations))
    res = pd.concat([f for f in frames if not f.empty] or frames[:1], ignore_index=True)
    if len(resolved) > 1 and not res.empty:
        res = res.sort_values(["query_index", "score"], ascending=[True, False], kind="stable")
        res = res.groupby("query_index", sort=True).head(top_k).copy()
        res["rank"] = res.groupby("query_index").cumcount() + 1
        res = res.reset_index(drop=True)
    return res[list(MATCH_COLUMNS)]
