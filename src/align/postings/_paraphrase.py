"""Matcher matches that only paraphrase a common phrase: a specific kind of what the
sentence says.

The matcher finds skills whose labels are close to a sentence in meaning and
wording. When the sentence names a general thing and the label is a specific
kind of it, the match is wrong though most of its words are there: "written
and verbal communication skills" -> *Non-Verbal Communication*, "configuring
cloud platforms" -> *Google Cloud Platform*, "experience with programming
languages" -> *G Programming Language*, "Programming: proficient coding" ->
*Programming (Music)*. :func:`names_a_narrower_skill` spots them:

* the label's first word is missing from the sentence while another word of
  the label is there (the word that makes the label specific: *Google*,
  *Non*, *G*, *Stochastic*); or
* the label's bracketed qualifier is missing entirely while its other words
  are there (*Programming (Music)*).

Words are compared after lower-casing and cutting common endings, so
"statistical" and "statistics" are one word. Extraction drops such matcher
matches (a skill the sentence names outright is found literally, untouched by
this). Measured on hand-labelled pairs in ``benchmarks/RESULTS-postings.md``
("Paraphrases of a common phrase").
"""

from __future__ import annotations

import re

__all__ = ["names_a_narrower_skill"]

_WORD = re.compile(r"[a-z0-9+#]+")
_QUALIFIER = re.compile(r"\(([^)]*)\)")
_STOP = frozenset({"a", "an", "and", "the", "of", "for", "in", "to", "with", "on", "or", "by"})
_ENDINGS = ("ational", "ation", "ities", "ical", "ing", "ity", "al", "ed", "ic")


def _stem(word: str) -> str:
    """Crude: the plural, then one common ending ("statistics", "statistical" -> "statist")."""
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    for end in _ENDINGS:
        if word.endswith(end) and len(word) - len(end) >= 3:
            return word[: -len(end)]
    return word


def _words(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP]


def names_a_narrower_skill(sentence: str, label: str) -> bool:
    """Whether ``label`` is a specific kind of what ``sentence`` names (module notes).

    Examples
    --------
    >>> names_a_narrower_skill("Excellent written and verbal communication skills",
    ...                        "Non-Verbal Communication")
    True
    >>> names_a_narrower_skill("Proficient coding in a language suited for analysis",
    ...                        "Programming (Music)")
    False
    >>> names_a_narrower_skill("Programming: proficient coding in Python",
    ...                        "Programming (Music)")
    True
    >>> names_a_narrower_skill("Experience with statistical modelling", "Statistical Modeling")
    False
    """
    found = set(_words(sentence))
    qualifier = " ".join(_QUALIFIER.findall(label))
    base = _words(_QUALIFIER.sub(" ", label))
    qual = _words(qualifier)
    if not base:
        return False
    others = [*base[1:], *qual]
    if base[0] not in found and any(w in found for w in others):
        return True
    return bool(qual) and not any(w in found for w in qual) and any(w in found for w in base)
