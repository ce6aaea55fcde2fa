"""Run one check (implementation, component, property, dtype) under Hypothesis and classify its outcome.

The outcome is one of docs/contract.md section 2's: ``passed``; ``failed`` (a property does not hold — the shrunk
counterexample and the observed error are kept); ``error`` (the implementation raised, hung, or returned the wrong
type/shape/dtype/NaN); ``skipped`` (not provided, dtype not supported, every input unsupported); and for a
declared known deviation ``xfailed``/``xpassed``.
"""
from __future__ import annotations

import time
import traceback
import zlib

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import FailedHealthCheck, Flaky, Unsatisfiable

from properties import compat, context, loader
from properties import strategies
from properties.assertions import PropertyFailure
from properties.calls import calls_text, rejections_failure
from properties.registry import NO_DTYPE, Check, replicas_of
from properties.replicas import Diverged, Replicable
from properties.result import Result
from properties.strategies import describe
from properties.subject import AllUnsupported, BadOutput, CheckTimeout, ImplError, Subject, time_limit

#: lines of traceback kept with an error
TRACEBACK_LINES = 12


def check_seed(check: Check, run_seed: int) -> int:
    """The Hypothesis seed of a check: stable per check id, varied per run by ``run_seed`` (0 under ``ci``)."""
    return (zlib.crc32(check.id.encode()) ^ run_seed) & 0xFFFFFFFF


def skip_reason(check: Check) -> str | None:
    """Why ``check`` cannot run for its implementation, or ``None``."""
    impl, p = check.impl, check.prop
    if not impl.provides(p.component):
        return f"not provided: {impl.name} has no {p.component}"
    for need in p.needs:
        if need == "vjp" and not impl.has_vjp:
            return f"not provided: {impl.name} has no vjp (autodiff), which this gradient property needs"
        if need != "vjp" and not impl.provides(need):
            return f"not provided: this property also needs {need}"
    if check.dtype != NO_DTYPE and check.dtype not in impl.dtypes:
        return f"dtype not supported: {impl.name} declares DTYPES={list(impl.dtypes)}"
    if grades_itself(check):
        where = "" if check.dtype == NO_DTYPE else f" in {check.dtype}"
        return (f"the oracle itself: {impl.name}{where} is what {p.name} compares with, so it would compare it "
                "with itself; the oracle is verified against mpmath at 50 digits and exact integer arithmetic in "
                "tests/test_oracle.py")
    return None


def grades_itself(check: Check) -> bool:
    """``check`` compares the oracle with itself: the NumPy implementation, in the oracle's own dtype (or with no
    dtype), against the oracle (``*matches_oracle``). Its half and single precision paths are other code and stay
    checked."""
    return (check.prop.name.endswith("matches_oracle") and check.dtype in ("float64", NO_DTYPE)
            and check.impl.module is loader.oracle().module)


def _settings(check: Check, run_seed: int, base: settings | None):
    """The profile's settings, capped at the property's ``max_examples``. A declared deviation is not shrunk:
    its check only asks whether the known failure still shows (xfailed) or no longer does (xpassed), and
    shrinking known failures took 17% of a warm run's check time (its counterexample is the first failing input
    found)."""
    base = base or settings.default
    cap = check.prop.max_examples
    phases = base.phases
    if check.impl.deviation(check.prop.component, check.prop.name, check.dtype) is not None \
            and check.impl.deviation_regime(check.prop.component, check.prop.name, check.dtype) is None:
        phases = tuple(phase for phase in phases if phase is not Phase.shrink)
    return settings(base, deadline=None, suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
                    print_blob=False, max_examples=min(base.max_examples, cap) if cap else base.max_examples,
                    phases=phases)


def _tail(exc: BaseException) -> str:
    lines = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip().splitlines()
    return "\n".join(lines[-TRACEBACK_LINES:])


