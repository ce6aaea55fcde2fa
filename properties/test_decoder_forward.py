"""Properties of decoder_forward (docs/contract.md 3.10 and section 4, "Blocks and model").

Where the bugs hide, the tolerance reasoning (a chain of stages, each adding its rounding and amplifying what it
was handed), and the family's shared sizes, parameters, budgets and strategies: :mod:`properties.transformer_common`.
"""
from __future__ import annotations

import numpy as np

from properties import strategies
from properties.assertions import assert_close, require
from properties.oracle import expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, prop
from properties.transformer_common import (GQA_MODEL_HEADS, _forward, _register_model_rejects, leaves,
                                           model_budget, model_inputs, replace)


# --- decoder_forward ---------------------------------------------------------------------------------------------
@prop("decoder_forward", "matches_oracle", inputs=model_inputs, dtypes=FLOATS, max_examples=15,
      statement="decoder_forward's logits equal the float64 NumPy oracle's within the allowance derived element "
                "by element for the model's chain of stages (embeddings, every block's stages, final norm, LM "
                "head: properties.budgets.model_core); learned/sinusoidal/RoPE positions, tied or untied "
                "head, MHA/GQA/MQA, 1-2 layers.")
def forward_oracle(subject, case):
    ids, params, cfg = case["ids"], case["params"], case["config"]
    got = _forward(subject, ids, params, cfg)
    want = expected("decoder_forward", ids, params, cfg)
    tol, floor = model_budget(subject.dtype, ids, params, cfg).oracle()
    assert_close(got, want, dtype=subject.dtype, what="decoder_forward vs float64 oracle", tol=tol, floor=floor)


@strategies.composite
def model_causal_inputs(draw, dtype):
    case = draw(model_inputs(dtype, inputs=((1, 3), (2, 6))))
    ids = case["ids"]
    case["cut"] = draw(strategies.integers(0, ids.shape[1] - 2), label="last kept position")
    other = strategies.rng(draw(strategies.seeds, label="future.seed")).integers(0, case["config"]["vocab_size"],
                                                                                 ids.shape)
    changed = ids.copy()
    changed[:, case["cut"] + 1:] = other[:, case["cut"] + 1:]
    case["changed"] = changed
    return case


@prop("decoder_forward", "causal_ignores_the_future", inputs=model_causal_inputs, max_examples=10,
      statement="decoder_forward's logits at positions 0..i do not change when the tokens after position i "
                "change.")
def forward_causal(subject, case):
    params, cfg, cut = case["params"], case["config"], case["cut"] + 1
    a = _forward(subject, case["ids"], params, cfg)[:, :cut]
    b = _forward(subject, case["changed"], params, cfg)[:, :cut]
    tol, floor = model_budget(subject.dtype, case["ids"], params, cfg).pair(np.s_[:, :cut])
    assert_close(b, a.astype(np.float64), dtype=subject.dtype, tol=tol, floor=floor,
                 what=f"logits at positions 0..{cut - 1} after changing later tokens")


def repeat_kv_model(params, cfg):
    """The MHA twin of a GQA model: every layer's wk, wv (bk, bv) repeat each K/V head's columns for its group of
    H / Hkv query heads (query head h reads K/V head h // group, docs/contract.md 3.6); and its config."""
    h, hkv = cfg["n_heads"], cfg["n_kv_heads"]
    head_dim, group = cfg["d_model"] // h, h // hkv
    layers = []
    for layer in params["layers"]:
        attn = dict(layer["attn"])
        for key in ("wk", "wv", "bk", "bv"):
            if key in attn:
                a = attn[key]
                heads = a.reshape(a.shape[:-1] + (hkv, head_dim))
                attn[key] = np.repeat(heads, group, axis=-2).reshape(a.shape[:-1] + (h * head_dim,))
        layers.append({**layer, "attn": attn})
    return {**params, "layers": layers}, {**cfg, "n_kv_heads": h}


@prop("decoder_forward", "grouped_kv_equals_repeated_mha",
      inputs=lambda dtype: model_inputs(dtype, heads=GQA_MODEL_HEADS), max_examples=10,
      statement="A GQA model (n_kv_heads < n_heads) gives the logits of the MHA model whose K/V projections repeat "
                "each K/V head for its group of query heads (repeat_interleave, not tile).")
def forward_gqa(subject, case):
    ids, params, cfg = case["ids"], case["params"], case["config"]
    grouped = _forward(subject, ids, params, cfg)
    twin_params, twin_cfg = repeat_kv_model(params, cfg)
    twin = _forward(subject, ids, twin_params, twin_cfg)
    tol, floor = model_budget(subject.dtype, ids, params, cfg).pair()
    assert_close(grouped, twin.astype(np.float64), dtype=subject.dtype, tol=tol, floor=floor,
                 what="GQA model vs MHA model with repeated K/V heads")


def _dead_by_design(path, cfg) -> bool:
    """The key bias: ``q . bk`` is the same for every key of a query, which softmax ignores (unless RoPE rotates
    it by key position) -- the one tensor of the layout that is provably without effect."""
    return path[-1] == "bk" and cfg["positional"] != "rope"


@prop("decoder_forward", "no_dead_parameters",
      inputs=lambda dtype: model_inputs(dtype, inputs=((1, 3), (2, 6))), max_examples=6,
      statement="Perturbing any one parameter tensor counted by count_parameters (each in turn, by N(0, 1/4) noise) "
                "changes the logits by more than the rounding budget, for sequences of 3-6 tokens (one token "
                "attends only to itself: q and k have no effect) -- except the key bias bk without RoPE, whose "
                "q.bk is constant along the key axis and cancels in softmax.")
def forward_no_dead(subject, case):
    ids, params, cfg = case["ids"], case["params"], case["config"]
    base = _forward(subject, ids, params, cfg).astype(np.float64)
    allowance = 2.0 * model_budget(subject.dtype, ids, params, cfg).largest()  # two computations, each off
    for i, (path, a) in enumerate(leaves(params)):
        if _dead_by_design(path, cfg):
            continue
        noise = strategies.normal(a.shape, subject.dtype, 1000 + i, 0.5)
        changed = _forward(subject, ids, replace(params, path, (a.astype(np.float64) + noise).astype(a.dtype)), cfg)
        moved = float(np.max(np.abs(changed.astype(np.float64) - base)))
        name = "".join(f"[{p!r}]" for p in path)
        require(moved > allowance, f"perturbing params{name} {a.shape} moved the logits by {moved:.3g}, not beyond "
                                   f"the rounding allowance {allowance:.3g}: a dead parameter")


_register_model_rejects("decoder_forward", __name__)
