"""Ballot definitions, ballots, receipts and the bulletin chain."""
