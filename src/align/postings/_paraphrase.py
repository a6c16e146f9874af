"""Matcher matches that only paraphrase a common phrase: a specific kind of what the
sentence says.

The matcher finds skills whose labels are close to a sentence in meaning and
wording. When the sentence names a general thing and the label a specific kind
of it, the match is wrong though most of its words are there: "written and
verbal communication skills" -> *Non-Verbal Communication*, "configuring cloud
platforms" -> *Google Cloud Platform*, "experience with programming languages"
-> *G Programming Language*, "Programming: proficient coding" ->
*Programming (Music)*. :func:`names_a_narrower_skill` spots four kinds, each
only when another word of the label is in the sentence:

``negation``
    the label starts with "Non-" and the sentence has no "non" (*Non-Verbal
    Communication* from "verbal communication");
``vendor``
    the label starts with a vendor (:data:`~align.postings._literal.VENDORS`)
    the sentence does not name (*Google Cloud Platform* from "cloud
    platforms"; a posting that names "Spark" gets *Apache Spark* literally);
``name``
    the label starts with a short or capitalised name the sentence lacks: at
    most two letters, digits, or capitals inside the word (*G Programming
    Language*, *RPL (Programming Language)*, *3D Visualization*, *IOS
    Development*); a hyphenated word is one word (*E-Commerce*);
``sense``
    the label's bracketed qualifier names a field the whole posting never
    mentions and is not the label's acronym (*Programming (Music)*, *Scale
    (Map)*; *Prototype (Computer Science)* stays where the posting mentions
    computer science, *Extract Transform Load (ETL)* always).

Words are compared lower-cased with common endings cut ("statistical",
"statistics"; "modelling", "modeling"). Extraction drops such matcher matches
(a skill the sentence names outright is found literally, untouched by this).
Measured on hand-labelled pairs in ``benchmarks/RESULTS-postings.md``
("Paraphrases of a common phrase").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from align.postings._literal import VENDORS

__all__ = ["NARROWER_RULES", "keep_mask", "names_a_narrower_skill", "narrower_kind", "words"]

#: The kinds of narrower label that are dropped (module notes).
NARROWER_RULES: tuple[str, ...] = ("negation", "vendor", "name", "sense")

_TOKEN = re.compile(r"[A-Za-z0-9+#]+(?:-[A-Za-z0-9+#]+)*")
# "e.g." and "i.e." are not the letters E, G and I (*G Programming Language*).
_ABBREVIATION = re.compile(r"\b(?:e\.\s?g|i\.\s?e|etc|vs)\b\.?", re.IGNORECASE)
_QUALIFIER = re.compile(r"\(([^)]*)\)")
_STOP = frozenset({"a", "an", "and", "the", "of", "for", "in", "to", "with", "on", "or", "by"})
_ENDINGS = ("ational", "ation", "ities", "ical", "ing", "ity", "al", "ed", "ic")
_VENDORS = frozenset(v.lower() for v in VENDORS)


def _stem(word: str) -> str:
    """Crude: the plural, then one common ending ("statistics", "statistical" -> "statist")."""
    word = word.replace("-", "")
    word = re.sub(r"ll(?=ing|ed|er)", "l", word)  # modelling -> modeling
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    for end in _ENDINGS:
        if word.endswith(end) and len(word) - len(end) >= 3:
            return word[: -len(end)]
    return word


def _tokens(text: str) -> list[str]:
    """Words as written (a hyphenated word is one), stop words and "e.g." left out."""
    return [t for t in _TOKEN.findall(_ABBREVIATION.sub(" ", text)) if t.lower() not in _STOP]


def _name_like(token: str) -> bool:
    """G, 3D, RPL, iOS: at most two letters, digits, or capitals after the first letter."""
    letters = token.replace("-", "")
    return (
        len(letters) <= 2
        or any(c.isdigit() for c in letters)
        or any(c.isupper() for c in letters[1:])
    )


def _acronym_of(qualifier: list[str], base: list[str]) -> bool:
    """ "ETL" for "Extract Transform Load": the qualifier spells the base's initials."""
    initials = "".join(w[0] for w in base).lower()
    return len(qualifier) == 1 and qualifier[0].lower() == initials


