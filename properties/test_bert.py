"""Properties of the BERT components (docs/contract.md 3.8 and section 4, "BERT"): input embeddings and MLM masking."""
from __future__ import annotations

import numpy as np

from properties import strategies
from properties.assertions import PropertyFailure, assert_close, assert_equal, assert_rejects, require
from properties.oracle import assert_matches_oracle
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, NO_DTYPE, prop
from properties.stats import assert_binomial, per_test_alpha
from properties.gradients import assert_gradient_close, central_difference

TABLES = ("word", "position", "token_type", "ln_weight", "ln_bias")
#: rows of the word / token-type tables; the position table has POSITIONS rows, more than any drawn L (16), so
#: a port reading rows 1..L (RoBERTa's offset) computes something, and differs from rows 0..L-1
VOCAB, TYPES, POSITIONS = 11, 3, 20
#: LayerNorm eps of the contract's default (BERT's 1e-12)
EPS = 1e-12


# --- bert_embeddings ----------------------------------------------------------------------------------------
def _tables(dtype, d, seed, regime, *, vocab=VOCAB, positions=POSITIONS, types=TYPES):
    rng = strategies.rng(seed)
    shapes = {"word": (vocab, d), "position": (positions, d), "token_type": (types, d), "ln_weight": (d,),
              "ln_bias": (d,)}
    return {k: strategies.generate(shape, dtype, regime if k in ("word", "position", "token_type") else "normal",
                          int(rng.integers(2 ** 32)))
            for k, shape in shapes.items()}


def _ids(shape, seed, *, vocab=VOCAB, types=TYPES):
    """Token ids over the whole vocabulary and token types that are not all 0 (segment B present)."""
    rng = strategies.rng(seed)
    ids = rng.integers(0, vocab, shape).astype(np.int64)
    tt = rng.integers(0, types, shape).astype(np.int64)
    tt.reshape(-1)[-1] = types - 1  # at least one non-zero type in every case
    return ids, tt


#: eps values drawn for bert_embeddings (None: omitted, the catalogue's 1e-12); large ones change the output
EPS_DRAWN = (None, 1e-5, 1e-3, 1e-1)


@strategies.composite
def embedding_inputs(draw, dtype):
    shape = draw(strategies.shapes(2, 2), label="(B, L)")
    d = draw(strategies.sizes(4, 16), label="d")
    regime = draw(strategies.sampled_from(strategies.BENIGN), label="tables.regime")
    params = _tables(dtype, d, draw(strategies.seeds, label="tables.seed"), regime)
    ids, types = _ids(shape, draw(strategies.seeds, label="ids.seed"))
    # the catalogue's eps (omitted) or another: an implementation that ignores eps must be told apart
    eps = draw(strategies.sampled_from(EPS_DRAWN), label="eps")
    return {"input_ids": ids, "token_type_ids": types, "params": params, "eps": eps}


def embedding_formula(ids, types, params, eps=EPS):
    """LayerNorm(word[ids] + position[0..L-1] + token_type[types]) in float64, written out from the formula
    (independent of every implementation, the oracle included); also returns the condition number of each row:
    the magnitude of the summed terms over the row's standard deviation (1 for exactly constant rows)."""
    t = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    length = ids.shape[1]
    parts = (t["word"][ids], t["position"][np.arange(length)][None], t["token_type"][types])
    x = parts[0] + parts[1] + parts[2]
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = (centred ** 2).mean(axis=-1, keepdims=True)
    y = centred / np.sqrt(var + eps) * t["ln_weight"] + t["ln_bias"]
    magnitude = sum(np.max(np.abs(np.broadcast_to(p, x.shape)), axis=-1) for p in parts)
    std = np.sqrt(var[..., 0])
    cond = np.where(std > 0, magnitude / np.where(std > 0, std, 1.0), 1.0)
    return y, float(np.max(cond, initial=1.0))


def _floor(params):
    """Outputs are xhat * w + b with |xhat| = O(1): the error of xhat is scaled by |w|, so |w| + 1 is the scale
    below which absolute error matters."""
    return float(np.max(np.abs(params["ln_weight"].astype(np.float64)))) + 1.0


