"""Fixtures for the counting-engine tests: where the shared real-election data lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The shared data sits next to the repository (../shared/data); its licences are
# unverified, so it is read in place and never copied into the repository.
_DEFAULT = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def shared_data_dir() -> Path:
    env = os.environ.get("DELIBERATE_SHARED_DATA")
    return Path(env) if env else _DEFAULT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    root = shared_data_dir()
    if not root.is_dir():
        pytest.skip(
            f"real-election data not found at {root} "
            "(set DELIBERATE_SHARED_DATA to the folder holding pabulib/ and preflib/)"
        )
    return root


@pytest.fixture(scope="session")
def pabulib_dir(shared_data: Path) -> Path:
    d = shared_data / "pabulib"
    if not d.is_dir():
        pytest.skip(f"no pabulib folder in {shared_data}")
    return d


@pytest.fixture(scope="session")
def preflib_dir(shared_data: Path) -> Path:
    d = shared_data / "preflib"
    if not d.is_dir():
        pytest.skip(f"no preflib folder in {shared_data}")
    return d
