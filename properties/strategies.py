"""Hypothesis strategies for shapes and arrays that reach the places where bugs hide, cheaply.

Drawing arrays element by element (``hypothesis.extra.numpy.arrays``) costs ~1-2 ms an example; here an array
is drawn as a *recipe* — a shape from a small lattice, a value regime and a seed — and generated with NumPy's
RNG in microseconds. Hypothesis still shrinks every part of the recipe: shapes toward the first (smallest)
lattice entries, the regime toward ``normal``, the seed toward 0. The small shape lattice also keeps JAX
compiling each function for a handful of shapes only.

Regimes (``REGIMES``):
``normal``  N(0, s^2) with s in {1, 0.1, 10};
``integers`` small integers, where many identities hold exactly;
``offset``  a large constant plus a small spread (catastrophic cancellation: one-pass variance, float16 stats);
``tiny``    values around 1e-3 (variance below a norm's eps);
``constant`` every element equal along the given axes (zero variance, all-equal logits);
``near_constant`` a constant plus relative noise 1e-6 (variance at the rounding level);
``wide``    log-uniform magnitudes over six decades with random signs;
``huge``    a few elements near the dtype's max/4 among ordinary ones (overflow in exp, squares, sums);
``specials`` a mix of 0, -0, +-1, +-max/4 and the smallest normal number.

What drawing changes as it goes (the replica being made, the generator re-seeded per array, the batches of
replica arrays) is the run's (:class:`properties.draw_state.DrawState`, reached through
:func:`properties.draw_state.current`). The ``lru_cache`` memos here stay module-level: each is a pure function of
its arguments (a strategy built from them, a stream key mixed from a replica index), so it holds no run's data and
two runs asking the same get the same answer.
"""
from __future__ import annotations

from functools import lru_cache, wraps

import numpy as np
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy
from numpy.random.bit_generator import ISeedSequence

from properties.compat import register_composite
from properties.draw_state import current
from properties.tolerances import MAX, TINY

#: dimension sizes drawn (first = what shrinking aims for); few distinct values keep JAX's compile cache warm
SIZES = (1, 2, 3, 4, 8, 16)
#: the shapes :func:`shapes` draws from (first of each rank = what shrinking aims for). A fixed, small lattice:
#: JAX compiles once per (function, shape, dtype), so every extra shape costs ~50 ms per function and dtype.
SHAPES = ((1,), (3,), (8,), (16,),
          (2, 3), (4, 8), (1, 5), (3, 16),
          (2, 3, 4), (1, 4, 8), (2, 2, 5),
          (2, 3, 2, 4), (1, 2, 3, 8))
REGIMES = ("normal", "integers", "offset", "tiny", "constant", "near_constant", "wide", "huge", "specials")
#: regimes where every output is well-conditioned (identities can be checked at the tolerance of the dtype)
BENIGN = ("normal", "integers", "wide")
#: regimes for finite-difference gradient checks: one magnitude scale per array, so a central difference with a
#: step relative to each element is accurate to ~1e-10 ("wide" mixes 1e-3 with 1e3 and breaks that)
GRADIENT = ("normal", "integers")


@lru_cache(maxsize=None)
def np_dtype(dtype: str):
    """The NumPy dtype for a contract dtype name (bfloat16 from ``ml_dtypes``)."""
    if dtype == "bfloat16":
        import ml_dtypes
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(dtype)


def cast(a, dtype: str) -> np.ndarray:
    """``a`` rounded to ``dtype`` (values beyond the dtype's range clipped to its max, not inf)."""
    a = np.asarray(a, dtype=np.float64)
    if dtype in MAX:
        a = np.minimum(np.maximum(a, -MAX[dtype]), MAX[dtype])  # NaN stays NaN
    return a.astype(np_dtype(dtype))


# Strategy constructors are cached: a case is re-made once per replica (properties/replicas.py), and building a
# Hypothesis strategy costs ~10-30 us, more than generating a small array.
@lru_cache(maxsize=None)
def sizes(lo: int = 1, hi: int = 16, *, label: str = "size") -> st.SearchStrategy[int]:
    """A dimension size from the lattice within ``[lo, hi]``."""
    options = [s for s in SIZES if lo <= s <= hi] or [lo]
    return st.sampled_from(options)


