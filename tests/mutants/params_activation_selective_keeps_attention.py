"""activation_memory_bytes whose selective recomputation keeps the attention term: selective == none.

Real bug class: "selective" implemented as recomputing something other than the attention scores (or as a
flag ignored by the estimator), so the quadratic ``5 a s^2 b`` term stays. Caught by: selective recomputation
is linear in seq_len, and the comparison with the oracle.
"""
from impls._validate import params as _v
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-params-activation-selective-keeps-attention"
DTYPES = ("float32",)
CATCHES = ("activation_memory_bytes:selective_is_linear_in_seq_len", "activation_memory_bytes:matches_oracle")


def activation_memory_bytes(config, *, batch_size, seq_len, recompute="none"):
    cfg, b, s, recompute = _v.check_activation_args(config, batch_size, seq_len, recompute)
    h, a = cfg.d_model, cfg.n_heads
    if recompute == "full":
        per_layer = 2 * s * b * h
    else:  # BUG: selective recomputes the attention scores, so it keeps only 34 s b h
        per_layer = s * b * (34 * h + 5 * a * s)
    return cfg.n_layers * per_layer
