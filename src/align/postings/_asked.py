"""Does the posting ask for a skill it names? The ``asked`` score of extracted skills.

A posting names many skills it does not ask for: the employer's products
("Cosma provides body, chassis and engineering solutions"), the teams the job
works with ("partner with Product Management"), legal text, perks. Extraction
keeps every skill a posting names (that is what recall is measured against);
each extracted skill also gets ``asked_score``, the probability that the
posting asks for it, and ``asked``, that score against the model's threshold.
Demand tables count only asked skills unless told otherwise
(:func:`align.postings.skill_demand`, ``mentions=``).

The score is a logistic model fitted on our hand-labelled (posting, skill)
pairs of real Glassdoor postings (1 = the job asks for or uses the skill; see
``benchmarks/postings_asked.py`` and ``benchmarks/RESULTS-postings.md``). Two
variants ship in ``_asked_weights.json``:

``"embedding"``
    The sentence's vector and the skill label's vector from the default model
    (all-MiniLM-L6-v2) and their cosine, plus the cue features below. Used when
    extraction embeds with that model (methods ``hybrid`` and ``semantic``).
``"cues"``
    Cue features only, no model: a requirement word ("experience", "degree",
    "preferred"; :data:`~align.postings._literal.REQUIREMENT_CUES`), a word
    addressing the candidate ("you", "this role"), an employer word ("we",
    "our", "founded"), a tool word ("software", "platform"), a bullet of at
    most four words, and the sentence's length; and whether the sentence
    names the skill or the matcher only paraphrased it. Used by method ``literal``
    and ``lexical`` and with any other embedding model (whose vectors the
    fitted weights do not fit).

The threshold is fitted with the weights: the score that keeps 95 % of the
right pairs in cross-validation across labelling rounds. The measured
precision is in ``benchmarks/RESULTS-postings.md``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from align.exceptions import InvalidArgumentError
from align.postings._literal import CANDIDATE_CUES, EMPLOYER_CUES, REQUIREMENT_CUES, TOOL_CUES

if TYPE_CHECKING:
    from align._embed import Embedder

__all__ = [
    "ASKED_VARIANTS",
    "CUE_FEATURES",
    "NAMED_FEATURE",
    "AskedScorer",
    "asked_features",
    "cue_features",
]

#: The fitted variants (module docstring).
ASKED_VARIANTS: tuple[str, ...] = ("embedding", "cues")

#: Names of the cue features, in the order of :func:`cue_features`.
CUE_FEATURES: tuple[str, ...] = (
    "requirement", "candidate", "employer", "tool", "bullet", "length",
)  # fmt: skip
#: The feature after the cues: the sentence names the skill (else the matcher paraphrased it).
NAMED_FEATURE = "named"

# The embedding variant reads what the matcher reads: the first 300 characters.
_SENTENCE_CHARS = 300
_WEIGHTS = "_asked_weights.json"


def cue_features(sentences: Sequence[str]) -> np.ndarray:
    """Cue features of each sentence: an ``(n, 6)`` float array (:data:`CUE_FEATURES`)."""
    rows = []
    for text in sentences:
        words = len(text.split())
        rows.append((
            bool(REQUIREMENT_CUES.search(text)),
            bool(CANDIDATE_CUES.search(text)),
            bool(EMPLOYER_CUES.search(text)),
            bool(TOOL_CUES.search(text)),
            words <= 4,
            min(words, 60) / 60,
        ))  # fmt: skip
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(CUE_FEATURES))


def asked_features(
    sentences: Sequence[str],
    skills: Sequence[str],
    embedder: Embedder | None = None,
    named: Sequence[bool] | None = None,
) -> np.ndarray:
    """The model's inputs for each (sentence, skill label) pair.

    With an embedder: the sentence's vector (its first 300 characters, what the
    matcher reads), the skill label's vector, :func:`cue_features`, whether
    the sentence names the skill (``named``; default: it does) and the cosine of
    the two vectors (is the sentence about this skill: "catapult a company" is
    not about *Catapult*); without: the cue features and ``named``.
    """
    flag = np.ones(len(sentences)) if named is None else np.asarray(named, dtype=np.float64)
    cues = np.hstack([cue_features(sentences), flag.reshape(-1, 1)])
    if embedder is None:
        return cues
    sent = embedder.encode([s[:_SENTENCE_CHARS] for s in sentences], show_progress=False)
    labels = list(dict.fromkeys(skills))
    vec = embedder.encode(labels, show_progress=False)
    row = {lab: i for i, lab in enumerate(labels)}
    skill = vec[[row[s] for s in skills]] if len(skills) else vec[:0]
    cosine = (sent.astype(np.float64) * skill.astype(np.float64)).sum(axis=1, keepdims=True)
    return np.hstack([sent.astype(np.float64), skill.astype(np.float64), cues, cosine])


@lru_cache(maxsize=1)
def _weights() -> dict[str, Any]:
    text = resources.files("align.postings").joinpath(_WEIGHTS).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


class AskedScorer:
    """Score (sentence, skill) pairs: how likely the posting asks for the skill.

    Parameters
    ----------
    embedder : Embedder, optional
        The embedder extraction uses. With the default model the
        ``"embedding"`` variant is used, else (or with ``None``) ``"cues"``.

    Attributes
    ----------
    variant : {"embedding", "cues"}
    threshold : float
        Scores at or above it count as asked.

    Examples
    --------
    >>> scorer = AskedScorer()  # no embedder: the cue-only variant
    >>> scorer.variant
    'cues'
    >>> p = scorer.score(["3+ years of experience with SQL is required.",
    ...                   "Acme Corp is a leading provider of SQL consulting."],
    ...                  ["SQL (Programming Language)"] * 2)
    >>> (p >= scorer.threshold).tolist()
    [True, False]
    """

    def __init__(self, embedder: Embedder | None = None) -> None:
        from align._embed import DEFAULT_MODEL_NAME

        weights = _weights()
        fits = embedder is not None and embedder.model_name == DEFAULT_MODEL_NAME
        self.variant: Literal["embedding", "cues"] = "embedding" if fits else "cues"
        self.embedder = embedder if fits else None
        model = weights[self.variant]
        self.threshold = float(model["threshold"])
        self._coef = np.asarray(model["coef"], dtype=np.float64)
        self._intercept = float(model["intercept"])

    def __repr__(self) -> str:
        return f"<AskedScorer {self.variant} threshold={self.threshold:.3f}>"

    def score(
        self,
        sentences: Sequence[str],
        skills: Sequence[str],
        named: Sequence[bool] | None = None,
    ) -> np.ndarray:
        """Probability in [0, 1] that the posting asks for ``skills[i]`` in ``sentences[i]``.

        ``named[i]`` says whether the sentence names the skill (a literal
        mention) rather than only paraphrasing it (a match of the matcher);
        default: every sentence names its skill.
        """
        if len(sentences) != len(skills) or (named is not None and len(named) != len(skills)):
            raise InvalidArgumentError(
                f"sentences has {len(sentences)} items but skills has {len(skills)}"
                + ("" if named is None else f" and named {len(named)}")
                + "; pass one skill label (and one named flag) per sentence."
            )
        if not len(sentences):
            return np.zeros(0)
        z = asked_features(sentences, skills, self.embedder, named) @ self._coef + self._intercept
        return 1.0 / (1.0 + np.exp(-z))
