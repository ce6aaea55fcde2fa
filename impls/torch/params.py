"""Transformer parameter initialisation, counting and training-memory accounting (SPEC 3.9), PyTorch."""
import torch

from .._validate import params as _v
from ._util import DEVICE

__all__: list[str] = ["init_transformer_params", "count_parameters", "training_memory_bytes", "kv_cache_bytes",
                      "activation_memory_bytes"]

_STD = 0.02


class _Init:
    """float32 tensors on DEVICE; N(0, 0.02) draws come from one CPU ``torch.Generator`` in construction order,
    so the values depend on the seed only, not on the device."""

    def __init__(self, seed):
        self.gen = torch.Generator().manual_seed(seed)

    def normal(self, *shape):
        return (torch.randn(shape, generator=self.gen, dtype=torch.float32) * _STD).to(DEVICE)

    def zeros(self, *shape):
        return torch.zeros(shape, dtype=torch.float32, device=DEVICE)

    def ones(self, *shape):
        return torch.ones(shape, dtype=torch.float32, device=DEVICE)


def _norm(cfg, init):
    """LayerNorm has weight and bias, RMSNorm weight only."""
    if cfg.norm == "layernorm":
        return {"weight": init.ones(cfg.d_model), "bias": init.zeros(cfg.d_model)}
    return {"weight": init.ones(cfg.d_model)}


def _attention(cfg, init):
    d, q_dim, kv_dim = cfg.d_model, cfg.n_heads * cfg.head_dim, cfg.n_kv_heads * cfg.head_dim
    out = {"wq": init.normal(d, q_dim), "wk": init.normal(d, kv_dim), "wv": init.normal(d, kv_dim),
           "wo": init.normal(q_dim, d)}
    if cfg.bias:
        out |= {"bq": init.zeros(q_dim), "bk": init.zeros(kv_dim), "bv": init.zeros(kv_dim), "bo": init.zeros(d)}
    return out


def _ffn(cfg, init):
    d, f = cfg.d_model, cfg.d_ff
    if cfg.ffn == "swiglu":  # gate w1, up w3, down w2, never biased
        return {"w1": init.normal(d, f), "w3": init.normal(d, f), "w2": init.normal(f, d)}
    out = {"w1": init.normal(d, f), "w2": init.normal(f, d)}
    if cfg.bias:
        out |= {"b1": init.zeros(f), "b2": init.zeros(d)}
    return out


def init_transformer_params(config, *, seed):
    """Parameters of a decoder-only pre-norm transformer as a nested dict of float32 tensors.

    Matrices and embeddings ~ N(0, 0.02^2), biases 0, norm weights 1. Layout:
    ``embed{tokens (V, d), positions (max_positions, d) if learned}``, ``layers[i]{attn_norm, attn{wq, wk, wv,
    wo, [bq bk bv bo]}, ffn_norm, ffn{w1, [w3], w2, [b1 b2]}}``, ``final_norm``, ``lm_head{weight (d, V)}``
    unless tied.
    """
    cfg = _v.check_config(config)
    init = _Init(_v.check_seed(seed, "init_transformer_params"))
    embed = {"tokens": init.normal(cfg.vocab_size, cfg.d_model)}
    if cfg.positional == "learned":
        embed["positions"] = init.normal(cfg.max_positions, cfg.d_model)
    layers = []
    for _ in range(cfg.n_layers):
        layers.append({"attn_norm": _norm(cfg, init), "attn": _attention(cfg, init),
                       "ffn_norm": _norm(cfg, init), "ffn": _ffn(cfg, init)})
    params = {"embed": embed, "layers": layers, "final_norm": _norm(cfg, init)}
    if not cfg.tie_embeddings:
        params["lm_head"] = {"weight": init.normal(cfg.d_model, cfg.vocab_size)}
    return params


