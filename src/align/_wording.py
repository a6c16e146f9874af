"""How a learning outcome is worded: its verb, Bloom level and specificity.

Verbs
    Measurable outcomes start with an observable action verb (our own Bloom-style
    list, :data:`BLOOM_LEVELS`); verbs that describe a state of mind rather than
    something an assessor can see (:data:`VAGUE_VERBS`) are not measurable.
    :func:`outcome_verb` finds an outcome's first verb after lead-ins such as
    "Students will be able to". The policy checks, the stack ordering and
    specificity all read verbs here.
Specificity
    How specific a learning outcome is: a measurable verb with a concrete object.

    A vague outcome ("Understand the importance of cybersecurity") lands on broad
    competencies that every occupation rates, so it must not earn the credit of a
    specific one ("Configure a host-based firewall and verify the rules with a port
    scan"). :func:`outcome_specificity` returns a factor in [0, 1] that scales an
    outcome's match credits in :func:`align.score_alignment`, with the reason and a
    rewrite hint shown in the report.

    ``specificity = verb_factor * object_factor``

    verb_factor
        1.0 for an observable verb of Bloom level 2-6 (:data:`BLOOM_LEVELS`) or a
        verb we do not list (domain verbs such as *configure*, *encrypt*, *weld*
        are concrete); 0.6 for Bloom level 1 (*define*, *list*, *identify*,
        *recognize*); 0.3 for a verb that names an inner state (*understand*,
        *know*, *appreciate*, *be aware of*).
    object_factor
        From the content words of what follows the verb, leaving out stop words
        and filler that names no content ("the importance of", "different kinds
        of", "the role of", "basics"): 0 words 0.2, 1 word 0.45, 2 words 0.8,
        3 or more 1.0.

    The factors are judgement calls, documented in ``docs/scoring.md``; the
    benchmark ``benchmarks/validity_score.py`` measures their effect (specific
    outcomes must beat vague rewrites of the same content by 10 points).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "BLOOM_LEVELS",
    "MEASURABLE_VERBS",
    "REWRITE_HINT",
    "VAGUE_VERBS",
    "Specificity",
    "bloom_level",
    "outcome_specificity",
    "outcome_verb",
]

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


# == specificity ===============================================================
# Bloom level 1 verbs our policy list does not carry (it is a list of observable verbs,
# and these are observable but low-level).
_LEVEL1_EXTRA = frozenset({"recognize", "recognise", "memorize", "memorise", "remember"})
# Verbs (or the state word after "be"/"become") that name no observable performance.
_STATE_EXTRA = frozenset(
    """
    aware familiar exposed introduced acquainted explore discover reflect consider
    """.split()  # noqa: SIM905
)
# "Develop an awareness of", "Gain an appreciation for", "Demonstrate an understanding
# of": an action verb whose object is a state of mind is still a state.
_ACQUIRE = frozenset(
    """
    develop gain build demonstrate acquire show display deepen foster cultivate strengthen
    have obtain achieve attain enhance improve expand broaden possess exhibit
    """.split()  # noqa: SIM905
)
_STATE_NOUNS = frozenset(
    """
    awareness appreciation understanding knowledge familiarity sensitivity passion respect
    sense perspective comprehension insight insights grasp foundation foundations overview
    introduction exposure interest curiosity mindset recognition empathy love commitment
    confidence
    """.split()  # noqa: SIM905
)
# "Develop skills in patient care" is vague; "Demonstrate proficiency in GTAW on 1/8-in
# aluminum per AWS D1.2" is not: a capacity noun is a state only without conditions.
_CAPACITY_NOUNS = frozenset(
    """
    skill skills ability abilities competence competency competencies proficiency habit
    habits voice style capacity attitude attitudes values disposition dispositions
    """.split()  # noqa: SIM905
)
# "Recognize the importance of", "Explain the role of": the object is the topic's worth.
_IMPORTANCE = frozenset(
    """
    importance role roles value significance need relevance impact contribution purpose place
    """.split()  # noqa: SIM905
)
_IMPORTANCE_VERBS = frozenset(
    """
    recognize recognise appreciate identify describe explain discuss acknowledge value
    understand know
    """.split()  # noqa: SIM905
)
_STOP = frozenset(
    """
    a an the of to for in on at by with from and or as into onto about its it their
    his her them they this that these those all any each such other others be is are
    own one's oneself how what why when where which who whom whose so than then
    will can could should would may might must also very more most well both
    """.split()  # noqa: SIM905
)
# Words that name no content of their own: "the importance of X", "kinds of X".
_FILLER = frozenset(
    """
    importance important role roles different various kind kinds type types basic
    basics fundamental fundamentals concept concepts general overview nature aspect
    aspects topic topics area areas field fields issue issues idea ideas thing things
    significance value world online principles principle key essential major solid
    deeper broad overall good
    """.split()  # noqa: SIM905
)
# Adjectives skipped when looking for the noun after an acquiring verb.
_LEAD_ADJECTIVES = frozenset(
    """
    a an the basic solid strong deeper deep broad good working general personal greater
    better sound thorough critical cultural
    """.split()  # noqa: SIM905
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#'-]*|\d[\w.%/-]*")
# Conditions that make a performance concrete: a method, a tool, a standard, a number.
_CONDITION = re.compile(
    r"\d|\b(?:using|with|by|per|according to|following|within|in accordance|from|under|"
    r"given)\b",
    re.IGNORECASE,
)
_TASK_VERBS = "|".join(sorted(MEASURABLE_VERBS | {"verify", "write", "present", "calculate"}))
_PERFORMANCE = re.compile(rf"\bby\s+\w+ing\b|\b(?:and|then)\s+(?:{_TASK_VERBS})\b", re.IGNORECASE)
_OBJECT_FACTOR = (0.2, 0.45, 0.8, 1.0)
#: How to rewrite an outcome that is not specific.
REWRITE_HINT = (
    "Start with an observable verb at the level learners reach (apply, analyze, configure, "
    "write, present), name the concrete object, the tool, standard or setting, and the "
    "product an assessor checks."
)
#: Verb factor of each kind of verb (:func:`outcome_specificity`).
VERB_FACTORS: dict[str, float] = {
    "state": 0.25,
    "state+performance": 0.6,
    "bloom1": 0.6,
    "action": 1.0,
}


@dataclass(frozen=True)
class Specificity:
    """Specificity of one outcome.

    Attributes
    ----------
    score : float
        ``verb_factor * object_factor`` in [0, 1]; 1 is specific.
    verb : str
        The outcome's first verb (after lead-ins such as "Students will").
    bloom_level : int or None
        Bloom level of the verb when recognised.
    object_words : int
        Content words after the verb (stop words and filler left out).
    reason : str
        Why the score is below 1 ("" when it is 1).
    hint : str
        How to rewrite the outcome ("" when it is specific).
    """

    score: float
    verb: str
    bloom_level: int | None
    object_words: int
    reason: str
    hint: str


def _verb_kind(verb: str, words: list[str], rest: str) -> tuple[str, str]:
    """The kind of the outcome's verb (a key of :data:`VERB_FACTORS`) and its reason."""
    lead = [w for w in words if w not in _LEAD_ADJECTIVES][:2]
    concrete = bool(_CONDITION.search(rest))
    state = ""
    if verb in VAGUE_VERBS or verb in _STATE_EXTRA:
        state = f"'{verb}' names an inner state an assessor cannot observe"
    elif verb in _ACQUIRE and set(lead) & _STATE_NOUNS:
        noun = next(w for w in lead if w in _STATE_NOUNS)
        state = f"'{verb} {noun}' names an inner state an assessor cannot observe"
    elif verb in _ACQUIRE and set(lead) & _CAPACITY_NOUNS and not concrete:
        noun = next(w for w in lead if w in _CAPACITY_NOUNS)
        state = f"'{verb} {noun}' names no performance an assessor can observe"
    elif verb in _IMPORTANCE_VERBS and lead and lead[0] in _IMPORTANCE:
        state = f"'{verb} the {lead[0]} of' asks for an attitude, not a performance"
    if state:
        if _PERFORMANCE.search(rest):
            return "state+performance", state + " (though it names a task after it)"
        return "state", state
    if _bloom(verb) == 1 or verb in _LEVEL1_EXTRA:
        n = len([w for w in words if w not in _STOP and w not in _FILLER and len(w) > 1])
        if n < 5 and not concrete:
            return "bloom1", f"'{verb}' asks only for recall (Bloom level 1)"
    return "action", ""