@lru_cache(maxsize=None)
def shapes(min_rank: int = 1, max_rank: int = 4, *, lo: int = 1, hi: int = 16) -> st.SearchStrategy:
    """A shape from :data:`SHAPES` of rank ``min_rank..max_rank`` with every size in ``[lo, hi]``."""
    options = [s for s in SHAPES if min_rank <= len(s) <= max_rank and all(lo <= d <= hi for d in s)]
    if not options:
        return st.tuples(*[sizes(lo, hi) for _ in range(min_rank)])
    return st.sampled_from(sorted(options, key=len))


seeds = st.integers(0, 2 ** 32 - 1)


@lru_cache(maxsize=None)
def integers(lo: int, hi: int) -> st.SearchStrategy[int]:
    """``st.integers(lo, hi)``, built once per range (composites are re-run for every replica)."""
    return st.integers(lo, hi)


def _typed(values: tuple) -> tuple:
    """A cache key for ``values`` that tells 1, 1.0 and True apart (equal, and equally hashed, as plain keys)."""
    return values, tuple(map(type, values))


def sampled_from(options) -> st.SearchStrategy:
    """``st.sampled_from(options)``, built once per sequence of options (composites are re-run for every
    replica, and building the strategy, ~4 us, cost more than drawing from it)."""
    try:
        return _sampled_from(_typed(tuple(options)))
    except TypeError:  # unhashable options: built anew
        return st.sampled_from(options)


@lru_cache(maxsize=4096)
def _sampled_from(key: tuple) -> st.SearchStrategy:
    return st.sampled_from(key[0])


_BOOLEANS = st.booleans()


def booleans() -> st.SearchStrategy[bool]:
    """``st.booleans()`` without Hypothesis's strategy-cache lookup (~5 us a call)."""
    return _BOOLEANS


def composite(definition):
    """``st.composite(definition)`` whose strategies are built once per argument set: a composite called inside
    another is called again for every replica, and building its strategy (~2 us) and unwrapping it for
    :mod:`properties.replicas` (~8 us) cost more than the rest of a small case's draws."""
    build = st.composite(definition)

    @wraps(build)
    def strategy(*args, **kwargs):
        try:
            return _built(build, definition, _typed(args),
                          (tuple(kwargs.items()), tuple(map(type, kwargs.values()))))
        except TypeError:  # an unhashable argument (an array, a list): built anew
            return register_composite(build(*args, **kwargs), definition, args, kwargs)
    return strategy


@lru_cache(maxsize=4096)
def _built(build, definition, args: tuple, kwargs: tuple) -> st.SearchStrategy:
    # recorded for properties.replicas, which re-runs composites per replica (the public path of properties.compat)
    return register_composite(build(*args[0], **dict(kwargs[0])), definition, args[0], dict(kwargs[0]))


def axes(ndim: int) -> st.SearchStrategy[int]:
    """An axis of an ``ndim``-dimensional array, negative or not (shrinks toward ``-ndim``)."""
    return integers(-ndim, ndim - 1)

#: domain separation for the suite's own random streams: an implementation seeded with the same drawn integer
#: (``np.random.default_rng(seed)`` in a dropout or MLM mask) must not replay the stream that made its input,
#: or its "random" mask correlates with the data (a false alarm in a statistical check)
DATA_STREAM = 0x646C70726F7073  # "dlprops"


