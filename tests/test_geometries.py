"""The fixed geometry lists the strategies draw from (issue 9: shared JAX compilations) reach what they promise."""
import math

from properties import attention_common as A
from properties import test_feed_forward as F
from properties import norms_common as N
from properties import positional_common as P
from properties import test_alibi_bias as AL
from properties import test_relative_position_bias as RB


def test_norm_layouts_are_valid_and_reach_their_extremes():
    assert all(1 <= k <= len(shape) for shape, k in N.FEATURE_LAYOUTS)
    assert {k for _, k in N.FEATURE_LAYOUTS} == {1, 2, 3} and {len(s) for s, _ in N.FEATURE_LAYOUTS} == {1, 2, 3, 4}
    assert all(shape[1] % g == 0 for shape, g in N.GROUP_LAYOUTS)
    groups = {(shape, g) for shape, g in N.GROUP_LAYOUTS}
    assert any(g == 1 for _, g in groups) and any(g == s[1] for s, g in groups)
    assert any(1 < g < s[1] for s, g in groups)
    # single values per group in a batch of one (F.group_norm's declared deviation) comes first
    shape, g = N.GROUP_LAYOUTS[0]
    assert shape[0] == 1 and g == shape[1] and math.prod(shape[2:]) == 1


def test_decode_geometries_and_chunkings():
    for layout, past, new in A.DECODE_GEOMETRIES:
        assert layout in A.SELF_LAYOUTS and past >= 0 and new >= 1
    assert {p for _, p, _ in A.DECODE_GEOMETRIES} >= {0, 16} and any(t > p > 0 for _, p, t in A.DECODE_GEOMETRIES)
    for layout in A.SELF_LAYOUTS:
        length = layout[5]
        splits = A.CHUNKINGS[length]
        assert splits[0] == (length,) and all(sum(s) == length for s in splits)
        assert length == 1 or (1,) * length in splits or any(len(s) > 2 for s in splits)


def test_feed_forward_layouts_fit_finite_differences():
    assert all(math.prod(shape) <= 24 for shape, _, _ in F.FFN_GRADIENT_LAYOUTS)
    assert any(d_out != shape[-1] for shape, _, d_out in F.FFN_LAYOUTS)
    assert any(len(shape) >= 2 for shape, _, _ in F.FFN_LAYOUTS)  # position_wise draws from these


def test_positional_geometries_cover_every_head_count_and_length():
    assert {h for h, _ in AL.ALIBI_GEOMETRIES} == set(AL.POW2_HEADS + AL.OTHER_HEADS)
    assert {qk for _, qk in AL.ALIBI_GEOMETRIES} == set(P.BIAS_LENGTHS)
    assert all(k >= 2 for h, (_, k) in AL.ALIBI_GEOMETRIES if h > 1)
    assert {qk for qk, _, _ in RB.BIAS_GEOMETRIES} == set(P.BIAS_LENGTHS)
    assert RB.SHIFT_GEOMETRIES and all(qk in P.SHIFT_LENGTHS for qk, _, _ in RB.SHIFT_GEOMETRIES)
