"""What ``torch.nn``'s modules compute differently from the catalogue, as the suite observed it (torch 2.13,
CPU, ``ci`` profile). Each finding names the checks it explains, scoped to the dtypes (and regimes) where a ``ci``
run shows it; its reproduction script is ``docs/scoreboard/repro/<id>.py``."""
import math

import numpy as np

from impls._findings import Finding, known_deviations

_F32_F64 = ("float32", "float64")
_HUGE = "magnitudes above sqrt(dtype max)"  # properties/regimes.py


def _checks(component, spec):
    """``(component, property, dtype)`` keys from ``{property: dtypes}``."""
    return tuple((component, prop, d) for prop, dtypes in spec.items() for d in dtypes)


def _arrays(value, name=None):
    """The float arrays of a drawn case (only those under the key ``name`` when given)."""
    if isinstance(value, dict):
        for key, v in value.items():
            if name is None or key == name:
                yield from _arrays(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _arrays(v, name)
    elif isinstance(value, np.ndarray) and (value.dtype.kind == "f" or value.dtype.name == "bfloat16"):
        yield value.astype(np.float64)


def gelu_left_tail(case, dtype):
    """Some input below -1 (gelu's left tail: 1 + erf(x / sqrt 2) < 0.32, and 1 + tanh(u) likewise, cancel)."""
    return any(bool(np.any(a < -1.0)) for a in _arrays(case))


def bce_terms_cancel(case, dtype):
    """Some element whose BCE-with-logits loss (1 - t) x - logsigmoid(x) is a difference: the two terms'
    magnitudes add up to more than 1.1 times the loss (x < 0 with t near 0, x > 0 with t near 1, any large |x|
    with a fractional t), so their rounding errors are amplified by that factor."""
    if not isinstance(case, dict) or not isinstance(case.get("logits"), np.ndarray):
        return False
    x, t = np.broadcast_arrays(case["logits"].astype(np.float64), np.asarray(case.get("target"), dtype=np.float64))
    linear = (1 - t) * x
    softplus = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))  # -logsigmoid(x), accurately
    with np.errstate(all="ignore"):
        return bool(np.any(np.abs(linear) + softplus > 1.1 * np.abs(linear + softplus)))


def _others_share(x, axis):
    """Per row along ``axis``: the sum of exp(x_j - max) over every element but one maximum."""
    z = np.moveaxis(x.astype(np.float64), axis, -1)
    with np.errstate(all="ignore"):
        return np.exp(z - z.max(axis=-1, keepdims=True)).sum(axis=-1) - 1.0


def max_dominates_row(case, dtype):
    """A row whose maximum outweighs the rest, sum_j exp(x_j - max) - 1 < 1 (log_softmax's max element, or a
    cross_entropy row whose target is its largest logit): the result is -log1p(that sum), below log 2 in magnitude,
    and the kernel forms it as log(1 + sum), rounding 1 + sum first."""
    if not isinstance(case, dict):
        return False
    if isinstance(case.get("logits"), np.ndarray) and isinstance(case.get("target"), np.ndarray):
        logits, target = case["logits"], case["target"]
        rows = (target >= 0) & (target < logits.shape[1])
        hit = rows & (np.argmax(logits.astype(np.float64), axis=1) == np.where(rows, target, 0))
        return bool(np.any(hit & (_others_share(logits, 1) < 1.0)))
    x = case.get("x")
    if not isinstance(x, np.ndarray) or x.ndim == 0:
        return False
    return bool(np.any(_others_share(x, case.get("axis", -1)) < 1.0))


