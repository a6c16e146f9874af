"""Every threshold of the alignment score, with where it comes from.

The score credits a match for what the outcome teaches (:mod:`align._meaning`): a
match's *standout* is the cosine between the outcome and the competency's best
surface, read against the outcome's similarity to O*NET's 2,087 detailed work
activities (``(cosine - mean) / sd``). Credit is a ramp on the standout, times the
outcome's specificity (:mod:`align._wording`):

``credit = clip((standout - floor) / (full - floor), 0, 1) * specificity``

Work activities, technologies, skills and knowledge (:data:`CREDIT_FLOOR`, :data:`CREDIT_FULL`)
    On the dev half of the faculty-outcome benchmark (``benchmarks/data/faculty/``:
    outcomes written in syllabus style, each labelled with the O*NET elements it
    teaches), the standout of each outcome's labelled work activity: ``full`` is
    its median (a typical labelled activity earns full credit), ``floor`` its 10th
    percentile (90 % of labelled activities earn some credit).
    ``benchmarks/validity_faculty.py --part calibrate`` recomputes both.
Professional competencies (:data:`PROFESSIONAL_FLOOR`, :data:`PROFESSIONAL_FULL`)
    The same rule on the dev half of ``benchmarks/data/professional_outcomes.csv``
    (outcomes labelled with their NACE competency): the standout of the labelled
    competency, through its definition, sample behaviours and outcome-shaped examples
    (:mod:`align._professional`).
Specificity (:data:`SPECIFICITY_MIN`)
    An outcome below it ("Develop an awareness of ...", specificity 0.25 or less)
    earns no professional credit and does not count toward balance; its other
    credits are scaled by its specificity. Chosen on the faculty dev half: no
    written outcome and 98 % of the vague ones fall below it.
Outcome targets (:data:`OUTCOME_FLOOR`, :data:`OUTCOME_FULL`)
    When a stack builds toward a larger badge, small-badge outcomes are matched to
    the larger badge's outcomes: sentences of one field, all of which stand out from
    O*NET's work activities, so standouts cannot tell them apart. Credit is then a
    ramp on the cosine itself, from 0.46 (none) to 0.77 (full): the thresholds of the
    previous release (0.30 / 0.50 on a fused score that is 0.65 x cosine for a
    paraphrase). A judgement, not a calibration: no labelled outcome-to-outcome pairs
    exist yet.
Foundational items (:data:`FOUNDATIONAL_IMPORTANCE`, :data:`FOUNDATIONAL_SHARE`)
    An O*NET skill or knowledge area that at least half of the occupations rated for
    it rate "important" (3 of 5) or more is foundational (English Language, Reading
    Comprehension, Speaking, ...): never demanded, never a gap, never balance.
Bands (:data:`BANDS`)
    From the faculty dev half: *well aligned* from the 10th percentile of the
    specific on-target proposals (rounded down to 5), *not aligned* below the 90th
    percentile of vague and off-target proposals (rounded up to 5).
"""

from __future__ import annotations

import numpy as np

from align.exceptions import InvalidArgumentError

__all__ = [
    "BANDS",
    "CREDIT_FLOOR",
    "CREDIT_FULL",
    "FOUNDATIONAL_IMPORTANCE",
    "FOUNDATIONAL_SHARE",
    "OUTCOME_FLOOR",
    "OUTCOME_FULL",
    "PROFESSIONAL_FLOOR",
    "PROFESSIONAL_FULL",
    "SPECIFICITY_MIN",
    "band",
    "credit",
]

#: 10th percentile of the standout of labelled outcome -> work activity pairs (faculty dev).
CREDIT_FLOOR = 2.15
#: Median standout of labelled outcome -> work activity pairs (faculty dev).
CREDIT_FULL = 3.82
#: 10th percentile of the standout of labelled outcome -> NACE pairs (professional dev).
PROFESSIONAL_FLOOR = 2.25
#: Median standout of labelled outcome -> NACE pairs (professional dev).
PROFESSIONAL_FULL = 3.21
#: Cosine from which a small badge's outcome earns credit for a larger badge's outcome.
OUTCOME_FLOOR = 0.46
#: Cosine from which it earns full credit.
OUTCOME_FULL = 0.77
#: Outcomes less specific than this earn no professional credit and no balance.
SPECIFICITY_MIN = 0.5
#: Importance (O*NET IM, 1-5) from which a rating counts as "important".
FOUNDATIONAL_IMPORTANCE = 3.0
#: Share of rated occupations rating an element important that makes it foundational.
FOUNDATIONAL_SHARE = 0.5
#: Lower bounds of the named bands of the overall score, best first.
BANDS: tuple[tuple[str, float], ...] = (
    ("well aligned", 55.0),
    ("partly aligned", 35.0),
    ("not aligned", 0.0),
)


def credit(
    standout: np.ndarray | float, floor: float = CREDIT_FLOOR, full: float = CREDIT_FULL
) -> np.ndarray:
    """Partial credit of standouts: 0 below ``floor``, 1 from ``full``, linear between.

    Examples
    --------
    >>> credit(np.array([1.0, 3.0, 5.0]), floor=2.0, full=4.0).tolist()
    [0.0, 0.5, 1.0]
    """
    if not floor < full:
        raise InvalidArgumentError(
            f"floor={floor} and full={full}; the credit ramp needs floor < full "
            f"(the defaults are {CREDIT_FLOOR} and {CREDIT_FULL} standard deviations)."
        )
    s = np.asarray(standout, dtype=float)
    return np.clip((s - floor) / (full - floor), 0.0, 1.0)


def band(overall: float) -> str:
    """The named band of an overall score (:data:`BANDS`).

    Examples
    --------
    >>> band(72.0), band(45.0), band(8.0)
    ('well aligned', 'partly aligned', 'not aligned')
    """
    return next(name for name, low in BANDS if overall >= low)
