"""Properties of mha_decode (SPEC 3.6 and section 4, "Attention").

Sizes, strategies, reference computations and the family's tolerance reasoning: :mod:`properties.attention_common`;
budgets: :mod:`properties.budgets`.
"""
from __future__ import annotations

import numpy as np

from properties import strategies
from properties.assertions import assert_close, assert_rejects, require
from properties.gradients import assert_vjp_matches
from properties.oracle import expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, prop
from properties import budgets
from properties.attention_common import (CHUNKINGS, GRADIENT_DECODE_GEOMETRIES, SELF_LAYOUTS, _bad_inputs,
                                         _f32, _hkv, _mha, _mha_budget, decode_inputs, make_params, mha_budget,
                                         mha_inputs, mha_tolerance, pack, unpack)
from properties.tolerances import TINY, angle_cond, tolerance


def _decode(subject, case, x_new, cache, **override):
    c = {**case, **override}
    result = subject.mha_decode(x_new, cache, c["params"], num_heads=c["num_heads"], num_kv_heads=c["num_kv_heads"],
                             rope_base=c["rope_base"])
    if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], tuple)
            and len(result[1]) == 2):
        require(False, "mha_decode must return (out, (k, v))")
    out, (k, v) = result
    b, t, _ = x_new.shape
    want = (b, _hkv(c), cache[0].shape[2] + t, cache[0].shape[3])
    return (subject.expect(out, shape=x_new.shape, what="mha_decode output"),
            (subject.expect(k, shape=want, what="mha_decode cache k"),
             subject.expect(v, shape=want, what="mha_decode cache v")))


def _cache_budget(dtype, case, x_new, cache, rope_base):
    """Cached keys/values are projections (k rotated by RoPE): error ``eps (4 + sqrt d)`` relative to their
    bounds ``|x| @ |w| + |b|`` (and the cache's own values), times :func:`angle_cond` for rotated keys."""
    p = {key: np.abs(np.asarray(a, dtype=np.float64)) for key, a in
         unpack(case["params"], case["num_heads"], _hkv(case)).items()}
    xa = np.abs(np.asarray(x_new, dtype=np.float64))
    out = []
    for key, old in (("k", cache[0]), ("v", cache[1])):
        b = xa @ p[f"w{key}"] + (p[f"b{key}"] if f"b{key}" in p else 0.0)
        scale = max(float(np.max(b, initial=0.0)), float(np.max(np.abs(old.astype(np.float64)), initial=0.0)),
                    TINY[dtype])
        cond = angle_cond(dtype, cache[0].shape[2] + x_new.shape[1]) if key == "k" and rope_base else 1.0
        out.append((tolerance(dtype, n=xa.shape[-1], cond=cond), scale))
    return out


@prop("mha_decode", "matches_oracle", inputs=decode_inputs, dtypes=FLOATS,
      statement="mha_decode's output and extended cache equal the float64 NumPy oracle within the error "
                "propagated through its float64 intermediates, as for multi_head_attention (properties.budgets; "
                "caches of length 0 to 16, one or several new tokens, packed, biases, MHA/MQA/GQA, "
                "RoPE at positions P..P+T-1).")
def decode_oracle(subject, case):
    x, cache = case["x"], case["cache"]
    out, (k, v) = _decode(subject, case, x, cache)
    want, (wk, wv) = expected("mha_decode", x, cache, case["params"], num_heads=case["num_heads"],
                              num_kv_heads=case["num_kv_heads"], rope_base=case["rope_base"])
    (tol, floor), *cache_budgets = budgets.decode_budgets(subject.dtype, x, cache, case["params"], case["num_heads"],
                                                          _hkv(case), rope_base=case["rope_base"])
    assert_close(out, want, dtype=subject.dtype, what="mha_decode output vs float64 oracle", tol=tol, floor=floor)
    for name, got, ref, (ctol, cfloor) in zip("kv", (k, v), (wk, wv), cache_budgets):
        assert_close(got, ref, dtype=subject.dtype, what=f"mha_decode cache {name} vs float64 oracle", tol=ctol,
                     floor=cfloor)


@strategies.composite
def chunk_inputs(draw, dtype):
    case = draw(mha_inputs(dtype, layouts=SELF_LAYOUTS, masks=("none",), causal=(True,)))
    lengths = draw(strategies.sampled_from(CHUNKINGS[case["x"].shape[1]]), label="chunk lengths")
    bounds = np.cumsum((0,) + lengths).tolist()
    case["chunks"] = list(zip(bounds[:-1], bounds[1:]))
    return case


@prop("mha_decode", "chunked_decoding_equals_causal_attention", inputs=chunk_inputs, max_examples=10,
      statement="Decoding a sequence chunk by chunk from an empty cache (Hypothesis picks the split from "
                "CHUNKINGS: all at once, one token at a time, uneven chunks) gives "
                "multi_head_attention(is_causal=True) on the whole sequence (the implementation's own, or the "
                "float64 oracle's where it has none), with and without RoPE, and the same output and cache as one "
                "mha_decode call on the whole.")
