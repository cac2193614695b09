"""Full-text search that works for Welsh as well as English.

PostgreSQL stems English but has no Welsh dictionary, and Welsh words change their first letters
by mutation ("cerddoriaeth", "gerddoriaeth", "cherddoriaeth", "ngherddoriaeth" are one word). So
each search term is also looked for in its mutated and unmutated forms, with the 'simple'
configuration, beside the stemmed English search.
"""

from __future__ import annotations

import re

# radical -> (soft, nasal, aspirate) mutations
_MUTATIONS: dict[str, tuple[str, ...]] = {
    "p": ("b", "mh", "ph"),
    "t": ("d", "nh", "th"),
    "c": ("g", "ngh", "ch"),
    "b": ("f", "m"),
    "d": ("dd", "n"),
    "g": ("", "ng"),
    "m": ("f",),
    "ll": ("l",),
    "rh": ("r",),
}
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_VOWELS = "aeiouwyâêîôûŵŷ"


def welsh_forms(word: str) -> set[str]:
    """The word with every mutation applied and undone (only plausible radicals are produced)."""
    word = word.lower()
    forms = {word}
    for radical, mutated in _MUTATIONS.items():
        if word.startswith(radical) and len(word) > len(radical) + 1:
            rest = word[len(radical) :]
            forms.update(prefix + rest for prefix in mutated)
        for prefix in mutated:
            if prefix and word.startswith(prefix) and len(word) > len(prefix) + 1:
                forms.add(radical + word[len(prefix) :])
    if word[:1] in _VOWELS:
        # Soft-mutated g drops away, and h is added before vowels after some words.
        forms.update({"g" + word, "h" + word})
    if word.startswith("h") and word[1:2] in _VOWELS:
        forms.add(word[1:])
    return {form for form in forms if len(form) > 1}


def terms(query: str, limit: int = 8) -> list[str]:
    return [match.group(0).lower() for match in _WORD.finditer(query)][:limit]


def welsh_tsquery(query: str) -> str | None:
    """A to_tsquery('simple', ...) expression: every term must match, in any of its forms.

    Built only from letters and digits, so nothing the person types can change its syntax.
    """
    groups = []
    for term in terms(query):
        forms = sorted(welsh_forms(term))
        groups.append("(" + " | ".join(forms) + ")")
    return " & ".join(groups) if groups else None
