"""Every option of every component is reached: a kernel that ignores it fails a property.

For each option of the catalogue — every optional parameter of every component, composite ones included, the
required keyword-only choices (``training``) and the choices of a model ``config`` — :mod:`tests.options_planted`
builds the NumPy implementation with that one component silently computing with the option fixed: at the
catalogue's default for an optional parameter (the kernel behaves as if the caller had omitted it), at each of its
values for a required or ``config`` choice (ignoring ``training`` means always training, or never).
``CAUGHT_BY`` names the property that catches each planted bug; :func:`test_ignoring_an_option_fails` runs that
one property on that one bug (float32, or the property's own dtype where it has no float32; the derandomized
``mutants`` profile) and requires ``failed``: the property's own assertion, not an ``error``. Bad input is still
rejected and a fixed value that would change the result's shapes or cannot run is not used (see
:func:`tests.options_planted.ignoring`), so neither ``rejects_bad_input`` nor a shape error can stand in for the
catch; and :func:`test_the_unchanged_copy_passes` shows each named property passing the same copy without the
bug.

An option added to the catalogue without a property that catches its being ignored fails
:func:`test_every_option_is_mapped`: find the property with ``python -m tests.options_planted <component>`` and add
it to ``CAUGHT_BY``, or make the strategies draw the option (and the inputs where its values differ) so that one
does. ``NOT_SILENT`` lists the options whose being ignored can only crash or give the right result; ``GAPS``
those no property catches yet, as strict xfails with what their strategy lacks.
"""
from __future__ import annotations

import functools

import pytest

from properties.catalogue import SIGNATURES
from tests.conftest import import_property_modules
from tests.options_planted import (CONFIG_CHOICES, REQUIRED_CHOICES, REQUIRED_QUANTITIES, label,
                                   planted_options, required_keywords, run_planted)

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

#: (component, option) -> the property that fails when the component ignores the option; (component, option,
#: value) where the planted values of a required choice are caught by different properties. ``python -m
#: tests.options_planted <component>`` lists every property that catches each; matches_oracle is named wherever
#: it is one of them (every option it is not named for, it does not catch)
CAUGHT_BY = {
    **{(norm, option): "matches_oracle" for norm in ("batch_norm", "layer_norm", "instance_norm", "group_norm")
       for option in ("weight", "bias", "eps")},
    ("batch_norm", "momentum"): "matches_oracle",
    ("batch_norm", "training"): "matches_oracle",  # both values: always training, always evaluating
    ("rms_norm", "weight"): "matches_oracle",
    ("rms_norm", "eps"): "matches_oracle",
    ("gelu", "approximate"): "matches_oracle",
    ("softmax", "axis"): "matches_oracle",
    ("log_softmax", "axis"): "matches_oracle",
    **{("cross_entropy", option): "matches_oracle" for option in ("ignore_index", "label_smoothing", "reduction")},
    ("binary_cross_entropy_with_logits", "reduction"): "matches_oracle",
    ("mse_loss", "reduction"): "matches_oracle",
    ("kl_divergence", "axis"): "matches_oracle",
    **{("sgd_step", option): "matches_oracle" for option in ("momentum", "dampening", "nesterov", "weight_decay")},
    **{(adam, option): "matches_oracle" for adam in ("adam_step", "adamw_step")
       for option in ("betas", "eps", "weight_decay")},
    ("dropout", "training", True): "eval_is_identity",
    ("dropout", "training", False): "outputs_are_zero_or_scaled_input",
    **{(attention, option): "matches_oracle" for attention in ("attention_weights", "scaled_dot_product_attention")
       for option in ("mask", "is_causal", "scale")},
    # matches_oracle draws no bias (its own bias_matches_oracle does)
    **{(attention, "bias"): "bias_matches_oracle" for attention in (
        "attention_weights", "scaled_dot_product_attention", "multi_head_attention", "mha_decode")},
    **{("multi_head_attention", option): "matches_oracle" for option in ("mask", "is_causal", "rope_base")},
    ("mha_decode", "rope_base"): "matches_oracle",
    ("feed_forward", "activation"): "matches_oracle",
    ("sinusoidal_positions", "base"): "matches_oracle",
    ("rope", "base"): "matches_oracle",
    ("rope", "interleaved"): "matches_oracle",
    **{("t5_relative_position_bucket", option): "matches_oracle"
       for option in ("bidirectional", "num_buckets", "max_distance")},
    ("relative_position_bias", "bidirectional"): "matches_oracle",
    ("relative_position_bias", "max_distance"): "matches_oracle",
    ("mlm_mask", "special_token_ids"): "labels_and_unselected_tokens",  # mlm_mask has no matches_oracle
    ("mlm_mask", "mask_prob"): "labels_and_unselected_tokens",
    **{("training_memory_bytes", option): "matches_oracle"
       for option in ("optimizer", "mixed_precision", "zero_stage", "num_devices")},
    ("kv_cache_bytes", "bytes_per_element"): "matches_oracle",
    ("activation_memory_bytes", "recompute"): "matches_oracle",
    **{("transformer_block", option): "matches_oracle"
       for option in ("norm", "norm_position", "ffn", "mask", "is_causal", "rope_base", "bias", "eps")},
    ("bert_embeddings", "eps"): "matches_oracle",
    # the model config's choices, each value planted: a wrong parameter tree, a wrong count, a wrong model
    **{(c, f"config[{key}]"): "matches_oracle" for c in ("init_transformer_params", "count_parameters")
       for key in CONFIG_CHOICES},
    **{(c, f"config[{key}]", value): "matches_oracle" for c in ("decoder_forward", "decoder_decode")
       for key, value in (("norm", "layernorm"), ("ffn", "gelu"), ("ffn", "relu"), ("positional", "sinusoidal"),
                          ("positional", "rope"), ("tie_embeddings", True))},
}

