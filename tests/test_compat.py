"""The private APIs the suite uses (``impls/_compat.py``, ``properties/compat.py``): each fast path's flag is on
with the pinned versions — a failure here names the API that changed and says its fast path is off — and the
suite gives the same results on the public fallbacks."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings

from impls import _compat as impl_compat
from properties import compat, draw_state, replicas
from properties import strategies

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("module, flag", [(impl_compat, f) for f in impl_compat.FLAGS] +
                         [(compat, f) for f in compat.FLAGS])
def test_fast_path_is_on(module, flag):
    if module is impl_compat:
        pytest.importorskip("jax")
    assert getattr(module, flag), f"{module.__name__}.{flag}: {module.PROBLEMS.get(flag, 'off')}"


def test_a_changed_api_is_named_with_its_version(monkeypatch):
    # what the failure above says when a private API is gone: the distribution, its version, the API
    monkeypatch.setattr(impl_compat, "PROBLEMS", {})
    assert impl_compat._off("ARRAY_IMPL", "jax", "jax._src.array.ArrayImpl", "import failed") is False
    message = impl_compat.PROBLEMS["ARRAY_IMPL"]
    assert message.startswith(f"jax {impl_compat._version('jax')} changed jax._src.array.ArrayImpl; "
                              "the fast path is off")


# ------------------------------------------------------------------------------------------ JAX fallbacks
@pytest.fixture
def jax_off(monkeypatch, tmp_path):
    """A function that turns the given impls._compat flags off (and keeps kernels' executables in tmp_path)."""
    pytest.importorskip("jax")
    from impls import _jax_jit
    monkeypatch.setattr(_jax_jit, "EXECUTABLES", tmp_path)

    def off(*flags):
        for flag in flags:
            monkeypatch.setattr(impl_compat, flag, False)
    return off


def _inputs(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(dtype) for shape in ((3, 5), (2, 4, 6))
            for dtype in (np.float32, np.float64)]


def _jax_results():
    import impls.jax as J
    import impls.jax_native as JN
    out = []
    for x in _inputs():
        for impl in (J, JN):
            a = impl.asarray(x)
            out.append(impl.to_numpy(impl.softmax(a, axis=-1)))
            out.append(impl.to_numpy(impl.layer_norm(a, 1, eps=1e-5)))
            grad = impl.vjp(lambda v: impl.log_softmax(v, axis=0), (a,), impl.asarray(np.ones_like(x)))[0]
            out.append(impl.to_numpy(grad))
    return out


def test_jax_results_equal_on_the_fallbacks(jax_off):
    fast = _jax_results()
    jax_off("ARRAY_IMPL", "FAST_TRANSFER", "JIT_CACHE_SIZE")
    slow = _jax_results()
    assert len(fast) == len(slow)
    for a, b in zip(fast, slow):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


def test_public_transfer_is_a_committed_copy(jax_off):
    import jax
    from impls import _jax_common
    jax_off("FAST_TRANSFER")
    x = np.arange(6, dtype=np.float32).reshape(2, 3).T
    out = _jax_common.asarray(x)
    x[0, 0] = 99
    assert isinstance(out, jax.Array) and out.devices() == {_jax_common.DEVICE}
    np.testing.assert_array_equal(np.asarray(out), np.arange(6, dtype=np.float32).reshape(2, 3).T)


def test_cache_size_counts_on_the_fallback(jax_off):
    import jax
    import jax.numpy as jnp
    from impls._jax_jit import jit
    jax_off("JIT_CACHE_SIZE", "ARRAY_IMPL")
    kernel = jit(lambda x, k: x * k, static_argnames=("k",))
    kernel(jnp.ones(3, jnp.float32), k=2)
    assert kernel.cache_size() == 1
    outer = jax.jit(lambda x: kernel(x, k=3))  # a tracer: jax.jit's own path
    outer(jnp.ones(3, jnp.float32))
    outer(jnp.ones(4, jnp.float32))
    assert kernel.cache_size() == 3


# ----------------------------------------------------------------------------------- Hypothesis fallbacks
def _replicas(strategy, n=8):
    """The arrays of replicas 0-3 of ``n`` derandomized examples of ``strategy``, in a run of their own: what a
    strategy is (remembered by id, in the run's state) is decided again under the flag in force."""
    seen = []

    @settings(derandomize=True, max_examples=n, database=None, deadline=None)
    @given(replicas.Replicable(strategy))
    def run(recipe):
        seen.append([recipe.replica(i, 4) for i in range(4)])

    with draw_state.running():
        run()
    return seen


@strategies.composite
def _case(draw, dtype):
    shape = draw(strategies.shapes(1, 3))
    return {"x": draw(strategies.arrays(shape, dtype)), "axis": draw(strategies.axes(len(shape)))}


@strategies.composite
def _pair(draw):
    return draw(_case("float32")), draw(_case("float64"))


def _flatten(value):
    if isinstance(value, dict):
        return [(k, v) for key in sorted(value) for k, v in _flatten(value[key])]
    if isinstance(value, (tuple, list)):
        return [item for v in value for item in _flatten(v)]
    return [(type(value).__name__, value)]


def test_replicas_equal_on_the_public_fallback(monkeypatch):
    fast = _replicas(_pair())
    monkeypatch.setattr(compat, "COMPOSITE", False)
    slow = _replicas(_pair())
    assert len(fast) == len(slow) > 0
    for a, b in zip(fast, slow):
        for (ka, va), (kb, vb) in zip(_flatten(a), _flatten(b)):
            assert ka == kb
            np.testing.assert_array_equal(va, vb)
    # replicas are re-made (fresh values), not copies of replica 0
    assert any(not np.array_equal(example[0][0]["x"], example[1][0]["x"]) for example in slow)


def test_database_key_fallback_leaves_the_test_alone(monkeypatch):
    def body():
        pass
    monkeypatch.setattr(compat, "DATABASE_KEY", False)
    compat.add_database_key(body, b"check")
    assert not hasattr(body, "_hypothesis_internal_add_digest")


# ------------------------------------------------------------------------------- the suite on the fallback
def _statuses(tmp_path, name, env):
    report = tmp_path / f"{name}.json"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "properties/test_activations.py", "-n", "2",
         "--hypothesis-profile=ci", "--only-impls", "jax_native,torch_native", "-k", "softmax and float32",
         "--report-json", str(report), "--report-html", ""],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=600)
    assert report.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads(report.read_text())["results"]
    return {(r["impl"], r["component"], r["property"], r["dtype"]): r["status"] for r in results}, done


def test_the_suite_gives_the_same_verdicts_on_every_fallback(tmp_path):
    fast, _ = _statuses(tmp_path, "fast", {"DLPROPS_NO_FAST_PATHS": ""})
    slow, done = _statuses(tmp_path, "slow", {"DLPROPS_NO_FAST_PATHS": "1"})
    assert fast and slow == fast, done.stdout[-3000:]
