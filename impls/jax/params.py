"""Transformer parameter initialisation, counting and training-memory accounting (SPEC 3.9), JAX."""
import math

import jax
import jax.numpy as jnp
import numpy as np

from .._validate import params as _v
from ._util import DEVICE, asarray
from ._jit import jit

__all__: list[str] = ["init_transformer_params", "count_parameters", "training_memory_bytes", "kv_cache_bytes",
                      "activation_memory_bytes"]

_STD = 0.02


@jit(static_argnames=("size",))
def _scaled_normal(key, size):
    return jax.random.normal(key, (size,), dtype=jnp.float32) * jnp.float32(_STD)


def _bucket(n):
    """The power of two >= max(n, 1024): draws of bucketed length compile once per bucket, not per shape."""
    return 1 << max(n - 1, 1023).bit_length()


class _Init:
    """float32 arrays on DEVICE. The i-th N(0, 0.02) matrix is the head of a standard-normal draw from
    ``fold_in(PRNGKey(seed), i)``; norm weights and biases are constants, put on DEVICE without a kernel."""

    def __init__(self, seed):
        self.key = jax.random.PRNGKey(seed)
        self.count = 0

    def normal(self, *shape):
        key = jax.random.fold_in(self.key, self.count)
        self.count += 1
        size = math.prod(shape)
        # Cut and shape on the host: an eager slice/reshape would compile anew for every parameter shape.
        head = np.asarray(_scaled_normal(key, _bucket(size)))[:size].reshape(shape)
        return asarray(head)

    def zeros(self, *shape):
        return asarray(np.zeros(shape, dtype=np.float32))

    def ones(self, *shape):
        return asarray(np.ones(shape, dtype=np.float32))


def _norm(cfg, init):
    """LayerNorm has weight and bias, RMSNorm weight only."""
    out = {"weight": init.ones(cfg.d_model)}
    if cfg.norm == "layernorm":
        out["bias"] = init.zeros(cfg.d_model)
    return out


def _attention(cfg, init):
    d, q_dim, kv_dim = cfg.d_model, cfg.n_heads * cfg.head_dim, cfg.n_kv_heads * cfg.head_dim
    out = {"wq": init.normal(d, q_dim), "wk": init.normal(d, kv_dim), "wv": init.normal(d, kv_dim),
           "wo": init.normal(q_dim, d)}
    if cfg.bias:
        out.update(bq=init.zeros(q_dim), bk=init.zeros(kv_dim), bv=init.zeros(kv_dim), bo=init.zeros(d))
    return out


def _ffn(cfg, init):
    d, f = cfg.d_model, cfg.d_ff
    if cfg.ffn == "swiglu":  # gate w1, up w3, down w2, never biased
        return {"w1": init.normal(d, f), "w3": init.normal(d, f), "w2": init.normal(f, d)}
    out = {"w1": init.normal(d, f), "w2": init.normal(f, d)}
    if cfg.bias:
        out.update(b1=init.zeros(f), b2=init.zeros(d))
    return out


