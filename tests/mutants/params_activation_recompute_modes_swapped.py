"""activation_memory_bytes with the recompute modes' coefficients swapped: ``selective`` keeps ``2 s b h`` and
``full`` ``34 s b h``.

Real bug class: a lookup table keyed by the wrong names ("full" read as "keep the full activations"), so full
recomputation appears to cost more memory than selective. Caught by: none >= selective >= full, full
recomputation keeps only the layer inputs (2 s b h L), selective is 34 s b h L.
"""
from impls._validate import params as _v
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-params-activation-recompute-modes-swapped"
DTYPES = ("float32",)
CATCHES = ("activation_memory_bytes:recomputation_orders_memory",
           "activation_memory_bytes:full_keeps_only_layer_inputs",
           "activation_memory_bytes:selective_is_linear_in_seq_len")


def activation_memory_bytes(config, *, batch_size, seq_len, recompute="none"):
    cfg, b, s, recompute = _v.check_activation_args(config, batch_size, seq_len, recompute)
    h, a = cfg.d_model, cfg.n_heads
    if recompute == "none":
        per_layer = s * b * (34 * h + 5 * a * s)
    else:
        per_layer = {"selective": 2, "full": 34}[recompute] * s * b * h  # BUG: selective 34, full 2
    return cfg.n_layers * per_layer
