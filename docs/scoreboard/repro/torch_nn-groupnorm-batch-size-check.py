"""nn.GroupNorm(5, 5): one sample of shape (1, 5) (groups of one value) raises ValueError, two samples (2, 5) with
groups exactly as small return (x - x) / sqrt(eps) = 0. The float64 reference is 0 for both. Exits 1 while the
single sample raises."""
import sys

import numpy as np
import torch
from torch import nn

module = nn.GroupNorm(5, 5, affine=False)
reference = np.zeros(5)  # each group is one value: x - mean(x) = 0
with torch.no_grad():
    two = module(torch.arange(10, dtype=torch.float64).reshape(2, 5)).numpy()
print(f"(2, 5): got {two.tolist()}, reference {np.zeros((2, 5)).tolist()}")
try:
    with torch.no_grad():
        one = module(torch.arange(5, dtype=torch.float64).reshape(1, 5)).numpy()
except ValueError as exc:
    print(f"(1, 5): raised ValueError: {exc}; reference {reference.tolist()}")
    sys.exit(1)
print(f"(1, 5): got {one.tolist()}, reference {reference.tolist()}, max error {np.max(np.abs(one - reference)):.3g}")
sys.exit(0)
