"""What every export refuses to write, in one place: the export raises it, ``--check`` lists it.

:func:`refusals` applies the URL policy (:mod:`align._urls`) to every address a
format would write: each alignment's official page (on its framework's site),
the criteria, issuer, image and base URLs the format uses. :func:`refuse`
raises an :class:`~align.exceptions.ExportError` listing them all, so an export
never writes what pre-flight would have reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from align._urls import image_problem, url_problem
from align.exceptions import ExportError
from align.exports._alignments import Alignments
from align.exports._common import BadgeOptions
from align.exports._text import framework_label, target_url

__all__ = ["OPTION_FORMATS", "ExportProblem", "refusals", "refuse"]

#: Which options each format writes (and so which the URL policy checks for it).
OPTION_FORMATS: dict[str, tuple[str, ...]] = {
    "criteria_url": ("ob3", "ob2", "credly", "ctdl"),
    "issuer_url": ("ob3", "ob2"),
    "image_url": ("ob3", "ob2", "ctdl"),
    "base_url": ("ob3", "ob2", "case", "ctdl"),
}
_CTID = re.compile(r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True)
class ExportProblem:
    """One reason an export or its import would fail.

    Attributes
    ----------
    rule : str
        Rule id (a key of :data:`align.exports.RULES`).
    format : str
        Target format.
    subject : str
        What is wrong: a competency, a field or an option.
    message : str
        What is wrong and how to fix it.
    level : {"error", "warning"}
        ``error``: the export or the platform would refuse it; ``warning``:
        it imports, but someone should look (unreviewed alignments).
    """

    rule: str
    format: str
    subject: str
    message: str
    level: str = "error"

    def __str__(self) -> str:
        return f"[{self.rule}] {self.subject}: {self.message}"


def _alignment_problems(to: str, found: Alignments) -> list[ExportProblem]:
    out = []
    for a in found.items:
        url = target_url(a)
        why = url_problem(url, framework=a.framework) if url else "it is empty"
        if why is None:
            continue
        shown = f"found {url!r}: {why}" if url else "url is empty"
        out.append(
            ExportProblem(
                "alignment-url",
                to,
                f"{a.label} ({a.id})",
                f"no acceptable official URL ({shown}) for this {framework_label(a)} competency"
                + (f" aligned to outcome {a.outcome}" if a.outcome else "")
                + "; add its official page (https://...) as 'url:' in the proposal's "
                "alignments or reject the alignment.",
            )
        )
    return out


def _option_problems(to: str, options: BadgeOptions) -> list[ExportProblem]:
    out = []
    checks = (
        ("criteria_url", "criteria-url", "criteria URL", "--criteria-url", url_problem),
        ("issuer_url", "issuer-url", "issuer URL", "--issuer-url", url_problem),
        ("image_url", "image-url", "image", "--image-url", image_problem),
        ("base_url", "case-base-uri" if to == "case" else "base-url", "base URL", "--base-url",
         url_problem),
    )  # fmt: skip
    for field, rule, what, flag, check in checks:
        value = getattr(options, field)
        if not value or to not in OPTION_FORMATS[field]:
            continue
        why = check(value)
        if why is not None:
            out.append(
                ExportProblem(
                    rule,
                    to,
                    what,
                    f"{value!r} cannot be written: {why}. Give a public https:// address "
                    f"({flag} https://...)"
                    + (" or a base64 PNG/JPEG data: URI." if field == "image_url" else "."),
                )
            )
    if to == "ctdl" and options.organization_ctid and not _CTID.match(options.organization_ctid):
        out.append(
            ExportProblem(
                "ctdl-organization",
                to,
                "organization CTID",
                f"{options.organization_ctid!r} is not a CTID; copy your organization's CTID "
                "(ce- followed by 36 characters) from the Credential Engine publisher "
                "dashboard (--organization-ctid ce-...).",
            )
        )
    return out


def refusals(
    to: str, found: Alignments, options: BadgeOptions | None = None
) -> list[ExportProblem]:
    """Everything the ``to`` export refuses to write (empty: it can be written)."""
    options = options or BadgeOptions()
    return _alignment_problems(to, found) + _option_problems(to, options)


def refuse(to: str, found: Alignments, options: BadgeOptions | None = None) -> None:
    """Raise :class:`~align.exceptions.ExportError` listing every refusal, if any.

    Raises
    ------
    ExportError
        One sentence per problem; an alignment's names its competency, framework
        and outcome.
    """
    problems = refusals(to, found, options)
    if not problems:
        return
    links = []
    for a in found.items:
        url = target_url(a)
        why = url_problem(url, framework=a.framework) if url else "no url"
        if why is not None:
            links.append(
                f"{a.label!r} ({a.id}, {framework_label(a)}"
                + (f", outcome {a.outcome}" if a.outcome else "")
                + (f", url {url!r}: {why}" if url else ", no url")
                + ")"
            )
    head = (
        f"{len(links)} alignment(s) have no resolvable official URL (targetUrl) align can "
        f"write: {'; '.join(links)}. A badge alignment must link to the competency's official "
        "page: add its 'url:' (https://...) in the proposal's alignments, or reject the "
        "alignment. "
        if links
        else ""
    )
    others = " ".join(f"{p.subject}: {p.message}" for p in problems if p.rule != "alignment-url")
    raise ExportError(
        f"the {to} export was not written. {head}{others}".rstrip()
        + f" (`align export --to {to} --check` lists every problem.)"
    )
