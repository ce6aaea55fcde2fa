"""Planted "ignored option" bugs: a copy of ``impls.numpy`` in which one component silently ignores one option.

For a component ``c`` and one of its options ``opt`` (every optional parameter of the catalogue, and the required
keyword-only choices of :data:`REQUIRED_CHOICES`), :func:`planted_impl` builds an in-process plug-in module
(:func:`properties.loader.make_impl` on a ``types.ModuleType``) whose ``c`` is ``impls.numpy.c`` with ``opt``
replaced by one fixed value on every call — whatever the caller passed — and whose other components are NumPy's,
unchanged. For an optional parameter the fixed value is the catalogue's default (the kernel that "forgets" the
option behaves exactly as if it were omitted); for a choice — a flag, a named mode (:data:`OPTION_CHOICES`), a
required choice (:data:`REQUIRED_CHOICES`) or a choice of a model ``config`` (:data:`CONFIG_CHOICES`) — it is
each of its values in turn (ignoring a flag means always taking one branch, whichever).

``python -m tests.options_planted [component ...]`` runs every property of each component against each of its
planted bugs and prints the statuses: how ``CAUGHT_BY`` of tests/test_options_reached.py was found.
"""
from __future__ import annotations

import functools
import inspect
import re
import sys
import types

import numpy as np
from hypothesis import settings

import impls.numpy as reference
from properties.catalogue import SIGNATURES, optional_parameters, signature
from properties.loader import Impl, make_impl
from properties.registry import FLOATS, NO_DTYPE, Check, Property
from properties.runner import register_profiles, run_check

#: required keyword-only parameters that choose a behaviour (a flag or a mode), and the values "ignoring" them
#: may fix: a kernel that ignores ``training`` always trains or always evaluates, and either must be caught
REQUIRED_CHOICES = {("batch_norm", "training"): (True, False), ("dropout", "training"): (True, False)}
#: the other required keyword-only parameters, and why ignoring them is not an "option" bug: they are quantities
#: the result is a function of (its matches_oracle compares them), not a choice between behaviours
REQUIRED_QUANTITIES = {
    "lr": "the step size the update is proportional to",
    "seed": "the random stream; determinism and independence in the seed are their own properties",
    "num_heads": "shapes the projections: another head count does not run",
    "vocab_size": "the range random replacement tokens are drawn from",
    "mask_token_id": "the token written at masked positions",
    "batch_size": "a factor of the memory figure",
    "seq_len": "a factor of the memory figure",
}
#: the values of the optional parameters that choose between behaviours by name (a flag's are True and False):
#: ignoring such an option may also mean always using one of its other values, each planted in turn
OPTION_CHOICES = {
    **{(c, "reduction"): ("mean", "sum", "none")
       for c in ("cross_entropy", "binary_cross_entropy_with_logits", "mse_loss")},
    ("feed_forward", "activation"): ("gelu", "relu", "swiglu"),
    ("training_memory_bytes", "optimizer"): ("adam", "adamw", "sgd"),
    ("activation_memory_bytes", "recompute"): ("none", "selective", "full"),
    ("transformer_block", "norm"): ("layernorm", "rmsnorm"),
    ("transformer_block", "norm_position"): ("pre", "post"),
    ("transformer_block", "ffn"): ("gelu", "relu", "swiglu"),
}
#: the choices of a model ``config`` (docs/contract.md section 3, "params, transformer"): the options of the
#: components that take one; ignoring ``config[key]`` means always using one of its values, each planted in turn
CONFIG_CHOICES = {"norm": ("layernorm", "rmsnorm"), "ffn": ("gelu", "relu", "swiglu"),
                  "positional": ("learned", "sinusoidal", "rope"), "bias": (True, False),
                  "tie_embeddings": (True, False)}
#: the components whose result depends on those choices (the memory figures depend on none of them)
CONFIG_COMPONENTS = ("init_transformer_params", "count_parameters", "decoder_forward", "decoder_decode")
#: components whose result *is* a structure its properties inspect (a tree of parameter tensors): another structure
#: is a wrong result there, not a malformed one
STRUCTURE_IS_THE_RESULT = ("init_transformer_params",)


def required_keywords(component: str) -> list[str]:
    """The keyword-only parameters of ``component`` that have no default."""
    return [p.name for p in signature(component).parameters.values()
            if p.kind is p.KEYWORD_ONLY and p.default is p.empty]


def choices(component: str, option: str, default) -> tuple:
    """The values planted for an optional parameter: every value of a choice (a flag's two), else the default."""
    if isinstance(default, bool):
        return (default, not default)
    return OPTION_CHOICES.get((component, option), (default,))


