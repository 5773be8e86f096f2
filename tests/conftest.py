import os

# Qt must never need a display in tests.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sys  # noqa: E402

import pytest  # noqa: E402

_session = {}


def pytest_sessionfinish(session, exitstatus):
    _session["status"] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """Leave without running Qt's and pyqtgraph's global destructors.

    After every test has passed and the summary is printed, tearing down Qt objects
    owned by Python at interpreter exit can crash (a segfault in C++ destructors),
    which would turn a green run red. The result is already decided here.
    """
    if "status" in _session:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_session["status"])
