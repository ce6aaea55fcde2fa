"""Loading implementation modules (docs/contract.md section 2): built-ins, ``--impl`` targets and entry points.

A module that fails to import or lacks ``NAME``/``asarray``/``to_numpy`` stops the run with one line naming the
file and what is wrong (:class:`PluginError`) — an entry point's with the entry point and its distribution, and only
a run that needs it (``--only-impls`` naming others, or ``--no-entry-points``, goes on without it); everything else
about a plug-in (a component that raises, hangs, returns garbage, or takes other parameters than the catalogue's:
:attr:`Impl.signature_problems`) is reported per check and never stops the run.
"""
from __future__ import annotations

import importlib
import inspect
import importlib.metadata
import importlib.util
import pathlib
import re
import shlex
import sys
import traceback
from dataclasses import dataclass, field
from types import ModuleType

from properties.catalogue import SIGNATURES, signature
from properties.draw_state import current
from properties.registry import FLOATS

#: the implementations ``make verify`` checks
BUILTINS = ("impls.numpy", "impls.torch", "impls.jax", "impls.torch_native", "impls.jax_native")
#: the libraries users build models with, wrapped as they call them (``--libraries``; ``make scoreboard``);
#: their packages are pinned in requirements-libraries.txt
LIBRARIES = ("impls.transformers_lib", "impls.torch_nn", "impls.flax_nnx", "impls.equinox_nn", "impls.keras_ops",
             "impls.optax_lib")
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
    #: component -> one line saying how its signature differs from the catalogue's (its checks are errors)
    signature_problems: dict = field(default_factory=dict)

    @property
    def library(self) -> dict | None:
        """``LIBRARY`` of a library adapter: ``{"distribution": ..., "version": ...}``; None for others."""
        library = getattr(self.module, "LIBRARY", None)
        return dict(library) if isinstance(library, dict) else None

    @property
    def findings(self) -> list[dict]:
        """The adapter's ``FINDINGS`` (:class:`impls._findings.Finding`) as JSON records."""
        return [f.record() if hasattr(f, "record") else dict(f) for f in getattr(self.module, "FINDINGS", ())]

    def provides(self, component: str) -> bool:
        return callable(getattr(self.module, component, None))

    @property
    def has_vjp(self) -> bool:
        return callable(getattr(self.module, "vjp", None))

    def _declared(self, component: str, prop: str, dtype: str | None):
        return self.known_deviations.get((component, prop, dtype)) or self.known_deviations.get((component, prop))

    def deviation(self, component: str, prop: str, dtype: str | None = None) -> str | None:
        """The declared reason ``(component, prop)`` deviates, for every dtype or (a 3-tuple key) for ``dtype``."""
        declared = self._declared(component, prop, dtype)
        return declared[0] if isinstance(declared, tuple) else declared

    def deviation_regime(self, component: str, prop: str, dtype: str | None = None):
        """``(description, predicate)`` of the inputs the declared deviation is scoped to, or ``None`` when it is
        declared for every input (:mod:`properties.regimes`)."""
        declared = self._declared(component, prop, dtype)
        if not isinstance(declared, tuple):
            return None
        from properties.regimes import resolve
        return resolve(declared[1])

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


def _plain(sig: inspect.Signature) -> inspect.Signature:
    """``sig`` without annotations: what the catalogue's signatures show."""
    return sig.replace(parameters=[p.replace(annotation=p.empty) for p in sig.parameters.values()],
                       return_annotation=inspect.Signature.empty)


def _same_default(a, b) -> bool:
    if a is b:
        return True
    try:
        return type(a) is type(b) and bool(a == b) or (
            isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool)
            and not isinstance(b, bool) and a == b)
    except Exception:  # an array default: ambiguous truth value
        return False


def _kind(p: inspect.Parameter) -> str:
    """What a caller sees: a parameter it may pass by position, only by keyword, or a catch-all."""
    return {p.KEYWORD_ONLY: "keyword-only", p.VAR_POSITIONAL: "*args", p.VAR_KEYWORD: "**kwargs"}.get(
        p.kind, "positional")


