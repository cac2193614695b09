"""Command-line verbs of the voting part (`deliberate tally`, later `deliberate verify`)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:  # pragma: no cover - placeholder
    """Add this part's commands to the `deliberate` command line."""
