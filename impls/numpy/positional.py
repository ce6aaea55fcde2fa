"""Positional encodings (SPEC 3.7) for the NumPy implementation, the float64 oracle.

Position tables (sinusoidal values, RoPE angles, ALiBi slopes) depend only on integer positions, so they are
always computed in float64: angles reach thousands of radians and lose their low digits in anything narrower.
Frequencies come from Python's ``**`` (libm ``pow``, within an ulp of exact): NumPy's SIMD ``power`` is a few
ulp off, which moves an angle of 1e5 radians by ~1e-11.
"""
import math

import numpy as np

from .._validate import positional as check
from ._util import upcast

__all__ = ["sinusoidal_positions", "rope", "t5_relative_position_bucket", "relative_position_bias",
           "alibi_bias"]


def sinusoidal_positions(num_positions, dim, *, base=10000.0):
    """Sinusoidal table ``(num_positions, dim)`` in float64:
    ``pe[k, 2i] = sin(k / base**(2i/dim))``, ``pe[k, 2i+1] = cos(k / base**(2i/dim))``.
    """
    num_positions, dim, base = check.sinusoidal_positions(num_positions, dim, base)
    k = np.arange(num_positions, dtype=np.float64)[:, None]
    angles = k / np.array([base ** (2 * i / dim) for i in range(dim // 2)])  # (P, dim/2)
    pe = np.empty((num_positions, dim), dtype=np.float64)
    pe[:, 0::2] = np.sin(angles)
    pe[:, 1::2] = np.cos(angles)
    return pe


def _rope_cos_sin(positions, head_dim, base, dtype):
    """``cos`` and ``sin`` of the angles ``positions * base**(-2i/D)``, shape ``(L, D/2)``, in ``dtype``."""
    inv_freq = np.array([base ** (-2 * i / head_dim) for i in range(head_dim // 2)])
    angles = positions.astype(np.float64)[:, None] * inv_freq
    return np.cos(angles).astype(dtype), np.sin(angles).astype(dtype)


def rope(x, positions, *, base=10000.0, interleaved=False):
    """Rotary position embedding of ``x (..., L, D)``: pair ``(a_i, b_i)`` at position ``m`` becomes
    ``(a cos t - b sin t, b cos t + a sin t)`` with ``t = m * base**(-2i/D)``; pairs are ``(x[i], x[i+D/2])``,
    or ``(x[2i], x[2i+1])`` when ``interleaved``.
    """
    x, positions = np.asarray(x), np.asarray(positions)
    base = check.rope(x.shape, x.dtype, positions.shape, positions.dtype, base)
    xc = upcast(x)
    half = x.shape[-1] // 2
    cos, sin = _rope_cos_sin(positions, x.shape[-1], base, xc.dtype)
    if interleaved:
        a, b = xc[..., 0::2], xc[..., 1::2]
        out = np.stack([a * cos - b * sin, b * cos + a * sin], axis=-1).reshape(x.shape)
    else:
        a, b = xc[..., :half], xc[..., half:]
        out = np.concatenate([a * cos - b * sin, b * cos + a * sin], axis=-1)
    return out.astype(x.dtype)


def t5_relative_position_bucket(relative_position, *, bidirectional=True, num_buckets=32, max_distance=128):
    """T5 bucket (int64, same shape) of ``relative_position = key - query``. Bidirectional: half the buckets
    each, key-after-query in the upper half, ``n = |rel|``; else ``n = max(-rel, 0)``. With
    ``me = buckets // 2``: ``n`` if ``n < me``, else
    ``min(me + int(log(n/me) / log(max_distance/me) * (buckets - me)), buckets - 1)`` in float32.
    """
    rel = np.asarray(relative_position)
    check.t5_relative_position_bucket(rel.dtype, bidirectional, num_buckets, max_distance)
    # beyond max_distance everything lands in the last bucket; the clip only keeps abs() from overflowing
    rel = np.clip(rel.astype(np.int64), -2**62, 2**62)
    if bidirectional:
        buckets = num_buckets // 2
        offset = np.where(rel > 0, buckets, 0)
        n = np.abs(rel)
    else:
        buckets, offset = num_buckets, 0
        n = -np.minimum(rel, 0)
    max_exact = buckets // 2
    ratio = np.maximum(n, max_exact).astype(np.float32) / np.float32(max_exact)  # n < max_exact is exact
    # float32 log as T5 does it, correctly rounded (via float64) so that every backend gets the same bits
    log_ratio = np.log(ratio.astype(np.float64)).astype(np.float32)
    scaled = log_ratio / np.float32(math.log(max_distance / max_exact)) * np.float32(buckets - max_exact)
    log_bucket = np.minimum(max_exact + scaled.astype(np.int64), buckets - 1)
    return offset + np.where(n < max_exact, n, log_bucket)


def _key_minus_query(q_len, k_len):
    """``j - (i + k_len - q_len)``, shape ``(q_len, k_len)``: queries are the last ``q_len`` positions."""
    return np.arange(k_len)[None, :] - (np.arange(q_len)[:, None] + (k_len - q_len))


def relative_position_bias(q_len, k_len, table, *, bidirectional=True, max_distance=128):
    """T5 bias ``(H, q_len, k_len)``: ``bias[h, i, j] = table[bucket(j - (i + k_len - q_len)), h]`` with
    ``num_buckets = table.shape[0]``.
    """
    table = np.asarray(table)
    q_len, k_len = check.relative_position_bias(q_len, k_len, table.shape, table.dtype, bidirectional,
                                                max_distance)
    buckets = t5_relative_position_bucket(_key_minus_query(q_len, k_len), bidirectional=bidirectional,
                                          num_buckets=table.shape[0], max_distance=max_distance)
    return np.moveaxis(table[buckets], -1, 0)  # (q, k, H) -> (H, q, k)


def _alibi_slopes(num_heads):
    """ALiBi head slopes, float64: ``2**(-8(h+1)/n)`` for ``n`` a power of two; otherwise the slopes of the
    largest power of two ``n < H`` followed by every other slope of ``2n`` (the paper's ``get_slopes``).
    """
    def power_of_two_slopes(n):
        return [2.0 ** (-8.0 * (h + 1) / n) for h in range(n)]

    n = 1 << (num_heads.bit_length() - 1)
    return np.array(power_of_two_slopes(n) + power_of_two_slopes(2 * n)[0::2][: num_heads - n])


def alibi_bias(num_heads, q_len, k_len):
    """ALiBi bias ``(H, q_len, k_len)``, float64: ``-slope_h * |i + (k_len - q_len) - j|``."""
    num_heads, q_len, k_len = check.alibi_bias(num_heads, q_len, k_len)
    distance = np.abs(_key_minus_query(q_len, k_len)).astype(np.float64)
    return -_alibi_slopes(num_heads)[:, None, None] * distance
