"""How every component here runs a module: built once per configuration, loaded, called.

``build`` caches one module per constructor configuration (construction draws a random initialisation that is
overwritten anyway). ``call`` gives the module the caller's parameters and buffers and runs it:

* for inference (no tensor requires a gradient) as model code does: the values are copied in with
  ``load_state_dict(strict=True)`` (so no stale value of an earlier call survives) and the module is called under
  ``torch.no_grad()`` - the condition under which ``nn.MultiheadAttention`` and ``nn.TransformerEncoderLayer``
  take their fused fast path in eval mode;
* when a gradient is wanted, with ``torch.func.functional_call``: the given tensors stand in for the module's
  parameters, so autograd reaches them (a copy into the module's own parameters would cut the graph).
"""
import functools

import torch

from impls._torch_common import DEVICE


def meta(x):
    """``(shape, dtype)`` of a tensor, None for an absent optional one (what ``impls._validate`` takes)."""
    return None if x is None else (tuple(x.shape), x.dtype)


@functools.lru_cache(maxsize=64)
def build(cls, *args, **kwargs):
    """``cls(*args, **kwargs)``: one instance per configuration (modules with parameters: see ``build_on``)."""
    return cls(*args, **kwargs)


def build_on(cls, *args, dtype, **kwargs):
    """A module with parameters or buffers, built in ``dtype`` on the implementation's device."""
    return build(cls, *args, device=DEVICE, dtype=dtype, **kwargs)


def _needs_grad(tensors):
    return torch.is_grad_enabled() and any(isinstance(t, torch.Tensor) and t.requires_grad for t in tensors)


def call(module, state, *args, stateful=False, **kwargs):
    """``module(*args, **kwargs)`` with its parameters and buffers set to ``state`` (every one of them).

    With ``stateful`` it returns ``(output, state after the call)``: the buffers a module updates in place (batch
    norm's running statistics) are read back."""
    if _needs_grad([*state.values(), *args]):
        # functional_call runs on the given tensors themselves: in-place buffer updates land in ``state``
        out = torch.func.functional_call(module, state, args, kwargs, strict=True)
        return (out, state) if stateful else out
    with torch.no_grad():
        module.load_state_dict(state, strict=True)
        out = module(*args, **kwargs)
    if not stateful:
        return out
    return out, {name: value.detach().clone() for name, value in module.state_dict().items()}
