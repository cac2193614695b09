"""Counting engine: every voting method as a pure function (no database, no web).

Use ``tally(method, election, **params)`` (names in ``METHODS``) or call a method directly.
Conventions and tie-breaks are documented in docs/counting.md.
"""

from .budget import greedy, mes
from .model import (
    Approvals,
    Ballot,
    CountingError,
    Election,
    GroupSums,
    Rankings,
    Result,
    Tie,
    UnknownMethodError,
    natural_key,
)
from .ranked import irv, schulze
from .registry import (
    ALIASES,
    BUDGET_METHODS,
    METHODS,
    RANKED_METHODS,
    known_methods,
    resolve,
    tally,
    validate_ballot,
)
from .scoring import approval, borda, cumulative, quadratic, quadratic_cost, score
from .weights import apply_weights, group_normalised_weights, group_weights

__all__ = [
    "ALIASES",
    "BUDGET_METHODS",
    "METHODS",
    "RANKED_METHODS",
    "Approvals",
    "Ballot",
    "CountingError",
    "Election",
    "GroupSums",
    "Rankings",
    "Result",
    "Tie",
    "UnknownMethodError",
    "apply_weights",
    "approval",
    "borda",
    "cumulative",
    "greedy",
    "group_normalised_weights",
    "group_weights",
    "irv",
    "known_methods",
    "mes",
    "natural_key",
    "quadratic",
    "quadratic_cost",
    "resolve",
    "schulze",
    "score",
    "tally",
    "validate_ballot",
]
