"""Credit by meaning: how close an outcome is to a competency, read against a background.

The alignment score credits a match for what the outcome teaches, never for a word it
happens to share with a label. Two things make that work:

Surfaces
    A competency is compared through the texts that say what it means
    (:func:`item_surfaces`): a sentence label as it is (a task statement, a
    detailed work activity); a short label with a description through
    ``"label: description"`` instead of the bare label ("Design" alone is one
    word any outcome may start with; O*NET's description says it is drafting
    plans and blueprints); alternate labels; and extra sentences an item carries
    in a ``surfaces`` column (a demanded work activity carries the occupation's
    own task statements that O*NET links to it). The similarity of an outcome
    to an item is the largest cosine over its surfaces.
Standout
    Cosine levels depend on how an outcome is written, not only on what it
    teaches: an outcome that names tools, standards and criteria ("Bend 3/4-inch
    EMT ... within 1/8 inch") sits at cosine 0.3-0.4 from the right activity,
    while a short vague one ("Understand electrical safety") sits at 0.5 from
    many. So each similarity is read against the outcome's own background, its
    similarity to a fixed set of reference texts (:class:`Background`; in
    scoring, O*NET's 2,087 detailed work activities): ``standout = (cosine -
    mean) / sd``. A standout of 3 means the competency is three standard
    deviations closer to the outcome than a typical work activity is.

Named tools are the one place where words are evidence: an outcome that names a
technology item ("... in Power BI", "... with Nessus") stands out from that item by
:data:`MENTION_STANDOUT` (:func:`tool_mentions`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from align._matchbase import normalise

__all__ = [
    "MENTION_STANDOUT",
    "MIN_BACKGROUND",
    "TYPICAL_MEAN",
    "TYPICAL_SD",
    "Background",
    "Meaning",
    "item_surfaces",
    "meaning_scores",
    "tool_mentions",
]

#: Standout given to a technology item the outcome names (above any credit threshold).
MENTION_STANDOUT = 10.0
# Labels of at most this many words are matched through their description when they
# have one (O*NET skills and knowledge, NACE and CMC competencies).
_SHORT_LABEL_WORDS = 2
# Product names that are ordinary English words: named only with their vendor
# ("Microsoft Word"), never alone ("a Word", "the post Office").
_ORDINARY_NAMES = frozenset(
    """
    word office access project teams publisher forms sheets slides docs drive mail edge
    windows outlook photos maps calendar keep notes paint
    """.split()  # noqa: SIM905
)
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,7}\b")
_TRAILING = re.compile(r"\s+(?:software|programming language|language|platform)$", re.I)


#: Fewer reference texts than this make no background (their spread means little).
MIN_BACKGROUND = 200
#: The typical background of an outcome, for when no reference texts are loaded: the
#: median mean and standard deviation of the cosine of the faculty-outcome dev half's
#: outcomes to O*NET 29.3's 2,087 detailed work activities.
TYPICAL_MEAN, TYPICAL_SD = 0.133, 0.089


@dataclass(frozen=True)
class Background:
    """Reference texts each outcome's similarities are read against.

    Attributes
    ----------
    vectors : ndarray or None
        Unit vectors of the reference texts; ``None`` for the typical background
        (:meth:`typical`), the same for every outcome.
    source : str
        What the texts are ("O*NET 29.3: 2,087 detailed work activities").
    """

    vectors: np.ndarray | None
    source: str

    @classmethod
    def of(cls, texts: Sequence[str], source: str, embedder: Any = None) -> Background:
        """Embed ``texts`` (cached like every embedding) as a background.

        With fewer than :data:`MIN_BACKGROUND` texts the typical background is
        returned instead.
        """
        from align._embed import get_embedder

        if len(texts) < MIN_BACKGROUND:
            return cls.typical()
        emb = embedder if embedder is not None else get_embedder()
        return cls(np.asarray(emb.encode(list(texts)), dtype=np.float32), source)

    @classmethod
    def typical(cls) -> Background:
        """The same background for every outcome (:data:`TYPICAL_MEAN`, :data:`TYPICAL_SD`)."""
        return cls(
            None,
            "a typical outcome's similarity to O*NET's work activities (no O*NET loaded)",
        )

    def stats(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation of each query's cosine to the background."""
        n = len(queries)
        if self.vectors is None:
            return np.full(n, TYPICAL_MEAN), np.full(n, TYPICAL_SD)
        sims = queries @ self.vectors.T
        return sims.mean(axis=1), np.maximum(sims.std(axis=1), 1e-6)


