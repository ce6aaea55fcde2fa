"""feed_forward that falls back to GELU for any activation name it does not know ('tanh', 'GELU', 'silu').

Real bug class: ``ACTIVATIONS.get(name, gelu)`` — a dictionary lookup with a default, so a typo or an
unsupported activation silently becomes GELU. Correct for the three supported names. Caught by: feed_forward
``rejects_bad_input`` (unknown activation).
"""
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import feed_forward as reference_feed_forward

NAME = "mutant-attention-ffn-unknown-activation-gelu"
DTYPES = ("float32", "float64")
CATCHES = ("feed_forward:rejects_bad_input",)


def feed_forward(x, params, *, activation="gelu"):
    if activation not in ("relu", "gelu", "swiglu"):
        activation = "gelu"  # BUG: unknown names fall back to the default
    return reference_feed_forward(x, params, activation=activation)
