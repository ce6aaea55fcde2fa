"""A declared deviation covers only the inputs it concerns: its regime (``properties/regimes.py``).

Inside the regime a failing input is the deviation showing (``xfailed``, ``xpassed`` if none did); outside it the
check is like any other. The planted regression of ``tests/plugins/torch_layer_norm_eps_regression.py`` hides
behind torch_native's LayerNorm deviation, and fails in every dtype.
"""
import pathlib

import pytest
from hypothesis import settings

from properties.loader import PluginError, import_target, load_impls, make_impl
from properties.regimes import magnitudes_above_sqrt_max
from properties.registry import Check
from properties.runner import run_check
from tests.conftest import import_property_modules

PLUGINS = pathlib.Path(__file__).parent / "plugins"


def _run(impl, key, dtype):
    prop = next(p for p in import_property_modules() if p.key == key)
    return run_check(Check(impl, prop, dtype), base_settings=settings.get_profile("mutants"))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("key", ["layer_norm:matches_oracle", "layer_norm:zero_mean_unit_variance"])
def test_a_regression_behind_a_scoped_deviation_fails(key, dtype):
    path = str(PLUGINS / "torch_layer_norm_eps_regression.py")
    impl = make_impl(import_target(path), path)
    record = _run(impl, key, dtype)
    assert record["status"] == "failed", record
    if impl.deviation(*key.split(":"), dtype):  # declared in this dtype: the failure is outside the regime
        assert record["message"].startswith("outside the declared deviation's regime"), record["message"]


def test_the_deviation_still_shows_inside_its_regime():
    (native,) = load_impls([], only=["torch_native"])
    record = _run(native, "layer_norm:finite_for_large_half_inputs", "bfloat16")
    assert record["status"] == "xfailed", record
    assert "in its regime" in record["message"]


def test_the_regime_is_the_magnitudes_past_sqrt_max():
    import numpy as np
    assert magnitudes_above_sqrt_max({"x": np.array([1.0, 200.0], np.float16)}, "float16")
    assert not magnitudes_above_sqrt_max({"x": np.array([1.0, 100.0], np.float16)}, "float16")
    assert magnitudes_above_sqrt_max({"p": [np.array([2e19], np.float32)]}, "float32")
    assert not magnitudes_above_sqrt_max({"x": np.array([1e18]), "n": 3}, "float64")


def test_a_malformed_scoped_declaration_is_a_load_error(tmp_path):
    bad = tmp_path / "bad_scope.py"
    bad.write_text("import numpy as np\nNAME='bad-scope'\nasarray=np.asarray\nto_numpy=np.asarray\n"
                   "KNOWN_DEVIATIONS={('relu', 'matches_oracle'): ('why', 'no such regime')}\n")
    with pytest.raises(PluginError, match="unknown deviation regime"):
        make_impl(import_target(str(bad)), str(bad))


def test_fully_masked_rows_regime():
    import numpy as np
    from properties.regimes import fully_masked_rows
    q, k = np.zeros((1, 1, 3, 4)), np.zeros((1, 1, 2, 4))
    assert fully_masked_rows({"q": q, "k": k, "mask": None, "is_causal": True}, "float32")  # Lq > Lk, bottom-right
    assert not fully_masked_rows({"q": k, "k": q, "mask": None, "is_causal": True}, "float32")
    row_off = np.array([[True, False], [False, False], [True, True]])
    assert fully_masked_rows({"q": q, "k": k, "mask": row_off, "is_causal": False}, "float32")
    assert not fully_masked_rows({"q": q, "k": k, "mask": row_off[[0, 2, 2]], "is_causal": False}, "float32")


def test_groups_offset_from_their_spread_regime():
    """The regime of jax_native's fast variance: a group whose mean is far from zero relative to its spread, per
    each norm's own grouping."""
    from properties.regimes import groups_offset_from_their_spread as offset
    import numpy as np
    spread = np.array([[1.0, -1.0, 0.5, -0.5]])
    shifted = spread + 100.0
    assert not offset({"x": spread, "k": 1}, "float32")
    assert offset({"x": shifted, "k": 1}, "float32")
    # one group per sample (group norm): not offset; per channel (instance norm) it is
    two = np.stack([np.array([0.0, 0.1, 10.0, 10.1]), np.array([1.0, -1.0, 2.0, -2.0])]).reshape(2, 2, 2)
    assert not offset({"x": two, "groups": 1}, "float32")
    assert offset({"x": two}, "float32")  # instance norm: channel (0, 1) is 10 +- 0.1
    # batch norm groups per channel across the batch
    batch = np.array([[5.0, 0.0], [5.001, 1.0]])
    assert offset({"x": batch, "running_mean": np.zeros(2)}, "float32")
    assert not offset({"x": batch[:, 1:], "running_mean": np.zeros(1)}, "float32")
    assert offset({"x": np.array([[1e20, -1e20]]), "k": 1}, "float32")  # past sqrt(max) / 2