def outcome_specificity(text: str) -> Specificity:
    """How specific an outcome is (observable performance, concrete object), in [0, 1].

    ``score = verb_factor * object_factor``: the verb factor is 1 for an
    observable action, 0.6 for recall of a thin object ("Identify phishing
    emails") and 0.25 for an inner state, also when it hides behind an action
    verb ("Develop an awareness of", "Demonstrate an understanding of", "Recognize
    the importance of"; 0.6 when a task follows: "... by calculating ...");
    the object factor is 0.2, 0.45, 0.8 and 1 for 0, 1, 2 and 3+ content words
    after the verb (filler such as "the importance of" and the state words left
    out).

    Examples
    --------
    >>> outcome_specificity("Configure a host firewall and verify its rules with a port scan").score
    1.0
    >>> s = outcome_specificity("Understand the importance of cybersecurity")
    >>> round(s.score, 2), s.verb
    (0.11, 'understand')
    >>> outcome_specificity("Develop an awareness of web security and performance").score
    0.25
    >>> outcome_specificity("Identify phishing emails").score
    0.48
    """
    verb, rest = outcome_verb(text)
    level = _bloom(verb)
    words = [w.lower().strip("'-") for w in _WORD.findall(rest)]
    vkind, why = _verb_kind(verb, words, rest)
    if vkind == "bloom1":
        level = 1
    skip = _STOP | _FILLER | _STATE_EXTRA | _STATE_NOUNS | _CAPACITY_NOUNS | _IMPORTANCE
    content = [w for w in words if w not in skip and len(w) > 1]
    n = len(content)
    score = VERB_FACTORS[vkind] * _OBJECT_FACTOR[min(n, 3)]
    reasons = [why] if why else []
    if n < 3:
        what = "no concrete object" if n == 0 else f"a broad object ({' '.join(content)})"
        reasons.append(f"it has {what}")
    hint = REWRITE_HINT if reasons else ""
    return Specificity(
        score=round(float(score), 4),
        verb=verb,
        bloom_level=level,
        object_words=n,
        reason="; ".join(reasons),
        hint=hint,
    )


def _bloom(verb: str) -> int | None:
    return next((lv for lv, verbs in BLOOM_LEVELS.items() if verb in verbs), None)
