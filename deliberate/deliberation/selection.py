"""Fair selection of citizens' panels by stratified lot.

Pure functions: no database, no web; standard library and `highspy` (the HiGHS solver) only.
See docs/panel-selection.md for the plain-words explanation.

The lottery maximises the smallest selection probability of any volunteer who can be on a
valid panel at all ("maximin"), as in Flanigan, Gölz, Gupta, Hennig & Procaccia, "Fair
algorithms for selecting citizens' assemblies", Nature 596 (2021).

How it works
------------
1. **Profiles.** Two volunteers are interchangeable for the quotas when they have the same
   value for every attribute that has quotas (values without a quota of their own count as
   "other"). Such a group is a *profile*. Any fair lottery can be made symmetric within a
   profile without lowering anyone's chance, so we give everyone in a profile the same
   probability and work with *count vectors* (how many of each profile a panel takes).
   This is exactly as fair as working volunteer by volunteer, and much smaller.
2. **Who can be selected at all.** A covering integer program repeatedly finds a valid
   count vector that includes as many not-yet-covered profiles as possible; when the best it
   can do is none, the remaining profiles appear on no valid panel (e.g. their value's
   maximum is 0). They get probability 0 and are left out of the maximin objective.
   The count vectors found are the starting columns.
3. **Maximin by column generation.** Linear programme over the known count vectors k with
   weights p_k: maximise z subject to, for each selectable profile t,
   sum_k p_k * k_t / n_t >= z; sum_k p_k = 1; p >= 0. The dual prices y_t of the profile
   rows (non-negative, summing to 1) define the pricing problem: find a valid count vector
   maximising sum_t y_t * k_t / n_t (an integer programme with the quota constraints). If
   its value exceeds z (beyond a tolerance) it is added and the LP solved again; otherwise
   the value is an upper bound on the best possible z, so the current z is optimal.
4. **From count vectors to panels.** Within a profile of n_t volunteers (sorted by id)
   taking k_t seats, with g = gcd(n_t, k_t), there are L_t = n_t / g "windows": window j is
   the k_t volunteers at positions j*g, j*g + 1, ..., j*g + k_t - 1 (counting round the
   circle). Each volunteer is in exactly k_t / g of the L_t windows. One offset s in [0, 1)
   picks window floor(s * L_t) in every profile; the panels for all s form a lottery in which
   every volunteer of the profile has probability exactly k_t / n_t. Splitting [0, 1) at every
   j / L_t gives the panels and their weights.
5. **The draw.** u = SHA-256(seed) read as a 256-bit number, divided by 2**256. Walking the
   distribution in its listed order, the panel drawn is the first whose running total of
   weights exceeds u (compared exactly, as fractions).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise

import highspy

__all__ = [
    "Candidate",
    "Quota",
    "QuotasInfeasible",
    "Selection",
    "check_quotas",
    "draw_number",
    "public_report",
    "replacement",
    "select_panel",
]

# Column generation stops when no panel improves on z by more than this.
_TOLERANCE = 1e-9
# Panels whose weight in the LP solution is below this are dropped (then weights renormalised).
_MIN_WEIGHT = 1e-12
_MAX_ITERATIONS = 10_000
_INF = highspy.kHighsInf


@dataclass(frozen=True)
class Quota:
    attribute: str
    value: str
    minimum: int
    maximum: int


@dataclass(frozen=True)
class Candidate:
    id: str
    features: Mapping[str, str]


@dataclass
class Selection:
    panel: list[str]
    probabilities: dict[str, float]
    minimum_probability: float
    distribution: list[tuple[frozenset[str], float]]
    quota_report: list[dict]
    seed: str
    algorithm: str


class Problem(str):
    """One reason the quotas cannot be met: the plain-English text itself, keeping its message
    and values so that a page can show it in the reader's language (`deliberation.panels`).
    A value that is a tuple is a list of quotas, each a Problem too, joined with commas."""

    message: str
    variables: dict[str, object]

    def __new__(cls, message: str, **variables: object) -> Problem:
        english = {k: ", ".join(v) if isinstance(v, tuple) else v for k, v in variables.items()}
        text = super().__new__(cls, message % english)
        text.message = message
        text.variables = variables
        return text

    def translated(self, gettext, label=lambda name, value: value) -> str:
        """The text through `gettext`; `label(name, value)` may rename attributes and values."""
        values = {
            k: ", ".join(item.translated(gettext, label) for item in v)
            if isinstance(v, tuple)
            else label(k, v)
            for k, v in self.variables.items()
        }
        return gettext(self.message) % values


def _(message: str, **variables: object) -> Problem:
    """Marks a problem's message for translation (extracted like any `_()`); English here, as
    this module knows nothing of the web."""
    return Problem(message, **variables)


class QuotasInfeasible(Exception):
    """The quotas cannot all be met; `problems` says why, in plain English (each a Problem,
    which can also be shown in Welsh)."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


