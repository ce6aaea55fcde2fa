"""activation_memory_bytes without the ``5 a s / h`` attention term: no recomputation counts ``34 s b h`` per
layer, as selective recomputation does.

Real bug class: the activation estimate of the linear layers only (the "34 s b h" of Korthikanti et al.) taken
for the whole block, dropping the softmax input/output, its dropout mask and output (5 a s^2 b), which dominate at
long sequences. Caught by: activation memory without recomputation grows quadratically in seq_len, and the
comparison with the oracle.
"""
from impls._validate import params as _v
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-params-activation-no-attention-term"
DTYPES = ("float32",)
CATCHES = ("activation_memory_bytes:quadratic_in_seq_len_without_recompute", "activation_memory_bytes:matches_oracle")


def activation_memory_bytes(config, *, batch_size, seq_len, recompute="none"):
    cfg, b, s, recompute = _v.check_activation_args(config, batch_size, seq_len, recompute)
    h = cfg.d_model
    per_layer = {"none": 34 * s * b * h, "selective": 34 * s * b * h, "full": 2 * s * b * h}[recompute]  # BUG
    return cfg.n_layers * per_layer
