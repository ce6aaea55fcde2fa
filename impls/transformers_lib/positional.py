"""Positional encodings as transformers' models compute them.

- ``rope``: half-split pairs with LLaMA's ``LlamaRotaryEmbedding`` (``rope_theta`` = base, ``head_dim`` = D; its
  cos/sin come from float32 angles ``position * inv_freq``, cast to x's dtype) and ``apply_rotary_pos_emb``
  (``x * cos + rotate_half(x) * sin``); interleaved pairs with GPT-J's ``GPTJRotaryEmbedding`` and its
  ``apply_rotary_pos_emb`` (``rotate_every_two``), whose base is fixed at 10000.
- ``t5_relative_position_bucket``: ``T5Attention._relative_position_bucket`` (a static method).
- ``relative_position_bias``: ``T5Attention.compute_bias`` with the bias table as its ``relative_attention_bias``
  embedding; the catalogue's queries (the last q_len of k_len positions) are T5's ``past_seen_tokens = k_len -
  q_len`` (a KV cache), and its ``(H, Lq, Lk)`` is transformers' ``(1, H, Lq, Lk)`` without the batch axis.
"""
from functools import lru_cache

import torch
from torch import nn
from transformers import GPTJConfig, LlamaConfig, T5Config
from transformers.models.gptj import modeling_gptj as gptj
from transformers.models.llama import modeling_llama as llama
from transformers.models.t5.modeling_t5 import T5Attention

from impls._validate import positional as check

__all__ = ["rope", "t5_relative_position_bucket", "relative_position_bias"]


@lru_cache(maxsize=64)
def _llama_rotary(head_dim, base):
    """A ``LlamaRotaryEmbedding`` for heads of ``head_dim`` and ``rope_theta = base`` (its inv_freq depends on
    nothing else; building it is the costly part, so one per configuration)."""
    config = LlamaConfig(hidden_size=head_dim, num_attention_heads=1, head_dim=head_dim, rope_theta=base)
    return llama.LlamaRotaryEmbedding(config)


@lru_cache(maxsize=16)
def _gptj_rotary(num_positions, rotary_dim):
    """A ``GPTJRotaryEmbedding`` whose sin/cos table covers positions ``0..num_positions-1``."""
    config = GPTJConfig(n_embd=rotary_dim, rotary_dim=rotary_dim, n_positions=num_positions)
    return gptj.GPTJRotaryEmbedding(config)


def _rope_half(x, positions, base):
    """LLaMA: cos, sin ``(1, L, D)`` for ``position_ids (1, L)``, applied to x viewed as ``(N, 1, L, D)``."""
    length, dim = x.shape[-2:]
    flat = x.reshape(-1, 1, length, dim)  # apply_rotary_pos_emb wants (batch, heads, L, D)
    cos, sin = _llama_rotary(dim, base)(flat, positions[None, :])
    rotated, _ = llama.apply_rotary_pos_emb(flat, flat, cos, sin, unsqueeze_dim=1)
    return rotated.reshape(x.shape)


def _rope_interleaved(x, positions):
    """GPT-J: sin, cos ``(1, L, D/2)`` looked up at ``position_ids (1, L)``, applied to x viewed as its
    ``(batch, L, heads, D)`` layout ``(N, L, 1, D)``."""
    length, dim = x.shape[-2:]
    if length and int(positions.min()) < 0:
        raise NotImplementedError("GPT-J's rotary table has no negative positions")
    top = int(positions.max()) + 1 if length else 1
    size = 1 << max(top - 1, 1).bit_length()  # a power of two, so nearby lengths share one table
    flat = x.reshape(-1, length, 1, dim)
    sin, cos = _gptj_rotary(size, dim)(flat, positions[None, :].long())
    return gptj.apply_rotary_pos_emb(flat, sin, cos).reshape(x.shape)


def rope(x, positions, *, base=10000.0, interleaved=False):
    """Rotary embedding of ``x (..., L, D)`` at ``positions (L,)``: pair i (``(x[i], x[i + D/2])``, or
    ``(x[2i], x[2i+1])`` interleaved) turns by ``position * base**(-2i/D)``."""
    base = check.rope(x.shape, x.dtype, positions.shape, positions.dtype, base)
    if not interleaved:
        return _rope_half(x, positions, base)
    if base != 10000.0:
        raise NotImplementedError("transformers' interleaved rotary embedding (GPT-J) has a fixed base 10000")
    return _rope_interleaved(x, positions)


def t5_relative_position_bucket(relative_position, *, bidirectional=True, num_buckets=32, max_distance=128):
    """``T5Attention._relative_position_bucket``: the distance's own bucket below max_exact, logarithmic (float32
    ``torch.log``) up to max_distance, per sign when bidirectional."""
    check.t5_relative_position_bucket(relative_position.dtype, bidirectional, num_buckets, max_distance)
    return T5Attention._relative_position_bucket(relative_position, bidirectional=bidirectional,
                                                 num_buckets=num_buckets, max_distance=max_distance)


def _t5_attention(num_buckets, num_heads, max_distance, is_decoder):
    """A ``T5Attention`` with a relative-attention bias of ``num_buckets`` rows for ``num_heads`` heads (its
    projections are tiny: ``d_model = d_kv = 1``; compute_bias does not use them)."""
    config = T5Config(d_model=1, d_kv=1, num_heads=num_heads, relative_attention_num_buckets=num_buckets,
                      relative_attention_max_distance=max_distance, is_decoder=is_decoder)
    return T5Attention(config, has_relative_attention_bias=True)


_T5_CACHE: dict = {}


def relative_position_bias(q_len, k_len, table, *, bidirectional=True, max_distance=128):
    """``T5Attention.compute_bias(q_len, k_len, past_seen_tokens=k_len - q_len)[0]`` with the module's
    ``relative_attention_bias.weight`` = ``table (num_buckets, H)``; ``is_decoder = not bidirectional``."""
    q_len, k_len = check.relative_position_bias(q_len, k_len, table.shape, table.dtype, bidirectional,
                                                max_distance)
    key = (table.shape[0], table.shape[1], max_distance, not bidirectional)
    if key not in _T5_CACHE:
        _T5_CACHE[key] = _t5_attention(*key)
    module = _T5_CACHE[key]
    # the bias is a gather from the table: the module's embedding holds the drawn table itself
    module.relative_attention_bias.weight = nn.Parameter(table, requires_grad=False)
    with torch.no_grad():
        bias = module.compute_bias(q_len, k_len, device=table.device, past_seen_tokens=k_len - q_len)
    return bias[0]  # (1, H, Lq, Lk) -> the catalogue's (H, Lq, Lk)