# ---------------------------------------------------------------------------------------------
# Helpers


def _natural_key(text: str) -> tuple[list, str]:
    """Order ids naturally: "2" before "10", "v2" before "v10"; ties by the plain string."""
    parts = re.split(r"(\d+)", text, flags=re.ASCII)
    return ([int(p) if i % 2 else p for i, p in enumerate(parts)], text)


def draw_number(seed: str) -> Fraction:
    """The published seed as a number in [0, 1): SHA-256 of its UTF-8 bytes over 2**256."""
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    return Fraction(int.from_bytes(digest, "big"), 2**256)


def _describe(q: Quota) -> str:
    return f"{q.attribute} = {q.value}"


def _named(q: Quota) -> Problem:
    return _("%(attribute)s = %(value)s", attribute=q.attribute, value=q.value)


def _named_full(q: Quota) -> Problem:
    return _(
        "%(attribute)s = %(value)s (minimum %(minimum)s, maximum %(maximum)s)",
        attribute=q.attribute,
        value=q.value,
        minimum=q.minimum,
        maximum=q.maximum,
    )


def _validate(candidates: Sequence[Candidate], size: int, quotas: Sequence[Quota]) -> None:
    seen: set[str] = set()
    for c in candidates:
        if c.id in seen:
            raise ValueError(f"duplicate volunteer id {c.id!r}")
        seen.add(c.id)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"panel size must be a positive whole number, not {size!r}")
    keys: set[tuple[str, str]] = set()
    for q in quotas:
        if (q.attribute, q.value) in keys:
            raise ValueError(f"two quotas for {_describe(q)}")
        keys.add((q.attribute, q.value))
        if q.minimum < 0 or q.maximum < 0:
            raise ValueError(f"{_describe(q)}: quotas cannot be negative")


def _new_highs() -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    return h


class _Profiles:
    """Volunteers grouped by their values on the quota attributes."""

    def __init__(self, candidates: Sequence[Candidate], quotas: Sequence[Quota]):
        self.quotas = list(quotas)
        attributes = sorted({q.attribute for q in quotas})
        quota_values = {(q.attribute, q.value) for q in quotas}
        groups: dict[tuple, list[str]] = {}
        for c in candidates:
            key = []
            for a in attributes:
                v = c.features.get(a)
                key.append(v if (a, v) in quota_values else None)
            groups.setdefault(tuple(key), []).append(c.id)
        order = sorted(groups, key=lambda k: [(v is not None, v or "") for v in k])
        self.keys = order
        self.members = [sorted(groups[k], key=_natural_key) for k in order]
        self.sizes = [len(m) for m in self.members]
        # For each quota, the profiles having its value.
        self.quota_profiles = [
            [t for t, k in enumerate(order) if k[attributes.index(q.attribute)] == q.value]
            for q in quotas
        ]

    def __len__(self) -> int:
        return len(self.keys)


class _CountModel:
    """Integer programme over count vectors: k_t in [0, n_t], sum k = size, quotas."""

    def __init__(self, profiles: _Profiles, size: int, active: Sequence[bool] | None = None):
        self.profiles = profiles
        self.h = h = _new_highs()
        m = len(profiles)
        for n_t in profiles.sizes:
            h.addCol(0.0, 0.0, float(n_t), 0, [], [])
        if m:
            h.changeColsIntegrality(
                m,
                list(range(m)),
                [highspy.HighsVarType.kInteger] * m,
            )
        h.addRow(float(size), float(size), m, list(range(m)), [1.0] * m)
        for i, q in enumerate(profiles.quotas):
            if active is not None and not active[i]:
                continue
            idx = profiles.quota_profiles[i]
            h.addRow(
                float(q.minimum),
                float(q.maximum),
                len(idx),
                list(idx),
                [1.0] * len(idx),
            )
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", 1e-12)

    def solve(self, costs: Sequence[float]) -> tuple[tuple[int, ...], float] | None:
        """The best valid count vector for these per-seat values, or None if there is none."""
        h = self.h
        m = len(self.profiles)
        if m:
            h.changeColsCost(m, list(range(m)), [float(c) for c in costs])
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        values = h.getSolution().col_value
        counts = tuple(round(v) for v in values)
        return counts, sum(c * k for c, k in zip(costs, counts, strict=True))


