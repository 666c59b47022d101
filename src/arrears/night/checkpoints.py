"""Test-only hooks that let a crash test stop the night *inside* a step, deterministically.

While a step runs, every SQL statement it sends (and every :func:`tick` of the night's own
code between the parts of a step) counts one checkpoint. Two environment variables, read only
here and never set in production:

``ARREARS_NIGHT_PAUSE=<step>:<n>`` with ``ARREARS_NIGHT_PAUSE_FILE=<path>``
    At the ``n``-th checkpoint of ``<step>`` the process writes ``<path>`` and sleeps until it
    is killed: the test waits for the file, then sends SIGKILL — the kill lands in the middle
    of the step, in the same place every time.
``ARREARS_NIGHT_COUNT_FILE=<path>``
    Write each step's number of checkpoints to ``<path>`` (JSON), so that a test can pick the
    middle of every step from an uninterrupted run.
"""

import json
import os
import time
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

PAUSE = "ARREARS_NIGHT_PAUSE"
PAUSE_FILE = "ARREARS_NIGHT_PAUSE_FILE"
COUNT_FILE = "ARREARS_NIGHT_COUNT_FILE"

_state = {"step": "", "count": 0}


def _pause_at() -> tuple[str, int] | None:
    value = os.environ.get(PAUSE)
    if not value:
        return None
    step, _sep, n = value.partition(":")
    return step, int(n or 1)


def tick() -> None:
    """One checkpoint of the running step; pauses there when the test asked for it."""
    _state["count"] += 1
    pause = _pause_at()
    if pause and pause == (_state["step"], _state["count"]):
        Path(os.environ[PAUSE_FILE]).write_text(f"{_state['step']}:{_state['count']}")
        while True:  # until the test kills the process
            time.sleep(60)


def _counting(execute, sql, params, many, context):
    tick()
    return execute(sql, params, many, context)


@contextmanager
def step_checkpoints(step: str):
    """Count (and maybe pause at) the checkpoints of ``step`` while it runs."""
    active = bool(os.environ.get(PAUSE) or os.environ.get(COUNT_FILE))
    if not active:
        yield
        return
    _state.update(step=step, count=0)
    with connection.execute_wrapper(_counting):
        yield
    path = os.environ.get(COUNT_FILE)
    if path:
        counts = json.loads(Path(path).read_text()) if Path(path).is_file() else {}
        counts[step] = _state["count"]
        Path(path).write_text(json.dumps(counts))
