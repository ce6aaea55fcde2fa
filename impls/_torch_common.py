"""The plumbing both PyTorch implementations share (``impls/torch``, ``impls/torch_native``): device placement
and ``asarray`` / ``to_numpy`` / ``vjp`` (the plug-in interface). Nothing here computes a component: what an
implementation computes, and every reshape, mask or check around it, is its own (or ``impls._validate``'s)."""
import os

import numpy as np
import torch

#: where arrays live; ``DLPROPS_DEVICE=cuda`` (set by ``pytest --device cuda``) moves them to the GPU.
DEVICE = torch.device(os.environ.get("DLPROPS_DEVICE", "cpu"))

_ON_CPU = DEVICE.type == "cpu"


def asarray(a):
    """A tensor with ``a``'s dtype and values (bfloat16 arrives as an ``ml_dtypes`` array, of kind "V")."""
    a = np.asarray(a)
    if a.dtype.kind == "V" and a.dtype.name == "bfloat16":  # .name costs ~3 us: asked only of void kinds
        return torch.from_numpy(a.astype(np.float32)).to(DEVICE, torch.bfloat16)
    tensor = torch.from_numpy(np.array(a, copy=True))
    return tensor if _ON_CPU else tensor.to(DEVICE)


def to_numpy(x):
    """A NumPy array for a tensor (bfloat16 becomes an ``ml_dtypes.bfloat16`` array)."""
    x = x.detach().cpu()
    if x.dtype == torch.bfloat16:
        import ml_dtypes
        return x.float().numpy().astype(ml_dtypes.bfloat16)
    return x.numpy()


def vjp(fn, primals, cotangent):
    """Vector-Jacobian product ``cotangent^T d fn / d primals`` by reverse-mode autograd."""
    leaves = tuple(p.detach().clone().requires_grad_(True) for p in primals)
    with torch.enable_grad():
        out = fn(*leaves)
        grads = torch.autograd.grad(out, leaves, grad_outputs=cotangent, allow_unused=True)
    return tuple(torch.zeros_like(p) if g is None else g for p, g in zip(leaves, grads))