def count_parameters(config):
    """Number of scalars in ``init_transformer_params(config)``, from the shapes alone.

    Per layer: two norms (``2d`` each for LayerNorm, ``d`` for RMSNorm), attention ``d(H + 2 Hkv)D + H D d``
    plus biases ``(H + 2 Hkv)D + d``, FFN ``3 d d_ff`` (SwiGLU) or ``2 d d_ff`` plus biases ``d_ff + d``;
    around them token embeddings ``V d``, learned positions ``P d``, a final norm and, untied, a ``d V`` head.
    """
    cfg = _v.check_config(config)
    d, head_dim = cfg.d_model, cfg.head_dim
    per_norm = d * (2 if cfg.norm == "layernorm" else 1)
    qkv_cols = (cfg.n_heads + 2 * cfg.n_kv_heads) * head_dim
    attn = d * qkv_cols + cfg.n_heads * head_dim * d
    if cfg.bias:
        attn += qkv_cols + d
    ffn = (3 if cfg.ffn == "swiglu" else 2) * d * cfg.d_ff
    if cfg.bias and cfg.ffn != "swiglu":
        ffn += cfg.d_ff + d
    total = cfg.vocab_size * d + cfg.n_layers * (2 * per_norm + attn + ffn) + per_norm
    if cfg.positional == "learned":
        total += cfg.max_positions * d
    if not cfg.tie_embeddings:
        total += d * cfg.vocab_size
    return total


def training_memory_bytes(num_params, *, optimizer="adam", mixed_precision=True, zero_stage=0, num_devices=1):
    """Bytes **per device** of weights, gradients and optimizer state for ``num_params`` parameters (ZeRO's
    accounting).

    Mixed precision: fp16 weights and gradients, fp32 master copy + moments as optimizer state (Adam
    ``2+2+12`` bytes per parameter, SGD with momentum ``2+2+8``); fp32: Adam ``4+4+8``, SGD ``4+4+4``.
    ZeRO stage >= 1 shards the optimizer states, >= 2 the gradients, 3 the weights over ``num_devices``; a
    shard is ``ceil(bytes / num_devices)`` (an int; exact when the division is), ``total`` the sum of the parts.
    """
    n = _v.check_memory_args(num_params, optimizer, mixed_precision)
    stage, devices = _v.check_zero_args(zero_stage, num_devices)
    fp16, fp32 = torch.float16.itemsize, torch.float32.itemsize
    stored = fp16 if mixed_precision else fp32
    state_tensors = {"adam": 2, "adamw": 2, "sgd": 1}[optimizer] + (1 if mixed_precision else 0)
    params, grads, states = stored * n, stored * n, state_tensors * fp32 * n

    def shard(nbytes, sharded):
        return (nbytes + devices - 1) // devices if sharded else nbytes

    params, grads, states = shard(params, stage == 3), shard(grads, stage >= 2), shard(states, stage >= 1)
    return {"params": params, "grads": grads, "optimizer_states": states, "total": params + grads + states}


def kv_cache_bytes(config, *, batch_size, seq_len, bytes_per_element=2):
    """K and V caches of all layers in bytes: ``2 * n_layers * n_kv_heads * head_dim * seq_len * batch_size *
    bytes_per_element``, ``head_dim = d_model // n_heads``."""
    cfg, batch, length, width = _v.check_kv_cache_args(config, batch_size, seq_len, bytes_per_element)
    per_token_per_layer = 2 * cfg.n_kv_heads * cfg.head_dim * width  # one K row and one V row per KV head
    return cfg.n_layers * per_token_per_layer * length * batch


_ACTIVATION_COEFFICIENT = {"selective": 34, "full": 2}


def activation_memory_bytes(config, *, batch_size, seq_len, recompute="none"):
    """Stored activations in bytes (Korthikanti et al. 2022, sec. 4; 16-bit, no tensor/sequence parallelism):
    ``n_layers`` times ``s b h (34 + 5 a s / h)`` (``recompute="none"``), ``34 s b h`` (selective) or
    ``2 s b h`` (full). Computed as ``s b (34 h + 5 a s)``, an exact int (no rounding)."""
    cfg, b, s, recompute = _v.check_activation_args(config, batch_size, seq_len, recompute)
    h = cfg.d_model
    if recompute == "none":
        per_layer = s * b * (34 * h + 5 * cfg.n_heads * s)
    else:
        per_layer = _ACTIVATION_COEFFICIENT[recompute] * s * b * h
    return per_layer * cfg.n_layers