def _classify(exc: BaseException) -> tuple[str, str]:
    """(status, message) for the exception a check ended with."""
    if isinstance(exc, PropertyFailure):
        return "failed", str(exc)
    if isinstance(exc, (ImplError, BadOutput, CheckTimeout)):
        return "error", str(exc)
    if isinstance(exc, Flaky):
        return "failed", f"flaky: the failure did not reproduce on replay ({exc})"
    if isinstance(exc, AssertionError):
        return "failed", str(exc) or "assertion failed"
    return "error", f"the property itself raised {type(exc).__name__}: {exc}"


def run_check(check: Check, *, run_seed: int = 0, base_settings: settings | None = None,
              nodeid: str = "", timeout_s: float = 60.0) -> dict:
    """Execute ``check`` and return its result record (:class:`properties.result.Result` in JSON form)."""
    return run_result(check, run_seed=run_seed, base_settings=base_settings, nodeid=nodeid,
                      timeout_s=timeout_s).to_json()


def run_result(check: Check, *, run_seed: int = 0, base_settings: settings | None = None,
               nodeid: str = "", timeout_s: float = 60.0) -> Result:
    """Execute ``check`` and return its :class:`properties.result.Result`; a call into the implementation that
    runs longer than ``timeout_s`` seconds (per example) is an error."""
    result = Result.for_check(check, seed=check_seed(check, run_seed), nodeid=nodeid)
    reason = skip_reason(check)
    if reason:
        return result.update(status="skipped", message=reason)
    ctx = context.start(timeout_s=timeout_s)
    subject = Subject(check.impl, check.dtype)
    subject.recording = True
    replicas = replicas_of(check.prop)
    regime = check.impl.deviation_regime(check.prop.component, check.prop.name, check.dtype)

    def run_case(case):
        try:
            check.prop.fn(subject, case)
        except (PropertyFailure, ImplError, BadOutput):
            if regime is None or not regime[1](case, check.dtype):
                raise
            ctx.deviation_seen += 1  # inside the declared regime: the known deviation showing, not a failure
            if ctx.deviation_example is None:
                ctx.deviation_example = calls_text(ctx.calls) if ctx.calls else describe(case)

    def body(recipe):
        with time_limit(check.prop.component, ctx):
            for index in range(replicas):
                try:
                    case = recipe.replica(index, replicas)
                except Diverged:
                    continue
                ctx.examples += 1
                ctx.last_case, ctx.last_errors = case, None
                ctx.rejections.clear()
                ctx.calls = []  # a new list: the last example's stays with the failure
                with strategies.replica(index, replicas):
                    run_case(case)
                if ctx.rejections:  # every bad input of the example the implementation did not reject, at once
                    raise rejections_failure(check.prop.component, ctx.rejections)

    compat.add_database_key(body, check.id.encode())  # one database entry per check
    test = given(Replicable(check.prop.inputs(check.dtype)))(body)
    test = seed(result.seed)(_settings(check, run_seed, base_settings)(test))
    start = time.perf_counter()
    try:
        with compat.no_source_constants():  # the same draws whatever else the run loaded
            test()
    except AllUnsupported:
        result.update(status="skipped", message="option not supported: " + "; ".join(ctx.unsupported_messages))
    except Unsatisfiable as exc:
        if ctx.unsupported_count:
            result.update(status="skipped", message="option not supported: " + "; ".join(ctx.unsupported_messages))
        else:
            result.update(status="error", message=f"no valid input could be generated: {exc}")
    except FailedHealthCheck as exc:
        result.update(status="error", message=f"Hypothesis health check: {exc}")
    except (Exception, CheckTimeout) as exc:
        status, message = _classify(exc)
        result.update(status=status, message=message, traceback=_tail(exc),
                      counterexample="\n".join(ctx.rejections) if ctx.rejections  # the bad calls accepted
                      else calls_text(ctx.calls) if ctx.calls else describe(ctx.last_case))
    result.duration_s = round(time.perf_counter() - start, 6)
    result.examples = ctx.examples
    _fold_figures(result, ctx)
    if regime is not None:
        return _apply_scoped_deviation(check, result, regime[0], ctx)
    return _apply_deviation(check, result)


