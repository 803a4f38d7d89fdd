import pytest

from yiyang.core.testing import World, build_world


@pytest.fixture
def world(db) -> World:
    return build_world()


# ---------------------------------------------------------------------------------------------------
# Real servers and the browser.
#
# Tests that need PostgreSQL, the MQTT broker or Debian chromium ask for the fixtures below (and are
# marked `server` / `browser`; asking for a fixture adds the marker automatically). On a laptop
# without those servers the tests skip with the reason. In CI (.ci/run) YIYANG_REQUIRE_SERVERS=1 is
# set and every such skip -- from these fixtures, from importorskip, from a skip marker -- is turned
# into a failure, so a green CI run proves the server and browser paths really ran.
# ---------------------------------------------------------------------------------------------------
import os  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import NamedTuple  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

REQUIRE_SERVERS_ENV = "YIYANG_REQUIRE_SERVERS"
SERVER_MARKERS = ("server", "browser")
_MARKER_FOR_FIXTURE = {"postgres_url": "server", "mqtt_broker": "server", "chromium_path": "browser"}


def servers_required() -> bool:
    return os.environ.get(REQUIRE_SERVERS_ENV, "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> None:
    """Skip the current test, or fail it when the run requires servers."""
    if servers_required():
        pytest.fail(f"{REQUIRE_SERVERS_ENV}=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def tcp_error(host: str, port: int, timeout: float = 1.0) -> str | None:
    """None when something accepts a TCP connection at host:port, else why not."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"


class Broker(NamedTuple):
    host: str
    port: int


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """URL of a real PostgreSQL server's maintenance database (not Django's test database)."""
    url = os.environ.get("YIYANG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5432
    error = tcp_error(host, port)
    if error:
        unavailable(f"PostgreSQL at {host}:{port} is not reachable: {error}")
    return url


@pytest.fixture(scope="session")
def mqtt_broker() -> Broker:
    """A real MQTT broker (Mosquitto) to publish and subscribe through."""
    broker = Broker(
        os.environ.get("YIYANG_TEST_MQTT_HOST", "127.0.0.1"), int(os.environ.get("YIYANG_TEST_MQTT_PORT", "1883"))
    )
    error = tcp_error(*broker)
    if error:
        unavailable(f"MQTT broker at {broker.host}:{broker.port} is not reachable: {error}")
    return broker


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's chromium; the tests never download a browser of their own."""
    path = os.environ.get("YIYANG_CHROMIUM", "/usr/bin/chromium")
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        found = shutil.which(path)
        if not found:
            unavailable(f"chromium is not installed at {path} (apt-get install chromium)")
        path = str(found)
    return path


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A test that asks for a server or browser fixture is a server or browser test, marked or not.
    for item in items:
        for fixture, marker in _MARKER_FOR_FIXTURE.items():
            if fixture in getattr(item, "fixturenames", ()) and not item.get_closest_marker(marker):
                item.add_marker(marker)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    report: pytest.TestReport = yield
    if not (report.skipped and servers_required()) or hasattr(report, "wasxfail"):
        return report
    markers = [name for name in SERVER_MARKERS if item.get_closest_marker(name)]
    if not markers:
        return report
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    reason = reason.removeprefix("Skipped: ")
    report.outcome = "failed"
    report.longrepr = f"{REQUIRE_SERVERS_ENV}=1: a {'/'.join(markers)} test may not be skipped, but it was: {reason}"
    return report