@dataclass(frozen=True)
class Meaning:
    """Similarity of each text to each item.

    Attributes
    ----------
    cosine : ndarray
        ``(texts, items)`` largest cosine over the item's surfaces, clipped at 0.
    standout : ndarray
        ``(texts, items)`` the cosine read against the text's background (module
        docstring); :data:`MENTION_STANDOUT` where the text names a technology item.
    surface : ndarray
        ``(texts, items)`` the surface that matched best (object array of str).
    named : ndarray
        ``(texts, items)`` True where the text names the item (technology).
    """

    cosine: np.ndarray
    standout: np.ndarray
    surface: np.ndarray
    named: np.ndarray


def item_surfaces(items: pd.DataFrame) -> list[list[str]]:
    """The texts each item is compared through (module docstring).

    ``items`` needs ``label``; ``description``, ``alt_labels`` and ``surfaces``
    (lists of str) are used when present.

    Examples
    --------
    >>> items = pd.DataFrame({"label": ["Design", "Operate welding equipment."],
    ...     "description": ["Knowledge of drafting plans and blueprints.", ""],
    ...     "surfaces": [[], ["Weld components in flat or overhead positions."]]})
    >>> item_surfaces(items)[0]
    ['Design: Knowledge of drafting plans and blueprints.']
    >>> len(item_surfaces(items)[1])
    2
    """
    n = len(items)
    labels = items["label"].astype(str).tolist()
    descs = _column(items, "description", "")
    alts = _column(items, "alt_labels", None)
    extra = _column(items, "surfaces", None)
    out = []
    for i in range(n):
        label = " ".join(labels[i].split())
        desc = " ".join(str(descs[i] or "").split())
        texts = []
        if desc and len(label.split()) <= _SHORT_LABEL_WORDS:
            texts.append(f"{label}: {desc}")
        elif label:
            texts.append(label)
        for group in (alts[i], extra[i]):
            if isinstance(group, list | tuple | np.ndarray):
                texts += [" ".join(str(t).split()) for t in group if str(t).strip()]
        out.append(list(dict.fromkeys(t for t in texts if t)) or [label or "?"])
    return out


def _column(df: pd.DataFrame, name: str, default: Any) -> list[Any]:
    return df[name].tolist() if name in df.columns else [default] * len(df)


