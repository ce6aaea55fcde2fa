"""Loading implementation modules (SPEC section 2): built-ins, ``--impl`` targets and entry points.

A module that fails to import or lacks ``NAME``/``asarray``/``to_numpy`` stops the run with one line naming the
file and what is wrong (:class:`PluginError`); everything else about a plug-in (a component that raises, hangs
or returns garbage) is reported per check and never stops the run.
"""
from __future__ import annotations

import functools
import importlib
import importlib.metadata
import importlib.util
import pathlib
import re
import shlex
import sys
import traceback
from dataclasses import dataclass, field
from types import ModuleType

from properties.registry import FLOATS

#: the implementations ``make verify`` checks
BUILTINS = ("impls.numpy", "impls.torch", "impls.jax", "impls.torch_native", "impls.jax_native")
#: the implementation whose float64 results are the oracle
ORACLE = "impls.numpy"
ENTRY_POINT_GROUP = "dlprops.impls"
REQUIRED = ("NAME", "asarray", "to_numpy")


class PluginError(Exception):
    """A plug-in module that cannot be used at all; the message is the one line the user sees."""


@dataclass(eq=False)
class Impl:
    """A loaded implementation module and what the suite needs to know about it."""
    name: str
    module: ModuleType
    target: str  # how it was named: a dotted module or a path
    dtypes: tuple[str, ...]
    known_deviations: dict = field(default_factory=dict)

    def provides(self, component: str) -> bool:
        return callable(getattr(self.module, component, None))

    @property
    def has_vjp(self) -> bool:
        return callable(getattr(self.module, "vjp", None))

    def deviation(self, component: str, prop: str, dtype: str | None = None) -> str | None:
        """The declared reason ``(component, prop)`` deviates, for every dtype or (a 3-tuple key) for ``dtype``."""
        return self.known_deviations.get((component, prop, dtype)) or self.known_deviations.get((component, prop))

    @property
    def cli(self) -> str:
        """The ``--impl`` argument that loads this implementation ('' for a built-in)."""
        return "" if self.target in BUILTINS else f"--impl {shlex.quote(self.target)}"

    def __repr__(self) -> str:
        return f"Impl({self.name})"


def _import_path(path: pathlib.Path) -> ModuleType:
    path = path.resolve()
    init = path / "__init__.py" if path.is_dir() else path
    if not init.exists():
        raise PluginError(f"{path}: not a Python module (no {init.name})")
    name = "dlprops_plugin_" + re.sub(r"\W", "_", path.stem)
    spec = importlib.util.spec_from_file_location(
        name, init, submodule_search_locations=[str(path)] if path.is_dir() else None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _looks_like_path(target: str) -> bool:
    return target.endswith(".py") or "/" in target or pathlib.Path(target).exists()


def import_target(target: str) -> ModuleType:
    """Import ``target`` (a dotted module name, a ``.py`` file or a package folder)."""
    try:
        if _looks_like_path(target):
            if not pathlib.Path(target).exists():
                raise PluginError(f"{target}: no such file or folder")
            return _import_path(pathlib.Path(target))
        return importlib.import_module(target)
    except PluginError:
        raise
    except BaseException as exc:  # SyntaxError, ImportError, SystemExit in module code...
        # the innermost frame of the user's code (importlib's own frozen frames say nothing); a SyntaxError
        # names its file and line in its message already
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith("<frozen")]
        where = f" ({frames[-1].filename}:{frames[-1].lineno})" if frames and not isinstance(exc, SyntaxError) \
            else ""
        detail = " ".join(str(exc).split())  # one line, whatever the module's message holds
        raise PluginError(f"{target}: import failed: {type(exc).__name__}: {detail}{where}") from None


def make_impl(module: ModuleType, target: str) -> Impl:
    """Validate the plug-in interface of ``module`` and wrap it."""
    missing = [a for a in REQUIRED if not hasattr(module, a)]
    if missing:
        raise PluginError(f"{target}: not an implementation module: missing {', '.join(missing)}")
    name = module.NAME
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_-]+", name):
        raise PluginError(f"{target}: NAME must be a string matching [a-z0-9_-]+, got {name!r}")
    for attr in ("asarray", "to_numpy"):
        if not callable(getattr(module, attr)):
            raise PluginError(f"{target}: {attr} must be callable")
    dtypes = tuple(getattr(module, "DTYPES", ("float32",)))
    unknown = [d for d in dtypes if d not in FLOATS]
    if unknown:
        raise PluginError(f"{target}: DTYPES has unknown dtype(s) {unknown}; use names from {' '.join(FLOATS)}")
    deviations = getattr(module, "KNOWN_DEVIATIONS", {}) or {}
    # SPEC keys are (component, property); an optional third element narrows a deviation to one dtype
    if not isinstance(deviations, dict) or not all(
            isinstance(k, tuple) and len(k) in (2, 3) and all(isinstance(p, str) for p in k) for k in deviations):
        raise PluginError(f"{target}: KNOWN_DEVIATIONS must map (component, property) to a reason")
    return Impl(name, module, target, dtypes, dict(deviations))


def entry_point_targets() -> list[tuple[str, str]]:
    """``(name, module)`` of every installed ``dlprops.impls`` entry point."""
    return [(ep.name, ep.value) for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)]


def load_impls(extra: list[str], *, builtins: bool = True, only: list[str] | None = None) -> list[Impl]:
    """Built-ins (if ``builtins``), entry points and ``extra`` targets, filtered by ``only`` (names).

    Raises :class:`PluginError` for a broken module or a duplicate name.
    """
    targets = (list(BUILTINS) if builtins else []) + [v for _, v in entry_point_targets()] + list(extra)
    impls: list[Impl] = []
    for target in dict.fromkeys(targets):  # keep order, drop repeats
        impl = make_impl(import_target(target), target)
        clash = next((i for i in impls if i.name == impl.name), None)
        if clash:
            raise PluginError(f"{target}: NAME {impl.name!r} is already used by {clash.target}")
        impls.append(impl)
    if only:
        unknown = sorted(set(only) - {i.name for i in impls})
        if unknown:
            raise PluginError(f"--only-impls: no implementation named {', '.join(unknown)} "
                              f"(loaded: {', '.join(i.name for i in impls)})")
        impls = [i for i in impls if i.name in only]
    return impls


_ORACLE: Impl | None = None


@functools.lru_cache(maxsize=None)
def builtin(target: str) -> Impl:
    """A built-in implementation by its dotted module name, loaded once (the oracle's witnesses)."""
    return make_impl(importlib.import_module(target), target)


def oracle() -> Impl:
    """The NumPy implementation (used in float64 as the oracle), loaded once."""
    global _ORACLE
    if _ORACLE is None:
        _ORACLE = make_impl(importlib.import_module(ORACLE), ORACLE)
    return _ORACLE
