"""Properties of mlm_mask (docs/contract.md 3.8 and section 4, "BERT").

Its shapes, strategies and binomial budget live here: the BERT family's two components share no
helper, so it has no common module.
"""
from __future__ import annotations

import numpy as np

from properties import strategies
from properties.assertions import PropertyFailure, assert_equal, assert_rejects, require
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import NO_DTYPE, prop
from properties.stats import assert_binomial, per_test_alpha


#: the shapes mlm_mask is drawn on: a large one (4096 tokens) for the statistics and a small odd one
MLM_SHAPES = ((32, 128), (3, 5))
MLM_VOCABS = (10, 50)
MLM_PROBS = (0.15, 0.5, 1.0, 0.0, 0.3)
#: examples of a statistical mlm check and its binomial tests per example: selection rate, [MASK] share,
#: random-replacement share, unchanged share, uniformity of the random ids, independence of neighbouring positions
MLM_EXAMPLES, MLM_TESTS = 20, 6
MLM_ALPHA = per_test_alpha(MLM_EXAMPLES, MLM_TESTS)


@strategies.composite
def mlm_inputs(draw, dtype, shapes=MLM_SHAPES, probs=MLM_PROBS):
    shape = draw(strategies.sampled_from(shapes), label="shape")
    vocab = draw(strategies.sampled_from(MLM_VOCABS), label="vocab_size")
    specials = tuple(draw(strategies.sampled_from([(0, 1, 2), (3,), (), (1, 7)]), label="special_token_ids"))
    rng = strategies.rng(draw(strategies.seeds, label="ids.seed"))
    ids = rng.integers(0, vocab, shape).astype(np.int64)
    if specials:  # about a quarter of the tokens special, so "never selected" is tested often
        spots = rng.random(shape) < 0.25
        ids = np.where(spots, rng.choice(np.asarray(specials, np.int64), shape), ids)
    return {"input_ids": ids, "vocab_size": vocab, "special_token_ids": specials,
            # outside [0, vocab): a token equal to it can only come from the [MASK] branch
            "mask_token_id": vocab + draw(strategies.sampled_from([0, 3]), label="mask offset"),
            "mask_prob": draw(strategies.sampled_from(probs), label="mask_prob"),
            "seed": draw(strategies.seeds, label="seed")}


def statistical_mlm_inputs(dtype):
    return mlm_inputs(dtype, shapes=MLM_SHAPES[:1], probs=(0.15, 0.5, 1.0))


def _mlm(subject, case, seed=None):
    ids = case["input_ids"]
    out = subject.mlm_mask(ids, seed=case["seed"] if seed is None else seed, vocab_size=case["vocab_size"],
                        mask_token_id=case["mask_token_id"], special_token_ids=case["special_token_ids"],
                        mask_prob=case["mask_prob"])
    if not isinstance(out, tuple) or len(out) != 2:
        raise PropertyFailure(f"mlm_mask must return (masked_ids, labels), got {type(out).__name__}")
    masked, labels = out
    for name, a in (("masked_ids", masked), ("labels", labels)):
        subject.expect(a, shape=ids.shape, dtype="", what=name)
        require(a.dtype.kind in "iu", f"mlm_mask {name} has dtype {a.dtype.name}, not an integer dtype")
    return masked.astype(np.int64), labels.astype(np.int64)


@prop("mlm_mask", "labels_and_unselected_tokens", inputs=mlm_inputs, dtypes=(NO_DTYPE,),
      statement="Labels are -100 or the original id; where the label is -100 (not selected) the token is "
                "unchanged; where it is the original id (selected) the token became mask_token_id or an id in "
                "[0, vocab_size); special tokens are never selected (label -100, token unchanged); mask_prob 0 "
                "selects nothing and 1 every non-special token.")
def mlm_exact(subject, case):
    ids, vocab, mask_id = case["input_ids"], case["vocab_size"], case["mask_token_id"]
    masked, labels = _mlm(subject, case)
    selected = labels != -100
    assert_equal(np.where(selected, labels, ids), ids, what="labels (each must be -100 or the original id)")
    assert_equal(masked[~selected], ids[~selected], what="unselected tokens (label -100) in masked_ids")
    new = masked[selected]
    stray = new[~((new == mask_id) | ((new >= 0) & (new < vocab)))]
    require(stray.size == 0, f"a selected token became {stray[:1]}, neither mask_token_id {mask_id} nor an id in "
                             f"[0, {vocab})")
    special = np.isin(ids, np.asarray(case["special_token_ids"], np.int64))
    assert_equal(labels[special], np.full(int(special.sum()), -100), what="labels of special tokens")
    assert_equal(masked[special], ids[special], what="special tokens in masked_ids")
    if case["mask_prob"] in (0.0, 1.0):
        assert_equal(selected, ~special if case["mask_prob"] == 1.0 else np.zeros_like(selected),
                     what=f"selection with mask_prob={case['mask_prob']}")