def group_norm_batch_of_one_group(case, dtype):
    """A group_norm input with N * (C / G) * prod(spatial) == 1: one sample whose groups hold one value each,
    the size F.group_norm's batch-size check rejects."""
    if not isinstance(case, dict):
        return False
    x, groups = case.get("x"), case.get("groups")
    if not isinstance(x, np.ndarray) or x.ndim < 2 or not isinstance(groups, (int, np.integer)) or groups < 1:
        return False
    return x.shape[0] * (x.shape[1] // int(groups)) * math.prod(x.shape[2:]) == 1


def self_attention_fully_masked_rows(case, dtype):
    """Self-attention (``context`` None) whose boolean mask, ANDed with the causal triangle when ``is_causal``,
    leaves some query row no key: the input ``nn.MultiheadAttention``'s fast path turns into NaN."""
    mask = case.get("mask") if isinstance(case, dict) else None
    if case.get("context") is not None or not isinstance(mask, np.ndarray) or mask.dtype != bool:
        return False
    if case.get("is_causal"):
        length = case["x"].shape[1]
        mask = mask & np.tril(np.ones((length, length), dtype=bool))
    return bool((~mask.any(axis=-1)).any())


_MAX = {"float16": 65504.0, "bfloat16": 3.3895313892515355e38, "float32": 3.4028234663852886e38,
        "float64": 1.7976931348623157e308}


def _huge(case, dtype):
    """The named regime ``_HUGE`` as a predicate: some input above sqrt(dtype max) / 2 in magnitude."""
    limit = math.sqrt(_MAX.get(dtype, _MAX["float64"])) / 2
    return any(bool(np.any(np.abs(a) > limit)) for a in _arrays(case))


def group_norm_degenerate_or_huge(case, dtype):
    """A group_norm input that F.group_norm's batch-size check rejects (N * (C / G) * prod(spatial) == 1) or that
    has magnitudes above sqrt(dtype max) / 2 (where the variance overflows, as for the other norms)."""
    return group_norm_batch_of_one_group(case, dtype) or _huge(case, dtype)


def bfloat16_offset_or_huge(case, dtype):
    """A bfloat16 batch_norm input with a channel whose |mean| exceeds 4 times its standard deviation (the mean
    rounded to bfloat16 is then off by more than ~1% of the spread), or with magnitudes above sqrt(dtype max) / 2."""
    x = case.get("x") if isinstance(case, dict) else None
    if dtype != "bfloat16" or not isinstance(x, np.ndarray) or x.ndim < 2:
        return False
    channels = np.moveaxis(x.astype(np.float64), 1, 0).reshape(x.shape[1], -1)
    with np.errstate(all="ignore"):
        offset = np.abs(channels.mean(axis=1)) > 4 * channels.std(axis=1)
    return bool(np.any(offset)) or _huge(case, dtype)


GELU_ERF_TAIL = Finding(
    id="torch_nn-gelu-tail-cancellation",
    title="nn.GELU loses the left tail: x/2 (1 + erf(x/sqrt 2)) cancels, 0 instead of -4e-23 at x = -10",
    checks=_checks("gelu", {"matches_oracle": ("bfloat16",) + _F32_F64}),
    cause=("nn.GELU.forward calls F.gelu, whose CPU kernel evaluates x * 0.5 * (1 + erf(x / sqrt 2)) (and "
           "x * 0.5 * (1 + tanh(u)) for approximate='tanh'): for x << 0 erf(x / sqrt 2) rounds towards -1 and the "
           "sum cancels, so the relative error grows from a few ulps near x = -3 to 100% (an exact 0) below x = -6 "
           "in float32 and x = -9 in float64, where the true value (-4e-23 at x = -10) is representable. "
           "0.5 x erfc(-x / sqrt 2) has no cancellation. bfloat16 is computed in float32 and rounded, so it "
           "inherits the float32 zeros (bfloat16 has float32's range); in float16 the true values there underflow "
           "anyway."),
    source=("torch/nn/modules/activation.py:GELU.forward -> aten/src/ATen/native/cpu/Activation.cpp:GeluKernelImpl "
            "(contiguous float32/bfloat16 CPU tensors may go to oneDNN's eltwise_gelu_erf, the same formula)"),
    kind="precision",
    repro="docs/scoreboard/repro/torch_nn-gelu-tail-cancellation.py",
    regime=gelu_left_tail,
    upstream="https://github.com/pytorch/pytorch/issues/187806",
    options={"approximate": "none (and 'tanh')"},
)

GELU_POSITION = Finding(
    id="torch_nn-gelu-position-dependent",
    title="nn.GELU gives an element a value that depends on where it sits in the tensor (float64, x < -1)",
    checks=(("gelu", "elementwise", "float64"),),
    cause=("The CPU kernel behind F.gelu runs a vectorised body (Vectorized<double> erf) over whole SIMD lanes "
           "and a scalar loop (std::erf) over the remainder; the two round the cancelling 1 + erf(x / sqrt 2) "
           "differently, so the same x gives results apart by what the cancellation leaves (7 ulps at x = -1.74, "
           "~8000 ulps at x = -3.86) depending on its index: permuting an input does not permute the output bit "
           "for bit."),
    source="torch/nn/modules/activation.py:GELU.forward -> aten/src/ATen/native/cpu/Activation.cpp:GeluKernelImpl",
    kind="precision",
    repro="docs/scoreboard/repro/torch_nn-gelu-position-dependent.py",
    regime=gelu_left_tail,
)

_OVERFLOW_CHECKS = (
    *_checks("batch_norm", {"matches_oracle": ("bfloat16",) + _F32_F64,
                            "running_stats_update": ("bfloat16",) + _F32_F64, "zero_mean_unit_variance": _F32_F64}),
    *_checks("layer_norm", {"matches_oracle": ("bfloat16",) + _F32_F64, "zero_mean_unit_variance": _F32_F64,
                            "finite_for_large_half_inputs": ("bfloat16",)}),
    *_checks("instance_norm", {"matches_oracle": ("bfloat16",) + _F32_F64, "zero_mean_unit_variance": _F32_F64,
                               "finite_for_large_half_inputs": ("bfloat16",)}),
    *_checks("rms_norm", {"matches_oracle": ("bfloat16",) + _F32_F64, "zero_mean_unit_variance": _F32_F64}),
)

NORM_OVERFLOW = Finding(
    id="torch_nn-norm-variance-overflow",
    title="nn.BatchNorm/LayerNorm/InstanceNorm/RMSNorm square x unscaled: for |x| above ~sqrt(dtype max) the "
          "output is 0 or NaN",
    checks=_OVERFLOW_CHECKS,
    cause=("The modules call F.batch_norm / F.layer_norm / F.instance_norm / F.rms_norm, whose kernels form the "
           "variance from (x - mean)^2 (x^2 for RMS norm) in the input's range without rescaling: for |x| above "
           "~sqrt(dtype max) (1.8e19 in float32/bfloat16, 1.3e154 in float64) the square overflows, rsqrt(inf) is 0 "
           "and the row comes back 0 (batch, instance and RMS norm) or NaN (layer norm, whose fused x * rstd - "
           "mean * rstd meets inf - inf); batch norm's running variance becomes inf. Scaling by max|x| first "
           "avoids it. nn.GroupNorm does the same; its checks are declared with torch_nn-groupnorm-batch-size-check "
           "(one declaration per check), and batch norm's bfloat16 bound check with "
           "torch_nn-batchnorm-bfloat16-mean-rounding."),
    source=("torch/nn/modules/normalization.py:LayerNorm.forward, RMSNorm.forward, "
            "torch/nn/modules/batchnorm.py:_BatchNorm.forward, torch/nn/modules/instancenorm.py:_InstanceNorm.forward "
            "-> aten/src/ATen/native/cpu/layer_norm_kernel.cpp, batch_norm_kernel.cpp"),
    kind="precision",
    repro="docs/scoreboard/repro/torch_nn-norm-variance-overflow.py",
    regime=_HUGE,
)

GROUP_OF_ONE = Finding(
    id="torch_nn-groupnorm-batch-size-check",
    title="nn.GroupNorm raises 'Expected more than 1 value per channel when training' for one sample with "
          "one value per group, but returns zeros for two such samples",
    checks=_checks("group_norm", {"matches_oracle": ("float16", "bfloat16") + _F32_F64,
                                  "affine_invariant": _F32_F64, "finite_for_large_half_inputs": ("float16", "bfloat16"),
                                  "vjp_matches_finite_differences": _F32_F64,
                                  "vjp_orthogonal_to_invariances": _F32_F64, "weight_bias_are_affine": _F32_F64,
                                  "zero_mean_unit_variance": _F32_F64}),
    cause=("F.group_norm calls _verify_batch_size([N * C // G, G, *spatial]), which raises when N * (C / G) * "
           "prod(spatial) == 1. The size it should test is the group's, (C / G) * prod(spatial): the batch size "
           "does not enter a group's statistics. So GroupNorm(5, 5) rejects an input of shape (1, 5) (groups of one "
           "value) with batch norm's training-mode message, although GroupNorm has no training mode, and accepts "
           "shape (2, 5), whose groups are exactly as degenerate, returning (x - x) / sqrt(eps) = 0 for them. The same "
           "group_norm checks also see, for magnitudes above sqrt(dtype max), the variance overflow of "
           "torch_nn-norm-variance-overflow (one declaration per check: the regime covers both)."),
    source="torch/nn/functional.py:group_norm (_verify_batch_size)",
    kind="bug",
    repro="docs/scoreboard/repro/torch_nn-groupnorm-batch-size-check.py",
    regime=group_norm_degenerate_or_huge,
    writeup="docs/scoreboard/upstream/torch_nn-groupnorm-batch-size-check.md",
)

LOG_OF_SUM = Finding(
    id="torch_nn-log-softmax-log-of-sum",
    title="nn.LogSoftmax (and nn.CrossEntropyLoss through it) forms log(1 + s) as log(fl(1 + s)): -1.19e-7 "
          "instead of -9.8e-8 at a dominant maximum in float32, a loss of 0 instead of 1.8e-9",
    checks=(*_checks("log_softmax", {"matches_oracle": ("float16", "bfloat16") + _F32_F64}),
            *_checks("cross_entropy", {"matches_oracle": ("float16", "bfloat16") + _F32_F64})),
    cause=("The CPU log_softmax kernel computes x - max - log(sum_j exp(x_j - max)). At the row's maximum that is "
           "-log(1 + s), s the others' share sum_{j != max} exp(x_j - max); when s is small, 1 + s is rounded before "
           "the log, so the result carries an absolute error of ~eps, i.e. a relative error of ~eps / s (21% for "
           "s = 9.8e-8 in float32: x = [10.96, 9.60, 27.32] gives -1.19e-7 instead of -9.84e-8; 1e-9 relative in "
           "float64). log1p(s) has no such loss. nn.CrossEntropyLoss is nll_loss(log_softmax(z)), so a confident "
           "correct row, whose loss is log1p(s), comes out 0 (float32 logits [35.15, 15.00, -0.21], target 0: "
           "0 instead of 1.76e-9)."),
    source=("torch/nn/modules/activation.py:LogSoftmax.forward, torch/nn/modules/loss.py:CrossEntropyLoss.forward -> "
            "aten/src/ATen/native/cpu/SoftMaxKernel.cpp (_vec_log_softmax_lastdim: x - max - log(sum))"),
    kind="precision",
    repro="docs/scoreboard/repro/torch_nn-log-softmax-log-of-sum.py",
    regime=max_dominates_row,
)

BCE_HALF = Finding(
    id="torch_nn-bce-logits-half-arithmetic",
    title="nn.BCEWithLogitsLoss computes float16/bfloat16 losses in half precision: 1.1 ulps off where float32 "
          "arithmetic rounds correctly",
    checks=_checks("binary_cross_entropy_with_logits", {"matches_oracle": ("float16", "bfloat16")}),
    cause=("F.binary_cross_entropy_with_logits is a composite of element-wise ops, (1 - t) * x - logsigmoid(x), "
           "each rounding to the input's dtype: in float16 x = 1.194, t = 0.4133 gives 0.96582 for 0.96528 "
           "(1.1 ulps; the same ops in float32, rounded once, give 0.96533), in bfloat16 x = -0.0017, t = 0 gives "
           "0.6953 for 0.6923. Accumulating in float32 and rounding once, as the other half-precision kernels do, "
           "avoids it. The cancellation of torch_nn-bce-logits-cancellation adds to it for confident logits."),
    source=("torch/nn/modules/loss.py:BCEWithLogitsLoss.forward -> "
            "aten/src/ATen/native/Loss.cpp:binary_cross_entropy_with_logits"),
    kind="precision",
    repro="docs/scoreboard/repro/torch_nn-bce-logits-half-arithmetic.py",
)

BCE_CANCELLATION = Finding(
    id="torch_nn-bce-logits-cancellation",
    title="nn.BCEWithLogitsLoss cancels for confident correct logits: ~eps |x| absolute error on a loss of e^-|x|",
    checks=(("binary_cross_entropy_with_logits", "finite_and_equals_bce_of_sigmoid", "float64"),
            *_checks("binary_cross_entropy_with_logits", {"matches_oracle": _F32_F64})),
    cause=("nn.BCEWithLogitsLoss.forward calls F.binary_cross_entropy_with_logits, which computes "
           "(1 - t) x - logsigmoid(x): for x << 0 with t = 0 (or x >> 0 with t = 1) both terms are ~|x| and cancel, "
           "leaving an absolute error ~eps |x| on a loss of ~e^-|x|: 1.1e-15 on 2.6e-8 at x = -17.4 in float64, "
           "0.7% at x = -10 in float32, 0 instead of 4.3e-5 at x = -10 in float16/bfloat16 (those dtypes' checks are "
           "declared with torch_nn-bce-logits-half-arithmetic). "
           "max(x, 0) - x t + log1p(exp(-|x|)) has no cancellation."),
    source=("torch/nn/modules/loss.py:BCEWithLogitsLoss.forward -> "
            "aten/src/ATen/native/Loss.cpp:binary_cross_entropy_with_logits"),
    kind="precision",
    repro="docs/scoreboard/repro/torch_nn-bce-logits-cancellation.py",
    regime=bce_terms_cancel,
)

MHA_FAST_PATH_NAN = Finding(
    id="torch_nn-mha-fastpath-masked-rows-nan",
    title="nn.MultiheadAttention's eval fast path returns NaN for a query row with every key masked; the same "
          "call with autograd on returns 0",
    # float32 too: whether a ci run's float32 draws include a fully masked row depends on the checks run before in
    # the worker (the session notes); scoped to those rows, it is reported not observed where none is drawn
    checks=(*_checks("multi_head_attention", {"matches_oracle": ("float16", "bfloat16", "float32", "float64"),
                                              "packed_qkv_equals_separate": _F32_F64,
                                              "causal_ignores_the_future": _F32_F64}),),
    cause=("In eval mode, for self-attention (query is key is value) with biases, an even number of heads and a "
           "boolean (or no) mask, called under no_grad, MultiheadAttention.forward takes the fast path "
           "torch._native_multi_head_attention, whose masked softmax divides 0 by 0 for a row whose keys are all "
           "masked: the row comes out NaN. With gradients enabled the same module and inputs go through "
           "F.multi_head_attention_forward -> scaled_dot_product_attention, whose _safe_softmax gives that row "
           "probabilities 0 and output out_proj.bias. The result of an inference call thus depends on the "
           "autograd mode (and on torch.backends.mha.set_fastpath_enabled); the catalogue (and SDPA) give 0."),
    source=("torch/nn/modules/activation.py:MultiheadAttention.forward (fast path) -> "
            "aten/src/ATen/native/transformers/attention.cpp:native_multi_head_attention_cpu (masked_softmax)"),
    kind="bug",
    repro="docs/scoreboard/repro/torch_nn-mha-fastpath-masked-rows-nan.py",
    regime=self_attention_fully_masked_rows,
    upstream="https://github.com/pytorch/pytorch/pull/190486",
    writeup="docs/scoreboard/upstream/torch_nn-mha-fastpath-masked-rows-nan.md",
)

BN_BF16_MEAN = Finding(
    id="torch_nn-batchnorm-bfloat16-mean-rounding",
    title="nn.BatchNorm in bfloat16 subtracts the batch mean rounded to bfloat16: 0 and 3.03 for 1000 x 7 and 1004 "
          "(true -0.38 and 2.65)",
    checks=(("batch_norm", "finite_for_large_half_inputs", "bfloat16"),),
    cause=("A bfloat16 nn.BatchNorm (dtype=torch.bfloat16, or model.bfloat16()) has bfloat16 weight and running "
           "statistics; the CPU kernel then keeps the batch mean it normalises with in that dtype, so x - mean uses "
           "the mean rounded to 8 significant bits. Under an offset large against the spread the error is a "
           "sizeable part of the standardised value: a channel of seven 1000s and one 1004 (mean 1000.5 -> 1000) "
           "gives 0 and 3.03 (above the sqrt(8) = 2.83 any standardised value obeys) instead of -0.378 and 2.646. "
           "With float32 statistics (F.batch_norm on bfloat16 x) the same input gives -0.379 and 2.641. For "
           "magnitudes above sqrt(dtype max) this check also sees torch_nn-norm-variance-overflow (one declaration "
           "per check: the regime covers both)."),
    source=("torch/nn/modules/batchnorm.py:_BatchNorm.forward -> F.batch_norm -> "
            "aten/src/ATen/native/cpu/batch_norm_kernel.cpp (statistics in the parameters' dtype)"),
    kind="precision",
    repro="docs/scoreboard/repro/torch_nn-batchnorm-bfloat16-mean-rounding.py",
    regime=bfloat16_offset_or_huge,
)

def block_with_float_bias(case, dtype):
    """A transformer_block call with an additive attention bias (passed to the layer as a float src_mask)."""
    return isinstance(case, dict) and isinstance(case.get("opts"), dict) and case["opts"].get("bias") is not None


ENCODER_FAST_PATH_FLOAT_MASK = Finding(
    id="torch_nn-encoder-fastpath-float-mask",
    title="nn.TransformerEncoderLayer's eval fast path returns NaN for a float src_mask with any finite non-zero "
          "entry (a constant 0.5 mask, which cannot change softmax, gives NaN); with autograd on it is correct",
    checks=_checks("transformer_block", {"matches_oracle": ("float16", "bfloat16") + _F32_F64}),
    cause=("In eval mode under no_grad, TransformerEncoderLayer.forward takes the fast path "
           "torch._transformer_encoder_layer_fwd when its conditions hold (batch_first, no dropout, matching "
           "dtypes, ...), and it does so for a float src_mask too. The fast path does not add the float mask to "
           "the logits: a finite non-zero entry acts as a masked key, so a row of such entries (a constant 0.5, an "
           "ALiBi bias, any T5-style bias) is fully masked and comes out NaN. A mask of zeros and -inf happens to "
           "work, which is why causal masks pass. With gradients enabled the same module goes through "
           "F.multi_head_attention_forward and adds the mask: checked by hand on torch 2.13.0 (float64, d=8, 2 heads: "
           "zeros -> 4e-16 from the slow path, 0.5 everywhere -> NaN, -0.1 on one row -> NaN)."),
    source=("torch/nn/modules/transformer.py:TransformerEncoderLayer.forward (fast path) -> "
            "aten/src/ATen/native/transformers/transformer.cpp:transformer_encoder_layer_forward"),
    kind="bug",
    repro="docs/scoreboard/repro/torch_nn-encoder-fastpath-float-mask.py",
    regime=block_with_float_bias,
    writeup="docs/scoreboard/upstream/torch_nn-encoder-fastpath-float-mask.md",
)

FINDINGS = (GELU_ERF_TAIL, GELU_POSITION, LOG_OF_SUM, NORM_OVERFLOW, BN_BF16_MEAN, GROUP_OF_ONE, BCE_HALF,
            BCE_CANCELLATION, MHA_FAST_PATH_NAN, ENCODER_FAST_PATH_FLOAT_MASK)

KNOWN_DEVIATIONS = known_deviations(FINDINGS)
