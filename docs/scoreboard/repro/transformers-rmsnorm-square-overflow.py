"""LlamaRMSNorm squares the input in float32: |x| > 1.8e19 overflows mean(x^2) to inf and the output is 0.

Exits 1 while the float32 result of x = -8.5e37 is not -1 (x / |x|)."""
import sys

import numpy as np
import torch
from transformers.models.llama.modeling_llama import LlamaRMSNorm

x = np.array([-8.507059e37], dtype=np.float32)
eps = 1e-6
with torch.no_grad():
    got = LlamaRMSNorm(1, eps=eps)(torch.from_numpy(x)).numpy()
x64 = x.astype(np.float64)
ref = x64 / np.sqrt(np.mean(x64 * x64) + eps)  # float64 holds x^2 = 7e75
err = float(np.max(np.abs(got - ref)))
print(f"LlamaRMSNorm (float32): {got[0]!r}\nfloat64 reference:      {ref[0]!r}\nabs error: {err:.3g}")
sys.exit(1 if err > 4 * np.finfo(np.float32).eps else 0)
