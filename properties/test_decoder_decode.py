"""Properties of decoder_decode (docs/contract.md 3.10 and section 4, "Blocks and model").

Where the bugs hide, the tolerance reasoning (a chain of stages, each adding its rounding and amplifying what it
was handed), and the family's shared sizes, parameters, budgets and strategies: :mod:`properties.transformer_common`.
"""
from __future__ import annotations

import numpy as np

from properties import strategies
from properties.assertions import assert_close
from properties.oracle import expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, prop
from properties.transformer_common import (MAX_POSITIONS, _decode, _forward, _register_model_rejects,
                                           decode_budget, model_budget, model_inputs)


#: chunk lengths a sequence of each length is decoded in: all at once, one at a time, uneven chunks
CHUNKINGS = {1: ((1,),), 3: ((3,), (1, 1, 1), (1, 2), (2, 1)), 6: ((6,), (1, 1, 1, 1, 1, 1), (2, 3, 1), (4, 2))}


# --- decoder_decode ----------------------------------------------------------------------------------------------
@strategies.composite
def decode_inputs(draw, dtype):
    case = draw(model_inputs(dtype))
    cfg, length = case["config"], case["ids"].shape[1]
    past = draw(strategies.sampled_from([0, 2]), label="P")
    if past:
        batch = case["ids"].shape[0]
        shape = (batch, cfg["n_kv_heads"], past, cfg["d_model"] // cfg["n_heads"])
        seed = draw(strategies.seeds, label="cache.seed")
        case["cache"] = [(strategies.normal(shape, dtype, seed + 2 * i), strategies.normal(shape, dtype,
                                                                                           seed + 2 * i + 1))
                         for i in range(cfg["n_layers"])]
        case["ids"] = case["ids"][:, :min(length, MAX_POSITIONS - past)]
    else:
        case["cache"] = None
    return case


@prop("decoder_decode", "matches_oracle", inputs=decode_inputs, dtypes=FLOATS, max_examples=15,
      statement="decoder_decode's logits and extended cache equal the float64 NumPy oracle's within the allowance "
                "derived element by element for the model's chain of stages (properties.budgets.decode_core), "
                "from an empty cache or one of P = 2 positions (learned/sinusoidal positions and RoPE at "
                "P..P+T-1).")
def decode_oracle(subject, case):
    ids, cache, params, cfg = case["ids"], case["cache"], case["params"], case["config"]
    logits, new_cache = _decode(subject, ids, cache, params, cfg)
    want, want_cache = expected("decoder_decode", ids, cache, params, cfg)
    budget, cache_budgets = decode_budget(subject.dtype, ids, cache, params, cfg)
    tol, floor = budget.oracle()
    assert_close(logits, want, dtype=subject.dtype, what="decoder_decode logits vs float64 oracle", tol=tol,
                 floor=floor)
    for i, (got, ref, layer) in enumerate(zip(new_cache, want_cache, cache_budgets)):
        for name, g, r, b in zip("kv", got, ref, layer):
            tol, floor = b.oracle()
            assert_close(g, r, dtype=subject.dtype, what=f"decoder_decode cache[{i}] {name} vs float64 oracle",
                         tol=tol, floor=floor)


@strategies.composite
def chunk_inputs(draw, dtype):
    case = draw(model_inputs(dtype))
    lengths = draw(strategies.sampled_from(CHUNKINGS[case["ids"].shape[1]]), label="chunk lengths")
    bounds = np.cumsum((0,) + lengths).tolist()
    case["chunks"] = list(zip(bounds[:-1], bounds[1:]))
    return case


@prop("decoder_decode", "chunked_decoding_equals_forward", inputs=chunk_inputs, max_examples=15,
      statement="Decoding a sequence chunk by chunk from an empty cache, the returned cache passed along "
                "(all at once, one token at a time, uneven chunks), gives decoder_forward's logits on the whole "
                "sequence; learned, sinusoidal and RoPE positions.")
def decode_chunks(subject, case):
    ids, params, cfg = case["ids"], case["params"], case["config"]
    cache, outs = None, []
    for a, b in case["chunks"]:
        logits, cache = _decode(subject, np.ascontiguousarray(ids[:, a:b]), cache, params, cfg)
        outs.append(logits.astype(np.float64))
    chunked = np.concatenate(outs, axis=1)
    whole = _forward(subject, ids, params, cfg) if callable(getattr(subject.module, "decoder_forward", None)) \
        else expected("decoder_forward", ids, params, cfg)
    tol, floor = model_budget(subject.dtype, ids, params, cfg).pair()
    assert_close(chunked, np.asarray(whole, dtype=np.float64), dtype=subject.dtype, tol=tol, floor=floor,
                 what=f"decoder_decode over chunks {case['chunks']} vs decoder_forward on the whole")


_register_model_rejects("decoder_decode", __name__)
