"""Defaults are part of the contract: omitting an optional argument is the same as passing the contract's default.

Every other property passes the optional arguments it cares about, so a kernel whose default differs from the
catalogue's (``approximate=True`` copied from ``jax.nn.gelu``, ``axis=None`` from ``scipy.special.softmax``,
Keras's ``eps=1e-3``, LLaMA 3's RoPE base, optax's AdamW decay) passed them all. Here one property per component
with optional arguments:

1. draws an input from one of the component's own properties (its ``matches_oracle`` where it has one) and
   takes the first call that property makes to the component (nothing else of that property runs);
2. sets every optional argument to the catalogue's default — except those the input is built around (``TIED``:
   GQA's ``num_kv_heads`` shapes the projections, ``activation`` picks the FFN's parameters), which keep their
   drawn value;
3. calls the implementation twice: with every argument that equals its default *omitted*, and with every
   default passed explicitly — the call ``matches_oracle`` compares with the float64 oracle — and requires the
   same result: same structure and shapes, floats equal to the dtype's ulps (no reduction in between).
"""
from __future__ import annotations

import importlib
import pkgutil

import numpy as np

import properties

from properties.assertions import assert_close, require
from properties.catalogue import SIGNATURES, optional_parameters, signature
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import prop, properties as registered
from properties.subject import ImplError, Subject, _is_default, unsupported
from properties.tolerances import flush_floor

#: optional arguments the drawn input is built around: they keep their drawn value (omitted only when it is the
#: default already)
TIED = {"multi_head_attention": ("num_kv_heads",), "mha_decode": ("num_kv_heads",),
        "transformer_block": ("num_kv_heads", "ffn"), "feed_forward": ("activation",)}

#: the property whose inputs and first call are used, where the component has no ``matches_oracle``
SOURCE = {"mlm_mask": "labels_and_unselected_tokens", "training_memory_bytes": "matches_oracle"}


class _Captured(Exception):
    def __init__(self, args, kwargs):
        super().__init__("captured")
        self.args_, self.kwargs = args, kwargs


class _Capturing(Subject):
    """The implementation as the source property sees it, except that the first call of ``target`` is taken
    (and the property stops there)."""

    def __init__(self, subject: Subject, target: str):
        super().__init__(subject.impl, subject.dtype)
        self._target = target

    def call(self, component, *args, **kwargs):
        if component == self._target:
            raise _Captured(args, kwargs)
        return super().call(component, *args, **kwargs)


def _captured_call(subject: Subject, source, component: str, case):
    try:
        source.fn(_Capturing(subject, component), case)
    except _Captured as taken:
        return signature(component).bind(*taken.args_, **taken.kwargs).arguments
    raise AssertionError(f"{source.key} never called {component}: it cannot serve as the defaults' source")


def _split(component: str, arguments: dict) -> tuple[dict, dict]:
    """(explicit, omitted): every argument with the optional ones at the catalogue default (``TIED`` ones as
    drawn), and the same without those that equal their default."""
    defaults = optional_parameters(component)
    tied = TIED.get(component, ())
    explicit = {name: (arguments.get(name, default) if name in tied else default)
                for name, default in defaults.items()}
    explicit = {**{k: v for k, v in arguments.items() if k not in defaults}, **explicit}
    omitted = {k: v for k, v in explicit.items() if k not in defaults or not _is_default(v, defaults[k])}
    return explicit, omitted


def _raises_alike(subject: Subject, component: str, omitted: dict, passed: ImplError):
    """The call with the defaults passed raised: an input the implementation cannot compute (its source
    property reports that). With the defaults omitted it must raise alike; then there is nothing to compare."""
    try:
        _invoke(subject, component, omitted)
    except ImplError as left_out:
        if type(left_out.original) is type(passed.original):
            unsupported(f"{component} raised {type(passed.original).__name__} with its defaults passed and "
                        "omitted alike (nothing to compare; its other properties report it)")
    raise passed


def _invoke(subject: Subject, component: str, arguments: dict):
    """Positional parameters by position (up to the first one left out), the rest by keyword."""
    args, kwargs, positional = [], {}, True
    for name, param in signature(component).parameters.items():
        if name not in arguments:
            positional = False
            continue
        if positional and param.kind is param.POSITIONAL_OR_KEYWORD:
            args.append(arguments[name])
        else:
            kwargs[name] = arguments[name]
    return subject.call(component, *args, **kwargs)


def _compare(got, want, dtype: str, what: str) -> None:
    if isinstance(want, (tuple, list)):
        require(isinstance(got, (tuple, list)) and len(got) == len(want),
                f"{what}: {type(got).__name__} of {len(got) if isinstance(got, (tuple, list)) else '-'} "
                f"items, with the defaults passed {type(want).__name__} of {len(want)}")
        for i, (g, w) in enumerate(zip(got, want)):
            _compare(g, w, dtype, f"{what}[{i}]")
    elif isinstance(want, dict):
        require(isinstance(got, dict) and set(got) == set(want),
                f"{what}: keys {sorted(got) if isinstance(got, dict) else type(got).__name__}, with the "
                f"defaults passed {sorted(want)}")
        for key in want:
            _compare(got[key], want[key], dtype, f"{what}[{key!r}]")
    elif isinstance(want, np.ndarray) and (want.dtype.kind == "f" or want.dtype.name == "bfloat16"):
        got = np.asarray(got)
        require(got.shape == want.shape, f"{what}: shape {got.shape}, with the defaults passed {want.shape}")
        assert_close(got.astype(np.float64), want.astype(np.float64), dtype=dtype, what=what,
                     floor=flush_floor(dtype))
    else:
        got_, want_ = np.asarray(got), np.asarray(want)
        require(got_.shape == want_.shape and bool(np.all(got_ == want_)),
                f"{what}: {got!r} with the defaults omitted, {want!r} with them passed")


def _register(component: str, source) -> None:
    defaults = ", ".join(f"{k}={v!r}" for k, v in optional_parameters(component).items())

    @prop(component, "defaults_are_the_catalogue_defaults", inputs=source.inputs, dtypes=source.dtypes,
          max_examples=source.max_examples, needs=source.needs, replicas=1,
          statement=f"Omitting every optional argument gives the same result as passing the catalogue's "
                    f"defaults ({defaults}) explicitly, on the inputs of {source.name}.")
    def defaults_are_the_catalogue_defaults(subject, case):
        explicit, omitted = _split(component, _captured_call(subject, source, component, case))
        subject.keep_defaults = True  # the explicit call passes every default (no property-wide coin flip)
        try:
            want = _invoke(subject, component, explicit)
        except ImplError as passed:
            _raises_alike(subject, component, omitted, passed)
        finally:
            subject.keep_defaults = False
        got = _invoke(subject, component, omitted)
        left_out = ", ".join(sorted(set(explicit) - set(omitted))) or "nothing"
        _compare(got, want, subject.dtype, f"{component} with {left_out} omitted vs the defaults passed")


def _sources() -> dict:
    """component -> the property whose inputs it borrows (every property module imported first)."""
    for info in pkgutil.iter_modules(properties.__path__):
        if info.name.startswith("test_") and f"properties.{info.name}" != __name__:
            importlib.import_module(f"properties.{info.name}")
    by_key = {p.key: p for p in registered() if p.module != __name__}
    out = {}
    for component in sorted({p.component for p in by_key.values()}):
        if component in SIGNATURES and optional_parameters(component):
            key = f"{component}:{SOURCE.get(component, 'matches_oracle')}"
            if key in by_key:
                out[component] = by_key[key]
    return out


for _component, _source in _sources().items():
    _register(_component, _source)
