"""Project-level tests: the real servers (tests/test_servers.py) and the browser (tests/browser/).

The server, browser and skip-becomes-failure machinery lives in the root conftest.py so that app
tests under yiyang/ can use `postgres_url`, `mqtt_broker` and `chromium_path` too.
"""

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests leave screenshots for people to look at: $YIYANG_ARTIFACTS, else artifacts/ in the
    repository (gitignored). .ci/run sets it and prints the folder."""
    path = Path(os.environ.get("YIYANG_ARTIFACTS") or REPO_ROOT / "artifacts").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path
