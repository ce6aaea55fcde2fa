"""LlamaRotaryEmbedding's cos/sin are float32 values even for float64 x: the float64 rotation is not orthogonal.

Exits 1 while the pair's norm after rotation differs from before by more than a few float64 roundings."""
import sys

import numpy as np
import torch
from transformers import LlamaConfig
from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding, apply_rotary_pos_emb

x = np.array([0.040505, -1.691853])  # one pair (D = 2), float64
config = LlamaConfig(hidden_size=2, num_attention_heads=1, head_dim=2, rope_theta=10000.0)
xt = torch.from_numpy(x).reshape(1, 1, 1, 2)
cos, sin = LlamaRotaryEmbedding(config)(xt, torch.tensor([[1]]))
got, _ = apply_rotary_pos_emb(xt, xt, cos, sin)
got = got.numpy().ravel()
ref = np.array([x[0] * np.cos(1.0) - x[1] * np.sin(1.0), x[1] * np.cos(1.0) + x[0] * np.sin(1.0)])
print(f"rotated at position 1: {got.tolist()}\nfloat64 reference:     {ref.tolist()}")
print(f"pair norm before {np.hypot(*x)!r}, after {np.hypot(*got)!r}")
err = abs(np.hypot(*got) - np.hypot(*x)) / np.hypot(*x)
print(f"relative norm change: {err:.3g}")
sys.exit(1 if err > 8 * np.finfo(np.float64).eps else 0)