@prop("bert_embeddings", "matches_oracle", inputs=embedding_inputs, dtypes=FLOATS,
      statement="bert_embeddings equals the float64 NumPy oracle within the dtype's tolerance (reduction over d, "
                "scaled by the rows' condition |summed terms| / std), with eps omitted (1e-12) or 1e-5, 1e-3, 0.1.")
def embeddings_oracle(subject, case):
    ids, types, params = case["input_ids"], case["token_type_ids"], case["params"]
    eps = case.get("eps")
    _, cond = embedding_formula(ids, types, params, eps=EPS if eps is None else eps)
    assert_matches_oracle(subject, "bert_embeddings", (ids, types, params), {} if eps is None else {"eps": eps},
                          n=params["word"].shape[1], cond=cond, floor=_floor(params))


@prop("bert_embeddings", "layer_norm_of_summed_tables", inputs=embedding_inputs,
      statement="bert_embeddings(ids, types, params) == LayerNorm(word[ids] + position[0..L-1] + "
                "token_type[types]) * ln_weight + ln_bias (eps 1e-12, biased variance over d), computed here in "
                "float64 from the formula; L is below the position table's rows and token types vary.")
def embeddings_formula(subject, case):
    ids, types, params = case["input_ids"], case["token_type_ids"], case["params"]
    want, cond = embedding_formula(ids, types, params)
    got = subject.expect(subject.bert_embeddings(ids, types, params), shape=want.shape)
    assert_close(got.astype(np.float64), want, dtype=subject.dtype, what="bert_embeddings vs the formula",
                 n=params["word"].shape[1], cond=cond, floor=_floor(params))


@strategies.composite
def per_token_inputs(draw, dtype):
    case = draw(embedding_inputs(dtype))
    ids = case["input_ids"]
    case["b"] = draw(strategies.integers(0, ids.shape[0] - 1), label="b")
    case["perm_seed"] = draw(strategies.seeds, label="perm_seed")
    return case


@prop("bert_embeddings", "rows_are_per_token", inputs=per_token_inputs, max_examples=15,
      statement="Output (b, i) depends only on (input_ids[b, i], i, token_type_ids[b, i]): permuting the batch "
                "permutes the output rows, and changing one sequence of the batch leaves the others unchanged.")
def embeddings_per_token(subject, case):
    ids, types, params = case["input_ids"], case["token_type_ids"], case["params"]
    y = subject.expect(subject.bert_embeddings(ids, types, params), shape=ids.shape + (params["word"].shape[1],))
    rng = strategies.rng(case["perm_seed"])
    perm = rng.permutation(ids.shape[0])
    yp = subject.expect(subject.bert_embeddings(ids[perm], types[perm], params), shape=y.shape)
    floor, d = _floor(params), params["word"].shape[1]
    assert_close(yp, y[perm].astype(np.float64), dtype=subject.dtype, what="embeddings of the permuted batch",
                 n=d, floor=floor)
    if ids.shape[0] > 1:
        b = case["b"]
        ids2, types2 = ids.copy(), types.copy()
        ids2[b] = rng.integers(0, VOCAB, ids.shape[1])
        types2[b] = rng.integers(0, TYPES, ids.shape[1])
        y2 = subject.expect(subject.bert_embeddings(ids2, types2, params), shape=y.shape)
        others = np.arange(ids.shape[0]) != b
        assert_close(y2[others], y[others].astype(np.float64), dtype=subject.dtype,
                     what="embeddings of the unchanged sequences", n=d, floor=floor)


@strategies.composite
def embedding_gradient_inputs(draw, dtype):
    # tiny: finite differences cost two formula evaluations per table element (5*4 + 4*4 + 2*4 + 4 + 4 = 52)
    params = _tables(dtype, 4, draw(strategies.seeds, label="tables.seed"), "normal", vocab=5, positions=4, types=2)
    ids, types = _ids((2, 3), draw(strategies.seeds, label="ids.seed"), vocab=5, types=2)
    cot = strategies.normal((2, 3, 4), dtype, draw(strategies.seeds, label="cotangent.seed"))
    return {"input_ids": ids, "token_type_ids": types, "params": params, "cotangent": cot}


