"""Positional encodings (SPEC 3.7) for the JAX implementation.

Position tables (sinusoidal values, RoPE angles, ALiBi slopes) depend only on integer positions, so they are
computed in float64 and rounded once: angles reach thousands of radians and a float32 angle is already off
by ~1e-3 there. Tables with no float input (sinusoidal, ALiBi) come back as float32, JAX's default dtype.
RoPE frequencies come from Python's ``**`` (libm ``pow``, within an ulp of exact), the same bits as the other
backends. Shapes and structural options are static; ``base``, the frequencies and the T5 bucket constants are
traced, so drawing many values of them does not recompile.
"""
import math

import jax.numpy as jnp
import numpy as np

from .._validate import positional as check
from ._util import as_array, compute_dtype
from ._jit import jit

__all__ = ["sinusoidal_positions", "rope", "t5_relative_position_bucket", "relative_position_bias",
           "alibi_bias"]


@jit(static_argnames=("num_positions", "dim"))
def _sinusoidal(base, *, num_positions, dim):
    k = jnp.arange(num_positions, dtype=jnp.float64)[:, None]
    angles = k / base ** (jnp.arange(0, dim, 2, dtype=jnp.float64) / dim)  # (P, dim/2)
    # (P, dim/2, 2) flattened puts sin at even and cos at odd columns
    pe = jnp.stack([jnp.sin(angles), jnp.cos(angles)], axis=-1).reshape(num_positions, dim)
    return pe.astype(jnp.float32)


def sinusoidal_positions(num_positions, dim, *, base=10000.0):
    """Sinusoidal table ``(num_positions, dim)``, float32:
    ``pe[k, 2i] = sin(k / base**(2i/dim))``, ``pe[k, 2i+1] = cos(k / base**(2i/dim))``.
    """
    num_positions, dim, base = check.sinusoidal_positions(num_positions, dim, base)
    return _sinusoidal(jnp.float64(base), num_positions=num_positions, dim=dim)


