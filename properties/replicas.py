"""Several inputs per Hypothesis example: one draw of a recipe, ``k`` cases from it.

Hypothesis spends ~0.3-1 ms of engine time on each example, 20-70x the cost of calling a cheap kernel on a
small array. The suite's input strategies are composite functions (``@strategies.composite``, Hypothesis's ``composite``
with its strategies built once per argument set) whose only randomness beyond the drawn choices is NumPy data
generated from drawn seeds (:func:`properties.strategies.rng`, :func:`properties.strategies.generate`). So a
drawn case is re-made cheaply for *replica* ``r`` by running the same composite functions again, answering every
primitive draw (shape, regime, option, seed) with the value Hypothesis chose, while the data of each seed comes
from replica ``r``'s stream: same shape, regime and options, fresh values. With the example's replica count known
(the runner passes it), the arrays of replicas ``1..count-1`` are drawn together, once per example. Replica 0 is
the case Hypothesis drew; shrinking works as before (an example fails when any of its replicas fails, and the
failing replica is the counterexample).

Only composite strategies are re-run; any other strategy (``sampled_from``, ``integers``, a ``filter``/``map``
of anything) is a primitive whose value is reused. A value-dependent ``filter``/``assume`` that no longer holds
for a replica's data skips that replica (:class:`Diverged`).
"""
from __future__ import annotations

from hypothesis.errors import UnsatisfiedAssumption
from hypothesis.strategies import SearchStrategy

from properties import strategies
from properties.compat import composite_parts
from properties.draw_state import current


class Diverged(Exception):
    """A replica's draws did not follow the recorded path (a value-dependent filter or assumption)."""


def _composite(strategy):
    """The composite behind ``strategy`` (an ``st.composite`` strategy or :class:`properties.strategies.ArrayRecipe`:
    anything with ``definition, args, kwargs``), or ``None`` for any other strategy."""
    if isinstance(strategy, strategies.ArrayRecipe):
        return strategy
    # Hypothesis's internals, or what strategies.composite recorded (properties.compat)
    return composite_parts(strategy)


#: what a strategy met in a walk is, by id, in the run's table (:attr:`properties.draw_state.DrawState.known`):
#: ``(strategy, composite or None)``; a replica asks ~6 times per case, and unwrapping a lazy strategy costs more
#: than the rest of a draw. The entries hold the strategies alive, so that an id is never reused by another one
#: while it is there; the table is emptied when it holds this many (strategies built anew for every case, with
#: arguments the caches cannot key, would otherwise crowd out the rest).
_KNOWN_LIMIT = 4096


def _known(known: dict, strategy):
    """The composite behind ``strategy`` or ``None`` (a primitive), remembered by id in ``known``."""
    entry = known.get(id(strategy))
    if entry is None:
        if len(known) >= _KNOWN_LIMIT:
            known.clear()
        entry = known[id(strategy)] = (strategy, _composite(strategy))
    return entry[1]


def _walk(strategy, primitive):
    """Run ``strategy``'s composite functions ourselves, handing every other draw to ``primitive``."""
    known = current().draw.known  # looked up once per walk, not per draw

    def draw(inner, label=None):
        if type(inner) is strategies.ArrayRecipe:
            return inner.definition(draw, *inner.args)
        comp = _known(known, inner)
        if comp is None:
            return primitive(inner, label)
        return comp.definition(draw, *comp.args, **comp.kwargs)

    return draw(strategy)


class Recipe:
    """A drawn case with the primitive choices that made it, able to re-make itself for another replica."""

    def __init__(self, strategy, case, choices: list):
        self.strategy = strategy
        self.case = case
        self.choices = choices

    def replica(self, index: int, count: int = 0):
        """The case for replica ``index`` (0: the drawn one) of an example of ``count`` replicas (0: unknown).
        Raises :class:`Diverged` if it cannot be made."""
        if index == 0:
            return self.case
        answers = iter(self.choices)

        def primitive(inner, label):
            try:
                return next(answers)
            except StopIteration:
                raise Diverged() from None

        with strategies.replica(index, count):
            try:
                return _walk(self.strategy, primitive)
            except UnsatisfiedAssumption:
                raise Diverged() from None


class Replicable(SearchStrategy):
    """Draws ``strategy`` through Hypothesis, recording its primitive choices; the value is a :class:`Recipe`."""

    def __init__(self, strategy):
        super().__init__()
        self.strategy = strategy

    def do_draw(self, data):
        choices = []

        def primitive(inner, label):
            value = data.draw(inner, label=label)
            choices.append(value)
            return value

        return Recipe(self.strategy, _walk(self.strategy, primitive), choices)

    def __repr__(self):
        return f"Replicable({self.strategy!r})"
