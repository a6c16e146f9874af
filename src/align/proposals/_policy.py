"""Policy checks: does a proposal meet the institution's micro-credential rules?

A policy is a small YAML file (the default, ``_policy_default.yaml``, is
modelled on one state system's rules): allowed credential types, the credit
range for credit-bearing credentials, and how severe each check is. Each check
returns pass, warn or fail with a plain message; :func:`check_policy` returns
them all as a :class:`PolicyReport`.

Measurable outcomes are judged by their first verb against our own
Bloom-style list of observable action verbs (:data:`MEASURABLE_VERBS`); verbs
that describe a state of mind rather than something an assessor can see
(:data:`VAGUE_VERBS`: understand, know, appreciate, ...) are flagged.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from align._config import PathLike
from align._safeio import load_data, parse_yaml
from align._wording import _NOUN_AFTER, MEASURABLE_VERBS, VAGUE_VERBS, outcome_verb
from align.exceptions import InvalidArgumentError, ProposalError
from align.proposals._model import Proposal
from align.reports._base import ReportMixin
from align.reports._render import esc, plain

if TYPE_CHECKING:
    from rich.console import RenderableType

    from align.proposals._score import AlignmentReport

__all__ = [
    "CheckResult",
    "Policy",
    "PolicyReport",
    "check_policy",
    "load_policy",
]

Status = Literal["pass", "warn", "fail"]
Severity = Literal["fail", "warn", "off"]
#: Tables a PolicyReport exports with ``to_frame``.
TABLES: dict[str, str] = {"checks": "one row per check: check, status, subject, message"}
#: What each status means.
STATUSES: dict[str, str] = {
    "pass": "meets the policy",
    "warn": "meets the policy, but a reviewer should look at it",
    "fail": "does not meet the policy; change the proposal",
}


class _TypeRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str = ""
    credit_bearing: bool = False


class _Credits(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    credit_bearing_min: float = Field(default=1, ge=0)
    credit_bearing_max: float = Field(default=11, ge=0)
    non_credit: float = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _min_not_above_max(self) -> _Credits:
        if self.credit_bearing_min > self.credit_bearing_max:
            raise ValueError(
                f"credit_bearing_min ({self.credit_bearing_min:g}) is above credit_bearing_max "
                f"({self.credit_bearing_max:g}), so no credential could pass; swap them"
            )
        return self


class _Alignment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_professional: int = Field(default=1, ge=0)
    min_technical: int = Field(default=1, ge=0)


def _type_key(value: str) -> str:
    """Credential types compare case- and separator-insensitively ("Post Traditional")."""
    return value.strip().lower().replace("_", "-").replace(" ", "-")


class Policy(BaseModel):
    """A micro-credential policy: allowed types, credit range, check severities.

    Read one with :func:`load_policy`; the default is modelled on one state
    system's rules (see ``_policy_default.yaml`` for the documented fields).
    """

    model_config = ConfigDict(extra="forbid")
    name: str = "policy"
    based_on: str = ""
    types: dict[str, _TypeRule]
    credits: _Credits = _Credits()
    alignment: _Alignment = _Alignment()
    severity: dict[str, Severity] = Field(default_factory=dict)
    extra_measurable_verbs: list[str] = Field(default_factory=list)
    extra_vague_verbs: list[str] = Field(default_factory=list)

    @field_validator("severity", mode="before")
    @classmethod
    def _yaml_off(cls, value: Any) -> Any:
        # YAML reads a bare `off` as false (and `on` as true); people mean the words.
        if isinstance(value, dict):
            return {
                k: ("off" if v is False else "fail" if v is True else v) for k, v in value.items()
            }
        return value

    @field_validator("types", mode="before")
    @classmethod
    def _lower_types(cls, value: Any) -> Any:
        # Proposals write "Academic", "academic" or "ACADEMIC"; compare types in one form.
        if isinstance(value, dict):
            return {_type_key(str(k)): v for k, v in value.items()}
        return value

    def level(self, check: str) -> Severity:
        """Severity of ``check`` when it does not pass (``fail`` unless set)."""
        return self.severity.get(check, "fail")


def default_policy_yaml() -> str:
    """The text of the built-in policy YAML (a starting point for your own)."""
    return resources.files("align.proposals").joinpath("_policy_default.yaml").read_text("utf-8")


def load_policy(path: PathLike | None = None) -> Policy:
    """Read a policy YAML file; ``None`` gives the built-in default.

    Examples
    --------
    >>> p = load_policy()
    >>> sorted(p.types), p.credits.credit_bearing_max
    (['academic', 'enhancement', 'post-traditional'], 11.0)
    """
    if path is None:
        data = parse_yaml(default_policy_yaml(), "built-in policy", error=ProposalError)
        where = "the built-in default policy"
    else:
        p = Path(path)
        if not p.exists():
            raise ProposalError(
                f"policy file {str(p)!r} does not exist; check the path, or pass "
                "policy=None to use the built-in default."
            )
        # Regular files only, size, depth, alias, repeated-key, number and encoding limits.
        data = load_data(p, "policy file", error=ProposalError)
        where = f"policy file {str(p)!r}"
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ProposalError(
            f"{where} has problems: {problems}. Start from the default policy "
            "(default_policy_yaml(); `align check --show-policy` prints it) and edit it."
        ) from None


@dataclass(frozen=True)
class CheckResult:
    """One policy check on one proposal (or one of its outcomes).

    Attributes
    ----------
    check : str
        The check's name (``credits``, ``measurable``, ...).
    status : {"pass", "warn", "fail"}
    subject : str
        What was checked: ``proposal`` or an outcome id.
    message : str
        A plain sentence: what was found and, when not passing, what to change.
    """

    check: str
    status: Status
    subject: str
    message: str


@dataclass(frozen=True)
class PolicyReport(ReportMixin):
    """All policy checks of one proposal. ``passed`` is False when any check fails."""

    proposal: str
    policy: str
    results: tuple[CheckResult, ...]

    @property
    def passed(self) -> bool:
        """True when no check failed (warnings allowed)."""
        return not any(r.status == "fail" for r in self.results)

    def counts(self) -> dict[str, int]:
        """Number of checks per status."""
        return {s: sum(r.status == s for r in self.results) for s in STATUSES}

    def to_frame(self, table: Literal["checks"] = "checks") -> pd.DataFrame:
        """One row per check: ``check``, ``status``, ``subject``, ``message``.

        ``table`` is there for the one report interface; a policy report has one table.
        """
        if table not in TABLES:
            raise InvalidArgumentError(f"table={table!r}; expected one of {list(TABLES)}.")
        return pd.DataFrame(
            [asdict(r) for r in self.results], columns=["check", "status", "subject", "message"]
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "proposal": self.proposal,
            "policy": self.policy,
            "passed": self.passed,
            "counts": self.counts(),
            "results": [asdict(r) for r in self.results],
        }

    def _title(self) -> str:
        return f"Policy checks: {self.proposal}"

    def _html(self) -> str:
        return _policy_html(self)

    def _rich_parts(self) -> list[Any]:
        return _policy_rich(self)


def _result(
    policy: Policy, check: str, ok: bool, subject: str, good: str, bad: str, warn_only: bool = False
) -> CheckResult | None:
    level = policy.level(check)
    if level == "off":
        return None
    if ok:
        return CheckResult(check, "pass", subject, good)
    status: Status = "warn" if warn_only or level == "warn" else "fail"
    return CheckResult(check, status, subject, bad)


def _measurable(policy: Policy, outcome_id: str, text: str) -> CheckResult | None:
    verb, rest = outcome_verb(text)
    measurable = MEASURABLE_VERBS | {v.lower() for v in policy.extra_measurable_verbs}
    vague = VAGUE_VERBS | {v.lower() for v in policy.extra_vague_verbs}
    if verb in vague:
        return _result(
            policy,
            "measurable",
            False,
            outcome_id,
            "",
            f"starts with '{verb}', which an assessor cannot observe. Say what "
            "learners do to show it: e.g. 'explain', 'apply', 'analyze', 'design'.",
        )
    if verb in measurable and _NOUN_AFTER.match(rest):
        return _result(
            policy,
            "measurable",
            False,
            outcome_id,
            "",
            f"'{verb} {' '.join(rest.split()[:2])} ...' names a state of mind; "
            "name the action that shows it (e.g. 'explain how ...').",
            warn_only=True,
        )
    if verb in measurable:
        return _result(
            policy, "measurable", True, outcome_id, f"starts with the observable verb '{verb}'.", ""
        )
    return _result(
        policy,
        "measurable",
        False,
        outcome_id,
        "",
        f"'{verb or text[:20]}' is not on our list of observable action verbs; "
        "check that the outcome starts with something an assessor can see "
        "(analyze, create, present, ...).",
        warn_only=True,
    )


def check_policy(
    proposal: Proposal,
    policy: Policy | PathLike | None = None,
    alignment: AlignmentReport | None = None,
) -> PolicyReport:
    """Check a proposal against a micro-credential policy.

    Parameters
    ----------
    proposal : Proposal
        The proposal (see :func:`align.load_proposal`).
    policy : Policy, path or None
        A policy or the path of a policy YAML file; ``None`` uses the built-in
        default (1-11 credits when credit-bearing, 0 otherwise, ...).
    alignment : AlignmentReport, optional
        The proposal's alignment (:func:`align.score_alignment`); needed for
        the "one professional and one technical competency" checks, which
        warn "not checked" without it.

    Returns
    -------
    PolicyReport
        One :class:`CheckResult` per check (and per outcome for the outcome
        checks); ``report.passed`` is False when any check fails.

    Examples
    --------
    >>> from align.proposals import Proposal
    >>> p = Proposal(title="Care Teams", issuing_unit="Nursing", type="academic", credits=14,
    ...              outcomes=[{"id": "LO1", "text": "Understand team roles"}])
    >>> r = check_policy(p)
    >>> r.passed, sorted({x.check for x in r.results if x.status == "fail"})
    (False, ['credits', 'evidence', 'measurable'])
    """
    if not isinstance(proposal, Proposal):
        raise InvalidArgumentError(
            f"proposal must be a Proposal (from align.load_proposal), got "
            f"{type(proposal).__name__}."
        )
    pol = policy if isinstance(policy, Policy) else load_policy(policy)
    out: list[CheckResult | None] = []
    rule = pol.types.get(_type_key(proposal.type))
    allowed = ", ".join(pol.types)
    out.append(
        _result(
            pol,
            "type",
            rule is not None,
            "proposal",
            f"type '{proposal.type}' is allowed ({rule.description if rule else ''}).",
            f"type '{proposal.type}' is not allowed by this policy; use one of: {allowed}.",
        )
    )
    c = pol.credits
    credits = proposal.credits
    if rule is not None and rule.credit_bearing:
        ok = c.credit_bearing_min <= credits <= c.credit_bearing_max
        out.append(
            _result(
                pol,
                "credits",
                ok,
                "proposal",
                f"{credits:g} credits is within {c.credit_bearing_min:g}-{c.credit_bearing_max:g} "
                "for a credit-bearing credential.",
                f"a credit-bearing ('{proposal.type}') credential carries "
                f"{c.credit_bearing_min:g}-{c.credit_bearing_max:g} credits, but this one has "
                f"{credits:g}. Change the credits, or the type if it is not credit-bearing"
                + (
                    " (12 or more credits is a certificate, not a micro-credential)."
                    if credits > c.credit_bearing_max
                    else "."
                ),
            )
        )
    elif rule is not None:
        ok = credits == c.non_credit
        out.append(
            _result(
                pol,
                "credits",
                ok,
                "proposal",
                f"a non-credit ('{proposal.type}') credential carries {c.non_credit:g} credits.",
                f"a non-credit ('{proposal.type}') credential carries {c.non_credit:g} credits, "
                f"but this one has {credits:g}. Set credits to {c.non_credit:g}, or use a "
                "credit-bearing type such as 'academic'.",
            )
        )
    out.append(
        _result(
            pol,
            "outcomes",
            bool(proposal.outcomes),
            "proposal",
            f"{len(proposal.outcomes)} learning outcome(s).",
            "the proposal has no learning outcomes; add at least one.",
        )
    )
    for o in proposal.outcomes:
        out.append(
            _result(
                pol,
                "evidence",
                bool(o.evidence),
                o.id,
                f"evidence artifact: {o.evidence}.",
                "no evidence artifact; say what learners produce to show this "
                "outcome (a report, a recorded presentation, a portfolio piece).",
            )
        )
        out.append(
            _result(
                pol,
                "assessment",
                bool(o.assessment),
                o.id,
                f"assessed by: {o.assessment}.",
                "no assessment; say how this outcome is assessed (e.g. a rubric-scored project).",
            )
        )
        out.append(_measurable(pol, o.id, o.text))
    out.append(
        _result(
            pol,
            "target_occupations",
            bool(proposal.target_occupations),
            "proposal",
            f"targets {', '.join(proposal.target_occupations)}.",
            "no target occupations; add the O*NET-SOC codes of the jobs this "
            "credential prepares for, so its labor-market alignment can be scored.",
        )
    )
    out.append(
        _result(
            pol,
            "expiry",
            proposal.expiry is not None,
            "proposal",
            f"expires {proposal.expiry}." if proposal.expiry else "",
            "no expiry date; say when the credential should be reviewed or expire.",
        )
    )
    if proposal.expiry is not None:
        today = _dt.date.today()
        out.append(
            _result(
                pol,
                "expired",
                proposal.expiry >= today,
                "proposal",
                f"not expired (expires {proposal.expiry}).",
                f"the credential expired on {proposal.expiry} (today is {today}); review it "
                "and set a new expiry date before it is offered again.",
            )
        )
    for note in proposal.notes:
        out.append(CheckResult("target_occupations", "warn", "proposal", note))
    for klass, need in (
        ("professional", pol.alignment.min_professional),
        ("technical", pol.alignment.min_technical),
    ):
        if pol.level(klass) == "off" or need == 0:
            continue
        what = (
            "professional competency (NACE career readiness, or CMC tiers 1-3)"
            if klass == "professional"
            else "technical competency (O*NET, ESCO, Lightcast, or CMC tiers 4-5)"
        )
        if alignment is None:
            out.append(
                CheckResult(
                    klass,
                    "warn",
                    "proposal",
                    f"not checked: needs the alignment. Pass alignment= (the report of "
                    f"score_alignment) to check that at least {need} {what} is aligned.",
                )
            )
            continue
        got = alignment.aligned_competencies(klass)
        labels = ", ".join(got["label"].head(4))
        out.append(
            _result(
                pol,
                klass,
                len(got) >= need,
                "proposal",
                f"{len(got)} {klass} competenc{'y' if len(got) == 1 else 'ies'} "
                f"aligned ({labels}).",
                f"{len(got)} {what} aligned; the policy needs at least {need}. Add "
                f"or reword an outcome so it clearly teaches one.",
            )
        )
    results = tuple(r for r in out if r is not None)
    return PolicyReport(proposal.title, pol.name, results)


# == rendering ==================================================================
def _policy_rich(report: PolicyReport) -> list[RenderableType]:
    """Rich renderables for ``align check``."""
    from rich.table import Table
    from rich.text import Text

    colour = {"pass": "green", "warn": "yellow", "fail": "red"}
    t = Table(
        title=plain(f"Policy checks: {report.proposal} ({report.policy})"),
        title_justify="left",
        show_lines=False,
    )
    for col in ("check", "status", "about", "finding"):
        t.add_column(col, ratio=4 if col == "finding" else None)
    for r in report.results:
        t.add_row(
            plain(r.check), f"[{colour[r.status]}]{r.status}[/]", plain(r.subject), plain(r.message)
        )
    n = report.counts()
    verdict = (
        "[green]meets the policy[/]"
        if report.passed
        else "[red]does not meet the policy[/]: fix the checks marked fail"
    )
    return [t, Text.from_markup(f"{n['pass']} pass, {n['warn']} warn, {n['fail']} fail: {verdict}")]


def _policy_html(report: PolicyReport) -> str:
    """HTML of a policy report."""
    colour = {"pass": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e"}
    rows = "".join(
        f"<tr><td>{esc(r.check)}</td><td style='color:{colour[r.status]}'>"
        f"<b>{r.status}</b></td><td>{esc(r.subject)}</td>"
        f"<td>{esc(r.message)}</td></tr>"
        for r in report.results
    )
    verdict = "meets the policy" if report.passed else "does NOT meet the policy"
    return (
        f"<div><b>{esc(report.proposal)}</b> {verdict} "
        f"({esc(report.policy)})<table><tr><th>check</th><th>status</th>"
        f"<th>subject</th><th>message</th></tr>{rows}</table></div>"
    )
