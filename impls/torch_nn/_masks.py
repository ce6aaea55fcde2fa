"""The catalogue's attention mask, causality and bias as the masks ``nn.MultiheadAttention`` and
``nn.TransformerEncoderLayer`` take.

The catalogue's boolean mask marks the keys a query *may* attend (broadcastable to (B, H, Lq, Lk)); torch's
boolean ``attn_mask`` marks those it may *not*, and is (Lq, Lk) for every batch and head or (B * H, Lq, Lk).
The catalogue's ``is_causal`` is aligned bottom-right (query i sees key j iff j <= i + Lk - Lq). A square causal
mask alone is passed the way model code passes it, with the ``is_causal=True`` hint: to the encoder layer as
``nn.Transformer.generate_square_subsequent_mask(L)`` (a float mask of 0 and -inf, the documented idiom), to
``nn.MultiheadAttention`` as the boolean ``triu(ones(L, L), 1)`` (a float mask would rule out its fast path); any
other combination becomes one explicit boolean mask. The
catalogue's additive ``bias`` is torch's float ``attn_mask`` (added to the scaled logits), with the disallowed
entries at ``-inf``.
"""
import math

import torch
from torch import nn


def _four_d(a):
    return a.reshape((1,) * (4 - a.ndim) + tuple(a.shape))


def _allowed(mask, is_causal, lq, lk, device):
    """The catalogue's mask AND its bottom-right causal mask, 4-d (True = may attend), or None for neither."""
    allowed = None if mask is None else _four_d(mask.to(torch.bool))
    if is_causal:
        causal = torch.ones(lq, lk, dtype=torch.bool, device=device).tril(lk - lq)
        allowed = _four_d(causal) if allowed is None else allowed & causal
    return allowed


def _torch_layout(m, batch, heads):
    """A 4-d mask as torch's (Lq, Lk) when it is shared by every batch and head, else (B * H, Lq, Lk)."""
    lq, lk = m.shape[-2:]
    if m.shape[0] == 1 and m.shape[1] == 1:
        return m.reshape(lq, lk)
    return m.expand(batch, heads, lq, lk).reshape(batch * heads, lq, lk)


def attn_mask(mask, is_causal, bias, *, batch, heads, lq, lk, like, float_causal):
    """``(attn_mask, is_causal hint)`` for ``nn.MultiheadAttention``/``nn.TransformerEncoderLayer``; a square
    causal mask alone is ``generate_square_subsequent_mask`` with ``float_causal``, else the boolean
    ``triu(ones(L, L), 1)`` (both with the hint)."""
    is_causal = bool(is_causal)
    if is_causal and mask is None and bias is None and lq == lk:
        if float_causal:
            return nn.Transformer.generate_square_subsequent_mask(lq, device=like.device, dtype=like.dtype), True
        return torch.ones(lq, lk, dtype=torch.bool, device=like.device).triu(1), True
    allowed = _allowed(mask, is_causal, lq, lk, like.device)
    if bias is not None:
        additive = _four_d(bias)
        if allowed is not None:
            additive = torch.where(allowed, additive, -math.inf)
        lq_lk = torch.broadcast_shapes(additive.shape, (1, 1, lq, lk))
        return _torch_layout(additive.expand(lq_lk), batch, heads), False
    if allowed is None:
        return None, False
    lq_lk = torch.broadcast_shapes(allowed.shape, (1, 1, lq, lk))
    return _torch_layout(~allowed.expand(lq_lk), batch, heads), False
