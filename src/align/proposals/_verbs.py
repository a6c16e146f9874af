"""Learning-outcome verbs: the first verb of an outcome and its Bloom level.

Measurable outcomes start with an observable action verb (our own Bloom-style
list, :data:`BLOOM_LEVELS`); verbs that describe a state of mind rather than
something an assessor can see (:data:`VAGUE_VERBS`) are not measurable. The
policy checks and the stack ordering both read verbs through this module.
"""

from __future__ import annotations

import re

__all__ = ["BLOOM_LEVELS", "MEASURABLE_VERBS", "VAGUE_VERBS", "bloom_level", "outcome_verb"]

#: Observable action verbs by Bloom level (1 remember ... 6 create; our own list).
BLOOM_LEVELS: dict[int, frozenset[str]] = {
    1: frozenset(
        """
        arrange cite define duplicate identify label list locate match name outline
        quote recall recite record repeat reproduce select state tabulate
        """.split()  # noqa: SIM905
    ),
    2: frozenset(
        """
        classify describe discuss distinguish estimate explain express extend
        generalize give illustrate indicate interpret paraphrase predict relate
        report restate review rewrite summarize translate
        """.split()  # noqa: SIM905
    ),
    3: frozenset(
        """
        administer apply calculate chart collect complete compute conduct
        demonstrate document dramatize employ execute implement install interview
        measure model modify operate perform practice prepare produce program
        schedule sketch solve test use navigate query render respond train deliver
        edit monitor
        """.split()  # noqa: SIM905
    ),
    4: frozenset(
        """
        analyze audit break categorize compare contrast correlate debug detect
        diagnose differentiate discriminate dissect examine experiment infer inspect
        investigate map prioritize question research sequence troubleshoot visualize
        reconcile refactor simulate
        """.split()  # noqa: SIM905
    ),
    5: frozenset(
        """
        appraise argue assess choose conclude critique decide defend evaluate grade
        judge justify rank rate recommend score support validate verify weigh
        advocate counsel forecast mediate mentor negotiate
        """.split()  # noqa: SIM905
    ),
    6: frozenset(
        """
        adapt assemble author build code collaborate communicate compile compose
        construct create design develop devise draft engineer facilitate formulate
        generate integrate invent lead manage organize plan present propose publish
        revise synthesize teach write coordinate
        """.split()  # noqa: SIM905
    ),
}
#: Every observable action verb we recognise.
MEASURABLE_VERBS: frozenset[str] = frozenset().union(*BLOOM_LEVELS.values())

#: Verbs that describe an inner state, not something an assessor can observe.
VAGUE_VERBS: frozenset[str] = frozenset(
    """
        understand know appreciate learn grasp realize comprehend believe value feel
        become familiarize internalize explore experience gain be think enjoy
        """.split()  # noqa: SIM905
)

# Normalise British spellings so "analyse" counts as "analyze".
_SPELLING = {
    "analyse": "analyze",
    "organise": "organize",
    "summarise": "summarize",
    "visualise": "visualize",
    "prioritise": "prioritize",
    "categorise": "categorize",
    "generalise": "generalize",
    "utilize": "use",
    "utilise": "use",
}
_LEAD_IN = re.compile(
    r"^(?:(?:upon|on|after)\s+completion[^,]*,\s*)?"
    r"(?:(?:the\s+)?(?:students?|learners?|participants?|graduates?|earners?)\s+)?"
    r"(?:(?:will|shall|should|can|must)\s+)?(?:be\s+able\s+to\s+)?(?:to\s+)?",
    re.IGNORECASE,
)
_NOUN_AFTER = re.compile(
    r"^(?:an?\s+)?(?:understanding|knowledge|awareness|appreciation)\b", re.IGNORECASE
)


def _base_verb(word: str) -> str:
    w = _SPELLING.get(word, word)
    if w in MEASURABLE_VERBS or w in VAGUE_VERBS:
        return w
    for suffix, repl in (("ies", "y"), ("es", ""), ("s", "")):
        if w.endswith(suffix):
            base = w[: -len(suffix)] + repl
            base = _SPELLING.get(base, base)
            if base in MEASURABLE_VERBS or base in VAGUE_VERBS:
                return base
    return w


def bloom_level(text: str) -> int | None:
    """Bloom level (1-6) of an outcome's first verb, or None when not recognised.

    Examples
    --------
    >>> bloom_level("Learners will list the steps"), bloom_level("Design a survey")
    (1, 6)
    """
    verb, _ = outcome_verb(text)
    return next((lv for lv, verbs in BLOOM_LEVELS.items() if verb in verbs), None)


def outcome_verb(text: str) -> tuple[str, str]:
    """Return the first verb of an outcome and the words after it.

    Lead-ins such as "Students will be able to" are skipped.

    Examples
    --------
    >>> outcome_verb("Students will be able to analyse survey data")
    ('analyze', 'survey data')
    >>> outcome_verb("Understand the role of a nurse")[0]
    'understand'
    """
    rest = _LEAD_IN.sub("", text.strip(), count=1)
    words = rest.split(maxsplit=1)
    if not words:
        return "", ""
    first = re.sub(r"[^a-z-]", "", words[0].lower())
    return _base_verb(first), words[1] if len(words) > 1 else ""
