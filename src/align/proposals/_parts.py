"""The parts of a proposal: outcomes, partners, endorsements and reviewed alignments.

Shared field limits and the base model (forbidden extra keys, stripped text,
no NaN) live here too, so :mod:`align.proposals._model` holds the proposal,
the stack and how they are read and written.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "COLLABORATION_LEVELS",
    "DEFAULT_TYPES",
    "MAX_FIELD_CHARS",
    "MAX_OUTCOMES",
    "MAX_OUTCOME_CHARS",
    "Endorsement",
    "Outcome",
    "Partner",
    "ReviewedAlignment",
]


#: Partner collaboration levels and what they mean.
COLLABORATION_LEVELS: dict[str, str] = {
    "low": "the partner gives input to the curriculum",
    "mid": "learners interact with the external organization",
    "high": "a formal partnership with the external organization",
}

#: Credential types allowed by the default policy and what they mean.
DEFAULT_TYPES: dict[str, str] = {
    "academic": "credit-bearing, part of the academic record",
    "enhancement": "co-curricular, enhances a degree without credit",
    "post-traditional": "for non-degree learners (continuing and professional education)",
}

#: Most learning outcomes a proposal may list (a micro-credential usually has 3-10).
MAX_OUTCOMES = 200
#: Longest outcome text (characters).
MAX_OUTCOME_CHARS = 2_000
#: Longest value of any other text field (characters).
MAX_FIELD_CHARS = 10_000


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        frozen=False,
        # NaN and infinities are never a number of credits; long text is a pasted document.
        allow_inf_nan=False,
        str_max_length=MAX_FIELD_CHARS,
    )


class Outcome(_Model):
    """One learning outcome, with how it is assessed and what evidence it leaves.

    Attributes
    ----------
    id : str
        Short identifier, unique in the proposal (``LO1``).
    text : str
        What learners will be able to do, starting with an observable verb.
    assessment : str
        How the outcome is assessed (rubric-scored project, exam, ...).
    evidence : str
        The evidence artifact a learner produces (portfolio piece, report, ...).
    """

    id: str = Field(min_length=1, description="short identifier, unique in the proposal")
    text: str = Field(max_length=MAX_OUTCOME_CHARS, description="what learners will be able to do")
    assessment: str = Field(default="", description="how the outcome is assessed")
    evidence: str = Field(default="", description="the evidence artifact learners produce")


class Partner(_Model):
    """An external partner and how closely it collaborates.

    Attributes
    ----------
    name : str
        Organization name.
    level : {"low", "mid", "high"}
        ``low``: input to curriculum; ``mid``: learners interact with the
        organization; ``high``: formal partnership.
    role : str
        What the partner does, in a few words.
    """

    name: str = Field(min_length=1)
    level: Literal["low", "mid", "high"] = "low"
    role: str = ""


class Endorsement(_Model):
    """An endorsement of the credential by an employer, association or board."""

    by: str = Field(min_length=1, description="who endorses it")
    statement: str = ""
    date: _dt.date | None = None


class ReviewedAlignment(_Model):
    """One alignment of an outcome (or the whole credential) to a competency, as reviewed.

    The dashboard writes these when faculty accept or reject what the matcher
    (or a search, or an import) proposed; exporters and scoring read them.

    Attributes
    ----------
    outcome : str or None
        Outcome id (``LO1``), or None for the credential as a whole.
    framework : str
        Framework name as in :func:`align.match` (``onet``, ``esco``, ``nace``, ...).
    framework_version : str or None
        Release of the framework (``"29.3"``).
    id : str
        Namespaced competency id (``onet:2.A.1.a``).
    code, label : str
        The competency's code in its framework and its label.
    url, description : str or None
        Official page and description of the competency.
    score : float or None
        Match score in [0, 1] when the alignment came from the matcher.
    status : {"accepted", "rejected", "unreviewed"}
        The reviewer's decision; ``unreviewed`` only in
        ``Proposal.unreviewed_alignments`` (nobody has decided yet).
    source : {"matcher", "search", "import"}
        Where the alignment came from.
    reviewed_by : str or None
        Who reviewed it.
    reviewed_at : datetime or None
        When (ISO datetime in the file).

    Examples
    --------
    >>> a = ReviewedAlignment(outcome="LO1", framework="onet", id="onet:2.A.1.a",
    ...                       code="2.A.1.a", label="Reading Comprehension", score=0.61)
    >>> a.status, a.source
    ('accepted', 'matcher')
    """

    outcome: str | None = None
    framework: str = Field(min_length=1)
    framework_version: str | None = None
    id: str = Field(min_length=1, description="namespaced competency id, e.g. onet:2.A.1.a")
    code: str = ""
    label: str = Field(min_length=1)
    url: str | None = None
    description: str | None = None
    score: float | None = Field(default=None, ge=0, le=1)
    status: Literal["accepted", "rejected", "unreviewed"] = "accepted"
    source: Literal["matcher", "search", "import"] = "matcher"
    reviewed_by: str | None = None
    reviewed_at: _dt.datetime | None = None

    @field_validator("framework_version", "code", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        # YAML reads an unquoted 29.3 as a number; a version or code is text.
        return (
            str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        )
