"""nn.BCEWithLogitsLoss in float16 and bfloat16 computes in the half dtype: 1.1 ulps off for x = 1.194, t = 0.4133
(no cancellation there). Exits 1 while the result is not the float64 reference rounded to the dtype (its nearest
neighbour), which float32 arithmetic rounded once gives."""
import sys

import numpy as np
import torch
from torch import nn

failed = False
for dtype in (torch.float16, torch.bfloat16):
    x, t = torch.tensor([1.194336], dtype=dtype), torch.tensor([0.41333], dtype=dtype)
    x64, t64 = x.double().numpy(), t.double().numpy()
    reference = float(((1 - t64) * x64 + np.log1p(np.exp(-x64)))[0])  # softplus(-x) for x > 0, float64
    got = nn.BCEWithLogitsLoss(reduction="none")(x, t).item()
    nearest = torch.tensor(reference, dtype=torch.float64).to(dtype).item()
    print(f"{dtype}: nn.BCEWithLogitsLoss = {got!r}, float64 reference {reference!r} (rounded: {nearest!r}), "
          f"relative error {abs(got - reference) / reference:.3g}")
    failed |= got != nearest
sys.exit(1 if failed else 0)