class replica:
    """``with replica(index, count):`` — within the block, :func:`rng` yields replica ``index``'s stream of each
    seed, and :func:`generate` replica ``index``'s array of ``count`` (made for all of them at once when the
    count is known): replica ``r > 0`` of a case draws its data from its own stream of every seed, so the same
    recipe gives fresh values. The scope is the run's (:class:`properties.draw_state.DrawState`) and the one
    before is restored on leaving, an exception or not. A class, not ``@contextmanager``: it is entered twice per
    case (~0.4 us instead of ~2 us)."""
    __slots__ = ("index", "count", "previous", "state")

    def __init__(self, index: int, count: int = 0):
        self.index = index
        self.count = count

    def __enter__(self):
        state = self.state = current().draw
        self.previous = state.index, state.count
        state.index, state.count = self.index, self.count
        return self

    def __exit__(self, *exc_info):
        self.state.index, self.state.count = self.previous


_MASK64 = (1 << 64) - 1


def _splitmix64(z: int) -> int:
    """SplitMix64's output for ``z``: a bijective 64-bit mix (nearby seeds give unrelated states)."""
    z = (z + 0x9E3779B97F4A7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


class _FixedSeedWords(ISeedSequence):
    """A seed sequence handing PCG64 the four 64-bit words it asks for (its state and its stream), mixed by us:
    NumPy's ``SeedSequence`` hashing took two thirds of :func:`rng`'s ~15 us, and a case may call it."""
    __slots__ = ("words",)

    def __init__(self, words: np.ndarray):
        self.words = words

    def generate_state(self, n_words, dtype=np.uint32):
        if n_words != 4 or np.dtype(dtype) != np.uint64:  # what PCG64 asks for; anything else is not ours
            raise NotImplementedError(f"{n_words} words of {np.dtype(dtype)}")
        return self.words


@lru_cache(maxsize=None)
def _rng_key(replica_index: int) -> int:
    """The stream key of :func:`rng` for a replica: apart from :func:`generate`'s (a seed drawn for both, as
    shrinking makes them, 0, must not give the same numbers twice)."""
    return _splitmix64(_splitmix64(DATA_STREAM + replica_index) ^ 0x726E67)


def rng(seed: int) -> np.random.Generator:
    """The generator for test data drawn from ``seed`` (``0 <= seed < 2**32``) for the current replica: PCG64
    with state and stream words mixed by SplitMix64 from ``seed`` and the replica's key, never the state of
    ``default_rng(seed)`` (which hashes its seed) nor a stream :func:`generate` uses. A fresh object, safe to
    hold while drawing more; :func:`generate` (every array of a recipe) uses a cheaper shared one."""
    seed, k = int(seed) & _MASK64, _rng_key(current().draw.index)
    words = np.array([_splitmix64((seed + i) ^ k) for i in range(4)], dtype=np.uint64)
    return np.random.Generator(np.random.PCG64(_FixedSeedWords(words)))


@lru_cache(maxsize=None)
def _stream_key(replica_index: int) -> int:
    return _splitmix64(DATA_STREAM + replica_index)


def _array_stream(state, seed: int, key: int | None = None) -> np.random.Generator:
    """The generator for one array drawn from ``seed`` in ``state``'s replica: PCG64 with its 128-bit state
    and its stream (increment) mixed by SplitMix64 from ``seed`` and ``k = splitmix(DATA_STREAM + replica)``
    (or the given ``key``), so replicas and neighbouring seeds start far apart; ``default_rng(seed)`` derives its
    state by hashing and never replays it. The run's one generator, re-seeded (seeding PCG64 through a
    SeedSequence costs ~14 us, setting its state ~2 us, and an array is generated per replica of every case: this
    is the harness's hottest line): use it at once, before anything else generates an array."""
    seed = int(seed) & _MASK64
    k = _stream_key(state.index) if key is None else key
    seeding = state.seeding
    inner = seeding["state"]  # filled in place: building the dicts anew was a third of the cost
    inner["state"] = (_splitmix64(seed ^ k) << 64) | _splitmix64((seed + 1) ^ k)
    inner["inc"] = (k << 1) | 1
    state.bits.state = seeding
    return state.gen


# The makers below draw ``count`` arrays of ``shape`` at once, an array of shape ``(count, *shape)``: every
# scalar choice of a regime (a scale, an offset) is made per array.
def _picks(gen: np.random.Generator, count: int, ndim: int, options: tuple) -> np.ndarray:
    """One of ``options`` per array, uniformly, shaped to broadcast against ``(count, *shape)``."""
    chosen = np.asarray(options)[(gen.random(count) * len(options)).astype(np.intp)]
    return chosen.reshape((count,) + (1,) * ndim)


def _signs(gen: np.random.Generator, shape) -> np.ndarray:
    return np.where(gen.random(shape) < 0.5, -1.0, 1.0)


def _constant(gen, full, const_axes):
    """One standard normal value (times 3) per slice, repeated along ``const_axes`` of each array (all of its
    axes if None)."""
    ndim = max(len(full) - 1, 1)
    axes = range(1, len(full)) if const_axes is None else [1 + ax % ndim for ax in const_axes]
    kept = tuple(1 if i in axes else s for i, s in enumerate(full))
    out = np.empty(full)
    out[...] = gen.standard_normal(kept) * 3.0  # broadcast assignment: a third of broadcast_to(...).copy()
    return out


def _near_constant(gen, full, dtype, const_axes):
    a = _constant(gen, full, const_axes)
    return a * (1.0 + 1e-6 * gen.standard_normal(full)) + 1e-6 * gen.standard_normal(full)


def _big(dtype: str) -> float:
    """A quarter of the dtype's largest finite value (sums of a few stay finite)."""
    return MAX.get(dtype, 1e300) / 4


def _normal(gen, full, dtype, const_axes):
    return gen.standard_normal(full) * _picks(gen, full[0], len(full) - 1, (1.0, 0.1, 10.0))


def _integers(gen, full, dtype, const_axes):
    return np.floor(gen.random(full) * 9.0) - 4.0  # uniform over -4..4 (Generator.integers: twice the time)


def _offset(gen, full, dtype, const_axes):
    count, ndim = full[0], len(full) - 1
    centre = _picks(gen, count, ndim, (1e2, 1e3, 1e4)) * _picks(gen, count, ndim, (-1.0, 1.0))
    return centre + _picks(gen, count, ndim, (1e-2, 1e-1, 1.0)) * gen.standard_normal(full)


def _wide(gen, full, dtype, const_axes):
    return np.exp(gen.uniform(np.log(1e-3), np.log(1e3), full)) * _signs(gen, full)


def _huge(gen, full, dtype, const_axes):
    a = gen.standard_normal(full)
    spots = gen.random(full) < 0.25
    return np.where(spots, _signs(gen, full) * _big(dtype) * gen.uniform(0.25, 1.0, full), a)


def _specials(gen, full, dtype, const_axes):
    big = _big(dtype)
    pool = np.array([0.0, -0.0, 1.0, -1.0, big, -big, TINY.get(dtype, 1e-300), 0.5, -2.0])
    return pool[gen.integers(0, len(pool), full)]


#: regime name -> ``make(gen, (count, *shape), dtype, const_axes)``, float64 values before rounding to ``dtype``
_REGIME_MAKERS = {
    "normal": _normal,
    "integers": _integers,
    "offset": _offset,
    "tiny": lambda gen, full, dtype, c: 1e-3 * gen.standard_normal(full),
    "constant": lambda gen, full, dtype, c: _constant(gen, full, c),
    "near_constant": _near_constant,
    "wide": _wide,
    "huge": _huge,
    "specials": _specials,
}


def _make(regime: str, gen, count: int, shape: tuple, dtype: str, const_axes) -> np.ndarray:
    try:
        make = _REGIME_MAKERS[regime]
    except KeyError:
        raise ValueError(f"unknown regime {regime!r}") from None
    # every regime stays within a quarter of the dtype's range, so plain rounding is :func:`cast` here
    return make(gen, (count,) + shape, dtype, const_axes).astype(np_dtype(dtype))


#: the run's batches (:attr:`properties.draw_state.DrawState.batches`) hold the arrays of replicas ``1..count-1``
#: of a recipe, made together when the first of them asks for its own (one re-seeding and one vectorised draw
#: instead of ``count - 1``; the other replicas of the example take theirs from there). Keyed by everything that
#: determines them; emptied when this many are held.
_BATCHES_LIMIT = 256


def generate(shape, dtype: str, regime: str, seed: int, *, const_axes=None) -> np.ndarray:
    """The array a recipe describes, in ``dtype`` (see the module docstring for the regimes), for the current
    replica. Replica 0 (Hypothesis's own draw) and replicas of an unknown count get their own stream; the other
    replicas of an example ``count`` replicas share a stream of ``seed``, their arrays drawn together (the
    same arrays whichever replica is made first)."""
    shape = tuple(shape)
    state = current().draw
    index, count = state.index, state.count
    if index == 0 or count < 3:
        return _make(regime, _array_stream(state, seed), 1, shape, dtype, const_axes)[0]
    if const_axes is not None:
        const_axes = tuple(const_axes)
    key = (shape, dtype, regime, seed, const_axes, count)
    batches = state.batches
    batch = batches.get(key)
    if batch is None:
        if len(batches) >= _BATCHES_LIMIT:
            batches.clear()
        batch = batches[key] = _make(regime, _array_stream(state, seed, _stream_key(-count)), count - 1, shape,
                                     dtype, const_axes)
    return np.array(batch[index - 1])  # a copy: a property may write into its input


def _array(draw, shape, dtype: str, regimes, const_axes, labels: tuple) -> np.ndarray:
    regime = draw(sampled_from(regimes), label=labels[0])
    seed = draw(seeds, label=labels[1])
    return generate(shape, dtype, regime, seed, const_axes=const_axes)


class ArrayRecipe(SearchStrategy):
    """An array of a given shape and dtype from a drawn regime and seed. A plain strategy with the
    ``definition, args, kwargs`` of a composite, so :mod:`properties.replicas` re-makes it per replica; it
    costs a fraction of what ``@st.composite`` costs to build, which matters once per replica."""

    def __init__(self, shape, dtype: str, regimes, const_axes, label: str):
        super().__init__()
        self.definition = _array
        self.args = (tuple(shape), dtype, tuple(regimes), const_axes, (f"{label}.regime", f"{label}.seed"))
        self.kwargs = {}

    def do_draw(self, data):
        return _array(data.draw, *self.args)


def arrays(shape, dtype: str, *, regimes=REGIMES, const_axes=None, label: str = "x") -> ArrayRecipe:
    """An array of ``shape`` in ``dtype`` from a drawn regime and seed."""
    try:
        return _array_recipe(tuple(shape), dtype, tuple(regimes), const_axes, label)
    except TypeError:  # unhashable arguments (a list of axes): built anew
        return ArrayRecipe(shape, dtype, regimes, const_axes, label)


@lru_cache(maxsize=4096)
def _array_recipe(shape, dtype, regimes, const_axes, label) -> ArrayRecipe:
    """:class:`ArrayRecipe`, built once per argument set: composites call :func:`arrays` once per replica."""
    return ArrayRecipe(shape, dtype, regimes, const_axes, label)


def normal(shape, dtype: str, seed: int, scale: float = 1.0) -> np.ndarray:
    """Standard normal values times ``scale``, in ``dtype`` (for secondary arrays: weights, cotangents)."""
    return cast(scale * _array_stream(current().draw, seed).standard_normal(tuple(shape)), dtype)


def describe(value, *, limit: int = 24) -> str:
    """A short, readable rendering of a drawn case (arrays as shape, dtype and abbreviated values)."""
    if isinstance(value, np.ndarray):
        flat = value.astype(np.float64).ravel() if value.dtype.kind in "fV" or value.dtype.name == "bfloat16" \
            else value.ravel()
        body = np.array2string(flat[:limit], precision=6, separator=", ", max_line_width=10 ** 6)
        more = f" ... ({value.size} values)" if value.size > limit else ""
        return f"array(shape={value.shape}, dtype={value.dtype.name}, values={body}{more})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {describe(v, limit=limit)}" for k, v in value.items()) + "}"
    if isinstance(value, (tuple, list)):
        inner = ", ".join(describe(v, limit=limit) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    return repr(value)
