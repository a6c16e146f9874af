"""A proposal's journey: statuses, the steps between them and who may take each step.

draft → submitted → signed-off (or returned to the author) → in-review →
feedback-sent → approved / approved-with-changes / declined. A returned proposal
is edited and submitted again. The review committee rates and gives feedback; it
never decides: only an approver does.
"""

from __future__ import annotations

from dataclasses import dataclass

from align.exceptions import WorkflowError

__all__ = ["DECISIONS", "FINAL", "STATUSES", "STEPS", "Step", "check_step", "next_steps"]

#: Every status a proposal can have, with what it means.
STATUSES: dict[str, str] = {
    "draft": "being written; only its author and the office see it",
    "submitted": "submitted for the department chair's or dean's sign-off",
    "returned": "returned to the author for changes",
    "signed-off": "signed off; waiting for the office to assign reviewers",
    "in-review": "with the review committee",
    "feedback-sent": "the committee's feedback is sent; waiting for the approver's decision",
    "approved": "the credential may be offered",
    "approved-with-changes": "approved once the listed changes are made",
    "declined": "not approved",
}
#: Decisions an approver can record (each is also the status it leads to).
DECISIONS: dict[str, str] = {k: STATUSES[k] for k in ("approved", "approved-with-changes")} | {
    "declined": STATUSES["declined"]
}
#: Statuses after which nothing moves.
FINAL = frozenset(DECISIONS)


@dataclass(frozen=True)
class Step:
    """One step of the flow: from which statuses, to which, the roles that take it, and how
    messages say it ("cannot <verb> 'p1'")."""

    name: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    verb: str


#: The steps, by name. ``decide`` leads to the decision taken (see :data:`DECISIONS`).
STEPS: dict[str, Step] = {
    s.name: s
    for s in (
        Step("submit", ("draft", "returned"), "submitted", ("author", "office"), "submit"),
        Step("sign-off", ("submitted",), "signed-off", ("chair",), "sign off"),
        Step("return", ("submitted",), "returned", ("chair",), "return"),
        Step("start-review", ("signed-off",), "in-review", ("office",), "assign reviewers to"),
        Step("send-feedback", ("in-review",), "feedback-sent", ("office",), "send feedback on"),
        Step("decide", ("feedback-sent",), "", ("approver",), "decide on"),
    )
}

#: What happens next, said to whoever looks at a proposal in this status.
_NEXT: dict[str, str] = {
    "draft": "its author submits it",
    "returned": "its author edits it and submits it again",
    "submitted": "the department chair or dean signs it off or returns it",
    "signed-off": "the office assigns reviewers",
    "in-review": "the reviewers rate it, then the office sends the committee's feedback",
    "feedback-sent": "an approver decides",
}


def next_steps(status: str) -> str:
    """What happens next to a proposal in ``status`` (a sentence).

    Examples
    --------
    >>> next_steps("submitted")
    'the department chair or dean signs it off or returns it'
    """
    if status in FINAL:
        return "nothing: the decision is recorded"
    return _NEXT.get(status, "")


def check_step(step: str, status: str, proposal_id: str) -> Step:
    """The step, if it applies to a proposal in ``status``; else a :class:`WorkflowError`.

    Examples
    --------
    >>> check_step("submit", "draft", "p1").target
    'submitted'
    >>> check_step("decide", "draft", "p1")
    Traceback (most recent call last):
    ...
    align.exceptions.WorkflowError: cannot decide on 'p1': it is a draft ...
    """
    if step not in STEPS:
        raise WorkflowError(f"step {step!r} is not one of {sorted(STEPS)}.")
    s = STEPS[step]
    if status in s.sources:
        return s
    article = "a draft" if status == "draft" else f"'{status}'"
    need = " or ".join("a draft" if x == "draft" else f"'{x}'" for x in s.sources)
    raise WorkflowError(
        f"cannot {s.verb} {proposal_id!r}: it is {article} ({STATUSES.get(status, '')}); that "
        f"step needs a proposal that is {need}. Next: {next_steps(status)}."
    )
