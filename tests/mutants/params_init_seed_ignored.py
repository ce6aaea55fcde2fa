"""init_transformer_params drawing from an unseeded generator (``np.random.default_rng()``): the ``seed``
argument is accepted and ignored.

Real bug class: the seed plumbed through the signature but not into the generator (or a global RNG used
instead of the passed one), so runs are not reproducible. Shapes and counts are right. Caught by:
init_transformer_params is deterministic in its seed.
"""
import numpy as np

from impls._validate import params as _v
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import count_parameters  # noqa: F401  (correct, so the element counts still agree)
from impls.numpy.params import _attention, _ffn, _Init, _norm

NAME = "mutant-params-init-seed-ignored"
DTYPES = ("float32",)


def init_transformer_params(config, *, seed):
    cfg = _v.check_config(config)
    _v.check_seed(seed, "init_transformer_params")
    init = _Init(None)  # BUG: the seed never reaches the generator
    init.rng = np.random.default_rng()
    embed = {"tokens": init.normal(cfg.vocab_size, cfg.d_model)}
    if cfg.positional == "learned":
        embed["positions"] = init.normal(cfg.max_positions, cfg.d_model)
    layers = [{"attn_norm": _norm(cfg, init), "attn": _attention(cfg, init),
               "ffn_norm": _norm(cfg, init), "ffn": _ffn(cfg, init)} for _ in range(cfg.n_layers)]
    params = {"embed": embed, "layers": layers, "final_norm": _norm(cfg, init)}
    if not cfg.tie_embeddings:
        params["lm_head"] = {"weight": init.normal(cfg.d_model, cfg.vocab_size)}
    return params
