"""The mutable state of a run, owned by the run and reached through :func:`current`.

A run is a pytest session of the plug-in (:func:`start` at ``pytest_configure``, :func:`finish` at
``pytest_unconfigure``) or a block under :func:`running`. Its state is what checking changes as it goes:

- :class:`DrawState`: the replica being made, the generator re-seeded for every array, the arrays of replicas
  drawn together, and what each strategy met while re-making replicas is;
- :class:`RunState`: that, the implementations loaded once (the oracle, the built-in witnesses) and the pytest
  config of the session.

It lives in a context variable, not in module globals: a run nested in another (tests/ run pytest in-process)
gets its own and hands the outer one back as it was; a thread gets its own on first use (the shared generator
is not safe to re-seed from two threads at once); outside any run, :func:`current` makes one for the context.
None of it changes what is drawn: the same seed gives the same arrays in any run (the batch cache and the
strategy table only save work).
"""
from __future__ import annotations

import contextlib
import contextvars

import numpy as np


class DrawState:
    """What drawing test data changes as it goes (:mod:`properties.strategies`, :mod:`properties.replicas`).

    ``index, count``: the replica being made and how many replicas its example has (0: unknown); replica 0 is
    Hypothesis's own draw. ``bits, gen, seeding``: one PCG64 generator re-seeded per generated array (setting its
    state costs ~2 us, seeding a new one through a SeedSequence ~14 us) and the state dict it is set from, filled
    in place. ``batches``: the arrays of replicas ``1..count-1`` of a recipe, made together. ``known``: what a
    strategy met while re-making a replica is (its composite, or None), by id, holding the strategy alive."""
    __slots__ = ("index", "count", "bits", "gen", "seeding", "batches", "known")

    def __init__(self):
        self.index = 0
        self.count = 0
        self.bits = np.random.PCG64(0)
        self.gen = np.random.Generator(self.bits)
        self.seeding = {"bit_generator": "PCG64", "has_uint32": 0, "uinteger": 0, "state": {"state": 0, "inc": 1}}
        self.batches: dict[tuple, np.ndarray] = {}
        self.known: dict[int, tuple] = {}


class RunState:
    """Everything a run owns: its :class:`DrawState`, the implementations it loaded once (``builtins`` by dotted
    name; ``oracle``, when set, replaces the built-in oracle: a test planting a bug in it) and, in a pytest
    session, its ``config``."""
    __slots__ = ("draw", "builtins", "oracle", "config")

    def __init__(self, config=None):
        self.draw = DrawState()
        self.builtins: dict = {}
        self.oracle = None
        self.config = config


_CURRENT: contextvars.ContextVar[RunState | None] = contextvars.ContextVar("dlprops_run", default=None)


def current() -> RunState:
    """The state of the run in progress (one made for this context on first use outside any run)."""
    run = _CURRENT.get()
    if run is None:
        run = RunState()
        _CURRENT.set(run)
    return run


def start(config=None) -> contextvars.Token:
    """Begin a run with fresh state; :func:`finish` with the token returned hands back the state before it."""
    return _CURRENT.set(RunState(config))


def finish(token: contextvars.Token) -> None:
    """End the run :func:`start` began: the state before it is current again."""
    _CURRENT.reset(token)


@contextlib.contextmanager
def running(run: RunState | None = None):
    """``with running() as run:`` — the block is a run of its own (``run``, or a fresh :class:`RunState`)."""
    run = run if run is not None else RunState()
    token = _CURRENT.set(run)
    try:
        yield run
    finally:
        _CURRENT.reset(token)