@jit(static_argnames=("interleaved",))
def _rope(x, positions, inv_freq, *, interleaved):
    dtype = compute_dtype(x.dtype)
    xc = x.astype(dtype)
    head_dim = x.shape[-1]
    angles = positions.astype(jnp.float64)[:, None] * inv_freq  # (L, D/2)
    cos, sin = jnp.cos(angles).astype(dtype), jnp.sin(angles).astype(dtype)
    if interleaved:
        a, b = xc[..., 0::2], xc[..., 1::2]
        out = jnp.stack([a * cos - b * sin, b * cos + a * sin], axis=-1).reshape(x.shape)
    else:
        a, b = xc[..., : head_dim // 2], xc[..., head_dim // 2:]
        out = jnp.concatenate([a * cos - b * sin, b * cos + a * sin], axis=-1)
    return out.astype(x.dtype)


def rope(x, positions, *, base=10000.0, interleaved=False):
    """Rotary position embedding of ``x (..., L, D)``: pair ``(a_i, b_i)`` at position ``m`` becomes
    ``(a cos t - b sin t, b cos t + a sin t)`` with ``t = m * base**(-2i/D)``; pairs are ``(x[i], x[i+D/2])``,
    or ``(x[2i], x[2i+1])`` when ``interleaved``.
    """
    x, positions = as_array(x), as_array(positions)
    base = check.rope(x.shape, x.dtype, positions.shape, positions.dtype, base)
    head_dim = x.shape[-1]
    inv_freq = np.array([base ** (-2 * i / head_dim) for i in range(head_dim // 2)])
    return _rope(x, positions, inv_freq, interleaved=bool(interleaved))


def _t5_constants(num_buckets, max_distance, bidirectional):
    """The bucket constants ``(buckets, max_exact, log_span)``, passed traced to the kernels."""
    buckets = num_buckets // 2 if bidirectional else num_buckets
    max_exact = buckets // 2
    return (np.int64(buckets), np.int64(max_exact), np.float32(math.log(max_distance / max_exact)))


def _f32_divide(a, b):
    """IEEE float32 ``a / b``. XLA rewrites a division by a broadcast scalar into a multiplication by its
    rounded reciprocal, an ulp off, enough to move a T5 bucket boundary; the same rewrite in float64 stays
    far below float32's resolution, and a float64 quotient rounds to exactly the float32 quotient.
    """
    return (a.astype(jnp.float64) / b.astype(jnp.float64)).astype(jnp.float32)


def _t5_bucket(rel, buckets, max_exact, log_span, bidirectional):
    """T5 bucketing of integer ``key - query`` distances (inside jit; options already checked)."""
    # beyond max_distance everything lands in the last bucket; the clip only keeps abs() from overflowing
    rel = jnp.clip(rel.astype(jnp.int64), -2**62, 2**62)
    if bidirectional:
        offset = jnp.where(rel > 0, buckets, 0)
        n = jnp.abs(rel)
    else:
        offset = 0
        n = -jnp.minimum(rel, 0)
    ratio = _f32_divide(jnp.maximum(n, max_exact).astype(jnp.float32), max_exact.astype(jnp.float32))
    # float32 log as T5 does it, correctly rounded (via float64) so that every backend gets the same bits
    log_ratio = jnp.log(ratio.astype(jnp.float64)).astype(jnp.float32)
    scaled = _f32_divide(log_ratio, log_span) * (buckets - max_exact).astype(jnp.float32)
    log_bucket = jnp.minimum(max_exact + scaled.astype(jnp.int64), buckets - 1)
    return offset + jnp.where(n < max_exact, n, log_bucket)


@jit(static_argnames=("bidirectional",))
def _t5_bucket_jit(rel, buckets, max_exact, log_span, *, bidirectional):
    return _t5_bucket(rel, buckets, max_exact, log_span, bidirectional)


def t5_relative_position_bucket(relative_position, *, bidirectional=True, num_buckets=32, max_distance=128):
    """T5 bucket (int64, same shape) of ``relative_position = key - query``. Bidirectional: half the buckets
    each, key-after-query in the upper half, ``n = |rel|``; else ``n = max(-rel, 0)``. With
    ``me = buckets // 2``: ``n`` if ``n < me``, else
    ``min(me + int(log(n/me) / log(max_distance/me) * (buckets - me)), buckets - 1)`` in float32.
    """
    rel = as_array(relative_position)
    check.t5_relative_position_bucket(rel.dtype, bidirectional, num_buckets, max_distance)
    bidirectional = bool(bidirectional)
    constants = _t5_constants(num_buckets, max_distance, bidirectional)
    return _t5_bucket_jit(rel, *constants, bidirectional=bidirectional)


def _key_minus_query(q_len, k_len):
    """``j - (i + k_len - q_len)``, shape ``(q_len, k_len)``: queries are the last ``q_len`` positions."""
    return jnp.arange(k_len)[None, :] - (jnp.arange(q_len)[:, None] + (k_len - q_len))


@jit(static_argnames=("q_len", "k_len", "bidirectional"))
def _relative_position_bias(table, buckets, max_exact, log_span, *, q_len, k_len, bidirectional):
    index = _t5_bucket(_key_minus_query(q_len, k_len), buckets, max_exact, log_span, bidirectional)
    return jnp.moveaxis(table[index], -1, 0)  # (q, k, H) -> (H, q, k)


def relative_position_bias(q_len, k_len, table, *, bidirectional=True, max_distance=128):
    """T5 bias ``(H, q_len, k_len)``: ``bias[h, i, j] = table[bucket(j - (i + k_len - q_len)), h]`` with
    ``num_buckets = table.shape[0]``.
    """
    table = as_array(table)
    q_len, k_len = check.relative_position_bias(q_len, k_len, table.shape, table.dtype, bidirectional,
                                                max_distance)
    bidirectional = bool(bidirectional)
    constants = _t5_constants(table.shape[0], max_distance, bidirectional)
    return _relative_position_bias(table, *constants, q_len=q_len, k_len=k_len, bidirectional=bidirectional)


def _alibi_slopes(num_heads):
    """ALiBi head slopes, float64: ``2**(-8(h+1)/n)`` for ``n`` the largest power of two ``<= H``, then
    for the remaining heads every other slope of ``2n``, i.e. ``2**(-8(2m+1)/(2n))``.
    """
    n = 1 << (num_heads.bit_length() - 1)
    first = jnp.arange(1, n + 1, dtype=jnp.float64) * (8.0 / n)
    rest = (2 * jnp.arange(num_heads - n, dtype=jnp.float64) + 1) * (8.0 / (2 * n))
    return 2.0 ** -jnp.concatenate([first, rest])


@jit(static_argnames=("num_heads", "q_len", "k_len"))
def _alibi(*, num_heads, q_len, k_len):
    distance = jnp.abs(_key_minus_query(q_len, k_len)).astype(jnp.float64)
    return (-_alibi_slopes(num_heads)[:, None, None] * distance).astype(jnp.float32)


def alibi_bias(num_heads, q_len, k_len):
    """ALiBi bias ``(H, q_len, k_len)``, float32: ``-slope_h * |i + (k_len - q_len) - j|``."""
    num_heads, q_len, k_len = check.alibi_bias(num_heads, q_len, k_len)
    return _alibi(num_heads=num_heads, q_len=q_len, k_len=k_len)