def tool_mentions(texts: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    """Which texts name which tools: ``(texts, labels)`` booleans.

    A technology label is named by its full name, by the name without a trailing
    "software" and without its vendor ("Microsoft Power BI" -> "Power BI"), or by an
    acronym it contains ("Amazon Web Services AWS software" -> "AWS", written in
    capitals). A one-word name counts only where the text writes it capitalised and
    it is not an ordinary English word ("Excel" yes, "Word" or "Office" only with
    the vendor).

    Examples
    --------
    >>> tool_mentions(["Build the dashboard in Power BI and Excel."],
    ...               ["Microsoft Power BI", "Microsoft Excel", "Microsoft Word"]).tolist()
    [[True, True, False]]
    """
    out = np.zeros((len(texts), len(labels)), dtype=bool)
    padded = [f" {normalise(t)} " for t in texts]
    caps = [set(_ACRONYM.findall(t)) for t in texts]
    words = [set(re.findall(r"\b[A-Z][A-Za-z0-9+#]*\b", t[1:])) for t in texts]
    for j, label in enumerate(labels):
        for variant in _name_variants(str(label)):
            if _ACRONYM.fullmatch(variant):
                hit = [variant in c for c in caps]
            elif " " not in variant:
                if variant.lower() in _ORDINARY_NAMES or len(variant) < 3:
                    continue
                hit = [variant in w for w in words]
            else:
                key = f" {normalise(variant)} "
                hit = [key in p for p in padded]
            out[:, j] |= np.asarray(hit, dtype=bool)
    return out


def _name_variants(label: str) -> list[str]:
    """A tool's names: full, without vendor or "software", and an acronym that spells it.

    Examples
    --------
    >>> _name_variants("Amazon Web Services AWS software")
    ['Amazon Web Services AWS', 'Web Services AWS', 'AWS']
    >>> _name_variants("Microsoft SQL Server")  # SQL is not what the product is called
    ['Microsoft SQL Server', 'SQL Server']
    """
    name = _TRAILING.sub("", " ".join(label.split())).strip()
    out = [name]
    parts = name.split()
    if len(parts) >= 2 and not _ACRONYM.fullmatch(parts[0]):
        out.append(" ".join(parts[1:]))
    for k, word in enumerate(parts):
        if _ACRONYM.fullmatch(word) and _spells(word, parts[:k]):
            out.append(word)
    return list(dict.fromkeys(v for v in out if v))


def _spells(acronym: str, words: list[str]) -> bool:
    """Whether the acronym's letters are initials of the words before it, in order."""
    letters = [c for c in acronym.lower() if c.isalpha()]
    initials = [w[0].lower() for w in words if w[:1].isalpha()]
    pos = 0
    for c in letters:
        while pos < len(initials) and initials[pos] != c:
            pos += 1
        if pos == len(initials):
            return False
        pos += 1
    return len(letters) >= 2


def meaning_scores(
    texts: Sequence[str],
    items: pd.DataFrame,
    *,
    embedder: Any = None,
    background: Background | None = None,
) -> Meaning:
    """Similarity and standout of every text against every item.

    Parameters
    ----------
    texts : sequence of str
        Outcomes (or any sentences).
    items : DataFrame
        ``label`` and optionally ``description``, ``alt_labels``, ``surfaces``
        (:func:`item_surfaces`) and ``kind`` (``technology`` items are also found
        by name, :func:`tool_mentions`).
    embedder : Embedder, optional
        Defaults to the shared default model.
    background : Background, optional
        What standouts are read against; ``None`` uses the typical background
        (:meth:`Background.typical`).

    Returns
    -------
    Meaning
    """
    from align._embed import get_embedder

    n, m = len(texts), len(items)
    if not n or not m:
        empty = np.zeros((n, m))
        return Meaning(empty, empty.copy(), np.full((n, m), "", dtype=object), empty > 0)
    emb = embedder if embedder is not None else get_embedder()
    surfaces = item_surfaces(items)
    flat = [t for group in surfaces for t in group]
    sizes = np.array([len(g) for g in surfaces])
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    uniq, inverse = np.unique(np.array(flat, dtype=object), return_inverse=True)
    sv = emb.encode(uniq.tolist())[inverse]
    q = emb.encode(list(texts))
    sims = np.clip(q @ sv.T, 0.0, None)
    cosine = np.maximum.reduceat(sims, starts, axis=1)
    # The first surface of each item with the largest cosine (for the explanation).
    best = starts[None, :].repeat(n, axis=0)
    for j in np.flatnonzero(sizes > 1):
        best[:, j] += sims[:, starts[j] : starts[j] + sizes[j]].argmax(axis=1)
    surface = np.array(flat, dtype=object)[best]
    bg = background if background is not None else Background.typical()
    mu, sd = bg.stats(q)
    standout = (cosine - mu[:, None]) / sd[:, None]
    named = np.zeros((n, m), dtype=bool)
    if "kind" in items.columns:
        tech = np.flatnonzero((items["kind"] == "technology").to_numpy())
        if len(tech):
            named[:, tech] = tool_mentions(texts, items["label"].iloc[tech].astype(str).tolist())
            standout = np.where(named, np.maximum(standout, MENTION_STANDOUT), standout)
    return Meaning(cosine, standout, surface, named)