#: options whose being ignored cannot be silent: any other value than the caller's crashes (or gives the same)
NOT_SILENT = {
    ("multi_head_attention", "num_kv_heads"): "the K/V projections have num_kv_heads heads: num_heads cannot "
                                              "split them (GQA with num_kv_heads = num_heads is plain MHA)",
    ("mha_decode", "num_kv_heads"): "the cache and the K/V projections have num_kv_heads heads",
    ("transformer_block", "num_kv_heads"): "the block's K/V projections have num_kv_heads heads",
    **{(c, "reduction", "none"): "per-element losses never have a reduction's shape"
       for c in ("cross_entropy", "binary_cross_entropy_with_logits", "mse_loss")},
    ("feed_forward", "activation", "swiglu"): "a GELU/ReLU FFN has no gate projection w3 (and SwiGLU no biases)",
    ("transformer_block", "ffn", "swiglu"): "a GELU/ReLU FFN has no gate projection w3 (and SwiGLU no biases)",
    ("transformer_block", "norm", "rmsnorm"): "LayerNorm parameters have a bias, which RMSNorm rejects",
    # the parameter tree is the config's: another norm, FFN or position kind, or an untied head, has other
    # tensors, which the implementation rejects (unexpected or missing keys)
    **{(c, f"config[{key}]", value): f"params of another config[{key!r}] do not fit {value!r}"
       for c in ("decoder_forward", "decoder_decode")
       for key, value in (("norm", "rmsnorm"), ("ffn", "swiglu"), ("positional", "learned"),
                          ("tie_embeddings", False))},
    **{(c, "config[bias]"): "the biases are read from params (present or not); config['bias'] only shapes "
                            "init_transformer_params and count_parameters"
       for c in ("decoder_forward", "decoder_decode")},
}

#: options no property catches yet: (component, option) -> (the property that should, what its strategy lacks).
#: Their tests are strict xfails: once the strategy draws what is missing they pass, and the entry moves to
#: CAUGHT_BY
GAPS = {
}


