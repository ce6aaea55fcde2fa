"""activation_memory_bytes treating any recompute mode it does not know (a typo such as ``"selctive"``, or
``None``) as no recomputation, and accepting batch_size / seq_len that are not positive ints.

Real bug class: an ``if recompute == "selective": ... elif recompute == "full": ... else:`` chain with no
validation, so a misspelt option silently gives the no-recompute figure. The formula is right. Caught by:
activation_memory_bytes rejects bad input.
"""
from impls._validate import params as _v
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-params-activation-unknown-recompute-as-none"
DTYPES = ("float32",)
CATCHES = ("activation_memory_bytes:rejects_bad_input",)


def activation_memory_bytes(config, *, batch_size, seq_len, recompute="none"):
    cfg = _v.check_config(config)  # BUG: batch_size, seq_len and recompute are not checked
    s, b, h, a = seq_len, batch_size, cfg.d_model, cfg.n_heads
    if recompute == "selective":
        per_layer = 34 * s * b * h
    elif recompute == "full":
        per_layer = 2 * s * b * h
    else:
        per_layer = s * b * (34 * h + 5 * a * s)
    return cfg.n_layers * per_layer
