import os
import tempfile

# Qt must never need a display in tests.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Bug reports and the log (playground.bugreport) never go to the user's own folder in tests.
os.environ.setdefault("NNPG_REPORT_DIR", os.path.join(tempfile.mkdtemp(prefix="nnpg-test-"), "logs"))
# The tests read English messages: the CLI run in-process (main([...])) follows the system's
# language, so an Italian machine must not turn the suite Italian (tests of the Italian set
# it themselves: tests/engine/test_i18n.py, tests/gui/test_i18n_gui.py).
for _var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_var, None)
os.environ["LANG"] = "C.UTF-8"
# Training runs in a thread of the test's own process, where tests can read the session
# (the app trains in a child process: tests/gui/test_training_process.py covers that way,
# and NNPG_TRAINING=process runs any test so).
os.environ.setdefault("NNPG_TRAINING", "thread")

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


def pytest_collection_modifyitems(config, items):
    """Soak runs only in `make fuzz` (NNPG_FUZZ=1): they take minutes each."""
    from tests.fuzzing import FUZZ

    if FUZZ:
        return
    skip = pytest.mark.skip(reason="soak run: only in make fuzz (NNPG_FUZZ=1)")
    for item in items:
        if "soak" in item.keywords:
            item.add_marker(skip)
