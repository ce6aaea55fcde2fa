"""A transformer that validates nothing of its own: unknown ``norm_position`` values fall through to pre-norm,
and token ids are used as indices as they come.

Real bug class: ``if norm_position == "post": ... else: <pre-norm>`` (a typo such as ``"Post"`` silently builds
the other architecture) and an embedding lookup ``tokens[ids]`` without a range check, where NumPy and PyTorch
read a negative id from the end of the table (id -1 becomes the last token). Caught by: the three components'
``rejects_bad_input``.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-transformer-accepts-bad-input"
DTYPES = ("float32", "float64")
CATCHES = ("transformer_block:rejects_bad_input", "decoder_forward:rejects_bad_input",
           "decoder_decode:rejects_bad_input")


def transformer_block(x, params, *, norm_position="pre", **options):
    """The reference block, any ``norm_position`` but "post" built as pre-norm (BUG: no check)."""
    position = "post" if norm_position == "post" else "pre"
    return reference.transformer_block(x, params, norm_position=position, **options)


def _as_indices(input_ids, config):
    """Negative ids read from the end of the table, as ``tokens[ids]`` does (BUG: no range check)."""
    ids = np.asarray(input_ids)
    return np.where(ids < 0, ids + config["vocab_size"], ids) if ids.dtype.kind in "iu" else input_ids


def decoder_forward(input_ids, params, config):
    return reference.decoder_forward(_as_indices(input_ids, config), params, config)


def decoder_decode(input_ids, cache, params, config):
    return reference.decoder_decode(_as_indices(input_ids, config), cache, params, config)
