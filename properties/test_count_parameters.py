"""Properties of count_parameters (docs/contract.md 3.9 and section 4, "Parameters"). Everything here is an exact
integer, so every check runs once, without a float dtype, and compares exactly. Besides the oracle and the closed
form, the seed's claims about a block's parameter count.

The family's configs, strategies and helpers: :mod:`properties.params_common`.
"""
from __future__ import annotations

import math

from properties import strategies
from properties.assertions import assert_rejects, require
from properties.oracle import expected
from properties.params_common import _as_int, _init, _register_config_rejects, config_inputs, expected_shapes
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import NO_DTYPE, prop


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


_register_config_rejects("count_parameters", __name__,
                         lambda subject, c, cfg, why, seed: assert_rejects(subject, c, cfg, why=why))


# --- the seed's claims -----------------------------------------------------------------------------------------
@strategies.composite
def mha_configs(draw, dtype):
    """MHA configs (n_kv_heads == n_heads) with any number of heads dividing d_model."""
    d = draw(strategies.sampled_from([4, 8, 12, 16, 48, 768]), label="d_model")
    heads = draw(strategies.sampled_from([h for h in range(1, d + 1) if d % h == 0 and h <= 16]), label="n_heads")
    return {"config": {
        "vocab_size": draw(strategies.sampled_from([11, 50]), label="vocab_size"), "d_model": d,
        "n_layers": draw(strategies.sampled_from([0, 1, 2, 3]), label="n_layers"),
        "n_heads": heads, "n_kv_heads": heads,
        "d_ff": 4 * d, "max_positions": draw(strategies.sampled_from([7, 16]), label="max_positions"),
        "norm": draw(strategies.sampled_from(["layernorm", "rmsnorm"]), label="norm"),
        "ffn": draw(strategies.sampled_from(["gelu", "relu"]), label="ffn"),
        "positional": draw(strategies.sampled_from(["learned", "rope", "sinusoidal"]), label="positional"),
        "bias": draw(strategies.booleans(), label="bias"),
        "tie_embeddings": draw(strategies.booleans(), label="tie_embeddings")}}


def _block(subject, cfg) -> int:
    """One block's parameters: count(n_layers + 1) - count(n_layers)."""
    return (_as_int(subject.count_parameters(dict(cfg, n_layers=cfg["n_layers"] + 1)), "count_parameters")
            - _as_int(subject.count_parameters(cfg), "count_parameters"))


@prop("count_parameters", "block_is_twelve_d_squared", inputs=mha_configs, dtypes=(NO_DTYPE,),
      statement="At d_ff = 4d without biases (GELU/ReLU FFN, MHA) a block holds 12 d^2 weights besides its two "
                "norms (2 x 2d for LayerNorm, 2 x d for RMSNorm): attention 4 d^2 and the FFN 8 d^2, two thirds; "
                "the FFN's share is the block's growth with d_ff (2d per unit) times d_ff.")
def count_twelve_d2(subject, case):
    cfg = dict(case["config"], bias=False)
    d = cfg["d_model"]
    norms = 2 * (2 * d if cfg["norm"] == "layernorm" else d)
    block = _block(subject, cfg)
    require(block - norms == 12 * d * d, f"a block holds {block} parameters, {block - norms} besides its norms "
                                         f"({norms}); expected 12 d^2 = {12 * d * d} (d={d}, {cfg['n_heads']} heads)")
    per_unit = _block(subject, dict(cfg, d_ff=4 * d + 1)) - block  # the FFN's growth with d_ff
    ffn = per_unit * 4 * d
    require(3 * ffn == 2 * (block - norms), f"the FFN holds {ffn} of the block's {block - norms} weights "
                                            f"({per_unit} per unit of d_ff), not two thirds")


@prop("count_parameters", "mha_block_independent_of_n_heads", inputs=mha_configs, dtypes=(NO_DTYPE,),
      statement="An MHA block's parameter count (with or without biases) does not depend on n_heads: every "
                "n_heads dividing d_model gives the same count(n_layers + 1) - count(n_layers).")
def count_heads_free(subject, case):
    cfg = case["config"]
    d = cfg["d_model"]
    counts = {h: _block(subject, dict(cfg, n_heads=h, n_kv_heads=h)) for h in (1, cfg["n_heads"], d) if d % h == 0}
    require(len(set(counts.values())) == 1, f"block parameter counts by n_heads differ: {counts} (d={d}, "
                                            f"bias={cfg['bias']})")
