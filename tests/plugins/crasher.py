"""A plug-in that takes its process down: ``silu`` calls ``os._exit(1)``, ``gelu`` sends itself SIGKILL; ``relu`` is
correct. Under ``pytest -n 2`` each crash costs only the check that was running (``tests/test_hostile_plugins.py``);
in a serial run it ends pytest, and ``results.jsonl`` keeps what finished (``tests/test_reports.py``).

Only float16 is declared, so each component has a single check (``matches_oracle``; the identities run in float32
and float64): two crashes, two worker restarts."""
import os
import signal

import numpy as np

NAME = "crasher"
DTYPES = ("float16",)


def asarray(a):
    return np.array(a, copy=True)


def to_numpy(x):
    return np.asarray(x)


def relu(x):
    return np.maximum(x, 0).astype(x.dtype)


def silu(x):
    os._exit(1)


def gelu(x, *, approximate=False):
    os.kill(os.getpid(), signal.SIGKILL)
