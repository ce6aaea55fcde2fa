"""Shared sizes, strategies and helpers of the parameter and memory property modules
(``properties/test_count_parameters.py``, ``test_init_transformer_params.py``, ``test_training_memory_bytes.py``,
``test_kv_cache_bytes.py``, ``test_activation_memory_bytes.py``; docs/contract.md 3.9 and section 4, "Parameters"
and "Memory"). Not a ``test_`` module: it registers no property itself (:func:`_register_config_rejects` registers
one in the module that calls it).

Everything in this family is analytic or structural (exact integers, shapes), so every check runs once, without a
float dtype, and compares exactly: the family has no tolerance budget.
"""
from __future__ import annotations

import numbers

import numpy as np
from hypothesis import strategies as st

from properties import strategies
from properties.assertions import PropertyFailure, require
from properties.registry import NO_DTYPE, prop_in


#: (d_model, n_heads, n_kv_heads): MHA, GQA and MQA, head dims 1..4; few values keep JAX's caches warm
ATTENTION_SHAPES = ((4, 1, 1), (4, 2, 1), (8, 2, 2), (8, 4, 2), (8, 4, 1), (12, 3, 3), (12, 6, 2), (16, 4, 1),
                    (16, 8, 4), (16, 4, 4))


@strategies.composite
def configs(draw):
    d, h, kv = draw(strategies.sampled_from(ATTENTION_SHAPES), label="(d_model, n_heads, n_kv_heads)")
    return {"vocab_size": draw(strategies.sampled_from([11, 50]), label="vocab_size"), "d_model": d,
            "n_layers": draw(strategies.sampled_from([1, 2, 3]), label="n_layers"), "n_heads": h, "n_kv_heads": kv,
            "d_ff": draw(strategies.sampled_from([6, 32]), label="d_ff"),
            "max_positions": draw(strategies.sampled_from([7, 16]), label="max_positions"),
            "norm": draw(strategies.sampled_from(["layernorm", "rmsnorm"]), label="norm"),
            "ffn": draw(strategies.sampled_from(["gelu", "swiglu", "relu"]), label="ffn"),
            "positional": draw(strategies.sampled_from(["learned", "rope", "sinusoidal"]), label="positional"),
            "bias": draw(strategies.booleans(), label="bias"),
            "tie_embeddings": draw(strategies.booleans(), label="tie_embeddings")}


def config_inputs(dtype):
    return st.fixed_dictionaries({"config": configs(), "seed": strategies.seeds})


def expected_shapes(cfg) -> list[tuple[int, ...]]:
    """Every parameter tensor's shape, written out from docs/contract.md 3.9 (and 3.6's ``x @ W`` layout of ``wq (d, H*D)``,
    ``wk wv (d, Hkv*D)``, ``wo (H*D, d)``): the token embedding, learned positions, per layer a pre-attention
    and a pre-FFN norm, the attention and FFN projections (biases if ``bias``; none for SwiGLU), a final norm,
    and the LM head ``(d, V)`` unless tied."""
    d, v, f = cfg["d_model"], cfg["vocab_size"], cfg["d_ff"]
    q = cfg["n_heads"] * (d // cfg["n_heads"])
    kv = cfg["n_kv_heads"] * (d // cfg["n_heads"])
    norm = [(d,), (d,)] if cfg["norm"] == "layernorm" else [(d,)]
    layer = norm + [(d, q), (d, kv), (d, kv), (q, d)] + ([(q,), (kv,), (kv,), (d,)] if cfg["bias"] else []) + norm
    if cfg["ffn"] == "swiglu":
        layer += [(d, f), (d, f), (f, d)]
    else:
        layer += [(d, f), (f, d)] + ([(f,), (d,)] if cfg["bias"] else [])
    shapes = [(v, d)] + ([(cfg["max_positions"], d)] if cfg["positional"] == "learned" else [])
    shapes += layer * cfg["n_layers"] + norm + ([] if cfg["tie_embeddings"] else [(d, v)])
    return shapes


def _as_int(value, what: str) -> int:
    """An integer result (Python int, NumPy integer or 0-d integer array) as a Python int."""
    if isinstance(value, np.ndarray):
        require(value.shape == () and value.dtype.kind in "iu", f"{what} is an array {value.shape} of "
                                                                  f"{value.dtype.name}, not an integer")
        return int(value)
    require(isinstance(value, numbers.Integral) and not isinstance(value, bool),
            f"{what} is {value!r} ({type(value).__name__}), not an integer")
    return int(value)


def _leaves(tree, path=""):
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _leaves(v, f"{path}[{k!r}]")
    elif isinstance(tree, (list, tuple)):
        for i, v in enumerate(tree):
            yield from _leaves(v, f"{path}[{i}]")
    else:
        yield path, tree


def _init(subject, cfg, seed) -> list[tuple[str, np.ndarray]]:
    tree = subject.init_transformer_params(cfg, seed=seed)
    if not isinstance(tree, dict):
        raise PropertyFailure(f"init_transformer_params returned {type(tree).__name__}, not a nested dict")
    leaves = list(_leaves(tree))
    for path, a in leaves:
        subject.expect(a, dtype="", finite=True, what=f"params{path}")
        require(a.dtype.kind == "f" or a.dtype.name == "bfloat16",
                f"params{path} has dtype {a.dtype.name}, not a float dtype")
    return leaves


def _bad_configs(cfg):
    """(config, why) pairs that break docs/contract.md 3.9's conventions."""
    yield dict(cfg, norm="no-such-norm"), "an unknown norm"
    yield dict(cfg, ffn="no-such-ffn"), "an unknown ffn"
    yield dict(cfg, positional="no-such-positional"), "an unknown positional kind"
    yield dict(cfg, d_model=8, n_heads=3, n_kv_heads=3), "n_heads=3 not dividing d_model=8"
    yield dict(cfg, d_model=8, n_heads=4, n_kv_heads=3), "n_heads=4 not divisible by n_kv_heads=3"


def _register_config_rejects(component, module, call):
    """Register ``rejects_bad_input`` of ``component`` (count_parameters or init_transformer_params), filed
    under the component's module ``module`` (its ``__name__``); ``call(subject, component, config, why, seed)``
    asserts that one bad config is rejected."""
    @prop_in(module, component, "rejects_bad_input", inputs=config_inputs, dtypes=(NO_DTYPE,), max_examples=5,
              statement=f"{component} raises ValueError/TypeError for an unknown norm, ffn or positional kind, "
                        "n_heads not dividing d_model, and n_heads not divisible by n_kv_heads.")
    def rejects(subject, case):
        for bad, why in _bad_configs(case["config"]):
            call(subject, component, bad, why, case["seed"])