def not_silent(component: str, option: str, value) -> str | None:
    """Why ignoring the option (always ``value``) cannot be a silent bug, or None."""
    return NOT_SILENT.get((component, option, value)) or NOT_SILENT.get((component, option))


def caught_by(component: str, option: str, value) -> str | None:
    """The property named for the planted bug (``CAUGHT_BY``, or the one ``GAPS`` expects), or None (also where
    ``NOT_SILENT`` names this value of an option whose other values are caught)."""
    if (component, option, value) in NOT_SILENT:
        return None
    named = CAUGHT_BY.get((component, option, value)) or CAUGHT_BY.get((component, option))
    return named or GAPS.get((component, option), (None,))[0]


def _param(component: str, option: str, value):
    gap = GAPS.get((component, option))
    marks = [pytest.mark.xfail(strict=True, reason=gap[1])] if gap else []
    return pytest.param(component, option, value, marks=marks, id=label(component, option, value))


PLANTED = [_param(c, o, v) for c, o, v in planted_options() if not not_silent(c, o, v)]


@functools.lru_cache(maxsize=None)
def _properties() -> dict:
    return {p.key: p for p in import_property_modules()}


@pytest.mark.parametrize("component,option,value", PLANTED)
def test_ignoring_an_option_fails(component, option, value):
    prop = _properties()[f"{component}:{caught_by(component, option, value)}"]
    record = run_planted(prop, component, option, value)
    assert record["status"] == "failed", (
        f"{prop.key}@{record['dtype']} does not catch {component} ignoring {option} (always {value!r}): "
        f"{record['status']} {record['message']}")


#: every property the tables name (``component:property``)
NAMED = sorted({f"{key[0]}:{name}" for key, name in CAUGHT_BY.items()}
               | {f"{component}:{name}" for (component, _), (name, _) in GAPS.items()})


@pytest.mark.parametrize("key", NAMED)
def test_the_unchanged_copy_passes(key):
    """Each property named passes the NumPy implementation copied unchanged: what fails is the planted bug."""
    assert key in _properties(), f"{key} is not registered"
    record = run_planted(_properties()[key])
    assert record["status"] == "passed", f"{key}@{record['dtype']}: {record['status']} {record['message']}"


def test_every_option_is_mapped():
    """Every planted bug has a property (``CAUGHT_BY``, or ``GAPS``) or a reason in ``NOT_SILENT``; the tables
    name only options of the catalogue and registered properties."""
    planted = planted_options()
    unmapped = sorted(label(c, o, v) for c, o, v in planted if not not_silent(c, o, v) and not caught_by(c, o, v))
    assert not unmapped, f"options without a property that catches their being ignored: {unmapped}"
    options = {(c, o) for c, o, _ in planted} | set(planted)
    named = set(CAUGHT_BY) | set(NOT_SILENT) | set(GAPS)
    assert named <= options, f"not planted options (or values) of the catalogue: {sorted(map(str, named - options))}"
    both = sorted(map(str, set(CAUGHT_BY) & set(NOT_SILENT)))
    assert not both, f"named as caught and as not silent: {both}"
    assert not set(CAUGHT_BY) & set(GAPS), f"both caught and a gap: {sorted(set(CAUGHT_BY) & set(GAPS))}"
    missing = sorted(set(NAMED) - set(_properties()))
    assert not missing, f"properties named that are not registered: {missing}"


def test_every_required_keyword_is_classified():
    """A required keyword-only parameter is either a choice (its values planted in turn) or a quantity: a new
    one must be classified, so a new flag cannot escape the planted bugs."""
    unclassified = sorted((c, name) for c in SIGNATURES for name in required_keywords(c)
                          if (c, name) not in REQUIRED_CHOICES and name not in REQUIRED_QUANTITIES)
    assert not unclassified, f"required keyword-only parameters neither a choice nor a quantity: {unclassified}"
