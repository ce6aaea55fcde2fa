"""The JAX implementations are built to compile little (issue 9: JAX as cheap per check as NumPy).

- half-precision inputs run the float32 executable (``impls.jax._util.half_in_float32``): no new kernel
  compilation, the same values as computing in float32 and rounding once, pass-through otherwise;
- an absent weight/bias is passed as ones/zeros (``filled``): one kernel per shape, not per combination;
- ``asarray`` transfers without a compilation and copies its input;
- kernels run on canonical shapes, reshaped on the host: norms on ``(rows, features)`` or ``(N, C, S)``, the
  feed-forward on ``(positions, d)``, attention with ``w_qkv`` split into ``wq wk wv``, KL on ``(before, n,
  after)``;
- options that are values, not structure, are traced (bert's ``eps``), and an absent attention bias is zeros.
"""
import contextlib
import logging

import ml_dtypes
import numpy as np
import pytest

jax = pytest.importorskip("jax")
import impls.jax as J  # noqa: E402
import impls.jax_native as JN  # noqa: E402
from impls.jax import _util  # noqa: E402

HALF = (np.float16, ml_dtypes.bfloat16)


def _x(shape=(3, 5), dtype=np.float32, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("half", HALF)
def test_half_precision_reuses_the_float32_executable(half):
    kernel = J.activations._log_softmax
    J.log_softmax(J.asarray(_x((7, 3))), axis=0)
    compiled = kernel.cache_size()
    out = J.log_softmax(J.asarray(_x((7, 3), half)), axis=0)
    assert out.dtype == np.dtype(half)
    assert kernel.cache_size() == compiled


@pytest.mark.parametrize("half", HALF)
def test_half_precision_is_float32_rounded_once(half):
    x = _x((4, 6), half, seed=1)
    wide = np.asarray(J.softmax(J.asarray(x.astype(np.float32)), axis=-1))
    np.testing.assert_array_equal(np.asarray(J.softmax(J.asarray(x), axis=-1)), wide.astype(half))


def test_mixed_or_wide_dtypes_pass_through_unchanged():
    # float16 logits with float32 targets: the kernel's own result_type rule (float32), not a rounding to half
    logits, target = J.asarray(_x((4,), np.float16)), J.asarray(_x((4,), np.float32, seed=2))
    assert J.mse_loss(logits, target).dtype == np.float32
    assert J.softmax(J.asarray(_x(dtype=np.float64))).dtype == np.float64
    with pytest.raises((TypeError, ValueError)):
        J.softmax(J.asarray(np.arange(4)))  # integers are rejected by the implementation, not converted


def test_half_in_float32_keeps_signature_and_docs():
    import inspect
    assert str(inspect.signature(J.layer_norm)) == str(inspect.signature(J.norms.layer_norm))
    assert J.layer_norm.__doc__ == J.norms.layer_norm.__doc__


@pytest.mark.parametrize("module", [J, JN], ids=["jax", "jax_native"])
def test_absent_parameters_share_one_kernel(module):
    kernel = module.norms._layer_norm
    x = module.asarray(_x((2, 3, 4)))
    module.layer_norm(x, 1, module.asarray(_x((4,), seed=3)), module.asarray(_x((4,), seed=4)))
    compiled = kernel.cache_size()
    module.layer_norm(x, 1)
    module.layer_norm(x, 1, module.asarray(_x((4,), seed=5)))
    assert kernel.cache_size() == compiled


@pytest.mark.parametrize("module", [J, JN], ids=["jax", "jax_native"])
def test_absent_parameters_equal_ones_and_zeros(module):
    x = module.asarray(_x((2, 3, 4), seed=6))
    ones, zeros = module.asarray(np.ones(4, np.float32)), module.asarray(np.zeros(4, np.float32))
    np.testing.assert_array_equal(np.asarray(module.layer_norm(x, 1)),
                                  np.asarray(module.layer_norm(x, 1, ones, zeros)))


def test_feed_forward_biases_or_not_share_one_kernel():
    x, w1, w2 = (J.asarray(_x(shape, seed=i)) for i, shape in enumerate([(2, 3, 4), (4, 8), (8, 4)]))
    b1, b2 = J.asarray(_x((8,), seed=7)), J.asarray(_x((4,), seed=8))
    with_biases = J.feed_forward(x, {"w1": w1, "b1": b1, "w2": w2, "b2": b2}, activation="relu")
    compiled = J.attention._ffn_kernel.cache_size()
    plain = J.feed_forward(x, {"w1": w1, "w2": w2}, activation="relu")
    assert J.attention._ffn_kernel.cache_size() == compiled
    zero = {"w1": w1, "b1": J.asarray(np.zeros(8, np.float32)), "w2": w2, "b2": J.asarray(np.zeros(4, np.float32))}
    np.testing.assert_array_equal(np.asarray(plain), np.asarray(J.feed_forward(x, zero, activation="relu")))
    assert not np.array_equal(np.asarray(plain), np.asarray(with_biases))


def test_fast_transfer_is_active_with_the_pinned_jaxlib():
    # if a jaxlib upgrade removes the private call, asarray silently falls back to jax.device_put (~10x slower)
    assert _util.FAST_TRANSFER


@pytest.mark.parametrize("value", [
    _x(), _x(dtype=np.float16), _x(dtype=ml_dtypes.bfloat16), np.arange(6).reshape(2, 3).T,
    np.broadcast_to(np.array([True, False]), (3, 2)), np.float64(2.5), np.zeros((0, 3), np.float32)],
    ids=["f32", "f16", "bf16", "transposed-int", "broadcast-bool", "scalar", "empty"])
def test_asarray_is_a_committed_copy_on_the_device(value):
    out = J.asarray(value)
    assert isinstance(out, jax.Array) and out.devices() == {_util.DEVICE}
    assert out.dtype == np.asarray(value).dtype and out.shape == np.shape(value)
    np.testing.assert_array_equal(np.asarray(out), value)


def test_asarray_copies():
    a = _x()
    out = J.asarray(a)
    a[0, 0] = 1e6
    assert np.asarray(out)[0, 0] != 1e6


def test_the_public_fallback_transfer_gives_the_same_array():
    value = np.arange(6, dtype=np.float32).reshape(2, 3).T
    fast, public = J.asarray(value), _util._device_put(np.asarray(value))
    assert public.devices() == fast.devices() and public.dtype == fast.dtype
    np.testing.assert_array_equal(np.asarray(public), np.asarray(fast))


@pytest.mark.parametrize("half", HALF)
def test_host_conversion_rounds_as_xla_does(half):
    # the half-precision wrapper converts on the host (no compilation per shape): it must round as XLA would,
    # subnormals, overflow to inf, ties and NaN included
    rng = np.random.default_rng(9)
    bits = np.concatenate([rng.integers(0, 2**32, 200_000, dtype=np.uint64).astype(np.uint32),
                           np.arange(2**16, dtype=np.uint32), np.arange(2**16, dtype=np.uint32) | 0x80000000,
                           np.arange(0x477FE000, 0x47800100, dtype=np.uint32)])  # around float16's max
    wide = J.asarray(bits.view(np.float32))
    for a, dtype in ((wide, half), (J.asarray(bits[:65536].astype(np.uint16).view(half)), np.float32)):
        ours, xla = np.asarray(_util.convert(a, dtype)), np.asarray(jax.jit(lambda v: v.astype(dtype))(a))
        assert ours.dtype == xla.dtype
        with np.errstate(invalid="ignore"):
            f_ours, f_xla = ours.astype(np.float64), xla.astype(np.float64)
        same = (ours.view(f"u{ours.itemsize}") == xla.view(f"u{xla.itemsize}")) | (np.isnan(f_ours) & np.isnan(f_xla))
        assert same.all()


@contextlib.contextmanager
def _compilations():
    """The names JAX compiles inside the block (``jit(reshape)``, ``jit(_layer_norm)``, ...)."""
    names = []
    handler = logging.Handler()
    handler.emit = lambda record: names.extend(
        [record.getMessage().split()[1]] if record.getMessage().startswith("Compiling") else [])
    with jax.log_compiles(True):
        logging.getLogger("jax").addHandler(handler)
        try:
            yield names
        finally:
            logging.getLogger("jax").removeHandler(handler)


def test_half_precision_compiles_no_conversion():
    x = J.asarray(_x((5, 7), np.float16, seed=11))
    J.softmax(x, axis=-1)
    with _compilations() as names:
        J.softmax(J.asarray(_x((5, 7), np.float16, seed=12)), axis=-1)
    assert not names


# shapes no other test or check uses: JAX keeps a process's eager compilations
@pytest.mark.parametrize("component, shape", [("layer_norm", (5, 3, 7)), ("rms_norm", (3, 5, 7)),
                                              ("rope", (1, 9, 6)), ("mse_loss", (9, 7))])
def test_eager_gradients_compile_only_kernels(component, shape):
    # under jax.vjp outside jit, the host reshapes around a kernel run on the host both ways (their traced
    # jnp.reshape ran, and compiled, per shape in the forward and the backward pass), and arrays that are
    # already jax.Arrays (tracers too) are not converted again (jnp.asarray of a tracer compiled a conversion)
    x, other = J.asarray(_x(shape, seed=20)), J.asarray(_x(shape, seed=21))
    calls = {"layer_norm": lambda v: J.layer_norm(v, 2), "rms_norm": lambda v: J.rms_norm(v, 2),
             "rope": lambda v: J.rope(v, J.asarray(np.arange(shape[1]))),
             "mse_loss": lambda v: J.mse_loss(v, other, reduction="none")}
    cotangent = J.asarray(_x(shape, seed=22))
    with _compilations() as names:
        (grad,) = J.vjp(calls[component], (x,), cotangent)
    assert grad.shape == shape
    assert not [n for n in names if n in ("jit(reshape)", "jit(convert_element_type)")], names


# --- canonical shapes: kernels compile per canonical shape, not per input shape and option -------------------
@pytest.mark.parametrize("module", [J, JN], ids=["jax", "jax_native"])
def test_layer_norm_of_any_layout_runs_one_rows_kernel(module):
    # (2, 3, 4) over its last two axes and (2, 12) over its last are both 2 rows of 12 features
    kernel = module.norms._layer_norm
    x = _x((2, 3, 4), seed=5)
    module.layer_norm(module.asarray(x.reshape(2, 12)), 1)
    compiled = kernel.cache_size()
    out = module.layer_norm(module.asarray(x), 2)
    assert kernel.cache_size() == compiled and out.shape == (2, 3, 4)
    np.testing.assert_array_equal(np.asarray(out).reshape(2, 12),
                                  np.asarray(module.layer_norm(module.asarray(x.reshape(2, 12)), 1)))


@pytest.mark.parametrize("module", [J, JN], ids=["jax", "jax_native"])
def test_group_norm_with_one_group_is_layer_norm_bit_for_bit(module):
    # the same elements summed in the same order (jax.nn.standardize's variance cancels under an offset: a
    # different order would give group_norm(x, 1) and layer_norm visibly different errors)
    x = module.asarray(100.0 + 0.1 * _x((2, 4, 8), seed=6))
    np.testing.assert_array_equal(np.asarray(module.group_norm(x, 1)), np.asarray(module.layer_norm(x, 2)))


def test_packed_projections_share_the_separate_kernel():
    from properties.attention_common import make_params, pack
    x = J.asarray(_x((2, 3, 8), seed=10))
    separate = {k: J.asarray(v) for k, v in make_params("float32", 8, 2, 2, 4, 11, bias=True).items()}
    packed = {k: J.asarray(v) for k, v in pack(make_params("float32", 8, 2, 2, 4, 11, bias=True)).items()}
    want = J.multi_head_attention(x, None, separate, num_heads=2)
    compiled = J.attention._mha_kernel.cache_size()
    np.testing.assert_array_equal(np.asarray(J.multi_head_attention(x, None, packed, num_heads=2)), np.asarray(want))
    assert J.attention._mha_kernel.cache_size() == compiled


def test_host_reshapes_pass_tracers_to_jax():
    # under autodiff the reshapes are jnp's (traced) around the same rows kernel: the gradient through
    # layer_norm(x (2, 3, 4), 2) is the one through layer_norm(x (2, 12), 1), reshaped
    x, weights = _x((2, 3, 4), seed=12), J.asarray(_x((2, 3, 4), seed=13))
    grad = jax.grad(lambda x: (J.layer_norm(x, 2) * weights).sum())(J.asarray(x))
    flat = jax.grad(lambda x: (J.layer_norm(x, 1) * weights.reshape(2, 12)).sum())(J.asarray(x.reshape(2, 12)))
    assert grad.shape == (2, 3, 4)
    np.testing.assert_array_equal(np.asarray(grad).reshape(2, 12), np.asarray(flat))


@pytest.mark.parametrize("module", [J, JN], ids=["jax", "jax_native"])
def test_unreduced_losses_compile_no_reduction(module):
    pred, target = module.asarray(_x((3, 5), seed=15)), module.asarray(_x((3, 5), seed=16))
    compiled = module.losses._mean_and_sum.cache_size()
    out = module.mse_loss(pred, target, reduction="none")
    module.binary_cross_entropy_with_logits(pred, target, reduction="none")
    assert module.losses._mean_and_sum.cache_size() == compiled and out.shape == (3, 5)
    half = J.mse_loss(J.asarray(_x((3, 5), np.float16)), J.asarray(_x((3, 5), np.float16, seed=1)), reduction="none")
    assert half.dtype == np.float16


def test_attention_with_and_without_a_bias_share_one_kernel():
    # an absent bias enters as zeros with a runtime flag (a -inf logit masks a key only when a bias was given)
    from properties.attention_common import make_params
    x = J.asarray(_x((2, 3, 8), seed=17))
    params = {k: J.asarray(v) for k, v in make_params("float32", 8, 2, 2, 4, 18, bias=False).items()}
    J.multi_head_attention(x, None, params, num_heads=2)
    compiled = J.attention._mha_kernel.cache_size()
    J.multi_head_attention(x, None, params, num_heads=2, bias=J.asarray(_x((2, 3, 3), seed=19)))
    assert J.attention._mha_kernel.cache_size() == compiled


@pytest.mark.parametrize("module", [J, JN], ids=["jax", "jax_native"])
def test_kl_divergence_compiles_per_reduction_triple(module):
    # (before, n, after) on the host: (2, 3, 4) and (2, 3, 4, 1) over axis 1 are both (2, 3, 4)
    kernel = module.losses._kl_divergence if module is J else module.losses._kl
    a, b = _x((2, 3, 4), seed=20), _x((2, 3, 4), seed=21)
    first = module.kl_divergence(module.asarray(a), module.asarray(b), axis=1)
    compiled = kernel.cache_size()
    second = module.kl_divergence(module.asarray(a[..., None]), module.asarray(b[..., None]), axis=1)
    assert kernel.cache_size() == compiled and second.shape == (2, 4, 1)
    np.testing.assert_array_equal(np.asarray(second)[..., 0], np.asarray(first))


def test_bert_embeddings_eps_is_traced():
    ids = J.asarray(np.array([[1, 2, 3]]))
    params = {"word": _x((5, 4), seed=22), "position": _x((6, 4), seed=23), "token_type": _x((2, 4), seed=24),
              "ln_weight": _x((4,), seed=25), "ln_bias": _x((4,), seed=26)}
    params = {k: J.asarray(v) for k, v in params.items()}
    J.bert_embeddings(ids, None, params, eps=1e-5)
    compiled = J.bert._embeddings_kernel.cache_size()
    J.bert_embeddings(ids, None, params, eps=0.1)
    assert J.bert._embeddings_kernel.cache_size() == compiled
