"""init_transformer_params allocating wk and wv (and their biases) with ``n_heads`` heads instead of
``n_kv_heads``: every GQA/MQA config gets full-size K/V projections.

Real bug class: grouped-query attention wired into the attention code but not into the initialiser (the
projections sized ``d_model x d_model``); the model still runs if K/V are repeated, but has the wrong
parameters. Correct for MHA configs. Caught by: init shapes match the config, and the comparison with the
oracle's shapes.
"""
import dataclasses

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import params as numpy_params
from tests.patching import patched

NAME = "mutant-params-init-kv-heads-ignored"
DTYPES = ("float32",)
CATCHES = ("init_transformer_params:matches_oracle", "init_transformer_params:shapes_match_config")


def _attention(cfg, init):
    """The reference's attention parameters with ``n_kv_heads = n_heads`` (BUG: wk/wv sized for MHA)."""
    return numpy_params._attention(dataclasses.replace(cfg, n_kv_heads=cfg.n_heads), init)


init_transformer_params = patched(numpy_params, _attention=_attention).init_transformer_params
