"""ACT2FN["gelu"] (F.gelu) in float64 gives the same x different values depending on its place in the array.

The array holds one value 24 times: torch's CPU kernel evaluates the first 16 elements in its vectorised body and
the last 8 in its remainder loop, whose erf rounds differently. Exits 1 while the 24 results are not all equal."""
import math
import sys

import numpy as np
import torch
from transformers.activations import ACT2FN

x = -1.8628444221791545
y = ACT2FN["gelu"](torch.full((24,), x, dtype=torch.float64)).numpy()
ref = 0.5 * x * math.erfc(-x / math.sqrt(2.0))  # float64 reference
print(f"x = {x!r}: gelu at position 0: {y[0]!r}, at position 23: {y[23]!r}; float64 reference {ref!r}; "
      f"positions with a value other than position 0's: {np.flatnonzero(y != y[0]).tolist()}")
sys.exit(1 if np.any(y != y[0]) else 0)
