"""Cross-attention projecting keys and values from ``x`` instead of ``context``.

Real bug class: ``k = self.k_proj(hidden_states)`` left over from the self-attention path of a decoder
layer, so the encoder output is ignored. Caught by: cross-attention output does not depend on the order of
context positions but must depend on the context (differential check), and the output length is Lq.
"""
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as numpy_attention
from tests.patching import patched

NAME = "mutant-attention-cross-kv-from-x"
DTYPES = ("float32", "float64")
CATCHES = ("multi_head_attention:matches_oracle",)


def _project(x, context, params, dims):
    """The reference's projections with keys and values read from ``x`` (BUG: should read the context)."""
    return numpy_attention._project(x, x, params, dims)


multi_head_attention = patched(numpy_attention, _project=_project).multi_head_attention