def decode_chunks(subject, case):
    x, h, hkv = case["x"], case["num_heads"], _hkv(case)
    batch, length, _ = x.shape
    head_dim = unpack(case["params"], h, hkv)["wq"].shape[1] // h
    empty = np.zeros((batch, hkv, 0, head_dim), dtype=x.dtype)
    cache, outs = (empty, empty.copy()), []
    for a, b in case["chunks"]:
        out, cache = _decode(subject, case, np.ascontiguousarray(x[:, a:b]), cache)
        outs.append(out.astype(np.float64))
    chunked = np.concatenate(outs, axis=1)
    tol, floor = _mha_budget(subject, case)
    whole, whole_cache = _decode(subject, case, x, (empty, empty.copy()))
    assert_close(chunked, whole.astype(np.float64), dtype=subject.dtype, tol=tol, floor=floor,
                 what=f"mha_decode over chunks {case['chunks']} vs one mha_decode call")
    if callable(getattr(subject.module, "multi_head_attention", None)):
        full, source = _mha(subject, case).astype(np.float64), "multi_head_attention(is_causal=True)"
    else:
        full, source = expected("multi_head_attention", x, None, case["params"], num_heads=h,
                                num_kv_heads=case["num_kv_heads"], is_causal=True, rope_base=case["rope_base"]), \
            "the float64 oracle's multi_head_attention(is_causal=True)"
    assert_close(chunked, full, dtype=subject.dtype, what=f"mha_decode over chunks {case['chunks']} vs {source}",
                 tol=tol, floor=floor)
    budgets = _cache_budget(subject.dtype, case, x, (empty, empty), case["rope_base"])
    for name, got, ref, (ctol, cfloor) in zip("kv", cache, whole_cache, budgets):
        assert_close(got, ref.astype(np.float64), dtype=subject.dtype, what=f"cache {name} after chunks vs one call",
                     tol=ctol, floor=cfloor)


@prop("mha_decode", "packed_qkv_equals_separate", inputs=decode_inputs,
      statement="mha_decode with packed w_qkv = [wq | wk | wv] equals it with separate wq, wk, wv (output and "
                "cache).")
def decode_packed(subject, case):
    x, cache, h, hkv = case["x"], case["cache"], case["num_heads"], _hkv(case)
    separate = unpack(case["params"], h, hkv)
    out, kv = _decode(subject, case, x, cache, params=separate)
    out_p, kv_p = _decode(subject, case, x, cache, params=pack(separate))
    tol, floor = mha_tolerance(subject.dtype, x, None, separate, h, hkv, rope_base=case["rope_base"],
                               max_position=cache[0].shape[2] + x.shape[1], cache=cache)
    assert_close(out_p, out.astype(np.float64), dtype=subject.dtype, what="packed vs separate output", tol=tol,
                 floor=floor)
    for name, a, b, (ctol, cfloor) in zip("kv", kv_p, kv, _cache_budget(subject.dtype, case, x, cache,
                                                                         case["rope_base"])):
        assert_close(a, b.astype(np.float64), dtype=subject.dtype, what=f"packed vs separate cache {name}", tol=ctol,
                     floor=cfloor)


@strategies.composite
def decode_gradient_inputs(draw, dtype):
    case = draw(decode_inputs(dtype, geometries=GRADIENT_DECODE_GEOMETRIES))
    case["cotangent_seed"] = draw(strategies.seeds, label="cotangent")
    return case


@prop("mha_decode", "vjp_matches_finite_differences", inputs=decode_gradient_inputs, needs=("vjp",),
      max_examples=10,
      statement="The VJP of mha_decode's output w.r.t. x_new agrees with central finite differences of the "
                "float64 oracle.")
def decode_gradient(subject, case):
    x, cache = case["x"], case["cache"]
    n, cond, _ = mha_budget(subject.dtype, x, None, case["params"], case["num_heads"], _hkv(case),
                            rope_base=case["rope_base"], max_position=cache[0].shape[2] + x.shape[1], cache=cache)
    kw = {key: case[key] for key in ("num_heads", "num_kv_heads", "rope_base")}
    cot = strategies.normal(x.shape, subject.dtype, case["cotangent_seed"])
    assert_vjp_matches(subject, "mha_decode", (x, cache, case["params"]), kw, cot, wrt=(0,), output=0, n=n, cond=cond)


@prop("mha_decode", "rejects_bad_input", inputs=_bad_inputs, dtypes=("float32",), max_examples=1,
      statement="mha_decode raises ValueError/TypeError for H % Hkv != 0, a cache whose shape does not match "
                "(B, Hkv, P, D) (wrong Hkv, wrong D, wrong batch, k and v of different lengths), a cache that "
                "is not a (k, v) pair, unexpected params keys, and x_new of rank != 3.")
def decode_rejects(subject, case):
    x = _f32((2, 1, 8))
    params = make_params("float32", 8, 4, 2, 2, 0, bias=False)
    k, v = _f32((2, 2, 5, 2), 1), _f32((2, 2, 5, 2), 2)
    good = {"num_heads": 4, "num_kv_heads": 2}

    def call(x_, cache_, p_=params, *, why, **kw):
        assert_rejects(subject, "mha_decode", x_, cache_, p_, why=why, **{**good, **kw})

    call(x, (k, v), num_kv_heads=3, why="num_heads=4 with num_kv_heads=3")
    call(x, (_f32((2, 4, 5, 2)), _f32((2, 4, 5, 2))), why="cache with 4 heads for Hkv=2")
    call(x, (_f32((2, 2, 5, 4)), _f32((2, 2, 5, 4))), why="cache with head dim 4 for D=2")
    call(x, (_f32((1, 2, 5, 2)), _f32((1, 2, 5, 2))), why="cache with batch 1 for B=2")
    call(x, (k, _f32((2, 2, 4, 2))), why="cache v of length 4 with cache k of length 5")
    call(x, k, why="a single array instead of a (k, v) pair")
    call(x, (k, v, v), why="a triple instead of a (k, v) pair")
    call(x, (k, v), {**params, "gamma": _f32((8,))}, why="an unexpected params key 'gamma'")
    call(x[0], (k, v), why="x_new of rank 2")
