"""Properties of bert_embeddings (docs/contract.md 3.8 and section 4, "BERT").

Its tables, token ids and float64 formula live here: the BERT family's two components share no
helper, so it has no common module.
"""
from __future__ import annotations

import numpy as np

from properties import strategies
from properties.assertions import assert_close, assert_equal, assert_rejects
from properties.oracle import assert_matches_oracle
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, prop
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
