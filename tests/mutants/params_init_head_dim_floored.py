"""init_transformer_params that accepts ``d_model % n_heads != 0`` and floors the head dim
(``d_model // n_heads``): d_model=8 with 3 heads silently builds 3 heads of 2, a 6-wide attention.

Real bug class: a missing divisibility check around an integer division; the model is built with a
projection narrower than d_model instead of an error. Correct for valid configs. Caught by:
init_transformer_params ``rejects_bad_input`` (n_heads not dividing d_model).
"""
import dataclasses
import types

from impls._validate import params as params_checks
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import params as numpy_params
from tests.patching import patched

NAME = "mutant-params-init-head-dim-floored"
DTYPES = ("float32",)
CATCHES = ("init_transformer_params:rejects_bad_input",)


def _check_config(config):
    """The shared config check run on ``d_model`` rounded down to a multiple of ``n_heads`` (BUG), the real
    ``d_model`` kept, so ``head_dim = d_model // n_heads`` silently floors."""
    d_model, heads = (config.get("d_model"), config.get("n_heads")) if isinstance(config, dict) else (None, None)
    if not (isinstance(d_model, int) and isinstance(heads, int) and heads > 0):
        return params_checks.check_config(config)
    rounded = max(d_model - d_model % heads, heads)
    return dataclasses.replace(params_checks.check_config(dict(config, d_model=rounded)), d_model=d_model)


# NumPy's init with this file's config check in its validation module
_v = types.SimpleNamespace(**{**vars(params_checks), "check_config": _check_config})
init_transformer_params = patched(numpy_params, _v=_v).init_transformer_params