def _feasible(profiles: _Profiles, size: int, active: Sequence[bool] | None = None) -> bool:
    return _CountModel(profiles, size, active).solve([0.0] * len(profiles)) is not None


# ---------------------------------------------------------------------------------------------
# Quota checks


def _simple_problems(
    candidates: Sequence[Candidate], size: int, quotas: Sequence[Quota]
) -> list[str]:
    n = len(candidates)
    problems: list[str] = []
    if size > n:
        if n == 1:
            problems.append(
                _("only %(count)s volunteer for a panel of %(size)s", count=n, size=size)
            )
        else:
            problems.append(
                _("only %(count)s volunteers for a panel of %(size)s", count=n, size=size)
            )
    pool = Counter((a, v) for c in candidates for a, v in c.features.items())
    for q in quotas:
        have = pool[(q.attribute, q.value)]
        quota = dict(attribute=q.attribute, value=q.value, minimum=q.minimum)
        if q.minimum > q.maximum:
            problems.append(
                _(
                    "%(attribute)s = %(value)s: minimum %(minimum)s is more than maximum "
                    "%(maximum)s",
                    **quota,
                    maximum=q.maximum,
                )
            )
        if q.minimum > size:
            problems.append(
                _(
                    "%(attribute)s = %(value)s: minimum %(minimum)s is more than the panel size "
                    "%(size)s",
                    **quota,
                    size=size,
                )
            )
        elif q.minimum > have and have == 1:
            problems.append(
                _(
                    "%(attribute)s = %(value)s: minimum %(minimum)s but only %(count)s "
                    "volunteer has it",
                    **quota,
                    count=have,
                )
            )
        elif q.minimum > have:
            problems.append(
                _(
                    "%(attribute)s = %(value)s: minimum %(minimum)s but only %(count)s "
                    "volunteers have it",
                    **quota,
                    count=have,
                )
            )
    by_attribute: dict[str, list[Quota]] = {}
    for q in quotas:
        by_attribute.setdefault(q.attribute, []).append(q)
    for attribute, qs in by_attribute.items():
        minimums = sum(q.minimum for q in qs)
        if minimums > size and len(qs) > 1:
            problems.append(
                _(
                    "%(attribute)s: the minimums add up to %(count)s, more than the panel size "
                    "%(size)s",
                    attribute=attribute,
                    count=minimums,
                    size=size,
                )
            )
        if size > n:
            continue
        covered = {q.value for q in qs}
        others = sum(1 for c in candidates if c.features.get(attribute) not in covered)
        reachable = sum(min(q.maximum, pool[(attribute, q.value)]) for q in qs) + others
        if reachable < size:
            maximums = sum(q.maximum for q in qs)
            if others == 0 and maximums < size:
                problems.append(
                    _(
                        "%(attribute)s: the maximums add up to %(count)s, less than the panel "
                        "size %(size)s",
                        attribute=attribute,
                        count=maximums,
                        size=size,
                    )
                )
            else:
                problems.append(
                    _(
                        "%(attribute)s: at most %(count)s volunteers can be chosen within the "
                        "maximums (counting those with no quota and how many have each value), "
                        "fewer than the panel size %(size)s",
                        attribute=attribute,
                        count=reachable,
                        size=size,
                    )
                )
    return problems