def _default_matches(p: inspect.Parameter, q: inspect.Parameter) -> bool:
    if p.default is p.empty or q.default is q.empty:
        return p.default is p.empty and q.default is q.empty
    return _same_default(p.default, q.default)


def _fits(params: list[inspect.Parameter], wanted: list[inspect.Parameter]) -> bool:
    """The catalogue's parameters are there — positional ones in its order, keyword-only ones keyword-only —
    with its defaults; anything more is optional (has a default, or is ``*args``/``**kwargs``)."""
    pos_w = [q for q in wanted if _kind(q) == "positional"]
    pos_g = [p for p in params if _kind(p) == "positional"]
    kw_g = {p.name: p for p in params if _kind(p) == "keyword-only"}
    if [p.name for p in pos_g[:len(pos_w)]] != [q.name for q in pos_w]:
        return False
    if not all(_default_matches(p, q) for p, q in zip(pos_g, pos_w)):
        return False
    for q in (q for q in wanted if _kind(q) == "keyword-only"):
        if q.name not in kw_g or not _default_matches(kw_g.pop(q.name), q):
            return False
    return all(p.default is not p.empty for p in [*pos_g[len(pos_w):], *kw_g.values()])


def signature_problem(component: str, fn) -> str | None:
    """One line saying how ``fn``'s parameters differ from the catalogue's ``component`` (names, order, kinds —
    positional or keyword-only — and defaults), or ``None``. Annotations do not count, nor do extra parameters
    with a default (``np.tanh``'s ``out=None``...). A signature Python cannot read, or a generic
    ``(*args, **kwargs)`` wrapper, has nothing to compare."""
    try:
        got = _plain(inspect.signature(fn))
    except (TypeError, ValueError):
        return None
    params = list(got.parameters.values())
    if [p.kind for p in params] == [inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD]:
        return None
    want = signature(component)
    wanted = list(want.parameters.values())
    if _fits(params, wanted):
        return None
    mine, theirs = {p.name: p for p in params}, {q.name: q for q in wanted}
    why = []
    missing = [n for n in theirs if n not in mine]
    extra = [n for n, p in mine.items() if n not in theirs and p.default is p.empty and _kind(p) in
             ("positional", "keyword-only")]
    if missing:
        why.append("missing " + ", ".join(missing))
    if extra:
        why.append("not in the catalogue: " + ", ".join(extra))
    for name in (n for n in theirs if n in mine):
        p, q = mine[name], theirs[name]
        if _kind(p) != _kind(q):
            why.append(f"{name} is {_kind(p)}, expected {_kind(q)}")
        if q.default is q.empty and p.default is not p.empty:
            why.append(f"{name} has a default ({p.default!r}), expected none")
        elif q.default is not q.empty and p.default is p.empty:
            why.append(f"{name} has no default, expected {q.default!r}")
        elif q.default is not q.empty and not _same_default(p.default, q.default):
            why.append(f"{name} defaults to {p.default!r}, expected {q.default!r}")
    if not why:
        why.append("parameter order")
    return f"signature: {component}{want} expected; got {component}{got} ({'; '.join(why)})"


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
    # the contract's keys are (component, property); an optional third element narrows a deviation to one dtype
    if not isinstance(deviations, dict) or not all(
            isinstance(k, tuple) and len(k) in (2, 3) and all(isinstance(p, str) for p in k) for k in deviations):
        raise PluginError(f"{target}: KNOWN_DEVIATIONS must map (component, property) to a reason")
    for key, value in deviations.items():  # a reason, or (reason, regime) scoped to some inputs
        if isinstance(value, tuple):
            from properties.regimes import resolve
            try:
                if len(value) != 2 or not isinstance(value[0], str):
                    raise ValueError("a scoped deviation is (reason, regime)")
                resolve(value[1])
            except ValueError as exc:
                raise PluginError(f"{target}: KNOWN_DEVIATIONS[{key!r}]: {exc}") from None
        elif not isinstance(value, str):
            raise PluginError(f"{target}: KNOWN_DEVIATIONS[{key!r}] must be a reason or (reason, regime)")
    problems = {c: problem for c in SIGNATURES if callable(getattr(module, c, None))
                for problem in [signature_problem(c, getattr(module, c))] if problem}
    return Impl(name, module, target, dtypes, dict(deviations), problems)


