"""nn.LayerNorm / nn.RMSNorm / nn.BatchNorm1d / nn.InstanceNorm1d square x in its own range: for |x| above
~sqrt(dtype max) the output is NaN or 0 where the float64 reference (computed on x / max|x|) is +-1. Exits 1 while
any output misses the reference by more than 1e-3 (the outputs are O(1))."""
import sys

import numpy as np
import torch
from torch import nn


def standardise(a, axis):
    """(a - mean) / std along axis, in float64 with a pre-scaling that cannot overflow (eps negligible)."""
    s = a / np.max(np.abs(a))
    return (s - s.mean(axis=axis, keepdims=True)) / s.std(axis=axis, keepdims=True)


x = np.array([[-1e20, 1.0], [1.0, 1e20]])  # float32 max is 3.4e38: x^2 overflows
cases = {
    "LayerNorm(2)": (nn.LayerNorm(2, elementwise_affine=False), x, standardise(x, 1)),
    "RMSNorm(1)": (nn.RMSNorm(1, eps=1e-6, elementwise_affine=False), x[:, :1], np.sign(x[:, :1])),
    "BatchNorm1d(2)": (nn.BatchNorm1d(2, affine=False), x, standardise(x, 0)),
    "InstanceNorm1d(1)": (nn.InstanceNorm1d(1), x[:, None, :], standardise(x, 1)[:, None, :]),
}
failed = False
for name, (module, a, reference) in cases.items():
    with torch.no_grad():
        got = module(torch.tensor(a, dtype=torch.float32)).double().numpy()
    err = np.max(np.abs(got - reference)) if np.all(np.isfinite(got)) else np.inf
    print(f"{name} (float32, x = {a.ravel().tolist()}): got {got.ravel().tolist()}, "
          f"reference {reference.ravel().tolist()}, max error {err:.3g}")
    failed |= not err <= 1e-3
sys.exit(1 if failed else 0)