def init_transformer_params(config, *, seed):
    """Parameters of a decoder-only pre-norm transformer as a nested dict of float32 ``jax.Array``s.

    Matrices and embeddings ~ N(0, 0.02^2), biases 0, norm weights 1. Layout:
    ``embed{tokens (V, d), positions (max_positions, d) if learned}``, ``layers[i]{attn_norm, attn{wq, wk, wv,
    wo, [bq bk bv bo]}, ffn_norm, ffn{w1, [w3], w2, [b1 b2]}}``, ``final_norm``, ``lm_head{weight (d, V)}``
    unless tied.
    """
    cfg = _v.check_config(config)
    seed = _v.check_seed(seed, "init_transformer_params")
    with jax.default_device(DEVICE):
        init = _Init(seed)
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

    Sum over the tensors: embeddings ``V d`` (+ ``P d`` learned positions); per layer two norms (``2d``
    LayerNorm, ``d`` RMSNorm), ``wq wk wv wo`` = ``d HD + 2 d Hkv D + HD d`` (+ biases ``HD + 2 Hkv D + d``),
    FFN ``3 d d_ff`` SwiGLU or ``2 d d_ff`` (+ ``d_ff + d``); a final norm; ``d V`` for an untied head.
    """
    cfg = _v.check_config(config)
    d, hd, kvd, f = cfg.d_model, cfg.n_heads * cfg.head_dim, cfg.n_kv_heads * cfg.head_dim, cfg.d_ff
    norm_sizes = [d, d] if cfg.norm == "layernorm" else [d]
    attn_sizes = [d * hd, d * kvd, d * kvd, hd * d] + ([hd, kvd, kvd, d] if cfg.bias else [])
    if cfg.ffn == "swiglu":
        ffn_sizes = [d * f, d * f, f * d]
    else:
        ffn_sizes = [d * f, f * d] + ([f, d] if cfg.bias else [])
    layer = 2 * sum(norm_sizes) + sum(attn_sizes) + sum(ffn_sizes)
    embed = [cfg.vocab_size * d] + ([cfg.max_positions * d] if cfg.positional == "learned" else [])
    head = [] if cfg.tie_embeddings else [d * cfg.vocab_size]
    return sum(embed) + cfg.n_layers * layer + sum(norm_sizes) + sum(head)


#: ZeRO stage -> the parts it partitions over the devices (Rajbhandari et al. 2020)
_PARTITIONED = {0: (), 1: ("optimizer_states",), 2: ("optimizer_states", "grads"),
                3: ("optimizer_states", "grads", "params")}


def training_memory_bytes(num_params, *, optimizer="adam", mixed_precision=True, zero_stage=0, num_devices=1):
    """Bytes **per device** of weights, gradients and optimizer state for ``num_params`` parameters (ZeRO's
    accounting).

    Per parameter: mixed-precision Adam/AdamW 2 + 2 + 12 (fp32 master, momentum, variance), fp32 Adam
    4 + 4 + 8; SGD with momentum 2 + 2 + 8 (master, momentum) or 4 + 4 + 4. ZeRO stage 1 partitions the
    optimizer states over ``num_devices``, 2 also the gradients, 3 also the weights; each partitioned part is
    ``math.ceil(bytes / num_devices)`` in exact integer arithmetic, ``total`` the sum of the parts.
    """
    n = _v.check_memory_args(num_params, optimizer, mixed_precision)
    stage, devices = _v.check_zero_args(zero_stage, num_devices)
    low = jnp.dtype(jnp.float16 if mixed_precision else jnp.float32).itemsize
    fp32 = jnp.dtype(jnp.float32).itemsize
    fp32_states = (1 if optimizer == "sgd" else 2) + (1 if mixed_precision else 0)
    out = {"params": low * n, "grads": low * n, "optimizer_states": fp32_states * fp32 * n}
    for key in _PARTITIONED[stage]:
        whole, rest = divmod(out[key], devices)
        out[key] = whole + (1 if rest else 0)
    out["total"] = out["params"] + out["grads"] + out["optimizer_states"]
    return out


def kv_cache_bytes(config, *, batch_size, seq_len, bytes_per_element=2):
    """Bytes of every layer's K and V cache: ``2 * n_layers * n_kv_heads * head_dim * seq_len * batch_size *
    bytes_per_element`` (``head_dim = d_model // n_heads``), a Python int."""
    cfg, b, s, e = _v.check_kv_cache_args(config, batch_size, seq_len, bytes_per_element)
    kv_width = cfg.n_kv_heads * cfg.head_dim
    return math.prod((2, cfg.n_layers, kv_width, s, b, e))


def activation_memory_bytes(config, *, batch_size, seq_len, recompute="none"):
    """Activation memory of the ``n_layers`` blocks for the backward pass (Korthikanti et al. 2022, sec. 4; 16-bit,
    no tensor or sequence parallelism): per layer ``s b h (34 + 5 a s / h)`` bytes, ``34 s b h`` with selective
    recomputation, ``2 s b h`` with full. The ``5 a s^2 b`` attention term is an integer, so the result is
    exact: ``s b (34 h + 5 a s)``."""
    cfg, b, s, recompute = _v.check_activation_args(config, batch_size, seq_len, recompute)
    sbh = s * b * cfg.d_model
    attention_scores = 5 * cfg.n_heads * s * s * b  # softmax input/output, its dropout mask and output
    per_layer = {"none": 34 * sbh + attention_scores, "selective": 34 * sbh, "full": 2 * sbh}[recompute]
    return cfg.n_layers * per_layer
