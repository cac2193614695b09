"""One entry point for the vote stage: ``tally(method, election, **params)``.

Also ``validate_ballot(method, ballot, params)`` so a single ballot can be checked against
the rules before it is accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .budget import greedy, mes, validate_budget_ballot
from .model import Ballot, Election, Result, UnknownMethodError
from .ranked import irv, schulze
from .scoring import (
    approval,
    borda,
    cumulative,
    quadratic,
    score,
    validate_approval,
    validate_cumulative,
    validate_quadratic,
    validate_ranking,
    validate_score,
)

Method = Callable[..., Result]

METHODS: dict[str, Method] = {
    "approval": approval,
    "score": score,
    "cumulative": cumulative,
    "quadratic": quadratic,
    "borda": borda,
    "irv": irv,
    "schulze": schulze,
    "greedy": greedy,
    "mes": mes,
}

# Other names people (and pabulib's ``rule`` field) use for the same methods.
ALIASES: dict[str, tuple[str, dict[str, Any]]] = {
    "range": ("score", {}),
    "instant-runoff": ("irv", {}),
    "instant_runoff": ("irv", {}),
    "equalshares": ("mes", {"completion": "none"}),
    "equalshares/add1": ("mes", {"completion": "add1"}),
    "equalshares/add1-comparison": ("mes", {"completion": "add1", "comparison": "satisfaction"}),
    "equalshares/add1u": ("mes", {"completion": "add1", "topup": True}),
    "mes/add1": ("mes", {"completion": "add1"}),
    "greedy/utilitarian": ("greedy", {}),
}

RANKED_METHODS = frozenset({"irv", "schulze", "borda"})
BUDGET_METHODS = frozenset({"greedy", "mes"})

_VALIDATORS: dict[str, Callable[[Ballot, Mapping[str, Any]], list[str]]] = {
    "approval": validate_approval,
    "score": validate_score,
    "cumulative": validate_cumulative,
    "quadratic": validate_quadratic,
    "borda": validate_ranking,
    "irv": validate_ranking,
    "schulze": validate_ranking,
    "greedy": validate_budget_ballot,
    "mes": validate_budget_ballot,
}


def known_methods() -> list[str]:
    return sorted(METHODS) + sorted(ALIASES)


def resolve(name: str) -> tuple[str, dict[str, Any]]:
    """Map a method name or alias to (registry name, implied parameters)."""
    key = name.strip().lower()
    if key in METHODS:
        return key, {}
    if key in ALIASES:
        base, implied = ALIASES[key]
        return base, dict(implied)
    raise UnknownMethodError(
        f"unknown method {name!r}; known methods: {', '.join(known_methods())}"
    )


# The compact form of ballots a method counts as it is (any other becomes Ballot objects).
COMPACT = {"irv": "rankings", "mes": "approvals"}


def tally(method: str, election: Election, **params: Any) -> Result:
    """Count ``election`` with the named method; explicit params override an alias's."""
    base, implied = resolve(method)
    election = election.with_ballots(keep=COMPACT.get(base))
    return METHODS[base](election, **{**implied, **params})


def validate_ballot(
    method: str, ballot: Ballot, params: Mapping[str, Any] | None = None
) -> list[str]:
    """Problems with one ballot under the method's rules ([] when the ballot is valid).

    Rule parameters by method: approval ``max_approvals``/``min_approvals``; score
    ``min_score``/``max_score``; cumulative ``max_total``/``max_per_option``/``min_total``;
    quadratic ``credits``/``allow_negative``; ranked ``max_rank``/``min_rank``/``allow_ties``;
    greedy and mes ``max_approvals``/``min_approvals`` and, for knapsack ballots,
    ``max_cost`` with ``costs`` (option -> cost). ``options`` (a collection of ids) adds a
    check that every option named exists.
    """
    base, _ = resolve(method)
    p = dict(params or {})
    problems = list(_VALIDATORS[base](ballot, p))
    options = p.get("options")
    if options is not None:
        unknown = sorted(ballot.mentioned() - set(options))
        if unknown:
            problems.append(f"{ballot.voter}: unknown options {', '.join(unknown)}")
    if ballot.weight < 0:
        problems.append(f"{ballot.voter}: negative weight")
    return problems