def check_quotas(candidates: Sequence[Candidate], size: int, quotas: Sequence[Quota]) -> list[str]:
    """[] when some panel of `size` meets every quota, else plain-English problems.

    Simple counting checks come first. If they find nothing but no panel exists, a deletion
    filter finds a smallest set of quotas that cannot hold together (dropping any one of them
    would make a panel possible) and names those.
    """
    candidates = sorted(candidates, key=lambda c: _natural_key(c.id))
    quotas = list(quotas)
    _validate(candidates, size, quotas)
    problems = _simple_problems(candidates, size, quotas)
    if problems:
        return problems
    quotas.sort(key=lambda q: (q.attribute, q.value))  # so that input order changes nothing
    profiles = _Profiles(candidates, quotas)
    if _feasible(profiles, size):
        return []
    active = [True] * len(quotas)
    for i in range(len(quotas)):
        active[i] = False
        if _feasible(profiles, size, active):
            active[i] = True  # needed for the conflict
    conflict = [q for q, a in zip(quotas, active, strict=True) if a]
    singles = []
    for i, q in enumerate(quotas):
        trial = [True] * len(quotas)
        trial[i] = False
        if _feasible(profiles, size, trial):
            singles.append(q)
    if conflict:
        problems = [
            _(
                "no panel of %(size)s meets all quotas together; these quotas conflict: %(quotas)s",
                size=size,
                quotas=tuple(_named_full(q) for q in conflict),
            )
        ]
    else:
        problems = [_("no panel of %(size)s meets all quotas together", size=size)]
    if singles:
        problems.append(
            _(
                "relaxing any one of these would make a panel possible: %(quotas)s",
                quotas=tuple(_named(q) for q in singles),
            )
        )
    return problems


# ---------------------------------------------------------------------------------------------
# Maximin


def _covering_columns(profiles: _Profiles, size: int) -> tuple[list[tuple[int, ...]], list[bool]]:
    """Valid count vectors covering every profile that can be selected at all."""
    m = len(profiles)
    covered = [False] * m
    columns: list[tuple[int, ...]] = []
    while True:
        # Maximise the number of uncovered profiles with at least one seat: binary b_t <= k_t.
        model = _CountModel(profiles, size)
        h = model.h
        uncovered = [t for t in range(m) if not covered[t]]
        for t in uncovered:
            col = h.getNumCol()
            h.addCol(1.0, 0.0, 1.0, 0, [], [])
            h.changeColIntegrality(col, highspy.HighsVarType.kInteger)
            h.addRow(-_INF, 0.0, 2, [col, t], [1.0, -1.0])
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        values = h.getSolution().col_value
        counts = tuple(round(v) for v in values[:m])
        newly = [t for t in uncovered if counts[t] > 0]
        if counts not in columns:
            columns.append(counts)
        if not newly:
            break
        for t in newly:
            covered[t] = True
        if all(covered):
            break
    return columns, covered


def _maximin(
    profiles: _Profiles, size: int
) -> tuple[list[tuple[tuple[int, ...], float]], list[bool], float]:
    """Optimal lottery over count vectors: [(counts, weight)], selectable profiles, z."""
    columns, selectable = _covering_columns(profiles, size)
    if not columns:
        raise QuotasInfeasible([_("no panel of %(size)s meets all quotas together", size=size)])
    rows = [t for t in range(len(profiles)) if selectable[t]]
    row_of = {t: r for r, t in enumerate(rows)}
    sizes = profiles.sizes

    lp = _new_highs()
    lp.changeObjectiveSense(highspy.ObjSense.kMaximize)
    empty_i, empty_v = [], []
    for _row in rows:
        lp.addRow(0.0, _INF, 0, empty_i, empty_v)
    lp.addRow(1.0, 1.0, 0, empty_i, empty_v)
    one_row = len(rows)
    lp.addCol(
        1.0,
        -_INF,
        _INF,
        len(rows),
        list(range(len(rows))),
        [-1.0] * len(rows),
    )

    def add_column(counts: tuple[int, ...]) -> None:
        idx = [row_of[t] for t in rows if counts[t] > 0]
        vals = [counts[t] / sizes[t] for t in rows if counts[t] > 0]
        lp.addCol(
            0.0,
            0.0,
            _INF,
            len(idx) + 1,
            [*idx, one_row],
            [*vals, 1.0],
        )

    for counts in columns:
        add_column(counts)
    pricing = _CountModel(profiles, size)
    known = set(columns)
    z = 0.0
    for _iteration in range(_MAX_ITERATIONS):
        lp.run()
        if lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:  # pragma: no cover
            raise RuntimeError(f"LP solver failed: {lp.modelStatusToString(lp.getModelStatus())}")
        solution = lp.getSolution()
        z = solution.col_value[0]
        duals = [abs(solution.row_dual[r]) for r in range(len(rows))]
        total = sum(duals) or 1.0
        costs = [0.0] * len(profiles)
        for t, y in zip(rows, duals, strict=True):
            costs[t] = y / total / sizes[t]
        best = pricing.solve(costs)
        if best is None:  # pragma: no cover - the covering step found valid panels
            break
        counts, value = best
        if value <= z + _TOLERANCE or counts in known:
            break
        known.add(counts)
        columns.append(counts)
        add_column(counts)
    weights = list(lp.getSolution().col_value[1:])
    kept = [(c, w) for c, w in zip(columns, weights, strict=True) if w > _MIN_WEIGHT]
    total = math.fsum(w for _, w in kept)
    kept = [(c, w / total) for c, w in kept]
    kept.sort(key=lambda cw: cw[0], reverse=True)
    return kept, selectable, z


