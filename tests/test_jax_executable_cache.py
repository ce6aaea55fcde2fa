"""``impls._jax_jit.jit`` (``impls.jax._jit`` re-exports it): executables kept on disk and found again without
tracing (issue 9: JAX as cheap per check as NumPy; tracing and lowering were ~25-35 ms of every executable in
every process)."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

from impls import _jax_jit as _jit  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

# A norm-like kernel (reduction fusions): XLA:CPU drops the code of such an executable when one that JAX's
# persistent cache served (written by an earlier process) is serialized again; loading it then fails with
# NOT_FOUND: Function ... not found. So: one process fills JAX's cache, the next stores ours, a third loads it.
SCRIPT = textwrap.dedent('''
    import json, sys
    import jax, jax.numpy as jnp, numpy as np
    from impls._jax_jit import jit

    traces = []
    jax.monitoring.register_event_duration_secs_listener(
        lambda name, d, **_: traces.append(name) if name.endswith("jaxpr_trace_duration") else None)

    def normalize(x, eps, k):
        d = x - jnp.mean(x, axis=-1, keepdims=True)
        return d * jax.lax.rsqrt(jnp.mean(d * d, axis=-1, keepdims=True) + eps) + jnp.sum(jnp.abs(x)) / k

    x = np.arange(12, dtype=np.float32).reshape(3, 4) ** 2
    x, row = jax.device_put(x), jax.device_put(x[:1])
    before = len(traces)
    kernel = jit(normalize, static_argnames=("k",)) if sys.argv[1] == "kernel" else \\
        jax.jit(normalize, static_argnames=("k",))
    out = [np.asarray(kernel(x, 0.5, k=4)).tolist(), np.asarray(kernel(row, 2.0, k=3)).tolist()]
    print(json.dumps({"traces": len(traces) - before, "out": out}))
''')


def _run(tmp_path, mode):
    env = {**os.environ, "DLPROPS_JAX_CACHE": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(tmp_path / "normalize.py"), mode], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_later_process_loads_without_tracing(tmp_path):
    (tmp_path / "normalize.py").write_text(SCRIPT)
    plain = _run(tmp_path, "jax.jit")  # fills JAX's own persistent cache
    stored = _run(tmp_path, "kernel")
    assert stored == {"traces": 2, "out": plain["out"]}
    assert len(list((tmp_path / "cache" / "executables").rglob("*.pkl"))) == 2
    assert _run(tmp_path, "kernel") == {"traces": 0, "out": plain["out"]}


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setattr(_jit, "EXECUTABLES", tmp_path)
    return tmp_path


def _affine(x, w, eps, mode):
    return x * w + eps if mode == "add" else x * w * eps


def test_one_executable_per_signature(cache):
    kernel = _jit.jit(_affine, static_argnames=("mode",))
    x, w = jnp.ones((2, 3), jnp.float32), jnp.full((3,), 2.0, jnp.float32)
    kernel(x, w, 1.0, mode="add")
    kernel(x + 1, w, 3.0, mode="add")  # new values, same signature
    assert kernel.cache_size() == 1
    kernel(x, w, 1.0, "mul")  # a static option, positional or by name
    kernel(x, w, 1.0, mode="mul")
    assert kernel.cache_size() == 2
    kernel(x.astype(jnp.float64), w, 1.0, mode="add")  # dtype
    kernel(x[:1], w, 1.0, mode="add")  # shape
    kernel(x, w, jnp.float32(1.0), mode="add")  # a float32 scalar is not a weak-typed Python float
    assert kernel.cache_size() == 5
    kernel(x, w, np.float32(2.0), mode="add")  # a NumPy scalar is a float32 0-d array to jit, as above
    assert kernel.cache_size() == 5
    assert len(list(cache.rglob("*.pkl"))) == 5


def test_results_equal_jax_jit(cache):
    kernel = _jit.jit(_affine, static_argnames=("mode",))
    plain = jax.jit(_affine, static_argnames=("mode",))
    x, w = jnp.asarray(np.random.default_rng(0).standard_normal((4, 3)), jnp.float32), jnp.ones(3, jnp.float32)
    for mode in ("add", "mul"):
        for eps in (0.5, np.float32(0.5)):
            got, want = kernel(x, w, eps, mode=mode), plain(x, w, eps, mode=mode)
            assert got.dtype == want.dtype and got.weak_type == want.weak_type
            np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    np.testing.assert_array_equal(np.asarray(kernel(np.ones((4, 3), np.float32), w, 1.0, mode="add")),
                                  np.asarray(plain(np.ones((4, 3), np.float32), w, 1.0, mode="add")))


def _combine(x, w, mode):
    return x * w if mode == "mul" else x + w


def test_plain_calls_are_found_by_shape_dtype_weak_type_and_option(cache, monkeypatch):
    # a call of concrete arrays and static options skips the pytree flattening: it must find the executable the
    # general path would, telling apart every option value, shape, dtype and weak type
    kernel, plain = _jit.jit(_combine, static_argnames=("mode",)), jax.jit(_combine, static_argnames=("mode",))
    x = jnp.asarray(np.random.default_rng(1).standard_normal((2, 3)), jnp.float32)
    calls = [((x, x), {"mode": "add"}), ((x, x, "mul"), {}), ((x, x), {"mode": "mul"}),
             ((x.astype(jnp.float64), x), {"mode": "add"}), ((x[:1], x), {"mode": "add"}),
             ((x, jnp.asarray(2.0)), {"mode": "mul"}), ((x, jnp.asarray(2.0, jnp.float32)), {"mode": "mul"})]
    first = [kernel(*args, **kwargs) for args, kwargs in calls]
    assert len(kernel._plain) == len(calls) and kernel.cache_size() == 6  # "mul" by position or by name: one
    monkeypatch.setattr(kernel, "_executable", None)  # a second round never reaches the general path
    for (args, kwargs), got in zip(calls, first):
        again, want = kernel(*args, **kwargs), plain(*args, **kwargs)
        for result in (got, again):
            assert result.dtype == want.dtype and result.weak_type == want.weak_type
            np.testing.assert_array_equal(np.asarray(result), np.asarray(want))


def _traces(fn):
    """How many times JAX traced a function while ``fn`` ran."""
    seen = []
    listener = lambda name, d, **_: seen.append(name) if name.endswith("jaxpr_trace_duration") else None
    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        fn()
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)
    return len(seen)


def test_reverse_mode_autodiff_runs_stored_executables(cache):
    x, w = jnp.asarray([0.5, -1.0, 2.0], jnp.float32), jnp.asarray([2.0, 3.0, -1.0], jnp.float32)
    ct = jnp.asarray([1.0, 0.5, -2.0], jnp.float32)
    want = jax.vjp(lambda x, w: _affine(x, w, 1.5, "mul"), x, w)[1](ct)
    first = _jit.jit(_affine, static_argnames=("mode",))
    got = jax.vjp(lambda x, w: first(x, w, 1.5, mode="mul"), x, w)[1](ct)
    for g, e in zip(got, want):  # the same operations as jax.vjp of the plain function: the same bits
        np.testing.assert_array_equal(np.asarray(g), np.asarray(e))
    assert sorted(p.name.split("-")[0] for p in cache.rglob("*.pkl")) == [
        f"{__name__}._affine", f"{__name__}._affine.vjp"]  # the forward pass and the pullback
    again = _jit.jit(_affine, static_argnames=("mode",))  # a new process's kernel: nothing in memory
    assert _traces(lambda: jax.vjp(lambda x, w: again(x, w, 1.5, mode="mul"), x, w)[1](ct)) == 0


def test_the_forward_pass_under_autodiff_reuses_the_plain_calls_executable(cache):
    # custom_vjp hands a Python float over as JAX's typed float: the same executable to jit, the same key here
    kernel = _jit.jit(_affine, static_argnames=("mode",))
    x, w = jnp.asarray([0.5, -1.0], jnp.float32), jnp.asarray([2.0, 3.0], jnp.float32)
    kernel(x, w, 1.5, mode="mul")
    jax.vjp(lambda x: kernel(x, w, 1.5, mode="mul"), x)[1](jnp.ones(2, jnp.float32))
    assert sorted(p.name.split("-")[0] for p in cache.rglob("*.pkl")) == [
        f"{__name__}._affine", f"{__name__}._affine.vjp"]  # no second forward executable


def test_other_transformations_trace_as_jax_jit_would(cache):
    kernel = _jit.jit(_affine, static_argnames=("mode",))
    x, w = jnp.arange(3.0, dtype=jnp.float32), jnp.full((3,), 2.0, jnp.float32)
    second = jax.grad(lambda x: jax.grad(lambda x: (kernel(x, w, 1.0, mode="mul") ** 2).sum())(x).sum())(x)
    np.testing.assert_array_equal(np.asarray(second), np.full(3, 8.0, np.float32))
    staged = jax.jit(jax.grad(lambda x: kernel(x, w, 1.0, mode="mul").sum()))(x)
    np.testing.assert_array_equal(np.asarray(staged), np.full(3, 2.0, np.float32))
    mapped = jax.vmap(lambda x: kernel(x, w, 1.0, mode="add"))(jnp.ones((2, 3), jnp.float32))
    np.testing.assert_array_equal(np.asarray(mapped), np.full((2, 3), 3.0, np.float32))


def test_a_corrupt_entry_is_compiled_again(cache):
    x, w = jnp.ones((2, 3), jnp.float32), jnp.ones(3, jnp.float32)
    _jit.jit(_affine, static_argnames=("mode",))(x, w, 1.0, mode="add")
    [entry] = cache.rglob("*.pkl")
    entry.write_bytes(b"not an executable")
    fresh = _jit.jit(_affine, static_argnames=("mode",))  # a new process's kernel: nothing in memory
    np.testing.assert_array_equal(np.asarray(fresh(x, w, 1.0, mode="add")), np.full((2, 3), 2.0, np.float32))
    assert entry.read_bytes() != b"not an executable"
    again = _jit.jit(_affine, static_argnames=("mode",))
    np.testing.assert_array_equal(np.asarray(again(x, w, 1.0, mode="add")), np.full((2, 3), 2.0, np.float32))


def test_no_disk_without_a_cache_folder(monkeypatch):
    monkeypatch.setattr(_jit, "EXECUTABLES", None)
    monkeypatch.setattr(_jit, "_write", lambda *_: pytest.fail("wrote an executable with the cache off"))
    kernel = _jit.jit(_affine, static_argnames=("mode",))
    out = kernel(jnp.ones(2, jnp.float32), jnp.ones(2, jnp.float32), 1.0, mode="add")
    np.testing.assert_array_equal(np.asarray(out), np.full(2, 2.0, np.float32))


def test_the_key_changes_with_the_source(cache, tmp_path, monkeypatch):
    package = tmp_path / "kernels_pkg"
    package.mkdir()
    (package / "mod.py").write_text("def f(x):\n    return x + 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import kernels_pkg.mod as mod
    key = ((), (), ())
    before = _jit._entry_path("kernels_pkg.mod.f", mod.__name__, key)
    (package / "mod.py").write_text("def f(x):\n    return x + 2\n")
    _jit._fingerprint.cache_clear()
    assert _jit._entry_path("kernels_pkg.mod.f", mod.__name__, key) != before


def test_only_the_most_recently_used_source_versions_are_kept(cache):
    for age in range(_jit.KEEP + 3):  # groups left by earlier versions of the sources, the oldest first
        folder = cache / f"old{age:02d}"
        folder.mkdir()
        (folder / "k-1.pkl").write_bytes(b"x")
        os.utime(folder, (1e9 + age, 1e9 + age))
    _jit._group.cache_clear()
    current = _jit._group(cache, _jit._fingerprint(_jit.__name__))
    kept = {p.name for p in cache.iterdir()}
    assert kept == {current.name} | {f"old{age:02d}" for age in range(4, _jit.KEEP + 3)}


def test_another_cpu_gets_another_folder(monkeypatch):
    # XLA:CPU compiles for the host's instruction set: a shared cache folder must not serve another CPU
    _jit._fingerprint.cache_clear()
    here = _jit._fingerprint(_jit.__name__)
    monkeypatch.setattr(_jit, "_host_cpu", lambda: "model name : another\nflags : sse2")
    _jit._fingerprint.cache_clear()
    try:
        assert _jit._fingerprint(_jit.__name__) != here
    finally:
        _jit._fingerprint.cache_clear()


def _scaled(x, k, w, *, eps):
    return x * w * k + eps


@pytest.mark.parametrize("by_name", [False, True])
def test_reverse_mode_keeps_a_static_argument_in_its_place(cache, by_name):
    kernel = _jit.jit(_scaled, static_argnames=("k",))
    x, w = jnp.asarray([1.0, 2.0], jnp.float32), jnp.asarray([3.0, -1.0], jnp.float32)
    call = (lambda x: kernel(x, k=2, w=w, eps=0.5)) if by_name else (lambda x: kernel(x, 2, w, eps=0.5))
    out, pullback = jax.vjp(call, x)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(_scaled(x, 2, w, eps=0.5)))
    np.testing.assert_array_equal(np.asarray(pullback(jnp.ones(2, jnp.float32))[0]), np.asarray(2 * w))


def _inner(x, y, *, power):
    return x ** power + y


def test_a_kernel_traced_inside_another_keeps_its_keyword_only_options(cache):
    # traced inside an outer kernel (a cold run: the outer one is not stored yet), under autodiff too
    inner = _jit.jit(_inner, static_argnames=("power",))
    outer = _jit.jit(lambda x, y: inner(x, y, power=2) * 3)
    x, y = jnp.asarray([1.0, 2.0], jnp.float32), jnp.asarray([0.5, 0.5], jnp.float32)
    np.testing.assert_array_equal(np.asarray(outer(x, y)), np.asarray((x ** 2 + y) * 3))
    grad = jax.vjp(lambda x: outer(x, y), x)[1](jnp.ones(2, jnp.float32))[0]
    np.testing.assert_array_equal(np.asarray(grad), np.asarray(6 * x))
