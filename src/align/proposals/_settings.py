"""How a proposal is scored: one frozen settings object instead of a dozen arguments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from align._calibration import (
    CREDIT_FLOOR,
    CREDIT_FULL,
    PROFESSIONAL_FLOOR,
    PROFESSIONAL_FULL,
    SPECIFICITY_MIN,
    credit,
)
from align._config import METHODS, Method
from align.exceptions import InvalidArgumentError
from align.proposals._components import DEFAULT_WEIGHTS, check_weights

__all__ = ["ScoreSettings"]


@dataclass(frozen=True)
class ScoreSettings:
    """How a proposal is scored; the defaults are the ones the benchmarks validated.

    Attributes
    ----------
    method : {"hybrid", "semantic"}
        ``hybrid`` credits meaning and the tools an outcome names; ``semantic``
        meaning only. (``lexical``, string matching without the model, cannot
        read meaning and is refused.)
    weights : mapping
        Component weights (:data:`align.proposals.DEFAULT_WEIGHTS`).
    floor, full : float
        Credit ramp on the standout of work activities, technologies, skills and
        knowledge (:data:`align._calibration.CREDIT_FLOOR` / ``CREDIT_FULL``).
    professional_floor, professional_full : float
        The same for NACE and CMC tier 1-3 competencies.
    specificity : bool
        Scale credits by the outcome's specificity (:func:`align._wording.outcome_specificity`).
    specificity_min : float
        Outcomes below it earn no professional credit and no balance.
    top_k : int
        Competencies listed per outcome and framework.
    top_demand : int
        Postings skills in the demand basket.
    quotas : mapping, optional
        O*NET items per kind in the basket (:data:`align.proposals.DEMAND_QUOTAS`).
    distinctive : bool
        Weight hot technologies by how few occupations use them.
    balance_target : int
        Professional and technical competencies each needed for full balance.
    region : str, optional
        Region the postings demand was drawn for (shown in the report).
    n_boot : int
        Bootstrap replicates of the interval (postings demand only).
    seed : int
        Seed of the bootstrap.
    """

    method: Method = "hybrid"
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    floor: float = CREDIT_FLOOR
    full: float = CREDIT_FULL
    professional_floor: float = PROFESSIONAL_FLOOR
    professional_full: float = PROFESSIONAL_FULL
    specificity: bool = True
    specificity_min: float = SPECIFICITY_MIN
    top_k: int = 3
    top_demand: int = 30
    quotas: Mapping[str, int] | None = None
    distinctive: bool = True
    balance_target: int = 2
    region: str | None = None
    n_boot: int = 500
    seed: int = 0

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise InvalidArgumentError(f"method={self.method!r}; expected one of {list(METHODS)}.")
        if self.method == "lexical":
            raise InvalidArgumentError(
                "method='lexical' cannot score a proposal: the score credits what an "
                "outcome means, which takes the embedding model. Use method='hybrid' (the "
                "default) or 'semantic'; string matching alone is in `align match "
                "--method lexical`."
            )
        object.__setattr__(self, "weights", check_weights(self.weights))
        credit(0.0, self.floor, self.full)
        credit(0.0, self.professional_floor, self.professional_full)
        for name in ("top_k", "top_demand", "balance_target"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise InvalidArgumentError(f"{name}={value!r}; expected a whole number >= 1.")

    def replace(self, **changes: Any) -> ScoreSettings:
        """A copy with some settings changed; an unknown name is an error naming the choices."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise InvalidArgumentError(
                f"unknown score setting(s) {unknown}; the settings are {sorted(known)}."
            )
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain data."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["weights"] = dict(self.weights)
        out["quotas"] = dict(self.quotas) if self.quotas is not None else None
        return out