@dataclass(frozen=True)
class EntryPoint:
    """A ``dlprops.impls`` entry point: ``name = value`` declared by distribution ``dist``."""
    name: str
    value: str
    dist: str = "?"

    def describe(self) -> str:
        return f"entry point '{self.name} = {self.value}' of distribution '{self.dist}'"


def entry_point_targets() -> list[EntryPoint]:
    """Every installed ``dlprops.impls`` entry point."""
    found = []
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = getattr(ep, "dist", None)
        found.append(EntryPoint(ep.name, ep.value, getattr(dist, "name", None) or "?"))
    return found


def _entry_point_error(ep: EntryPoint, exc: PluginError) -> str:
    """``entry point 'x = pkg.mod' of distribution 'dist': ImportError: ...`` from the target's message."""
    detail = str(exc).removeprefix(f"{ep.value}: ").removeprefix("import failed: ")
    return f"{ep.describe()}: {detail}"


def load_impls(extra: list[str], *, builtins: bool = True, only: list[str] | None = None,
               entry_points: bool = True, notes: list[str] | None = None, libraries: bool = False) -> list[Impl]:
    """Built-ins (if ``builtins``), the library adapters (if ``libraries``), entry points (if ``entry_points``) and
    ``extra`` targets, filtered by ``only`` (names).

    Raises :class:`PluginError` for a broken module or a duplicate name. An entry point that fails to load stops
    only a run that may need it: with ``only`` not naming it, it is left out, and a line saying so is appended to
    ``notes``.
    """
    targets: dict[str, EntryPoint | None] = {}
    for target in (list(BUILTINS) if builtins else []) + (list(LIBRARIES) if libraries else []):
        targets.setdefault(target, None)
    for ep in (entry_point_targets() if entry_points else []):
        targets.setdefault(ep.value, ep)
    for target in extra:
        targets.setdefault(target, None)
    impls: list[Impl] = []
    left_out: list[str] = []
    for target, ep in targets.items():  # keep order, drop repeats (an entry point also named by --impl: once)
        try:
            impl = make_impl(import_target(target), target)
        except PluginError as exc:
            if ep is None:
                raise
            message = _entry_point_error(ep, exc)
            if only and ep.name not in only:
                left_out.append(f"{message} (left out: not among --only-impls)")
                continue
            raise PluginError(f"{message} (--no-entry-points runs without entry points; --only-impls "
                              "without this one runs without it)") from None
        clash = next((i for i in impls if i.name == impl.name), None)
        if clash:
            where = ep.describe() if ep is not None else target
            raise PluginError(f"{where}: NAME {impl.name!r} is already used by {clash.target}")
        impls.append(impl)
    if notes is not None:
        notes.extend(left_out)
    if only:
        unknown = sorted(set(only) - {i.name for i in impls})
        if unknown:
            broken = f"; entry points that failed to load: {' | '.join(left_out)}" if left_out else ""
            raise PluginError(f"--only-impls: no implementation named {', '.join(unknown)} "
                              f"(loaded: {', '.join(i.name for i in impls)}){broken}")
        impls = [i for i in impls if i.name in only]
    return impls


def builtin(target: str) -> Impl:
    """A built-in implementation by its dotted module name (the oracle's witnesses), loaded once per run
    (:attr:`properties.draw_state.RunState.builtins`)."""
    loaded = current().builtins
    impl = loaded.get(target)
    if impl is None:
        impl = loaded[target] = make_impl(importlib.import_module(target), target)
    return impl


def oracle() -> Impl:
    """The NumPy implementation (used in float64 as the oracle), loaded once per run; the run's
    :attr:`properties.draw_state.RunState.oracle` instead when set."""
    return current().oracle or builtin(ORACLE)
