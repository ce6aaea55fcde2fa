"""Every private API the harness uses (Hypothesis, pytest-xdist), fenced here with a public fallback and a flag
per fast path. (The implementations' own — JAX internals — are in :mod:`impls._compat`: the implementations are
plug-ins that import nothing of the harness, not even this module, and a PyTorch-only install never imports
Hypothesis's or xdist's internals through them.)

Each fast path is probed once, at import, by exercising it: if the private API is missing or behaves
differently, its flag is False, :data:`PROBLEMS` says why, and the public fallback is used.
``tests/test_compat.py`` fails, naming the API and the version, while a flag is off.

=====================  ====================================================  =====================================
flag                   private fast path                                     public fallback
=====================  ====================================================  =====================================
``COMPOSITE``          ``hypothesis.strategies._internal`` (``LazyStrategy``  the composites built by
                       / ``CompositeStrategy``): any ``st.composite``        :func:`properties.strategies.composite`
                       strategy is re-run per replica                        (which records what it builds: every
                                                                             strategy of the suite); any other
                                                                             composite is a primitive whose value
                                                                             replicas reuse
``DATABASE_KEY``       ``test._hypothesis_internal_add_digest``: one         none: the checks share the run
                       example-database entry per check                      function's database entry (replays
                                                                             of other checks' examples)
``XDIST_SCHEDULER``    ``xdist.scheduler.LoadScopeScheduling`` internals     ``--dist load``, xdist's public load
                       (``_split_scope``, ``remove_node``, ``_reschedule``,  balancing: every check may run on
                       ``assigned_work``, ``workqueue``,                     either worker (JAX compiles a shape
                       ``registered_collections``): one worker per           on both), a crashing check is
                       (implementation, component), a crashing check is      reported once
                       not re-run
``SOURCE_CONSTANTS``   ``hypothesis.internal.conjecture.providers``          none: a check's draws depend on the
                       (``_get_local_constants``, ``CONSTANTS_CACHE``):      local modules the process has
                       no constants from the loaded source during a check    imported (the selection, and what
                       (:func:`no_source_constants`)                         ran before)
=====================  ====================================================  =====================================

Set ``DLPROPS_NO_FAST_PATHS=1`` to start with every flag off.
"""
from __future__ import annotations

import os
import warnings
from contextlib import contextmanager
from types import SimpleNamespace

#: flag -> why its fast path is off (read by tests/test_compat.py)
PROBLEMS: dict[str, str] = {}

_DISABLED = os.environ.get("DLPROPS_NO_FAST_PATHS", "").lower() in ("1", "true", "yes")


def _version(dist: str) -> str:
    try:
        import importlib.metadata
        return importlib.metadata.version(dist)
    except Exception:
        return "?"


def _off(flag: str, dist: str, api: str, why: str) -> bool:
    PROBLEMS[flag] = f"{dist} {_version(dist)} changed {api}; the fast path is off ({why})"
    return False


# ------------------------------------------------------------------------------------- Hypothesis composites
#: what :func:`register_composite` recorded on a strategy (an attribute of our own, in its ``__dict__``)
_PARTS = "_dlprops_composite"


def register_composite(strategy, definition, args, kwargs):
    """Record that ``strategy`` is ``st.composite(definition)(*args, **kwargs)`` (the public fallback's source)."""
    try:
        vars(strategy)[_PARTS] = SimpleNamespace(definition=definition, args=args, kwargs=kwargs)
    except TypeError:  # no __dict__: only the private path can see it
        pass
    return strategy


def composite_parts(strategy):
    """The composite behind ``strategy`` (anything with ``definition, args, kwargs``), or None for any other."""
    if COMPOSITE:
        while isinstance(strategy, _LAZY):
            strategy = strategy.wrapped_strategy
        return strategy if isinstance(strategy, _COMPOSITE_TYPE) else None
    return getattr(strategy, "__dict__", {}).get(_PARTS)


def _probe_composite() -> tuple | None:
    """``(LazyStrategy, CompositeStrategy)``, Hypothesis's private types, if unwrapping a composite through them
    works; None (and the flag off) if not."""
    api = "hypothesis.strategies._internal (LazyStrategy, CompositeStrategy)"
    try:
        from hypothesis import strategies as st
        from hypothesis.strategies._internal.core import CompositeStrategy
        from hypothesis.strategies._internal.lazy import LazyStrategy
    except Exception as error:
        return _off("COMPOSITE", "hypothesis", api, f"import failed: {error!r}") or None

    def definition(draw, a, *, b):
        return draw(st.just(a + b))

    try:
        strategy = st.composite(definition)(1, b=2)
        inner = strategy
        with warnings.catch_warnings():  # unwrapping while pytest loads plugins: one tiny strategy, on purpose
            warnings.simplefilter("ignore")
            while isinstance(inner, LazyStrategy):
                inner = inner.wrapped_strategy
        ok = isinstance(inner, CompositeStrategy) and inner.definition is definition and \
            tuple(inner.args) == (1,) and dict(inner.kwargs) == {"b": 2} and \
            inner.definition(lambda _: 3, *inner.args, **inner.kwargs) == 3
        why = "st.composite(f)(...) no longer unwraps to CompositeStrategy(definition, args, kwargs)"
    except Exception as error:
        ok, why = False, f"unwrapping raised {error!r}"
    if not ok:
        return _off("COMPOSITE", "hypothesis", api, why) or None
    return LazyStrategy, CompositeStrategy