def names_a_narrower_skill(sentence: str, label: str, posting: str | None = None) -> str | None:
    """Which kind of narrower label ``label`` is for ``sentence`` (module notes), else None.

    ``posting`` is the whole posting's text (default: the sentence), read by the
    ``sense`` rule.

    Examples
    --------
    >>> names_a_narrower_skill("Excellent written and verbal communication skills",
    ...                        "Non-Verbal Communication")
    'negation'
    >>> names_a_narrower_skill("Experience configuring cloud platforms", "Google Cloud Platform")
    'vendor'
    >>> names_a_narrower_skill("Knowledge of programming languages", "G Programming Language")
    'name'
    >>> names_a_narrower_skill("Programming (e.g. programming languages)", "G Programming Language")
    'name'
    >>> names_a_narrower_skill("Outstanding programming skills", "Programming (Music)")
    'sense'
    >>> names_a_narrower_skill("Build prototypes", "Prototype (Computer Science)",
    ...                        posting="Degree in computer science. Build prototypes.") is None
    True
    >>> names_a_narrower_skill("Experience with statistical modelling", "Statistical Modeling")
    """
    context = posting if posting is not None else sentence
    return narrower_kind(words(sentence), label, words(context), sentence_has_non(sentence))


def words(text: str) -> frozenset[str]:
    """The stemmed words of a text, as the rules compare them."""
    return frozenset(_stem(t.lower()) for t in _tokens(text))


def sentence_has_non(sentence: str) -> bool:
    """Whether the sentence says "non" (as a word or a "non-" prefix)."""
    return any(t.lower() == "non" or t.lower().startswith("non-") for t in _tokens(sentence))


def narrower_kind(
    found: frozenset[str], label: str, context: frozenset[str], has_non: bool
) -> str | None:
    """:func:`names_a_narrower_skill` on precomputed word sets (extraction reads each
    sentence and posting once)."""
    qual_raw = _tokens(" ".join(_QUALIFIER.findall(label)))
    base_raw = _tokens(_QUALIFIER.sub(" ", label))
    if not base_raw:
        return None
    base = [_stem(t.lower()) for t in base_raw]
    qual = [_stem(t.lower()) for t in qual_raw]
    first, rest = base_raw[0], [*base[1:], *qual]
    some_word_there = any(w in found for w in rest)
    negated = _stem(first.lower()[4:]) in found or some_word_there
    if first.lower().startswith("non-") and not has_non and negated:
        return "negation"
    if base[0] not in found and some_word_there:
        if first.lower() in _VENDORS:
            return "vendor"
        if _name_like(first):
            return "name"
    sense = bool(qual) and not _acronym_of(qual_raw, base_raw)
    if sense and any(w in found for w in base) and not any(w in context for w in qual):
        return "sense"
    return None


def keep_mask(hits: pd.DataFrame, segments: list[str], texts: Sequence[str | None]) -> np.ndarray:
    """Mask of the matcher's hits (``seg``, ``label``, ``owner``) to keep: not a specific
    kind of what their sentence names; each sentence and posting is read once."""
    seg_words = {k: words(segments[k]) for k in hits["seg"].unique().tolist()}
    seg_non = {k: sentence_has_non(segments[k]) for k in seg_words}
    post_words = {o: words(texts[o] or "") for o in hits["owner"].unique().tolist()}
    keep = [
        narrower_kind(seg_words[k], lab, post_words[o], seg_non[k]) is None
        for k, lab, o in zip(hits["seg"], hits["label"], hits["owner"], strict=True)
    ]
    return np.array(keep, dtype=bool)
