"""The bulletin's hash chain and receipts, as pure functions (used by the service, the JSON export
and `deliberate verify`).

Entry hash = sha256 of "deliberate-bulletin-v1|{cycle_id}|{seq}|{receipt_hash}|{prev_hash}";
the first entry's prev_hash is 64 zeros; seq counts 1, 2, 3... Receipt hash = sha256 of the
receipt code written without dashes, in capitals.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
PREFIX = "deliberate-bulletin-v1"
RECEIPT_LENGTH = 20  # base32 characters: 100 bits


def entry_hash(cycle_id: str, seq: int, receipt_hash: str, prev_hash: str) -> str:
    canonical = f"{PREFIX}|{cycle_id}|{seq}|{receipt_hash}|{prev_hash}"
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def normalise_receipt(code: str) -> str:
    """What people type back: dashes, spaces and case do not matter; 0/O and 1/I/L are the same
    (base32 uses neither 0 nor 1)."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return cleaned.replace("0", "O").replace("1", "I").replace("8", "B")


def receipt_hash(code: str) -> str:
    return hashlib.sha256(normalise_receipt(code).encode("ascii")).hexdigest()


def make_receipt(secret: str, cycle_id: str, voter_id: str, submission_token: str) -> str:
    """The receipt for one submission: a keyed hash of the random one-time submission token, so
    it is random to anyone without the server's key, and the same token (a double click, a
    retry) always gives the same receipt. Shown as five groups of four characters."""
    digest = hmac.new(
        secret.encode(), f"receipt|{cycle_id}|{voter_id}|{submission_token}".encode(), "sha256"
    ).digest()
    code = base64.b32encode(digest).decode("ascii")[:RECEIPT_LENGTH]
    return "-".join(code[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


@dataclass(frozen=True)
class Verdict:
    ok: bool
    entries: int
    broken_seq: int | None = None
    reason: str = ""


def verify_chain(document: Mapping[str, Any]) -> Verdict:
    """Recompute every entry of a bulletin export and say where the chain first breaks."""
    cycle_id = str(document.get("cycle_id", ""))
    entries = document.get("entries")
    if not cycle_id or not isinstance(entries, list):
        return Verdict(False, 0, None, "not a bulletin: needs 'cycle_id' and 'entries'")
    return verify_entries(cycle_id, entries)


def verify_entries(cycle_id: str, entries: Iterable[Mapping[str, Any]]) -> Verdict:
    previous = GENESIS
    count = 0
    for index, entry in enumerate(entries, start=1):
        count = index
        try:
            seq = int(entry["seq"])
            receipt = str(entry["receipt_hash"])
            prev = str(entry["prev_hash"])
            stated = str(entry["entry_hash"])
        except (KeyError, TypeError, ValueError):
            return Verdict(False, count, index, f"entry {index} is missing a field")
        if seq != index:
            return Verdict(False, count, index, f"expected seq {index}, found {seq}")
        if prev != previous:
            return Verdict(
                False, count, seq, f"prev_hash does not match the hash of entry {seq - 1}"
            )
        if entry_hash(cycle_id, seq, receipt, prev) != stated:
            return Verdict(False, count, seq, "entry_hash does not match the entry's contents")
        previous = stated
    return Verdict(True, count)
