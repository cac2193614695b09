"""The anonymised open-data export of a closed vote, and everything computed from it.

The tally stored when the vote closes is computed from exactly this data, so that
`deliberate tally ballots.pb` on the published file gives the published result. The export holds
options as ids "1".."m" (their position on the ballot), and ballots as
[anonymous voter id, group or None, weight as exact text, choice], in a shuffled order.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from typing import Any, overload

from deliberate.voting.counting import (
    BUDGET_METHODS,
    RANKED_METHODS,
    Approvals,
    Ballot,
    Election,
    GroupSums,
    Rankings,
    Result,
    tally,
)
from deliberate.voting.counting.model import exact, simplify, to_plain
from deliberate.voting.formats import write_pb, write_preflib

POINTS_METHODS = frozenset({"score", "cumulative", "quadratic"})
PB_VOTE_TYPES = {"score": "scoring", "cumulative": "cumulative", "quadratic": "cumulative"}


def ballot_from_choice(
    voter: str, choice: dict[str, Any], weight: Any = 1, group: str | None = None
) -> Ballot:
    if "ranking" in choice:
        return Ballot.ranked(voter, list(choice["ranking"]), weight, group)
    if "points" in choice:
        return Ballot.scored(voter, {k: int(v) for k, v in choice["points"].items()}, weight, group)
    return Ballot.approval(voter, choice.get("approvals", []), weight, group)


# A cell starting with one of these is a formula when the file is opened in a spreadsheet
# (OWASP "CSV injection"); proposal titles are citizens' text, so they are neutralised.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Text for a CSV/pabulib cell that no spreadsheet will run: a leading apostrophe before a
    formula character, as OWASP recommends. Names are not counted, so results are unchanged."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _all_text(items: list[Any]) -> bool:
    """Whether every item is a string (a ranking with no tied tier), checked in C by join."""
    try:
        "".join(items)
    except TypeError:
        return False
    return True


def election_from_export(export: dict[str, Any], sums: GroupSums | None = None) -> Election:
    """The export as the counting engine's election; with ``sums``, counted from those instead
    of the export's ballots (an additive count of the same ballots: see GroupSums)."""
    # A vote has a handful of distinct weights: each text is parsed once.
    weights: dict[str, Any] = {}
    compact = _compact(export, weights) if sums is None else None
    if compact is not None:
        return _election(export, [], compact=compact)
    ballots = []
    append = ballots.append
    for voter, group, weight, choice in export["ballots"] if sums is None else ():
        number = weights.get(weight)
        if number is None:
            number = weights[weight] = exact(weight)
        # The app's two common ballots built directly (a city's vote is 100,000 of them).
        approvals = choice.get("approvals")
        ranking = choice.get("ranking")
        if approvals is not None and len(choice) == 1:
            append(Ballot(voter, approvals=frozenset(approvals), weight=number, group=group))
        elif ranking is not None and len(choice) == 1 and _all_text(ranking):
            append(
                Ballot(voter, ranking=tuple([(o,) for o in ranking]), weight=number, group=group)
            )
        else:
            append(ballot_from_choice(voter, choice, number, group))
    return _election(export, ballots, sums=sums)


def _election(
    export: dict[str, Any],
    ballots: list[Ballot],
    sums: GroupSums | None = None,
    compact: Rankings | Approvals | None = None,
) -> Election:
    """The export's options, costs, budget and description with these ballots."""
    method = export["method"]
    options = [str(o["id"]) for o in export["options"]]
    costs = {str(o["id"]): int(o["cost"] or 0) for o in export["options"]}
    names = {str(o["id"]): spreadsheet_safe(o["title"]) for o in export["options"]}
    budget_method = method in BUDGET_METHODS
    meta = {
        "description": spreadsheet_safe(export.get("title", "")),
        "country": "United Kingdom",
        "unit": spreadsheet_safe(export.get("organisation", "")),
        "instance": export.get("cycle_id", ""),
        "rule": method,
    }
    if budget_method:
        meta["currency"] = "GBP"
    if method in PB_VOTE_TYPES:
        meta["vote_type"] = PB_VOTE_TYPES[method]
    return Election(
        options=options,
        ballots=ballots,
        costs=costs if budget_method else {o: costs[o] for o in options},
        budget=int(export["budget"]) if budget_method else None,
        names=names,
        meta=meta,
        sums=sums,
        rankings=compact if isinstance(compact, Rankings) else None,
        approvals=compact if isinstance(compact, Approvals) else None,
    )


# The methods that count a compact form of the app's ballots as it is, without a Ballot each
# (a city's vote is 100,000): IRV strict rankings, MES approval sets.
COMPACT_FORMS: dict[str, tuple[str, type[Rankings] | type[Approvals]]] = {
    "irv": ("ranking", Rankings),
    "mes": ("approvals", Approvals),
}


def _compact(export: dict[str, Any], weights: dict[str, Any]) -> Rankings | Approvals | None:
    """The export's ballots in the compact form its method counts, if every ballot is one
    (else None)."""
    form = COMPACT_FORMS.get(export["method"])
    rows = export["ballots"]
    lists = _lists(form[0], list(map(itemgetter(3), rows))) if form else None
    if form is None or lists is None:
        return None
    texts = list(map(itemgetter(2), rows))
    for text in set(texts):
        weights[text] = exact(text)
    numbers = list(map(weights.__getitem__, texts))
    return form[1](list(map(itemgetter(0), rows)), lists, numbers, list(map(itemgetter(1), rows)))


