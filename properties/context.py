"""What a running check remembers: examples run, the worst errors seen, the error-margin histogram, inputs the
implementation declared unsupported, and the last input (after shrinking: the counterexample)."""
from __future__ import annotations

import contextvars
import math
from dataclasses import dataclass, field

#: bin edges of the log10(error / allowed) histogram shown per implementation in the report
HIST_LO, HIST_HI, HIST_STEP = -8.0, 2.0, 0.5
HIST_BINS = int((HIST_HI - HIST_LO) / HIST_STEP) + 2  # + underflow (exact) and overflow bins


def hist_bin(ratio: float) -> int:
    """Histogram bin of an error ratio: 0 holds exact results (and anything below 1e-8), the last > 100x."""
    if ratio <= 0 or math.log10(ratio) < HIST_LO:
        return 0
    if not math.isfinite(ratio):  # an exact comparison (tolerance 0) that failed
        return HIST_BINS - 1
    return min(HIST_BINS - 1, 1 + int((math.log10(ratio) - HIST_LO) / HIST_STEP))


@dataclass
class CheckContext:
    examples: int = 0
    max_abs_err: float | None = None
    max_rel_err: float | None = None
    max_ulp_err: float | None = None
    worst_ratio: float | None = None
    allowed: float | None = None
    histogram: list[int] = field(default_factory=lambda: [0] * HIST_BINS)
    unsupported_messages: list[str] = field(default_factory=list)
    unsupported_count: int = 0
    last_case: object = None
    last_errors: object = None
    notes: list[str] = field(default_factory=list)
    bad_inputs: int = 0
    #: the bad inputs of this example the implementation did not reject (:func:`assertions.assert_rejects`): one
    #: line each; the runner fails the example with all of them once the property returns
    rejections: list[str] = field(default_factory=list)
    #: ``(component, args, kwargs)`` of every call the example made into the implementation under check, NumPy
    #: values as the property passed them (:attr:`properties.subject.Subject.recording`)
    calls: list = field(default_factory=list)
    deviation_seen: int = 0  # inputs inside a scoped deviation's regime that showed it
    deviation_example: str | None = None
    oracle_suspected: str | None = None  # the witness that sided with the implementation against the oracle
    #: seconds one example's calls into the implementation may take (``--check-timeout``; 0: no limit)
    timeout_s: float = 60.0
    #: the call into the implementation in progress (a timeout names it)
    calling: str = ""

    def unsupported(self, message: str) -> None:
        self.unsupported_count += 1
        if message not in self.unsupported_messages and len(self.unsupported_messages) < 5:
            self.unsupported_messages.append(message)

    def record(self, errors) -> None:
        """Fold one comparison's :class:`properties.tolerances.Errors` into the check's figures."""
        self.last_errors = errors
        self.histogram[hist_bin(errors.worst_ratio)] += 1
        if self.worst_ratio is None or errors.worst_ratio >= self.worst_ratio:
            self.worst_ratio, self.allowed = errors.worst_ratio, errors.allowed
        self.max_abs_err = max(self.max_abs_err or 0.0, errors.max_abs)
        self.max_rel_err = max(self.max_rel_err or 0.0, errors.max_rel)
        self.max_ulp_err = max(self.max_ulp_err or 0.0, errors.max_ulp)

    def note(self, text: str) -> None:
        if text not in self.notes and len(self.notes) < 10:
            self.notes.append(text)


#: the context of the check this thread is running (a context variable, not a module global: a check run from a
#: thread or a nested run sees its own)
_CURRENT: contextvars.ContextVar[CheckContext | None] = contextvars.ContextVar("dlprops_check", default=None)


def current() -> CheckContext:
    """The context of the check being run (a fresh throwaway one outside the runner)."""
    ctx = _CURRENT.get()
    if ctx is None:
        ctx = CheckContext()
        _CURRENT.set(ctx)
    return ctx


def start(*, timeout_s: float = 60.0) -> CheckContext:
    """A fresh context for the check about to run, current from now on in this thread."""
    ctx = CheckContext(timeout_s=timeout_s)
    _CURRENT.set(ctx)
    return ctx