@prop("mlm_mask", "selection_rate_and_80_10_10_split", inputs=statistical_mlm_inputs, dtypes=(NO_DTYPE,),
      max_examples=MLM_EXAMPLES, statistical=True,
      statement="On 4096 tokens: the number of selected non-special tokens is Binomial(n_eligible, mask_prob); "
                "among the selected, [MASK] is Binomial(k, 0.8), a different id in [0, V) Binomial(k, 0.1 (1 - "
                "1/V)) and the original id Binomial(k, 0.1 + 0.1/V) (the random branch can redraw the original); "
                "the random ids are uniform: of the selected tokens whose original id is in the upper half of "
                "[0, V), Binomial(m, 0.1 h / V) become an id of the lower half (h of them); and selection is "
                "independent across positions: disjoint neighbouring pairs of eligible tokens are both selected or "
                "both not in Binomial(pairs, p^2 + (1 - p)^2); "
                "each within an exact binomial interval, false-alarm rate <= 1e-6 per check "
                f"({MLM_TESTS} tests x {MLM_EXAMPLES} examples).")
def mlm_statistics(subject, case):
    ids, vocab, mask_id, p = case["input_ids"], case["vocab_size"], case["mask_token_id"], case["mask_prob"]
    masked, labels = _mlm(subject, case)
    selected = labels != -100
    eligible = ~np.isin(ids, np.asarray(case["special_token_ids"], np.int64))
    k = int((selected & eligible).sum())
    alpha = MLM_ALPHA
    assert_binomial(k, int(eligible.sum()), p, alpha=alpha, what="selected non-special tokens")
    new, old = masked[selected & eligible], ids[selected & eligible]
    assert_binomial(int((new == mask_id).sum()), k, 0.8, alpha=alpha, what="selected tokens replaced by [MASK]")
    assert_binomial(int(((new != mask_id) & (new != old)).sum()), k, 0.1 * (1 - 1 / vocab), alpha=alpha,
                    what="selected tokens replaced by a different random id")
    assert_binomial(int((new == old).sum()), k, 0.1 + 0.1 / vocab, alpha=alpha,
                    what="selected tokens left unchanged")
    half = vocab // 2
    upper = old >= half  # for these, an id below `half` can only come from the uniform random branch
    assert_binomial(int((new[upper] < half).sum()), int(upper.sum()), 0.1 * half / vocab, alpha=alpha,
                    what=f"selected tokens of the upper half of the vocabulary replaced by an id below {half}")
    pairs = np.stack([selected[:, 0::2], selected[:, 1::2]], axis=-1)[np.stack(
        [eligible[:, 0::2], eligible[:, 1::2]], axis=-1).all(axis=-1)]
    assert_binomial(int((pairs[:, 0] == pairs[:, 1]).sum()), len(pairs), p * p + (1 - p) ** 2, alpha=alpha,
                    what="neighbouring eligible tokens both selected or both not")


@strategies.composite
def seeded_mlm_inputs(draw, dtype):
    case = draw(mlm_inputs(dtype, shapes=MLM_SHAPES[:1], probs=(0.15, 0.5)))
    case["other_seed"] = draw(strategies.seeds.filter(lambda s: s != case["seed"]), label="other_seed")
    return case


@prop("mlm_mask", "deterministic_in_seed", inputs=seeded_mlm_inputs, dtypes=(NO_DTYPE,), max_examples=10,
      statement="The same seed gives the same (masked_ids, labels); two different seeds give different "
                "selections on 4096 tokens (for independent masks, with over 1000 eligible tokens and p in "
                "{0.15, 0.5}, they coincide with probability below (1 - 2 p (1 - p))^1000 < 1e-100).")
def mlm_seed(subject, case):
    a = _mlm(subject, case)
    b = _mlm(subject, case)
    assert_equal(b[0], a[0], what="masked_ids of a second call with the same seed")
    assert_equal(b[1], a[1], what="labels of a second call with the same seed")
    c = _mlm(subject, case, seed=case["other_seed"])
    require(not np.array_equal(c[1] != -100, a[1] != -100),
            f"seeds {case['seed']} and {case['other_seed']} select exactly the same tokens")


@prop("mlm_mask", "rejects_bad_input", inputs=lambda d: mlm_inputs(d, shapes=MLM_SHAPES[1:]), dtypes=(NO_DTYPE,),
      max_examples=5,
      statement="mlm_mask raises ValueError/TypeError for mask_prob outside [0, 1], input ids outside "
                "[0, vocab_size), and float input ids.")
def mlm_rejects(subject, case):
    ids, vocab = case["input_ids"], case["vocab_size"]
    kw = {k: case[k] for k in ("seed", "vocab_size", "mask_token_id", "special_token_ids", "mask_prob")}
    for bad in (1.5, -0.1):
        assert_rejects(subject, "mlm_mask", ids, why=f"mask_prob={bad}", **dict(kw, mask_prob=bad))
    big = ids.copy()
    big.reshape(-1)[0] = vocab
    assert_rejects(subject, "mlm_mask", big, why=f"an input id {vocab} >= vocab_size", **kw)
    neg = ids.copy()
    neg.reshape(-1)[0] = -1
    assert_rejects(subject, "mlm_mask", neg, why="a negative input id", **kw)
    assert_rejects(subject, "mlm_mask", ids.astype(np.float32), why="float input ids", **kw)
