"""Fixtures for the vote tests; the helpers themselves are in `vote/support.py`."""
