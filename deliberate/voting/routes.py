"""Vote stage routes (ballots, receipts, results); filled in by the voting part."""

routes: list = []
