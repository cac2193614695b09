"""The domain parts that plug into the stage machine. Importing their services registers their
conditions, effects and actor resolvers (`cycles/` imports none of them). Anything that moves
cycles or acts for people outside a web request (the command line, the demo, a worker) calls
`load()` first, as `create_app` does."""

from __future__ import annotations

import importlib

PART_SERVICES = (
    "deliberate.proposals.service",
    "deliberate.deliberation.panels",
    "deliberate.deliberation.service",
    "deliberate.voting.service",
    "deliberate.specs.service",
)


def load() -> None:
    for module in PART_SERVICES:
        importlib.import_module(module)
