"""Properties of parameter initialisation and counting (docs/contract.md 3.9 and section 4, "Parameters"; the memory
accounting lives in :mod:`properties.test_memory`). Everything here is analytic or structural, so every check runs
once, without a float dtype."""
from __future__ import annotations

import math
import numbers

import numpy as np
from hypothesis import strategies as st

from properties import strategies
from properties.assertions import PropertyFailure, assert_equal, assert_rejects, require
from properties.oracle import expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import NO_DTYPE, prop

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


def closed_form_count(cfg) -> int:
    """The closed form ``V d [+ P d] + L (2 n + 2 d^2 + 2 d Hkv D [+ 2 d + 2 Hkv D] + ffn) + n [+ d V]`` with
    ``n = 2d`` (LayerNorm) or ``d`` (RMSNorm) and ``ffn = 3 d f`` (SwiGLU) or ``2 d f [+ f + d]``."""
    d, v, f, layers = cfg["d_model"], cfg["vocab_size"], cfg["d_ff"], cfg["n_layers"]
    kv = cfg["n_kv_heads"] * (d // cfg["n_heads"])
    n = 2 * d if cfg["norm"] == "layernorm" else d
    attn = 2 * d * d + 2 * d * kv + ((2 * d + 2 * kv) if cfg["bias"] else 0)
    ffn = 3 * d * f if cfg["ffn"] == "swiglu" else 2 * d * f + ((f + d) if cfg["bias"] else 0)
    total = v * d + layers * (2 * n + attn + ffn) + n
    total += cfg["max_positions"] * d if cfg["positional"] == "learned" else 0
    total += 0 if cfg["tie_embeddings"] else d * v
    # the closed form and the tensor-by-tensor enumeration must agree (a slip in either shows here)
    assert total == sum(math.prod(s) for s in expected_shapes(cfg)), "closed form vs enumeration"
    return total


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


def _shape_multiset(shapes) -> list:
    return sorted(tuple(int(i) for i in s) for s in shapes)


# --- count_parameters -------------------------------------------------------------------------------------------
@prop("count_parameters", "matches_oracle", inputs=config_inputs, dtypes=(NO_DTYPE,),
      statement="count_parameters(config) equals the NumPy oracle's count exactly (an integer).")
def count_oracle(subject, case):
    cfg = case["config"]
    got = _as_int(subject.count_parameters(cfg), "count_parameters(config)")
    want = int(expected("count_parameters", cfg))
    require(got == want, f"count_parameters = {got}, oracle {want} (difference {got - want})")


@prop("count_parameters", "equals_init_element_count", inputs=config_inputs, dtypes=(NO_DTYPE,),
      needs=("init_transformer_params",),
      statement="count_parameters(config) equals the total number of elements of init_transformer_params(config) "
                "of the same implementation, for configs with MHA/GQA/MQA, tied or untied heads, with or without "
                "biases, LayerNorm or RMSNorm, GELU/ReLU/SwiGLU FFNs, every positional kind, 1-3 layers.")
def count_vs_init(subject, case):
    cfg = case["config"]
    got = _as_int(subject.count_parameters(cfg), "count_parameters(config)")
    total = sum(int(a.size) for _, a in _init(subject, cfg, case["seed"]))
    require(got == total, f"count_parameters = {got}, but init_transformer_params has {total} elements "
                          f"(difference {got - total})")


@prop("count_parameters", "matches_closed_form", inputs=config_inputs, dtypes=(NO_DTYPE,),
      statement="count_parameters(config) == V d [+ P d if learned positions] + n_layers (2 norm + 2 d^2 + "
                "2 d Hkv D [+ 2 d + 2 Hkv D with biases] + ffn) + norm [+ d V if untied], norm = 2d (LayerNorm) "
                "or d (RMSNorm), ffn = 3 d d_ff (SwiGLU) or 2 d d_ff [+ d_ff + d].")
def count_closed_form(subject, case):
    cfg = case["config"]
    got = _as_int(subject.count_parameters(cfg), "count_parameters(config)")
    want = closed_form_count(cfg)
    require(got == want, f"count_parameters = {got}, closed form {want} (difference {got - want})")


def _bad_configs(cfg):
    """(config, why) pairs that break docs/contract.md 3.9's conventions."""
    yield dict(cfg, norm="no-such-norm"), "an unknown norm"
    yield dict(cfg, ffn="no-such-ffn"), "an unknown ffn"
    yield dict(cfg, positional="no-such-positional"), "an unknown positional kind"
    yield dict(cfg, d_model=8, n_heads=3, n_kv_heads=3), "n_heads=3 not dividing d_model=8"
    yield dict(cfg, d_model=8, n_heads=4, n_kv_heads=3), "n_heads=4 not divisible by n_kv_heads=3"


def _register_config_rejects(component, call):
    @prop(component, "rejects_bad_input", inputs=config_inputs, dtypes=(NO_DTYPE,), max_examples=5,
          statement=f"{component} raises ValueError/TypeError for an unknown norm, ffn or positional kind, "
                    "n_heads not dividing d_model, and n_heads not divisible by n_kv_heads.")
    def rejects(subject, case):
        for bad, why in _bad_configs(case["config"]):
            call(subject, component, bad, why, case["seed"])


_register_config_rejects("count_parameters",
                         lambda subject, c, cfg, why, seed: assert_rejects(subject, c, cfg, why=why))
_register_config_rejects("init_transformer_params",
                         lambda subject, c, cfg, why, seed: assert_rejects(subject, c, cfg, why=why, seed=seed))


# --- init_transformer_params ----------------------------------------------------------------------------------
@prop("init_transformer_params", "matches_oracle", inputs=config_inputs, dtypes=(NO_DTYPE,), max_examples=15,
      statement="init_transformer_params(config) holds tensors of the same shapes as the NumPy oracle's (as a "
                "multiset: names and nesting are the implementation's), all finite floats (values are random: "
                "each implementation has its own generator).")
def init_oracle(subject, case):
    cfg, seed = case["config"], case["seed"]
    got = _shape_multiset(a.shape for _, a in _init(subject, cfg, seed))
    want = _shape_multiset(np.shape(a) for _, a in _leaves(expected("init_transformer_params", cfg, seed=seed)))
    require(got == want, f"parameter shapes {got} differ from the oracle's {want}")


@prop("init_transformer_params", "shapes_match_config", inputs=config_inputs, dtypes=(NO_DTYPE,),
      max_examples=15,
      statement="The tensors of init_transformer_params(config) have exactly the shapes the config implies: "
                "tokens (V, d), positions (P, d) only if learned, per layer norms (d,) (x2 for LayerNorm), wq "
                "(d, H D), wk and wv (d, Hkv D), wo (H D, d), biases only if bias (none for SwiGLU), FFN (d, f) "
                "(f, d) [+ (d, f) for SwiGLU], a final norm, and an LM head (d, V) only if untied; every 2-D "
                "tensor is random (not constant).")
def init_shapes(subject, case):
    cfg = case["config"]
    leaves = _init(subject, cfg, case["seed"])
    got = _shape_multiset(a.shape for _, a in leaves)
    want = _shape_multiset(expected_shapes(cfg))
    require(got == want, f"parameter shapes {got} differ from the shapes the config implies {want}")
    for path, a in leaves:
        if a.ndim == 2 and a.size > 1:
            require(bool(np.any(a != a.reshape(-1)[0])), f"params{path} {a.shape} is constant (no symmetry "
                                                         "breaking)")


@strategies.composite
def two_seeds(draw, dtype):
    case = draw(config_inputs(dtype))
    case["other_seed"] = draw(strategies.seeds.filter(lambda s: s != case["seed"]), label="other_seed")
    return case


@prop("init_transformer_params", "deterministic_in_seed", inputs=two_seeds, dtypes=(NO_DTYPE,), max_examples=10,
      statement="The same seed gives identical parameters; a different seed gives different random matrices.")
def init_seed(subject, case):
    cfg = case["config"]
    a = _init(subject, cfg, case["seed"])
    b = _init(subject, cfg, case["seed"])
    require([p for p, _ in a] == [p for p, _ in b], "the parameter tree differs between two calls")
    for (path, x), (_, y) in zip(a, b):
        assert_equal(y, x, what=f"params{path} of a second call with the same seed")
    c = _init(subject, cfg, case["other_seed"])
    differ = any(x.shape == z.shape and x.ndim == 2 and not np.array_equal(x, z) for (_, x), (_, z) in zip(a, c))
    require(differ, f"seeds {case['seed']} and {case['other_seed']} give identical weight matrices")


# training_memory_bytes, kv_cache_bytes, activation_memory_bytes: properties/test_memory.py
