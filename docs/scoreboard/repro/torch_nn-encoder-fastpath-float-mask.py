"""nn.TransformerEncoderLayer's eval fast path and a float src_mask: a constant 0.5 mask cannot change softmax,
yet the fast path (no_grad) returns NaN; with autograd on the same call is finite. Exits 1 while it holds."""
import sys

import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True).double().eval()
x = torch.randn(2, 4, 8, dtype=torch.float64)
mask = torch.full((4, 4), 0.5, dtype=torch.float64)
with torch.no_grad():
    fast = layer(x, src_mask=mask).numpy()
    plain = layer(x).numpy()  # what a constant additive mask must give
slow = layer(x, src_mask=mask).detach().numpy()
print("fast path with mask 0.5: NaN entries", int(np.isnan(fast).sum()), "of", fast.size)
print("autograd path with mask 0.5 vs no mask: max |diff|", float(np.max(np.abs(slow - plain))))
sys.exit(1 if np.isnan(fast).any() or np.max(np.abs(np.nan_to_num(fast) - plain)) > 1e-12 else 0)
