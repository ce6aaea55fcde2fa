"""PyTorch's own LayerNorm with a planted regression behind a declared deviation: ``eps=1e-2`` whatever is passed.

It declares exactly ``impls.torch_native``'s deviations, among them the overflow of F.layer_norm for magnitudes
past sqrt(dtype max) on ``matches_oracle`` and ``zero_mean_unit_variance``. Scoped to that regime, the
declaration no longer hides the regression: ``tests/test_scoped_deviations.py`` shows both properties fail in
every dtype (unscoped, they were reported ``xfailed`` in all four).
"""
from impls import torch_native as _native
from impls.torch_native import DTYPES, KNOWN_DEVIATIONS, asarray, to_numpy, vjp  # noqa: F401

NAME = "torch-layer-norm-eps-regression"


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    return _native.layer_norm(x, normalized_ndim, weight, bias, eps=1e-2)  # BUG: eps fixed at 1e-2
