"""What every matcher shares: the columns of a match table and lexical normalisation.

:class:`align._match.Matcher`, the professional-competency matcher
(:mod:`align._professional`) and the literal finder of postings all return or
compare text this way; keeping it here lets them import it without importing
each other.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MATCH_COLUMNS", "normalise"]

#: Columns of the DataFrame returned by :meth:`Matcher.match`, in order.
MATCH_COLUMNS: tuple[str, ...] = (
    "query_index",
    "query",
    "rank",
    "framework",
    "id",
    "code",
    "label",
    "kind",
    "url",
    "score",
    "semantic_score",
    "lexical_score",
    "matched_surface",
)

_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#]*")


def _stem(tok: str) -> str:
    if len(tok) > 4 and tok.endswith("ies"):
        return tok[:-3] + "y"
    if len(tok) > 3 and tok.endswith("s") and not tok.endswith(("ss", "us", "is")):
        return tok[:-1]
    return tok


def normalise(text: str) -> str:
    """Normalise text for lexical matching.

    Lower case, Unicode compatibility forms, ``&`` as ``and``, punctuation as
    spaces (``+`` and ``#`` kept for C++ and C#), plural ``s`` stripped.

    Examples
    --------
    >>> normalise("Analyse  Financial-Statements & Reports!")
    'analyse financial statement and report'
    """
    text = unicodedata.normalize("NFKC", text).lower().replace("&", " and ")
    return " ".join(_stem(t) for t in _TOKEN.findall(text))
