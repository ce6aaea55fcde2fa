"""nn.MultiheadAttention in eval mode under no_grad (its fast path) returns NaN for a query whose keys are all
masked; the float64 reference (probabilities 0, so the output is out_proj.bias) and the same module with autograd
on give the bias. Exits 1 while the fast-path output is not finite."""
import sys

import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
mha = nn.MultiheadAttention(8, 2, batch_first=True, dtype=torch.float64).eval()
x = torch.randn(2, 3, 8, dtype=torch.float64)
key_padding_mask = torch.tensor([[False, False, True], [True, True, True]])  # True = padding; sample 1: all keys
with torch.no_grad():
    fast = mha(x, x, x, key_padding_mask=key_padding_mask, need_weights=False)[0]
slow = mha(x, x, x, key_padding_mask=key_padding_mask, need_weights=False)[0].detach()  # autograd on: no fast path
reference = mha.out_proj.bias.detach().numpy()  # a row with no allowed key attends nothing: 0 @ V, then + bias
print(f"fast path (no_grad), sample 1 query 0: {fast[1, 0].numpy().round(6).tolist()}")
print(f"grad enabled,         sample 1 query 0: {slow[1, 0].numpy().round(6).tolist()}")
print(f"reference (out_proj.bias):              {reference.round(6).tolist()}")
print(f"max error of the fast path: {np.max(np.abs(fast[1].numpy() - reference)):.3g}")
sys.exit(0 if np.all(np.isfinite(fast.numpy())) else 1)