# ------------------------------------------------------------------------------- Hypothesis database key
def add_database_key(test, key: bytes):
    """One example-database entry per ``key`` for the Hypothesis test ``test`` (DATABASE_KEY only)."""
    if DATABASE_KEY:
        test._hypothesis_internal_add_digest = key
    return test


def _probe_database_key() -> bool:
    api = "the _hypothesis_internal_add_digest test attribute"
    try:
        from hypothesis.internal.reflection import function_digest

        def test():
            pass
        before = function_digest(test)
        test._hypothesis_internal_add_digest = b"probe"
        found = function_digest(test) != before
    except Exception as error:
        return _off("DATABASE_KEY", "hypothesis", api, f"the probe raised {error!r}")
    return found or _off("DATABASE_KEY", "hypothesis", api, "a test's database key no longer depends on it")


# ------------------------------------------------------------------- Hypothesis's constants from the source
@contextmanager
def no_source_constants():
    """Within the block, Hypothesis draws no constants from the source of the modules loaded.

    Hypothesis answers about one integer or float draw in twenty with a literal, half the time one found in the
    source of any loaded module outside the standard library and site-packages. Which of the suite's modules are
    loaded depends on the run: the test modules selected (each imports its own helpers), the implementations
    loaded, a module imported on first use (reports.replay, after a first failure). So the same check with the
    same seed drew different inputs, and could reach another verdict, depending on what else the run selected
    or ran before it, and any edit to a literal anywhere changed every check's draws. With the pool empty, a
    check's draws depend on its seed and its strategy only (Hypothesis's own constants stay). Hypothesis caches
    the permitted constants per draw kind, including that pool: the cache is emptied on entry and on exit, so
    nothing computed outside leaks in, nor the empty pool out."""
    if not SOURCE_CONSTANTS:
        yield
        return
    original = _PROVIDERS._get_local_constants
    _PROVIDERS._get_local_constants = _no_constants
    _PROVIDERS.CONSTANTS_CACHE.cache.clear()
    try:
        yield
    finally:
        _PROVIDERS._get_local_constants = original
        _PROVIDERS.CONSTANTS_CACHE.cache.clear()


def _no_constants():
    return _EMPTY_CONSTANTS


def _probe_source_constants() -> tuple | None:
    """``(providers module, empty Constants)`` if a provider reads its source constants through the module's
    ``_get_local_constants`` (so replacing it empties the pool) and the permitted-constants cache can be
    emptied; None (and the flag off) if not."""
    api = "hypothesis.internal.conjecture.providers (_get_local_constants, CONSTANTS_CACHE)"
    try:
        from hypothesis.internal.conjecture import providers
        from hypothesis.internal.constants_ast import Constants
        empty, original = Constants(), providers._get_local_constants
    except Exception as error:
        return _off("SOURCE_CONSTANTS", "hypothesis", api, f"import failed: {error!r}") or None
    try:
        providers._get_local_constants = lambda: empty
        try:
            seen = providers.HypothesisProvider(None)._local_constants
        finally:
            providers._get_local_constants = original
        providers.CONSTANTS_CACHE.cache.clear()
        ok, why = seen is empty, "a provider's _local_constants no longer come from _get_local_constants()"
    except Exception as error:
        ok, why = False, f"the probe raised {error!r}"
    return (providers, empty) if ok else _off("SOURCE_CONSTANTS", "hypothesis", api, why) or None


# ------------------------------------------------------------------------------------- xdist's scheduler
def component_scheduler(config, log, group_of):
    """An xdist scheduler that hands out work by ``group_of(nodeid)`` (one worker per group) and, when a worker
    crashes, queues its unfinished group again *without* the check that crashed it (xdist's scope scheduling
    would re-run it, crashing worker after worker). None while ``XDIST_SCHEDULER`` is off: xdist's own then."""
    if not XDIST_SCHEDULER:
        return None
    return _scheduler_class(group_of)(config, log)


