"""Job titles as posted -> the words that name the occupation.

Posted titles carry much besides the occupation: seniority ("Sr.", "II"),
schedule and contract ("3rd Shift", "Per Diem", "Remote / Contract"), pay
("$22 to $24 hourly"), requisition numbers ("[5326]"), places ("- Texarkana,
AR") and employers' team names. :func:`clean_title` removes what a rule can
recognise, expands common abbreviations ("Sr Mgr" is gone, "Tech" becomes
"Technician") and returns two forms for the title coder: the whole cleaned
title and its *core*, the part that names the job ("Data Engineer" in "Data
Engineer, Google Nest"; "Business Intelligence Director" from "Director,
Business Intelligence"). The rules were written from the dev half of the
title benchmark (``benchmarks/data/titles``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CleanTitle", "Lexicon", "clean_title", "title_words"]

# Abbreviations of title words, expanded before matching (lower case keys).
_ABBREVIATIONS: dict[str, str] = {
    "mgr": "manager", "asst": "assistant", "assoc": "associate", "rep": "representative",
    "reps": "representatives", "tech": "technician", "techs": "technicians",
    "techncian": "technician", "admin": "administrative", "eng": "engineer",
    "engr": "engineer", "dev": "developer", "vp": "vice president", "svp": "vice president",
    "evp": "vice president", "avp": "vice president", "gm": "general manager",
    "hr": "human resources", "qa": "quality assurance", "qc": "quality control",
    "bi": "business intelligence", "ml": "machine learning", "ai": "artificial intelligence",
    "coord": "coordinator", "spec": "specialist", "svc": "service", "svcs": "services",
    "mfg": "manufacturing", "acct": "account", "dir": "director", "exec": "executive",
    "ops": "operations", "csr": "customer service representative", "rn": "registered nurse",
    "lpn": "licensed practical nurse", "lvn": "licensed vocational nurse",
    "cna": "certified nursing assistant", "np": "nurse practitioner",
    "slp": "speech language pathologist", "pt": "physical therapist",
    "ot": "occupational therapist", "cdl": "commercial driver", "maint": "maintenance",
    "dotnet": ".net developer", "sw": "software", "hvac": "HVAC", "it": "information technology",
}  # fmt: skip
# Words that say how senior, not what the job is.
_SENIORITY = frozenset({
    "sr", "senior", "jr", "junior", "principal", "staff", "i", "ii", "iii", "iv", "v", "vi",
    "level", "entry", "experienced", "intermediate", "mid", "career", "early", "graduate",
    "grad", "new", "trainee", "apprentice", "intern", "internship", "student", "freelance",
})  # fmt: skip
# Segments (or bracketed text) that are about the contract, schedule, pay or place.
_NOISE = re.compile(
    r"\b(?:remote|hybrid|on[- ]?site|onsite|in[- ]office|contract(?:or)?|contract to hire|"
    r"temp(?:orary)?|seasonal|part[- ]?time|full[- ]?time|fulltime|per diem|prn|w2|1099|"
    r"days?|nights?|evenings?|weekends?|overnights?|(?:1st|2nd|3rd|first|second|third) shift|"
    r"shift|mon-\w+|sign[- ]on|bonus(?: eligible)?|great pay|pay is|hourly|per (?:week|hour)|"
    r"/wk|positions?|openings?|opportunit(?:y|ies)|hiring|immediate(?:ly)?|urgent(?:ly)?|"
    r"relocation|travel|visa|clearance|required|ts/sci|poly|\d+\+? years?(?: experience)?)\b",
    re.IGNORECASE,
)
_STATES = frozenset({
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ",
    "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT",
    "VA", "WA", "WV", "WI", "WY", "DC",
})  # fmt: skip
_STATE_NAMES = re.compile(
    r"\b(?:alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|"
    r"georgia|hawaii|idaho|illinois|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|"
    r"massachusetts|michigan|minnesota|mississippi|missouri|montana|nebraska|nevada|"
    r"new hampshire|new jersey|new mexico|new york|north carolina|north dakota|ohio|oklahoma|"
    r"oregon|pennsylvania|rhode island|south carolina|south dakota|tennessee|texas|utah|"
    r"vermont|virginia|washington|west virginia|wisconsin|wyoming|nyc|bay area|united states)\b",
    re.IGNORECASE,
)
_BRACKETS = re.compile(r"[(\[{]([^)\]}]*)[)\]}]")
_SPLIT = re.compile(r"\s+[-–—|/]+\s*|\s*[-–—|]+\s+|\s*[,;:]\s*|__+|_|\s+at\s+|\s+or\s+")
_WORD = re.compile(r"[a-z0-9][a-z0-9+#.&']*", re.IGNORECASE)
_MONEY = re.compile(r"\$[\d,.]+\S*")
_NUMBERS = re.compile(r"\b(?:\d{3,}|\d+[a-z]?\d+)\b|#\s*\d+", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_MONTH = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|march|april|june|july|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b",
    re.IGNORECASE,
)
# Titles that lead with the role and put the field after a comma: "Director, Business
# Intelligence" is a "Business Intelligence Director".
_ROLE_FIRST = frozenset({
    "director", "manager", "supervisor", "specialist", "analyst", "head", "lead",
    "coordinator", "associate", "assistant", "consultant", "officer", "administrator", "chief",
    "partner", "technician", "engineer", "scientist", "representative", "clerk", "operator",
    "nurse", "developer",
    "vice president",
})  # fmt: skip
# Words that stay when they are what is left of a title ("Audit Staff", "Marketing Intern").
_KEEP_LAST = frozenset({"staff", "intern", "trainee", "apprentice", "graduate", "student"})
_ROLE_OF = re.compile(
    r"^(.*?\b(?:director|manager|head|vice president|chief|president))\s+of\s+(.+)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Lexicon:
    """Words of an occupation taxonomy's titles, to tell title words from places and names.

    Attributes
    ----------
    words : frozenset of str
        Every word (:func:`title_words`) of the titles.
    heads : frozenset of str
        Last words of the titles ("nurse", "engineer"): nouns that name a job.
    """

    words: frozenset[str]
    heads: frozenset[str]

    @classmethod
    def from_titles(cls, titles: list[str]) -> Lexicon:
        """The lexicon of a list of titles (occupation titles and alternate titles).

        Examples
        --------
        >>> lex = Lexicon.from_titles(["Registered Nurses", "Data Scientists"])
        >>> sorted(lex.heads), "data" in lex.words
        (['nurse', 'scientist'], True)
        """
        words: set[str] = set()
        heads: set[str] = set()
        for t in titles:
            w = title_words(_QUALIFIER.sub("", str(t)))
            words.update(w)
            if w:
                heads.add(w[-1])
        return cls(frozenset(words), frozenset(heads))


_QUALIFIER = re.compile(r"\s*\([^)]*\)|,.*$")


@dataclass(frozen=True)
class CleanTitle:
    """A cleaned job title.

    Attributes
    ----------
    full : str
        Every segment of the title that is not contract, schedule, pay or place,
        abbreviations expanded, seniority dropped.
    core : str
        The segment that names the job (the first, or the role and its field).
    head : str
        The core's last word, lower case: usually the occupation's noun.
    """

    full: str
    core: str
    head: str


def title_words(text: str) -> list[str]:
    """Lower-case words, a plural ``s`` dropped (``"Nurses"`` -> ``"nurse"``).

    Examples
    --------
    >>> title_words("Registered Nurses, Critical-Care")
    ['registered', 'nurse', 'critical', 'care']
    """
    out = []
    for w in re.findall(r"[a-z0-9+#]+", text.lower()):
        if len(w) > 3 and w.endswith("ies"):
            w = w[:-3] + "y"
        elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
            w = w[:-1]
        out.append(w)
    return out


def _is_noise(segment: str) -> bool:
    """A segment with nothing but contract, schedule, pay, place or numbers."""
    rest = _NOISE.sub(" ", segment)
    rest = _STATE_NAMES.sub(" ", rest)
    rest = _MONEY.sub(" ", _NUMBERS.sub(" ", _YEAR.sub(" ", _MONTH.sub(" ", rest))))
    words = [w for w in _WORD.findall(rest) if w.upper() not in _STATES or not w.isupper()]
    words = [w for w in words if w.lower() not in _SENIORITY and w.lower() not in {"to", "and"}]
    return not [w for w in words if not w.isdigit()]


def _place(segment: str) -> bool:
    """ "Texarkana, AR", "Mountain view, CA", "NY": a segment ending in a state code."""
    words = segment.split()
    return bool(words) and words[-1].strip(".") in _STATES and words[-1].isupper()


def _expand(segment: str) -> str:
    """Abbreviations expanded; seniority, numbers, years and repeated words dropped."""
    segment = _MONTH.sub(" ", _YEAR.sub(" ", segment))
    found = _WORD.findall(segment)
    words: list[str] = []
    for i, w in enumerate(found):
        low = w.lower().rstrip(".")
        if low.isdigit() or (low in _SENIORITY and not (low in _KEEP_LAST and i == len(found) - 1)):
            continue
        if low in _ABBREVIATIONS and (low != "it" or w.isupper()):
            w = _ABBREVIATIONS[low]
        for part in w.rstrip(".").split():
            # "RN Registered Nurse" -> "registered nurse Registered Nurse": say it once.
            if part.lower() not in {x.lower() for x in words[-3:]}:
                words.append(part)
    return " ".join(words)


def _head(core: str, lexicon: Lexicon | None) -> str:
    """The last word of ``core`` that names a job in the lexicon (else its last word)."""
    words = title_words(core)
    if lexicon is not None:
        for w in reversed(words):
            if w in lexicon.heads:
                return w
    return words[-1] if words else ""


def clean_title(title: str, lexicon: Lexicon | None = None) -> CleanTitle:
    """Clean a posted job title (see the module notes).

    With a ``lexicon``, a segment with no word of the taxonomy's titles (a place
    or an employer: "Minneapolis - Staff Attorney") is dropped, and the head is
    the last word that names a job ("scientist" in "Research Scientist Patient
    Preferences").

    Examples
    --------
    >>> clean_title("Sr. Data Analyst - Remote / Contract").core
    'Data Analyst'
    >>> clean_title("Director, Business Intelligence").core
    'Business Intelligence Director'
    >>> c = clean_title("Registered Nurse (RN) - ICU - Kings Mills")
    >>> c.full, c.core, c.head
    ('Registered Nurse ICU Kings Mills', 'Registered Nurse', 'nurse')
    >>> clean_title("MIG Flux Core Welder - Pay is $22 to $24 hourly").full
    'MIG Flux Core Welder'
    """
    text = " ".join(str(title).replace("\u2019", "'").split())
    kept_brackets = []
    for inner in _BRACKETS.findall(text):
        if not _is_noise(inner) and not _place(inner) and not inner.isupper():
            kept_brackets.append(inner)
    text = _BRACKETS.sub(" , ", text)
    segments = [s.strip() for s in _SPLIT.split(text)]
    segments = [s for s in segments if s and not _is_noise(s) and not _place(s)]
    segments = [e for e in (_expand(_NOISE.sub(" ", s)) for s in segments) if e]
    if lexicon is not None and len(segments) > 1:
        known = [s for s in segments if set(title_words(s)) & lexicon.words]
        segments = known or segments
    if not segments:
        fallback = _expand(text) or " ".join(text.split())
        return CleanTitle(fallback, fallback, _head(fallback, lexicon))
    core = segments[0]
    # "Director, Business Intelligence" -> "Business Intelligence Director".
    if len(segments) > 1 and " ".join(title_words(core)) in _ROLE_FIRST:
        core = f"{segments[1]} {core}"
    elif m := _ROLE_OF.match(core):
        core = f"{m[2]} {m[1]}"
    full = " ".join([*segments, *(_expand(b) for b in kept_brackets)])
    full = " ".join(full.split())
    return CleanTitle(full, core, _head(core, lexicon))