def _fold_figures(result: Result, ctx: context.CheckContext) -> None:
    """Error figures: the worst over every example for a verdict that held; for a failure, those of the
    shrunk counterexample (the one the message and the card describe)."""
    if result.status == "failed" and ctx.oracle_suspected and result.message.startswith("oracle suspected"):
        result.oracle_suspected = ctx.oracle_suspected
    last = ctx.last_errors
    if result.status == "failed" and last is not None:
        result.update(max_abs_err=last.max_abs, max_rel_err=last.max_rel, max_ulp_err=last.max_ulp,
                      error_ratio=last.worst_ratio, tolerance=last.allowed,
                      histogram=ctx.histogram if any(ctx.histogram) else None, bad_inputs=ctx.bad_inputs or None)
        return
    result.update(max_abs_err=ctx.max_abs_err, max_rel_err=ctx.max_rel_err, max_ulp_err=ctx.max_ulp_err,
                  error_ratio=ctx.worst_ratio, tolerance=ctx.allowed,
                  histogram=ctx.histogram if any(ctx.histogram) else None,
                  bad_inputs=ctx.bad_inputs or None)
    if result.status == "passed" and ctx.unsupported_count:
        result.message = (f"{ctx.unsupported_count} input(s) skipped as unsupported: "
                          + "; ".join(ctx.unsupported_messages))
    if ctx.notes:
        result.message = "; ".join(filter(None, [result.message, *ctx.notes]))


def _apply_deviation(check: Check, result: Result) -> Result:
    reason = check.impl.deviation(check.prop.component, check.prop.name, check.dtype)
    if reason is None or result.status == "skipped":
        return result
    if result.status in ("failed", "error"):
        result.update(status="xfailed", deviation=reason, observed=result.message,
                      message=f"known deviation: {reason} | observed: {result.message}")
    else:
        result.update(status="xpassed", deviation=reason, message=f"declared deviation no longer observed: {reason}")
    return result


def _apply_scoped_deviation(check: Check, result: Result, regime: str, ctx: context.CheckContext) -> Result:
    """A deviation scoped to ``regime``: a failure outside it stays a failure; inside it, the deviation showed
    (``xfailed``) or did not (``xpassed``)."""
    reason = check.impl.deviation(check.prop.component, check.prop.name, check.dtype)
    if result.status != "skipped":
        result.update(deviation=reason, regime=regime)
    if result.status in ("failed", "error"):
        result.message = f"outside the declared deviation's regime ({regime}): {result.message}"
    elif result.status == "passed" and ctx.deviation_seen:
        observed = (f"on {ctx.deviation_seen} input(s) of {ctx.examples} in its regime ({regime}); every other "
                    "input passed")
        result.update(status="xfailed", counterexample=ctx.deviation_example, observed=observed,
                      message=f"known deviation: {reason} | observed: {observed}")
    elif result.status == "passed":
        result.update(status="xpassed", message=f"declared deviation no longer observed in its regime "
                                                f"({regime}): {reason}")
    return result


#: the settings profiles of docs/contract.md section 5 (``--hypothesis-profile``; ``ci`` is the default under CI=true)
PROFILES = {
    "dev": dict(max_examples=15),
    "ci": dict(max_examples=25, derandomize=True, database=None),
    # make test's run of the library adapters: derandomized, fewer examples (make scoreboard uses ci)
    "libraries": dict(max_examples=8, derandomize=True, database=None),
    "thorough": dict(max_examples=400),
    # internal: the mutant tests only need to see a failure, not a minimal one
    "mutants": dict(max_examples=40, derandomize=True, database=None,
                    phases=(Phase.explicit, Phase.generate)),
}


def register_profiles() -> None:
    for name, kwargs in PROFILES.items():
        settings.register_profile(name, deadline=None, suppress_health_check=list(HealthCheck), **kwargs)
