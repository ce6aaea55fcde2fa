"""Positional encodings (SPEC 3.7) for the PyTorch implementation.

Position tables (sinusoidal values, RoPE angles, ALiBi slopes) depend only on integer positions, so they are
computed in float64 and rounded once: angles reach thousands of radians and a float32 angle is already off
by ~1e-3 there. Tables with no float input (sinusoidal, ALiBi) come back as float32, PyTorch's default dtype.
RoPE frequencies come from Python's ``**`` (libm ``pow``, within an ulp of exact): torch's vectorised ``pow``
is occasionally an ulp or two off, which moves a float64 angle of 1e5 radians by ~1e-11.
"""
import math

import torch

from .._validate import positional as check
from ._util import DEVICE, upcast

__all__ = ["sinusoidal_positions", "rope", "t5_relative_position_bucket", "relative_position_bias",
           "alibi_bias"]


def sinusoidal_positions(num_positions, dim, *, base=10000.0):
    """Sinusoidal table ``(num_positions, dim)``, float32:
    ``pe[k, 2i] = sin(k / base**(2i/dim))``, ``pe[k, 2i+1] = cos(k / base**(2i/dim))``.
    """
    num_positions, dim, base = check.sinusoidal_positions(num_positions, dim, base)
    k = torch.arange(num_positions, dtype=torch.float64, device=DEVICE)[:, None]
    exponent = torch.arange(0, dim, 2, dtype=torch.float64, device=DEVICE) / dim
    angles = k / base ** exponent  # (P, dim/2)
    # (P, dim/2, 2) flattened puts sin at even and cos at odd columns
    pe = torch.stack([torch.sin(angles), torch.cos(angles)], dim=-1).reshape(num_positions, dim)
    return pe.to(torch.float32)


def _rope_cos_sin(positions, head_dim, base, dtype, device):
    """``cos`` and ``sin`` of the angles ``positions * base**(-2i/D)``, shape ``(L, D/2)``, in ``dtype``."""
    inv_freq = torch.tensor([base ** (-2 * i / head_dim) for i in range(head_dim // 2)],
                            dtype=torch.float64, device=device)
    angles = positions.to(device=device, dtype=torch.float64)[:, None] * inv_freq
    return torch.cos(angles).to(dtype), torch.sin(angles).to(dtype)


def rope(x, positions, *, base=10000.0, interleaved=False):
    """Rotary position embedding of ``x (..., L, D)``: pair ``(a_i, b_i)`` at position ``m`` becomes
    ``(a cos t - b sin t, b cos t + a sin t)`` with ``t = m * base**(-2i/D)``; pairs are ``(x[i], x[i+D/2])``,
    or ``(x[2i], x[2i+1])`` when ``interleaved``.
    """
    base = check.rope(x.shape, x.dtype, positions.shape, positions.dtype, base)
    xc = upcast(x)
    half = x.shape[-1] // 2
    cos, sin = _rope_cos_sin(positions, x.shape[-1], base, xc.dtype, x.device)
    if interleaved:
        a, b = xc[..., 0::2], xc[..., 1::2]
        out = torch.stack([a * cos - b * sin, b * cos + a * sin], dim=-1).reshape(x.shape)
    else:
        a, b = xc[..., :half], xc[..., half:]
        out = torch.cat([a * cos - b * sin, b * cos + a * sin], dim=-1)
    return out.to(x.dtype)


def _t5_bucket(rel, bidirectional, num_buckets, max_distance):
    """T5 bucketing of an integer tensor of ``key - query`` distances (options already checked)."""
    # beyond max_distance everything lands in the last bucket; the clamp only keeps abs() from overflowing
    rel = rel.to(torch.int64).clamp(-2**62, 2**62)
    if bidirectional:
        buckets = num_buckets // 2
        offset = (rel > 0).to(torch.int64) * buckets
        n = rel.abs()
    else:
        buckets, offset = num_buckets, 0
        n = -rel.clamp(max=0)
    max_exact = buckets // 2
    ratio = n.clamp(min=max_exact).to(torch.float32) / max_exact  # n < max_exact takes the exact branch
    # float32 log as T5 does it, correctly rounded (via float64) so that every backend gets the same bits
    log_ratio = torch.log(ratio.to(torch.float64)).to(torch.float32)
    log_span = torch.tensor(math.log(max_distance / max_exact), dtype=torch.float32, device=rel.device)
    scaled = log_ratio / log_span * float(buckets - max_exact)
    log_bucket = (max_exact + scaled.to(torch.int64)).clamp(max=buckets - 1)
    return offset + torch.where(n < max_exact, n, log_bucket)


def t5_relative_position_bucket(relative_position, *, bidirectional=True, num_buckets=32, max_distance=128):
    """T5 bucket (int64, same shape) of ``relative_position = key - query``. Bidirectional: half the buckets
    each, key-after-query in the upper half, ``n = |rel|``; else ``n = max(-rel, 0)``. With
    ``me = buckets // 2``: ``n`` if ``n < me``, else
    ``min(me + int(log(n/me) / log(max_distance/me) * (buckets - me)), buckets - 1)`` in float32.
    """
    check.t5_relative_position_bucket(relative_position.dtype, bidirectional, num_buckets, max_distance)
    return _t5_bucket(relative_position, bidirectional, num_buckets, max_distance)


def _key_minus_query(q_len, k_len, device):
    """``j - (i + k_len - q_len)``, shape ``(q_len, k_len)``: queries are the last ``q_len`` positions."""
    query = torch.arange(q_len, device=device)[:, None] + (k_len - q_len)
    return torch.arange(k_len, device=device)[None, :] - query


def relative_position_bias(q_len, k_len, table, *, bidirectional=True, max_distance=128):
    """T5 bias ``(H, q_len, k_len)``: ``bias[h, i, j] = table[bucket(j - (i + k_len - q_len)), h]`` with
    ``num_buckets = table.shape[0]``.
    """
    q_len, k_len = check.relative_position_bias(q_len, k_len, table.shape, table.dtype, bidirectional,
                                                max_distance)
    rel = _key_minus_query(q_len, k_len, table.device)
    buckets = _t5_bucket(rel, bidirectional, table.shape[0], max_distance)
    return table[buckets].permute(2, 0, 1)  # (q, k, H) -> (H, q, k)


def _alibi_slopes(num_heads, device):
    """ALiBi head slopes, float64: ``2**(-8(h+1)/n)`` for ``n`` the largest power of two ``<= H``, then
    for the remaining heads every other slope of ``2n``, i.e. ``2**(-8(2m+1)/(2n))``.
    """
    n = 1 << (num_heads.bit_length() - 1)
    first = torch.arange(1, n + 1, dtype=torch.float64, device=device) * (8.0 / n)
    rest = (2 * torch.arange(num_heads - n, dtype=torch.float64, device=device) + 1) * (8.0 / (2 * n))
    return 2.0 ** -torch.cat([first, rest])


def alibi_bias(num_heads, q_len, k_len):
    """ALiBi bias ``(H, q_len, k_len)``, float32: ``-slope_h * |i + (k_len - q_len) - j|``."""
    num_heads, q_len, k_len = check.alibi_bias(num_heads, q_len, k_len)
    distance = _key_minus_query(q_len, k_len, DEVICE).abs().to(torch.float64)
    return (-_alibi_slopes(num_heads, DEVICE)[:, None, None] * distance).to(torch.float32)