def planted_options() -> list[tuple[str, str, object]]:
    """(component, option, fixed value) of every planted bug: each optional parameter fixed at its default (and a
    choice at each of its values), each required choice and each ``config`` choice at each of its values."""
    out = [(c, name, value) for c in SIGNATURES for name, default in optional_parameters(c).items()
           for value in choices(c, name, default)]
    out += [(c, name, value) for (c, name), values in REQUIRED_CHOICES.items() for value in values]
    out += [(c, f"config[{key}]", value) for c in CONFIG_COMPONENTS for key, values in CONFIG_CHOICES.items()
            for value in values]
    return out


def label(component: str, option: str, value) -> str:
    """A test id: ``component.option`` (``=value`` for a choice, whose values are all planted)."""
    several = ((component, option) in REQUIRED_CHOICES or (component, option) in OPTION_CHOICES
               or option.startswith("config[") or isinstance(value, bool))
    return f"{component}.{option}" + (f"={value!r}" if several else "")


def same_structure(a, b) -> bool:
    """``a`` and ``b`` have the same nesting (tuples, lists, dicts and their keys), ``None``s and array shapes."""
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same_structure, a, b))
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys()
                and all(same_structure(a[k], b[k]) for k in a))
    if a is None or b is None:
        return a is None and b is None
    return np.shape(a) == np.shape(b)


def ignoring(fn, option: str, value, *, loud_shapes: bool = True):
    """``fn`` that silently computes with ``option`` (or ``config[key]``) fixed at ``value``, whatever the caller
    passed.

    Silently: the call is first made as given, so bad input is rejected as ``fn`` rejects it (a kernel validates
    its arguments at its boundary, then computes without the option); and where the fixed value would change the
    result's structure or shapes (``reduction='none'`` computed as ``'mean'``) or cannot run at all (another
    ``num_kv_heads`` than the projections'), the right result is returned: that part of the bug is loud, an
    ``error`` of every check, and what must be caught is the part that is not. With ``loud_shapes=False`` (a
    result that is a structure the properties inspect) only a crash falls back.
    """
    sig = inspect.signature(fn)

    @functools.wraps(fn)
    def planted(*args, **kwargs):
        right = fn(*args, **kwargs)
        bound = sig.bind(*args, **kwargs)
        if option.startswith("config["):
            bound.arguments["config"] = {**bound.arguments["config"], option[7:-1]: value}
        else:
            bound.arguments[option] = value
        try:
            wrong = fn(*bound.args, **bound.kwargs)
        except Exception:  # noqa: BLE001  (the fixed value cannot run here: loud, not this bug)
            return right
        return wrong if not loud_shapes or same_structure(wrong, right) else right
    return planted


def _numpy_copy(name: str) -> types.ModuleType:
    """A plug-in module holding every component of ``impls.numpy`` (not the oracle's module: it is checked)."""
    module = types.ModuleType(name)
    module.NAME = re.sub(r"[^a-z0-9]+", "-", name).strip("-")
    module.DTYPES = FLOATS  # impls.numpy computes 2-byte floats in float32 and rounds once, bfloat16 included
    module.asarray, module.to_numpy = reference.asarray, reference.to_numpy
    for component in SIGNATURES:
        if callable(getattr(reference, component, None)):
            setattr(module, component, getattr(reference, component))
    return module


@functools.lru_cache(maxsize=None)
def planted_impl(component: str | None = None, option: str = "", value=None) -> Impl:
    """The NumPy implementation with ``component`` ignoring ``option`` (always ``value``); without a component,
    the unchanged copy (the control: what the planted bug is caught against)."""
    if component is None:
        return make_impl(_numpy_copy("options_control"), "<options_control>")
    module = _numpy_copy(f"options_ignores_{component}_{option}")
    setattr(module, component, ignoring(getattr(reference, component), option, value,
                                        loud_shapes=component not in STRUCTURE_IS_THE_RESULT))
    return make_impl(module, f"<{module.__name__}>")


def dtype_for(prop: Property) -> str:
    """float32 where the property runs in it; else its only dtype (``n/a``) or its first."""
    return "float32" if "float32" in prop.dtypes else prop.dtypes[0] if prop.dtypes else NO_DTYPE


def run_planted(prop: Property, component: str | None = None, option: str = "", value=None) -> dict:
    """The record of ``prop`` on the planted bug (none: the unchanged copy), under the derandomized ``mutants``
    profile."""
    impl = planted_impl(component, option, value)
    return run_check(Check(impl, prop, dtype_for(prop)), base_settings=settings.get_profile("mutants"))


def _main(components: list[str]) -> None:
    import warnings

    from tests.conftest import import_property_modules
    warnings.simplefilter("ignore")
    register_profiles()
    props = import_property_modules()
    for component, option, value in planted_options():
        if components and component not in components:
            continue
        statuses = {p.name: run_planted(p, component, option, value)["status"]
                    for p in props if p.component == component}
        failed = [name for name, status in statuses.items() if status == "failed"]
        errors = [name for name, status in statuses.items() if status == "error"]
        print(f"{label(component, option, value)}: failed={failed} error={errors}", flush=True)


if __name__ == "__main__":
    _main(sys.argv[1:])
