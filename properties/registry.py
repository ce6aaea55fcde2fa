"""Properties are registered once, as plain functions, and expanded into checks for every implementation.

A property module writes::

    @prop("layer_norm", "zero_mean_unit_variance", inputs=norm_inputs,
          statement="With weight 1 and bias 0 each normalised group has mean 0 and biased variance 1.")
    def layer_norm_standardises(subject, case):
        ...

``inputs`` is a function ``dtype -> hypothesis strategy``; the property receives the implementation (a
:class:`properties.subject.Subject` bound to one dtype) and one drawn value. A *check* is one
(implementation, component, property, dtype); the runner executes it with Hypothesis.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from properties.catalogue import family_of

#: every float dtype of the contract
FLOATS = ("float16", "bfloat16", "float32", "float64")
#: the dtypes on which exact identities and invariances are checked (half precision gets the oracle check)
IDENTITY_DTYPES = ("float32", "float64")
#: the dtype name used by checks that do not depend on a float dtype (integer maps, analytic formulas)
NO_DTYPE = "n/a"

_REGISTRY: dict[str, list["Property"]] = {}


@dataclass(frozen=True)
class Property:
    """One stated property of one component."""
    component: str
    name: str
    fn: Callable
    inputs: Callable
    statement: str
    dtypes: tuple[str, ...] = IDENTITY_DTYPES
    max_examples: int | None = None  # cap for expensive or statistical properties
    needs: tuple[str, ...] = ()  # other components (or "vjp") the property calls; absent -> not provided
    statistical: bool = False  # a random-output test with a stated false-alarm rate (properties/stats.py)
    module: str = ""
    family: str = ""
    replicas: int | None = None  # cases per Hypothesis example (None: :func:`replicas_of` decides)

    @property
    def key(self) -> str:
        return f"{self.component}:{self.name}"


#: cases made from each Hypothesis example (:mod:`properties.replicas`), per family: Hypothesis spends ~0.5-1 ms
#: on an example, so where a case costs a few calls of a cheap kernel many cases share it (and a shape drawn once,
#: one JAX compilation, is tried on fresh values); where a case already costs milliseconds (attention's many
#: projections and oracle runs) replicas would only multiply the run time. Activations: at 64 the harness costs
#: ~4x a direct call of a cheap NumPy kernel (``benchmarks/bench.py``; the issue's bound is 5x)
REPLICAS = {"activations": 64, "losses": 4, "norms": 2, "positional": 4, "regularization": 4, "optim": 2,
            "attention": 1, "bert": 1, "params": 1, "transformer": 1}


def replicas_of(p: Property) -> int:
    """Cases per example: ``p.replicas`` if given; 1 for a statistical property (its false-alarm budget is per
    example), a gradient property (finite differences cost ~100 oracle calls a case) or one whose examples are
    capped as expensive or structural (bad input: one recipe, one verdict); else its family's :data:`REPLICAS`."""
    if p.replicas is not None:
        return p.replicas
    if p.statistical or p.max_examples or "vjp" in p.needs:
        return 1
    return REPLICAS.get(p.family, 1)


def prop(component: str, name: str, *, inputs: Callable, statement: str, dtypes=IDENTITY_DTYPES,
         max_examples: int | None = None, needs: tuple[str, ...] = (), statistical: bool = False,
         replicas: int | None = None):
    """Register ``fn(subject, case)`` as property ``name`` of ``component``."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(f"property name {name!r} must match [a-z0-9_]+")

    def register(fn):
        module = fn.__module__
        family = family_of(component)
        entry = Property(component, name, fn, inputs, " ".join(statement.split()), tuple(dtypes),
                         max_examples, tuple(needs), statistical, module, family, replicas)
        props = _REGISTRY.setdefault(module, [])
        if any(p.key == entry.key for p in props):
            raise ValueError(f"property {entry.key} registered twice in {module}")
        props.append(entry)
        return fn

    return register


def prop_in(module: str, component: str, name: str, **options):
    """:func:`prop`, filing the property under ``module``: the registry files a property under its function's
    ``__module__``, so a family's shared registration helper (``norms_properties``, ``optim_common``) passes the
    component module's ``__name__``."""
    def register(fn):
        fn.__module__ = module
        return prop(component, name, **options)(fn)
    return register


def properties(module: str | None = None) -> list[Property]:
    """The properties of one module, or of all imported property modules."""
    if module is not None:
        return list(_REGISTRY.get(module, ()))
    return [p for props in _REGISTRY.values() for p in props]


@dataclass(frozen=True)
class Check:
    """One (implementation, component, property, dtype): the unit of a verdict."""
    impl: object  # properties.loader.Impl
    prop: Property
    dtype: str
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def id(self) -> str:
        return f"{self.impl.name}:{self.prop.component}:{self.prop.name}:{self.dtype}"


def parse_check_id(check_id: str) -> dict:
    """Inverse of :attr:`Check.id` (used to attribute a crashed worker's item)."""
    impl, component, name, dtype = check_id.rsplit(":", 3)
    return {"impl": impl, "component": component, "property": name, "dtype": dtype}


def checks(props: list[Property], impls: list) -> list[Check]:
    """Every check of ``props`` for every implementation, in a stable order."""
    return [Check(impl, p, dtype) for p in props for impl in impls for dtype in p.dtypes]