@prop("bert_embeddings", "vjp_matches_finite_differences", inputs=embedding_gradient_inputs, needs=("vjp",),
      max_examples=10,
      statement="The VJP of bert_embeddings w.r.t. the five tables (word, position, token_type, ln_weight, "
                "ln_bias) agrees with central finite differences of the float64 formula; rows of the word and "
                "token-type tables that no token reads get gradient 0.")
def embeddings_gradient(subject, case):
    ids, types, params, cot = case["input_ids"], case["token_type_ids"], case["params"], case["cotangent"]
    module = subject.module
    ids_n, types_n = subject.native(ids), subject.native(types)

    def fn(*tables):
        return module.bert_embeddings(ids_n, types_n, dict(zip(TABLES, tables)))

    primals = subject.native(tuple(params[k] for k in TABLES))
    grads = subject._guarded("vjp(bert_embeddings)", module.vjp, fn, primals, subject.native(cot))
    grads = [subject.numpy(g, "vjp(bert_embeddings)", top=False) for g in grads]
    c = cot.astype(np.float64)
    wide = {k: params[k].astype(np.float64) for k in TABLES}
    _, cond = embedding_formula(ids, types, params)
    n = ids.size * params["word"].shape[1]
    for k, g in zip(TABLES, grads):
        def outputs(table, k=k):
            return embedding_formula(ids, types, {**wide, k: table})[0]

        fd = central_difference(outputs, wide[k], c)
        g = subject.expect(np.asarray(g), shape=fd.shape, what=f"vjp w.r.t. params[{k!r}]")
        assert_gradient_close(g, fd, c, dtype=subject.dtype, n=n, cond=cond,
                              what=f"vjp w.r.t. params[{k!r}] vs finite differences")
    unused = np.setdiff1d(np.arange(params["word"].shape[0]), ids)
    assert_equal(grads[0][unused].astype(np.float64), np.zeros((len(unused), params["word"].shape[1])),
                 what="gradient of word rows no token reads")


@strategies.composite
def bad_embedding_inputs(draw, dtype):
    return draw(embedding_inputs(dtype))


@prop("bert_embeddings", "rejects_bad_input", inputs=bad_embedding_inputs, dtypes=("float32",), max_examples=5,
      statement="bert_embeddings raises ValueError/TypeError for input_ids that are not (B, L), token_type_ids "
                "of another shape, ids or token types outside their tables, L beyond the position table, float "
                "ids, and tables of mismatched width.")
def embeddings_rejects(subject, case):
    ids, types, params = case["input_ids"], case["token_type_ids"], case["params"]
    c = "bert_embeddings"
    assert_rejects(subject, c, ids.reshape(-1), types.reshape(-1), params, why="1-D input_ids (must be (B, L))")
    assert_rejects(subject, c, ids, types[:, :-1] if ids.shape[1] > 1 else np.concatenate([types, types], 1), params,
                   why="token_type_ids of a different shape than input_ids")
    assert_rejects(subject, c, ids, types.T.copy(), params, why="transposed token_type_ids (L, B)")
    big = ids.copy()
    big.reshape(-1)[0] = VOCAB
    assert_rejects(subject, c, big, types, params, why=f"an input id {VOCAB} >= vocabulary size {VOCAB}")
    neg = ids.copy()
    neg.reshape(-1)[0] = -1
    assert_rejects(subject, c, neg, types, params, why="a negative input id")
    bad_types = types.copy()
    bad_types.reshape(-1)[0] = TYPES
    assert_rejects(subject, c, ids, bad_types, params, why=f"a token type {TYPES} >= number of types {TYPES}")
    long_ids = np.zeros((1, POSITIONS + 1), np.int64)
    assert_rejects(subject, c, long_ids, long_ids, params, why=f"L={POSITIONS + 1} beyond {POSITIONS} position rows")
    assert_rejects(subject, c, ids.astype(np.float32), types, params, why="float input_ids")
    narrow = dict(params, position=params["position"][:, :-1].copy())
    assert_rejects(subject, c, ids, types, narrow, why="a position table narrower than the word table")


# --- mlm_mask -------------------------------------------------------------------------------------------------
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
