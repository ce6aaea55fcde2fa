"""A bfloat16 nn.BatchNorm1d normalises a channel of seven 1000s and one 1004 (exact in bfloat16) with the batch
mean rounded to bfloat16 (1000.5 -> 1000). Exits 1 while an output misses the float64 reference by more than
one bfloat16 rounding of it (2^-8 relative)."""
import sys

import numpy as np
import torch
from torch import nn

x = np.full((2, 1, 4), 1000.0)
x[1, 0, 3] = 1004.0
channel = x[:, 0].ravel()
reference = (x - channel.mean()) / np.sqrt(channel.var() + 1e-5)  # biased variance, float64
bn = nn.BatchNorm1d(1, affine=False, dtype=torch.bfloat16).train()
with torch.no_grad():
    got = bn(torch.tensor(x, dtype=torch.bfloat16)).double().numpy()
err = np.abs(got - reference)
print(f"nn.BatchNorm1d (bfloat16, training): got {got.ravel().tolist()}")
print(f"float64 reference:                   {reference.ravel().round(6).tolist()}")
print(f"max error {err.max():.3g} (allowance: 2^-8 of each reference value)")
sys.exit(1 if np.any(err > np.abs(reference) * 2.0 ** -8) else 0)