def _scheduler_class(group_of):
    from xdist.scheduler import LoadScopeScheduling

    class ComponentScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid)

        def remove_node(self, node):
            workload = self.assigned_work.pop(node)
            pending = [(scope, nodeid) for scope, unit in workload.items()
                       for nodeid, completed in unit.items() if not completed]
            if not pending:
                return None
            scope, crashitem = pending[0]
            workload[scope][crashitem] = True
            if len(pending) > 1:
                self.workqueue.update({k: u for k, u in workload.items() if not all(u.values())})
                for other in self.assigned_work:
                    self._reschedule(other)
            return crashitem

        def _reschedule(self, node):
            # a replacement for a crashed worker is a node before its collection arrives; xdist's scope
            # scheduling would hand it work then (KeyError); it gets work once its collection is in
            if node in self.registered_collections:
                super()._reschedule(node)

    return ComponentScheduling


class _FakeNode:
    def __init__(self, name):
        self.gateway = SimpleNamespace(id=name)
        self.shutting_down = False
        self.sent = []

    def send_runtest_some(self, indices):
        self.sent.extend(indices)

    def send_runtest_all(self):
        raise AssertionError("a scope scheduler sends work units, not everything")

    def shutdown(self):
        self.shutting_down = True


def _probe_xdist_scheduler() -> bool:
    """A small session against the private scheduler: two groups on two workers, one worker crashes."""
    api = "xdist.scheduler.LoadScopeScheduling's internals"
    try:
        import xdist.scheduler  # noqa: F401
    except Exception as error:
        return _off("XDIST_SCHEDULER", "pytest-xdist", api, f"import failed: {error!r}")
    try:
        config = SimpleNamespace(option=SimpleNamespace(loadscopereorder=True),
                                 getvalue=lambda name: ["2*popen"] if name == "tx" else None,
                                 getoption=lambda name, default=None: ["2*popen"] if name == "tx" else default)
        quiet = SimpleNamespace(loadscopesched=lambda *_, **__: None)
        scheduler = _scheduler_class(lambda nodeid: nodeid.split("-")[0])(config, quiet)
        ids = ["a-1", "a-2", "b-1", "b-2", "b-3", "c-1", "c-2", "c-3", "c-4"]
        first, second, late = _FakeNode("gw0"), _FakeNode("gw1"), _FakeNode("gw2")
        for node in (first, second):
            scheduler.add_node(node)
            scheduler.add_node_collection(node, ids)
        scheduler.schedule()  # the largest groups first: c to one worker, b to the other, a waits
        handed = sorted((tuple(first.sent), tuple(second.sent)))
        if handed != [(2, 3, 4), (5, 6, 7, 8)]:
            return _off("XDIST_SCHEDULER", "pytest-xdist", api, f"groups were handed out as {handed}")
        crashed = first if tuple(first.sent) == (2, 3, 4) else second
        scheduler.add_node(late)  # a replacement whose collection is not in yet: nothing for it (no KeyError)
        scheduler.mark_test_complete(crashed, 2)  # b-1 done, then the worker crashes in b-2
        crashitem = scheduler.remove_node(crashed)
        queued = {scope: dict(unit) for scope, unit in scheduler.workqueue.items()}
        scheduler.add_node_collection(late, ids)
        scheduler.schedule()
        ok = crashitem == "b-2" and queued.get("b") == {"b-1": True, "b-2": True, "b-3": False} and \
            "a" in queued and late.sent == [4]
        why = f"a crash gave crashitem={crashitem!r}, queued {queued}, then sent {late.sent} to a new worker"
    except Exception as error:
        ok, why = False, f"a simulated session raised {error!r}"
    return ok or _off("XDIST_SCHEDULER", "pytest-xdist", api, why)


#: flag names, in the order of the table above
FLAGS = ("COMPOSITE", "DATABASE_KEY", "XDIST_SCHEDULER", "SOURCE_CONSTANTS")
#: Hypothesis's private strategy types :func:`composite_parts` unwraps through, found once by the probe at import
#: and never changed after: a fact about the installed Hypothesis (as the flags are), not state of a run
_LAZY, _COMPOSITE_TYPE = (not _DISABLED and _probe_composite()) or (None, None)
COMPOSITE = _COMPOSITE_TYPE is not None
DATABASE_KEY = not _DISABLED and _probe_database_key()
XDIST_SCHEDULER = not _DISABLED and _probe_xdist_scheduler()
#: Hypothesis's providers module and the empty pool :func:`no_source_constants` puts in, found by the probe
_PROVIDERS, _EMPTY_CONSTANTS = (not _DISABLED and _probe_source_constants()) or (None, None)
SOURCE_CONSTANTS = _PROVIDERS is not None
if _DISABLED:
    for _flag in FLAGS:
        PROBLEMS[_flag] = "DLPROPS_NO_FAST_PATHS is set; the fast path is off"
