"""Posting text -> bullet items and sentences, boilerplate and headings left out.

:func:`split_posting` is what skill extraction reads: each bullet item and
sentence of a posting, with equal-opportunity statements, benefits and
how-to-apply lines (:func:`is_boilerplate`) and section headings dropped.
"""

from __future__ import annotations

import re

__all__ = ["MAX_SEGMENT", "MIN_MATCH_WORDS", "is_boilerplate", "split_posting"]

_BULLET = re.compile(r"^\s*(?:[-*•·▪◦●‣–—>]+\s*|(?:\(?\d{1,2}[.)]|\(?[a-z][.)])\s+)")
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])")
_BOILERPLATE = re.compile(
    r"equal (?:employment )?opportunit|\beeo\b|affirmative action|without regard to|"
    r"regardless of (?:race|age|gender|sex)|national origin|sexual orientation|"
    r"gender identity|veteran status|protected (?:veteran|class|characteristic)|"
    r"accommodation|e-verify|drug[- ](?:free|test|screen)|background check|"
    r"\b401\s?\(?k\)?|dental|vision insurance|health insurance|medical insurance|"
    r"life insurance|paid time off|\bpto\b|paid holidays|parental leave|tuition reimbursement|"
    r"benefits package|competitive (?:salary|pay|benefits|compensation)|"
    r"(?:salary|pay) range|per hour|click apply|apply now|to apply|recruiters?\b|"
    r"privacy (?:policy|notice)|all qualified applicants",
    re.IGNORECASE,
)
MAX_SEGMENT = 300
# Segments shorter than this are left to literal mentions: of 24 labelled matches of the
# matcher in segments of at most four words that name no skill, 3 were right
# (benchmarks/RESULTS-postings.md, "Asked or only named").
MIN_MATCH_WORDS = 5
# Benefits listed as short bullet items ("Retirement Plan", "Compensation"); only
# whole short items, because "compensation" in a sentence can be the job itself.
_BENEFIT_ITEM = re.compile(
    r"(?:[\w&/-]+ ){0,3}(?:compensation|retirement|educational assistance|tuition|vacation|"
    r"holidays|bonus(?:es)?|stock options|wellness|insurance|employee discounts?|"
    r"paid leave|sick leave|pension)(?: [\w&/-]+){0,3}",
    re.IGNORECASE,
)
_LETTERS = re.compile(r"[A-Za-z]{2}")
# Section headings match skill names ("Requirements" -> Business Requirements) but
# say nothing about the job; dropped when a segment is only a heading.
_HEADINGS = re.compile(
    r"(?:job |position |role )?(?:description|summary|overview|responsibilities|requirements|"
    r"qualifications|duties|skills|benefits|about (?:us|the (?:role|company|team|job))|"
    r"what you(?:'|’)ll do|who you are|preferred|minimum|basic|required|education|"
    r"experience|essential functions|key responsibilities)"
    r"(?: (?:and|&) \w+)?(?: (?:summary|qualifications|requirements|skills|description))?"
    r"(?: \(.*\))?",
    re.IGNORECASE,
)


def is_boilerplate(text: str) -> bool:
    """True for equal-opportunity, benefits and how-to-apply sentences.

    Examples
    --------
    >>> is_boilerplate("We are an Equal Opportunity Employer."), is_boilerplate("Write SQL.")
    (True, False)
    """
    return bool(_BOILERPLATE.search(text) or _BENEFIT_ITEM.fullmatch(text.rstrip(" .;:")))


def split_posting(
    text: str | None, *, drop_boilerplate: bool = True, max_chars: int | None = MAX_SEGMENT
) -> list[str]:
    """Split posting text into bullet items and sentences.

    Headers (short lines ending in ``:``), fragments under three characters
    and, by default, boilerplate are dropped; long segments are cut at
    ``;`` and finally at ``max_chars`` characters (300; ``None`` keeps them
    whole, as literal-mention search does).

    Examples
    --------
    >>> split_posting("Requirements:\\n- Python and SQL\\n- Tableau\\nWe offer dental. "
    ...               "You will build models.")
    ['Python and SQL', 'Tableau', 'You will build models.']
    """
    if not text:
        return []
    out: list[str] = []
    for line in str(text).replace("\r", "\n").split("\n"):
        line = line.strip()
        if not line:
            continue
        bullet = _BULLET.match(line)
        if bullet:
            line = line[bullet.end() :].strip()
        parts = [line] if bullet and len(line) <= MAX_SEGMENT else _SENT.split(line)
        for part in parts:
            part = " ".join(part.split())
            if (
                len(part) < 3
                or (part.endswith(":") and len(part) < 60)
                or _HEADINGS.fullmatch(part.rstrip(" :.-"))
            ):
                continue
            pieces = [p.strip() for p in part.split(";")] if len(part) > MAX_SEGMENT else [part]
            for piece in pieces:
                if max_chars is not None:
                    piece = piece[:max_chars]
                if (
                    len(piece) < 3
                    or not _LETTERS.search(piece)
                    or (drop_boilerplate and is_boilerplate(piece))
                ):
                    continue
                out.append(piece)
    return out
