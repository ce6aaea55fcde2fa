"""Packed ``w_qkv`` read as per-head interleaved blocks ``[q_h, k_h, v_h]`` (per K/V group
``[q_g0 .. q_g(n-1), k_g, v_g]`` under GQA) instead of all q columns, then k, then v.

Real bug class: loading a checkpoint in one fused-QKV layout (Megatron/NeoX interleave per head) with code
for another (q | k | v, as in GPT-2/LLaMA conversions). Same as correct only for one head. Caught by:
packed ``w_qkv`` equals separate ``wq wk wv``, and the differential check with a packed projection.
"""
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as numpy_attention
from tests.patching import patched

NAME = "mutant-attention-packed-qkv-per-head"
DTYPES = ("float32", "float64")
CATCHES = ("multi_head_attention:packed_qkv_equals_separate",
           "multi_head_attention:matches_oracle",
           "multi_head_attention:grouped_heads_equal_mha_with_repeated_kv")


def _project(x, context, params, dims):
    """The reference's projections, except that packed ``w_qkv`` columns are read as blocks per kv group,
    ``[q heads of the group..., k, v]`` (BUG: the layout is ``q | k | v``): the columns are permuted into
    that layout first."""
    if not dims.packed:
        return numpy_attention._project(x, context, params, dims)
    h, hkv, d = dims.heads, dims.kv_heads, dims.head_dim
    per_group = (h // hkv + 2) * d
    blocks = [[g * per_group + i for i in range(per_group)] for g in range(hkv)]
    q_cols = [c for b in blocks for c in b[:-2 * d]]
    k_cols = [c for b in blocks for c in b[-2 * d:-d]]
    v_cols = [c for b in blocks for c in b[-d:]]
    order = q_cols + k_cols + v_cols
    permuted = {**params, "w_qkv": params["w_qkv"][:, order]}
    if "b_qkv" in params:
        permuted["b_qkv"] = params["b_qkv"][order]
    return numpy_attention._project(x, context, permuted, dims)


multi_head_attention = patched(numpy_attention, _project=_project).multi_head_attention
