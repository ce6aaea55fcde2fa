"""Transformer parameter initialisation, counting and training-memory accounting (SPEC 3.9), NumPy."""
import numpy as np

from .._validate import params as _v

__all__: list[str] = ["init_transformer_params", "count_parameters", "training_memory_bytes", "kv_cache_bytes",
                      "activation_memory_bytes"]

_STD = 0.02


def _norm(cfg, init):
    """Norm parameters: LayerNorm has weight and bias, RMSNorm weight only."""
    out = {"weight": init.ones(cfg.d_model)}
    if cfg.norm == "layernorm":
        out["bias"] = init.zeros(cfg.d_model)
    return out


class _Init:
    """float32 tensors: N(0, 0.02) draws from one ``default_rng(seed)`` stream, in construction order."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def normal(self, *shape):
        return self.rng.normal(0.0, _STD, size=shape).astype(np.float32)

    def zeros(self, *shape):
        return np.zeros(shape, dtype=np.float32)

    def ones(self, *shape):
        return np.ones(shape, dtype=np.float32)


def _attention(cfg, init):
    d, q_dim, kv_dim = cfg.d_model, cfg.n_heads * cfg.head_dim, cfg.n_kv_heads * cfg.head_dim
    out = {"wq": init.normal(d, q_dim), "wk": init.normal(d, kv_dim), "wv": init.normal(d, kv_dim),
           "wo": init.normal(q_dim, d)}
    if cfg.bias:
        out.update(bq=init.zeros(q_dim), bk=init.zeros(kv_dim), bv=init.zeros(kv_dim), bo=init.zeros(d))
    return out


def _ffn(cfg, init):
    d, f = cfg.d_model, cfg.d_ff
    if cfg.ffn == "swiglu":  # gate w1, up w3, down w2; SwiGLU FFNs carry no biases (LLaMA)
        return {"w1": init.normal(d, f), "w3": init.normal(d, f), "w2": init.normal(f, d)}
    out = {"w1": init.normal(d, f), "w2": init.normal(f, d)}
    if cfg.bias:
        out.update(b1=init.zeros(f), b2=init.zeros(d))
    return out


def init_transformer_params(config, *, seed):
    """Parameters of a decoder-only pre-norm transformer as a nested dict of float32 arrays.

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
    layers = [{"attn_norm": _norm(cfg, init), "attn": _attention(cfg, init),
               "ffn_norm": _norm(cfg, init), "ffn": _ffn(cfg, init)} for _ in range(cfg.n_layers)]
    params = {"embed": embed, "layers": layers, "final_norm": _norm(cfg, init)}
    if not cfg.tie_embeddings:
        params["lm_head"] = {"weight": init.normal(cfg.d_model, cfg.vocab_size)}
    return params


def count_parameters(config):
    """Number of scalars in ``init_transformer_params(config)``, from the shapes alone.

    ``V d [+ P d] + n_layers (2 norm + attn + ffn) + norm [+ d V]`` with ``norm = 2d`` (LayerNorm) or ``d``
    (RMSNorm), ``attn = 2 d H D + 2 d Hkv D [+ H D + 2 Hkv D + d]``, ``ffn = 3 d d_ff`` (SwiGLU) or
    ``2 d d_ff [+ d_ff + d]``.
    """
    cfg = _v.check_config(config)
    d, q_dim, kv_dim, f = cfg.d_model, cfg.n_heads * cfg.head_dim, cfg.n_kv_heads * cfg.head_dim, cfg.d_ff
    norm = 2 * d if cfg.norm == "layernorm" else d
    attn = 2 * d * q_dim + 2 * d * kv_dim + ((q_dim + 2 * kv_dim + d) if cfg.bias else 0)
    if cfg.ffn == "swiglu":
        ffn = 3 * d * f
    else:
        ffn = 2 * d * f + ((f + d) if cfg.bias else 0)
    embed = cfg.vocab_size * d + (cfg.max_positions * d if cfg.positional == "learned" else 0)
    head = 0 if cfg.tie_embeddings else d * cfg.vocab_size
    return embed + cfg.n_layers * (2 * norm + attn + ffn) + norm + head


def _per_device(nbytes, num_devices):
    """One device's share of ``nbytes`` partitioned over ``num_devices``: ``nbytes / num_devices`` rounded up to a
    whole byte (the most-loaded device's share; exact whenever ``num_devices`` divides ``nbytes``)."""
    return -(-nbytes // num_devices)


def training_memory_bytes(num_params, *, optimizer="adam", mixed_precision=True, zero_stage=0, num_devices=1):
    """Bytes **per device** of weights, gradients and optimizer state for ``num_params`` parameters (ZeRO's
    accounting, Rajbhandari et al. 2020).

    Mixed precision keeps fp16 weights and gradients plus an fp32 master copy among the optimizer states;
    Adam/AdamW add two fp32 moments, SGD with momentum one: Adam ``2+2+12`` (mixed) or ``4+4+8`` bytes per
    parameter, SGD ``2+2+8`` or ``4+4+4``. ZeRO stage 1 partitions the optimizer states over ``num_devices``,
    stage 2 also the gradients, stage 3 also the parameters; a partitioned part is ``bytes / num_devices``,
    rounded up to a whole byte (Python ints throughout; exact when ``num_devices`` divides it), and ``total``
    is the sum of the three per-device parts.
    """
    n = _v.check_memory_args(num_params, optimizer, mixed_precision)
    stage, devices = _v.check_zero_args(zero_stage, num_devices)
    half, full = np.dtype(np.float16).itemsize, np.dtype(np.float32).itemsize
    moments = 1 if optimizer == "sgd" else 2
    weight = half if mixed_precision else full
    state = moments * full + (full if mixed_precision else 0)  # the master copy lives with the optimizer
    out = {"params": weight * n, "grads": weight * n, "optimizer_states": state * n}
    for key, from_stage in (("optimizer_states", 1), ("grads", 2), ("params", 3)):
        if stage >= from_stage:
            out[key] = _per_device(out[key], devices)
    out["total"] = out["params"] + out["grads"] + out["optimizer_states"]
    return out


def kv_cache_bytes(config, *, batch_size, seq_len, bytes_per_element=2):
    """Bytes of the K and V caches of every layer: ``2 n_layers n_kv_heads head_dim seq_len batch_size
    bytes_per_element`` with ``head_dim = d_model // n_heads`` (an exact int)."""
    cfg, b, s, e = _v.check_kv_cache_args(config, batch_size, seq_len, bytes_per_element)
    return 2 * cfg.n_layers * cfg.n_kv_heads * cfg.head_dim * s * b * e


def activation_memory_bytes(config, *, batch_size, seq_len, recompute="none"):
    """Activation bytes kept for the backward pass of the ``n_layers`` blocks, 16-bit training without tensor or
    sequence parallelism (Korthikanti et al. 2022, sec. 4): per layer ``s b h (34 + 5 a s / h)`` without
    recomputation, ``34 s b h`` with selective recomputation, ``2 s b h`` with full recomputation (s = seq_len,
    b = batch_size, h = d_model, a = n_heads). Exact ints: ``s b h (34 + 5 a s / h) == s b (34 h + 5 a s)``,
    so no rounding is needed.
    """
    cfg, b, s, recompute = _v.check_activation_args(config, batch_size, seq_len, recompute)
    h, a = cfg.d_model, cfg.n_heads
    if recompute == "none":
        per_layer = s * b * (34 * h + 5 * a * s)
    elif recompute == "selective":
        per_layer = 34 * s * b * h
    else:
        per_layer = 2 * s * b * h
    return cfg.n_layers * per_layer