def _lists(key: str, choices: list[dict[str, Any]]) -> list[list[Any]] | None:
    """Each choice's list under ``key`` ("ranking": a strict ranking, "approvals"), if every
    choice holds such a list and nothing else (else None), taken in passes that loop in C: a
    city has 100,000. The counting engine says which ballot names something unknown."""
    if set(map(len, choices)) - {1}:
        return None
    try:
        lists = list(map(itemgetter(key), choices))
        if key == "ranking":  # a tie (several ids in one place) is counted from Ballots
            "".join(chain.from_iterable(lists))  # TypeError unless every place holds one id
    except (KeyError, TypeError):
        return None
    return lists


class Numbered(Sequence[str]):
    """The names t1, t2, ... tn, each made when read: a city's profile names some 80,000
    distinct ballots, which only a voter's payments or a Ballot object ever read."""

    def __init__(self, n: int):
        self.n = n

    def __len__(self) -> int:
        return self.n

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [f"t{j + 1}" for j in range(*i.indices(self.n))]
        if not -self.n <= i < self.n:
            raise IndexError(i)
        return f"t{i % self.n + 1}"

    def __iter__(self) -> Iterator[str]:
        return map("t{}".format, range(1, self.n + 1))


@dataclass
class BallotProfile:
    """Each group's distinct ballots: ``choices[i]`` was cast ``numbers[i]`` times by voters
    of ``groups[i]`` (None: no group); ``per_group``: the ballots of each group."""

    choices: list[dict[str, Any]] = field(default_factory=list)
    groups: list[str | None] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    per_group: Counter[str | None] = field(default_factory=Counter)

    def add(self, group: str | None, choices: list[dict[str, Any]], numbers: list[int]) -> None:
        """One group's distinct ballots, with how many cast each."""
        self.choices += choices
        self.groups += [group] * len(choices)
        self.numbers += numbers
        self.per_group[group] += sum(numbers)


def election_from_profile(
    export: dict[str, Any], profile: BallotProfile, weights: Mapping[str | None, Any]
) -> Election:
    """The count's election from each group's distinct ballots: each once, with its group's
    weight times its number (a ballot of weight 2 counts exactly like two identical ballots),
    named t1, t2... in the compact form of COMPACT_FORMS when its method has one."""
    groups, choices = profile.groups, profile.choices
    keys = set(zip(groups, profile.numbers, strict=True))
    table = {key: weights[key[0]] * key[1] for key in keys}
    numbers = list(map(table.__getitem__, zip(groups, profile.numbers, strict=True)))
    voters = Numbered(len(choices))
    form = COMPACT_FORMS.get(export["method"])
    lists = _lists(form[0], choices) if form else None
    if form is not None and lists is not None:
        return _election(export, [], compact=form[1](voters, lists, numbers, groups))
    texts = {id(number): str(number) for number in table.values()}
    rows = [
        [voter, group, texts[id(number)], choice]
        for voter, group, number, choice in zip(voters, groups, numbers, choices, strict=True)
    ]
    return election_from_export(dict(export, ballots=rows))


def count(export: dict[str, Any], sums: GroupSums | None = None) -> Result:
    """The count, with the method's defaults only: the rules of the ballot were enforced on
    arrival, so nothing else is needed and anyone can repeat it with `deliberate tally`."""
    return tally(export["method"], election_from_export(export, sums))


def result_json(result: Result) -> dict[str, Any]:
    out = result.to_dict(payments=False, rounds=True)
    if result.method in BUDGET_METHODS:
        out["total_cost"] = to_plain(result.total_cost)
    return out


def payments_by_group(result: Result) -> dict[str, dict[str, Any]]:
    """MES: what each stakeholder group (never an identifiable voter) paid for each project
    ("": voters without a group)."""
    return {
        group or "": {o: to_plain(simplify(v)) for o, v in row.items()}
        for group, row in result.group_payments.items()
    }


def pb_text(export: dict[str, Any]) -> str:
    election = election_from_export(export).with_ballots()
    if export["method"] in RANKED_METHODS:
        return write_pb(election, vote_type="ordinal")
    if export["method"] in POINTS_METHODS:
        return write_pb(election, vote_type=PB_VOTE_TYPES[export["method"]])
    return write_pb(election, vote_type="approval")


def preflib_kind(method: str, weights: list[str]) -> str | None:
    """PrefLib's .soi for ranked methods, when every weight (exact text) is whole: PrefLib
    counts ballots."""
    if method not in RANKED_METHODS:
        return None
    if any(exact(weight) != int(exact(weight)) for weight in weights):
        return None
    return "soi"


def export_weights(export: dict[str, Any]) -> list[str]:
    return sorted({weight for _voter, _group, weight, _choice in export["ballots"]})


def preflib_text(export: dict[str, Any]) -> str:
    election = election_from_export(export).with_ballots()
    return write_preflib(election, kind="soi", title=export.get("title", ""))


def csv_text(export: dict[str, Any]) -> str:
    """One row per ballot: voter, group, weight, then one column per option (approved 1/0,
    points, or rank position; empty when not ranked)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    options = [str(o["id"]) for o in export["options"]]
    writer.writerow(["voter_id", "group", "weight", *[f"option_{o}" for o in options]])
    for voter, group, weight, choice in export["ballots"]:
        if "ranking" in choice:
            position = {o: i for i, o in enumerate(choice["ranking"], start=1)}
            cells = [str(position.get(o, "")) for o in options]
        elif "points" in choice:
            cells = [str(choice["points"].get(o, 0)) for o in options]
        else:
            approved = set(choice.get("approvals", []))
            cells = ["1" if o in approved else "0" for o in options]
        writer.writerow([voter, group or "", weight, *cells])
    return out.getvalue()
