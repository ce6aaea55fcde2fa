"""LlamaRMSNorm computes a float64 input in float32: float32 accuracy, and eps lost next to mean(x^2).

Exits 1 while the float64 result differs from the float64 formula by more than a few float64 roundings."""
import sys

import numpy as np
import torch
from transformers.models.llama.modeling_llama import LlamaRMSNorm

x = np.array([-10.063383], dtype=np.float64)
eps = 1e-6
norm = LlamaRMSNorm(1, eps=eps).double()  # weight 1, as initialised, in float64
with torch.no_grad():
    got = norm(torch.from_numpy(x)).numpy()
ref = x / np.sqrt(np.mean(x * x) + eps)  # float64 reference
err = float(np.max(np.abs(got - ref)))
print(f"LlamaRMSNorm (float64): {got[0]!r}\nfloat64 reference:      {ref[0]!r}\nabs error: {err:.3g}")
sys.exit(1 if err > 16 * np.finfo(np.float64).eps else 0)
