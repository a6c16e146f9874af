"""What a wallet shows of an alignment: its page, its name, one sentence, framework and version.

Wallets and verifiers display ``targetName`` (linked by ``targetUrl``) and
``targetDescription`` and ignore the rest, so those three must stand alone:

- :func:`target_url`: the competency's most specific official page
  (:func:`align.frameworks._targets.official_target`), else the page recorded
  with the alignment;
- :func:`target_name`: the competency's name;
- :func:`target_description`: one sentence from the framework (the first of
  its description, or what the competency is when the framework has none),
  then, when the page does not name the competency alone, where it is, and
  ``From <framework> <version>.`` at the end.

:func:`split_description` reads such a text back (for ``import-badge``).
"""

from __future__ import annotations

import re

from align._safeout import plain_text
from align.exports._alignments import framework_meta
from align.frameworks._targets import competency_kind, official_target
from align.proposals import ReviewedAlignment

__all__ = [
    "MAX_SENTENCE_CHARS",
    "first_sentence",
    "framework_label",
    "split_description",
    "target_description",
    "target_name",
    "target_note",
    "target_url",
]

#: Longest description sentence a badge carries (longer ones end with "…").
MAX_SENTENCE_CHARS = 300
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z0-9\"'(])")


def framework_label(a: ReviewedAlignment) -> str:
    """``targetFramework``: the framework's name and version (``O*NET 29.3``).

    Examples
    --------
    >>> framework_label(ReviewedAlignment(framework="cmc", id="cmc:tier1.integrity",
    ...     label="Integrity", framework_version="Building Blocks model (2017 revision)"))
    'Competency Model Clearinghouse Building Blocks model (2017 revision)'
    """
    name = framework_meta(a.framework).name
    return plain_text(f"{name} {a.framework_version or ''}".strip())


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (whitespace collapsed, at most
    :data:`MAX_SENTENCE_CHARS` characters). Applying it twice changes nothing.

    Examples
    --------
    >>> first_sentence("Using logic and reasoning. Second sentence here.")
    'Using logic and reasoning.'
    >>> first_sentence("No full stop")
    'No full stop'
    """
    flat = " ".join(plain_text(text).split())
    m = _SENTENCE_END.search(flat)
    if m:
        flat = flat[: m.start() + 1]
    if len(flat) > MAX_SENTENCE_CHARS:
        flat = flat[: MAX_SENTENCE_CHARS - 1].rstrip() + "…"
    return flat


def target_url(a: ReviewedAlignment) -> str:
    """The page an alignment links: its official page by the framework's rule, else its
    recorded ``url`` (checked by the URL policy before any export writes it)."""
    t = official_target(a.framework, a.id, a.code, a.label, a.url)
    if t is not None:
        return t.url
    return str(a.url or "")


def target_note(a: ReviewedAlignment) -> str:
    """The sentence saying where the competency is when its page does not name it alone."""
    t = official_target(a.framework, a.id, a.code, a.label, a.url)
    return t.note if t is not None else ""


def target_name(a: ReviewedAlignment) -> str:
    """``targetName``: the competency's name, as a plain line of text."""
    return " ".join(plain_text(a.label).split())


def _kind_sentence(a: ReviewedAlignment) -> str:
    kind = competency_kind(a.framework, a.id)
    name = framework_meta(a.framework).name
    if a.framework == "onet" and kind == "task":
        return "A task that O*NET lists for an occupation."
    article = "An" if kind[:1].lower() in "aeiou" else "A"
    return f"{article} {kind} in {name}."


def target_description(a: ReviewedAlignment) -> str:
    """``targetDescription``: one sentence, where the page lists it if needed, framework
    and version.

    Examples
    --------
    >>> a = ReviewedAlignment(framework="onet", framework_version="29.3",
    ...     id="onet:4.A.4.a.5.I01.D06", code="4.A.4.a.5.I01.D06",
    ...     label="Refer clients to community or social service programs.")
    >>> target_description(a)
    'A detailed work activity in O*NET. From O*NET 29.3.'
    >>> b = ReviewedAlignment(framework="onet", framework_version="29.3", id="onet:2.A.2.a",
    ...     label="Critical Thinking", description="Using logic and reasoning to weigh "
    ...     "alternative solutions. More text.")
    >>> target_description(b)
    'Using logic and reasoning to weigh alternative solutions. From O*NET 29.3.'
    """
    sentence = first_sentence(a.description) if a.description else ""
    parts = [sentence or _kind_sentence(a)]
    note = target_note(a)
    if note and note not in parts[0]:
        parts.append(note)
    parts.append(f"From {framework_label(a)}.")
    return " ".join(parts)


def split_description(text: str, framework_text: str, note: str = "") -> str:
    """The framework's sentence inside a ``targetDescription`` written by
    :func:`target_description` (the note and the ``From ...`` ending removed).

    Examples
    --------
    >>> split_description("Using logic. From O*NET 29.3.", "O*NET 29.3")
    'Using logic.'
    """
    out = " ".join(str(text).split())
    ending = f" From {framework_text}."
    if out.endswith(ending):
        out = out[: -len(ending)]
    elif out == ending.strip():
        out = ""
    if note and out.endswith(" " + note):
        out = out[: -len(note) - 1]
    return out.strip()