def _panels_for_counts(profiles: _Profiles, counts: tuple[int, ...]) -> list[tuple[list, Fraction]]:
    """The panels (member lists) with counts `counts`, each with its share of [0, 1)."""
    lengths = []
    for n_t, k_t in zip(profiles.sizes, counts, strict=True):
        lengths.append(n_t // math.gcd(n_t, k_t) if 0 < k_t < n_t else 1)
    cuts = sorted({Fraction(j, L) for L in set(lengths) for j in range(L)} | {Fraction(1)})
    out = []
    for start, end in pairwise(cuts):
        members: list[str] = []
        for t, (k_t, L) in enumerate(zip(counts, lengths, strict=True)):
            if k_t == 0:
                continue
            n_t = profiles.sizes[t]
            g = math.gcd(n_t, k_t)
            j = math.floor(start * L)
            ids = profiles.members[t]
            members.extend(ids[(j * g + r) % n_t] for r in range(k_t))
        out.append((members, end - start))
    return out


def _quota_report(
    candidates: Sequence[Candidate],
    quotas: Sequence[Quota],
    panel: Sequence[str],
    probabilities: Mapping[str, float],
) -> list[dict]:
    in_panel = set(panel)
    report = []
    for q in quotas:
        having = [c.id for c in candidates if c.features.get(q.attribute) == q.value]
        selected = sum(1 for i in having if i in in_panel)
        report.append(
            {
                "attribute": q.attribute,
                "value": q.value,
                "minimum": q.minimum,
                "maximum": q.maximum,
                "pool": len(having),
                "selected": selected,
                "expected": math.fsum(probabilities[i] for i in having),
                "met": q.minimum <= selected <= q.maximum,
            }
        )
    return report


def select_panel(
    candidates: Sequence[Candidate], size: int, quotas: Sequence[Quota], seed: str
) -> Selection:
    """Compute the maximin lottery over valid panels and draw one panel from it with `seed`.

    Raises QuotasInfeasible (naming the failing quotas) if no panel meets the quotas, and
    ValueError for malformed input (duplicate ids, non-positive size, negative quotas).
    """
    candidates = sorted(candidates, key=lambda c: _natural_key(c.id))
    quotas = list(quotas)
    problems = check_quotas(candidates, size, quotas)
    if problems:
        raise QuotasInfeasible(problems)
    # The model is built from sorted quotas so that input order cannot change the lottery.
    profiles = _Profiles(candidates, sorted(quotas, key=lambda q: (q.attribute, q.value)))
    lottery, _selectable, _z = _maximin(profiles, size)

    distribution: list[tuple[frozenset[str], float]] = []
    exact: list[Fraction] = []
    for counts, weight in lottery:
        for members, share in _panels_for_counts(profiles, counts):
            w = weight * float(share)
            distribution.append((frozenset(members), w))
            exact.append(Fraction(w))

    probabilities = {c.id: 0.0 for c in candidates}
    sums: dict[str, list[float]] = {c.id: [] for c in candidates}
    for panel_set, w in distribution:
        for i in panel_set:
            sums[i].append(w)
    for i, ws in sums.items():
        probabilities[i] = math.fsum(ws)

    u = draw_number(seed)
    running = Fraction(0)
    chosen = distribution[-1][0]
    for (panel_set, _w), w_exact in zip(distribution, exact, strict=True):
        running += w_exact
        if running > u:
            chosen = panel_set
            break
    panel = sorted(chosen, key=_natural_key)

    selectable_ids = [i for i, p in probabilities.items() if p > _MIN_WEIGHT]
    minimum = min(probabilities[i] for i in selectable_ids)
    return Selection(
        panel=panel,
        probabilities=probabilities,
        minimum_probability=minimum,
        distribution=distribution,
        quota_report=_quota_report(candidates, quotas, panel, probabilities),
        seed=seed,
        algorithm=f"maximin (column generation over volunteer profiles, HiGHS {_highs_version()})",
    )


def _highs_version() -> str:
    return _new_highs().version()


# ---------------------------------------------------------------------------------------------
# Replacements


def _violation(panel: Iterable[str], by_id: Mapping[str, Candidate], quotas: Sequence[Quota]):
    counts = Counter((a, v) for i in panel for a, v in by_id[i].features.items() if i in by_id)
    total = 0
    for q in quotas:
        have = counts[(q.attribute, q.value)]
        total += max(0, q.minimum - have) + max(0, have - q.maximum)
    return total


def replacement(
    candidates: Sequence[Candidate],
    current_panel: Sequence[str],
    declined: str,
    quotas: Sequence[Quota],
    seed: str,
    exclude: Iterable[str] = (),
) -> str | None:
    """Pick someone from the pool to replace `declined`, or None if nobody fits.

    Eligible: not on the current panel, not `declined`, not in `exclude` (people who declined
    earlier or were already drawn). A candidate *fits* if the panel with them instead of
    `declined` breaks the quotas no more than the panel did before (so if it met every quota
    it still does). Among those who fit, prefer the smallest quota shortfall, then the most
    quota attributes shared with `declined`, then the most other features shared; among the
    best, pick the one at position SHA-256("replacement:" + seed + ":" + declined) mod count
    in natural id order.
    """
    by_id: dict[str, Candidate] = {}
    for c in candidates:
        if c.id in by_id:
            raise ValueError(f"duplicate volunteer id {c.id!r}")
        by_id[c.id] = c
    if declined not in by_id:
        raise ValueError(f"{declined!r} is not in the pool")
    rest = [i for i in current_panel if i != declined]
    before = _violation([*rest, declined], by_id, quotas)
    quota_attributes = {q.attribute for q in quotas}
    gone = {declined, *current_panel, *exclude}
    old = by_id[declined].features
    ranked = []
    for c in candidates:
        if c.id in gone:
            continue
        after = _violation([*rest, c.id], by_id, quotas)
        if after > before:
            continue
        shared_quota = sum(1 for a in quota_attributes if c.features.get(a) == old.get(a))
        shared_other = sum(
            1 for a, v in old.items() if a not in quota_attributes and c.features.get(a) == v
        )
        ranked.append(((after, -shared_quota, -shared_other), c.id))
    if not ranked:
        return None
    best = min(r for r, _ in ranked)
    tier = sorted((i for r, i in ranked if r == best), key=_natural_key)
    digest = hashlib.sha256(f"replacement:{seed}:{declined}".encode()).digest()
    return tier[int.from_bytes(digest, "big") % len(tier)]


# ---------------------------------------------------------------------------------------------
# Public report


def public_report(selection: Selection) -> dict:
    """An anonymised report for the public: no volunteer ids.

    Volunteers appear as numbers 1..n in natural id order (the same numbering in every panel
    of the distribution), so anyone can check the draw from the seed and the listed weights,
    but not who is who. The drawn panel itself is published separately, if at all.
    """
    ids = sorted(selection.probabilities, key=_natural_key)
    number = {i: n for n, i in enumerate(ids, start=1)}
    drawn_index = next(
        k for k, (p, _w) in enumerate(selection.distribution) if p == frozenset(selection.panel)
    )
    return {
        "seed": selection.seed,
        "algorithm": selection.algorithm,
        "pool": len(ids),
        "panel_size": len(selection.panel),
        "minimum_probability": selection.minimum_probability,
        "probabilities": sorted(selection.probabilities.values()),
        "quota_report": [dict(r) for r in selection.quota_report],
        "distribution": [
            {"panel": sorted(number[i] for i in p), "weight": w} for p, w in selection.distribution
        ],
        "drawn_panel_index": drawn_index,
        "draw_number": float(draw_number(selection.seed)),
    }
