"""A ``rejects_bad_input`` failure lists every bad input the implementation did not reject, in one go: each as the
bad input itself (what is wrong, and the call with the catalogue's argument names and the values that were bad);
a framework error for bad input (RuntimeError, IndexError...) is listed as raised, expected ValueError/TypeError."""
import re
import types

import numpy as np
import pytest
from hypothesis import settings

from properties.loader import builtin, make_impl
from properties.registry import Check
from properties.runner import run_check

CI = settings.get_profile("ci")


def _lenient_layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    if normalized_ndim > x.ndim:
        raise RuntimeError("kernel launch failed")  # a framework error, not a rejection
    if normalized_ndim == 0:
        return x
    dims = tuple(range(-normalized_ndim, 0))
    y = (x - x.mean(axis=dims, keepdims=True)) / np.sqrt(x.var(axis=dims, keepdims=True) + eps)
    if weight is not None:
        y = y * weight.reshape(-1)[:1]  # broadcasts any weight
    return y if bias is None else y + bias.reshape(-1)[:1]


def _check(component, fn):
    module = types.ModuleType("lenient")
    module.NAME, module.asarray, module.to_numpy = "lenient", np.asarray, np.asarray
    setattr(module, component, fn)
    prop = next(p for p in _props() if p.key == f"{component}:rejects_bad_input")
    return Check(make_impl(module, "lenient"), prop, "float32")


def _props():
    from tests.conftest import import_property_modules
    return import_property_modules()


def test_every_bad_input_accepted_is_listed_at_once():
    record = run_check(_check("layer_norm", _lenient_layer_norm), base_settings=CI)
    assert record["status"] == "failed", record
    message = record["message"]
    n = int(re.match(r"layer_norm did not reject (\d+) bad input\(s\): ", message).group(1))
    assert n == 5  # all of them, not the first
    assert "normalized_ndim 0: accepted [layer_norm(x=float32[2, 3, 4], normalized_ndim=0)]" in message
    assert ("normalized_ndim 4 > x.ndim 3: raised RuntimeError: kernel launch failed, expected ValueError/TypeError "
            "[layer_norm(x=float32[2, 3, 4], normalized_ndim=4)]") in message
    assert "weight of shape (1,) for a normalised axis of 4: accepted [layer_norm(x=float32[2, 3, 4], " \
           "normalized_ndim=1, weight=float32[1] [" in message
    assert "bias=float32[5]" in message
    assert len(record["counterexample"].splitlines()) == n


@pytest.mark.parametrize("component", ["layer_norm", "group_norm", "rope"])
def test_a_correct_implementation_still_passes(component):
    prop = next(p for p in _props() if p.key == f"{component}:rejects_bad_input")
    record = run_check(Check(builtin("impls.numpy"), prop, "float32"), base_settings=CI)
    assert record["status"] == "passed" and record["bad_inputs"] >= 5, record
