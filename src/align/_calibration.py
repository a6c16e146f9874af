"""Calibrated match credit: what a match score means, measured on O*NET's own links.

The matcher's fused score compresses sentence-long outcomes against short
competency labels: a learning outcome rarely repeats a label word for word, so
its score is about 0.65 x cosine. The credit ramp of :func:`align.score_alignment`
is therefore set on the closest public analogue of "learning outcome ->
competency": O*NET's analyst links from task statements to detailed work
activities (DWAs), dev half of a split by SOC major group
(``benchmarks/validity_matching.py``; the test half is only reported).

Credit score
    ``x = clip(score + OVERLAP_WEIGHT * overlap, 0, 1)`` where ``score`` is the
    default hybrid matcher's score and ``overlap`` the share of the label's
    content words (stemmed, stop words left out) that the outcome contains.
    Shared content words are strong evidence that the embedding underrates in a
    long sentence ("Write SQL queries ..." vs "Structured query language
    SQL"). The weight 0.15 was the best of 0, 0.1, 0.15, 0.2, 0.3 for MRR on the
    dev half.
Credit
    ``credit = clip((x - CREDIT_FLOOR) / (CREDIT_FULL - CREDIT_FLOOR), 0, 1)``
    with ``CREDIT_FULL`` = the median ``x`` of task -> DWA pairs O*NET's analysts
    linked (a typical analyst-confirmed link earns full credit) and
    ``CREDIT_FLOOR`` = their 10th percentile (90 % of confirmed links earn some
    credit). With these thresholds a task's best linked DWA (within its 50 best
    matches) earns full credit for 42 % of dev tasks and 49 % of test tasks, and
    some credit for 74 % and 77 % (see ``benchmarks/RESULTS-validity.md``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "CREDIT_FLOOR",
    "CREDIT_FULL",
    "OVERLAP_WEIGHT",
    "content_words",
    "credit_scores",
    "overlap_matrix",
]

#: Weight of content-word overlap added to the matcher score (dev-tuned).
OVERLAP_WEIGHT = 0.15
#: 10th percentile of the credit score of O*NET's analyst-linked task -> DWA pairs (dev).
CREDIT_FLOOR = 0.30
#: Median credit score of O*NET's analyst-linked task -> DWA pairs (dev).
CREDIT_FULL = 0.42

_STOP = frozenset(
    """
    a an the of to for in on at by with from and or as into other others their its
    such using use used be is are this that these those all any each
    """.split()  # noqa: SIM905
)


def content_words(text: str) -> frozenset[str]:
    """Normalised content words of a text (stemmed; stop words and 1-2 letter words out).

    Examples
    --------
    >>> sorted(content_words("Monitor the security of digital information"))
    ['digital', 'information', 'monitor', 'security']
    """
    from align._match import normalise

    return frozenset(w for w in normalise(text).split() if w not in _STOP and len(w) > 2)


def overlap_matrix(texts: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    """Share of each label's content words found in each text (rows: texts, columns: labels).

    Examples
    --------
    >>> overlap_matrix(["Write SQL queries that join tables"],
    ...                ["Structured query language SQL", "Welding"]).round(2).tolist()
    [[0.5, 0.0]]
    """
    tw = [content_words(t) for t in texts]
    lw = [content_words(lb) for lb in labels]
    out = np.zeros((len(tw), len(lw)))
    for j, lab in enumerate(lw):
        if not lab:
            continue
        for i, t in enumerate(tw):
            out[i, j] = len(lab & t) / len(lab)
    return out


def credit_scores(scores: np.ndarray, overlap: np.ndarray) -> np.ndarray:
    """The credit score ``clip(score + OVERLAP_WEIGHT * overlap, 0, 1)``.

    Examples
    --------
    >>> credit_scores(np.array([0.356, 1.0]), np.array([0.5, 1.0])).round(3).tolist()
    [0.431, 1.0]
    """
    s = np.asarray(scores, dtype=float) + OVERLAP_WEIGHT * np.asarray(overlap, dtype=float)
    return np.clip(s, 0.0, 1.0)
