"""The result of one check: the one record the runner builds, the pytest plugin carries to the controller and the
reports read (docs/contract.md section 5).

:class:`Result` is built here only: by the runner for a check it ran (:func:`properties.runner.run_check`), and
by :meth:`Result.for_signature_error` and :meth:`Result.for_crash` for checks it could not run. On the wire and
in ``results.json`` a result is :meth:`Result.to_json`, a flat JSON object whose fields are this dataclass's
(documented by each field's ``doc``) under the document's ``version`` (:data:`SCHEMA_VERSION`). A declared
deviation travels in its own fields (``deviation``, ``regime``, ``observed``), never inside the message.
"""
from __future__ import annotations

import shlex
from dataclasses import asdict, dataclass, field, fields

#: the version of the results.json document; 2 added deviation, regime, observed (and made replay a field)
SCHEMA_VERSION = 2
#: the key under which a test report carries its result (``user_properties``)
RESULT_KEY = "dlprops_result"


def _f(doc: str, default=None):
    return field(default=default, metadata={"doc": doc})


@dataclass
class Result:
    """One check's verdict and what was observed."""
    impl: str = _f("the implementation's `NAME`", "")
    component: str = _f("the component (section 3)", "")
    property: str = _f("the property's name (section 4)", "")
    dtype: str = _f("`float16`, `bfloat16`, `float32`, `float64`, or `n/a` for a check without a float dtype", "")
    status: str = _f("`passed failed error skipped xfailed xpassed`", "passed")
    examples: int = _f("examples run", 0)
    duration_s: float | None = _f("seconds the check took", 0.0)
    message: str = _f("what was observed (empty when passed)", "")
    counterexample: str | None = _f("the shrunk failing input, as text with the catalogue's argument names, or "
                                    "`null`")
    max_abs_err: float | None = _f("largest absolute error observed (for a failure: of the counterexample), or "
                                   "`null`")
    max_rel_err: float | None = _f("largest relative error observed, or `null`")
    max_ulp_err: float | None = _f("largest error in units in the last place, or `null`")
    error_ratio: float | None = _f("worst error divided by its allowance (> 1 fails), or `null`")
    tolerance: float | None = _f("the allowance at the worst element, or `null`")
    histogram: list | None = _f("counts of log10(error / allowance) in half-decade bins, or `null`")
    traceback: str | None = _f("the tail of the traceback of a failure or error, or `null`")
    seed: int | None = _f("the check's Hypothesis seed")
    family: str = _f("the component's family (section 3 subsection)", "")
    statement: str = _f("the property's statement in words", "")
    reproduce: str | None = _f("a command that runs the check again (failures, errors, xfailed), or `null`")
    nodeid: str = _f("the pytest test id", "")
    bad_inputs: int | None = _f("convention-breaking inputs tried (`rejects_bad_input` checks), or `null`")
    deviation: str | None = _f("the declared known deviation's reason (xfailed, xpassed, or failed outside the "
                               "deviation's regime), or `null`")
    regime: str | None = _f("the input regime a scoped deviation is declared for, or `null` (every input)")
    observed: str | None = _f("for xfailed: what the deviation looked like in this run, or `null`")
    replay: str | None = _f("path of a plain Python script that replays the failing call (failures and errors), "
                            "or `null`")
    oracle_suspected: dict | None = _f("on a failure where other implementations sided with the one checked "
                                       "against the oracle: who and by how much; else `null`")

    def update(self, **values) -> "Result":
        for name, value in values.items():
            if name not in FIELD_NAMES:
                raise AttributeError(f"Result has no field {name!r}")
            setattr(self, name, value)
        return self

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, record: dict) -> "Result":
        """A result from its JSON form (fields this version does not know are ignored)."""
        return cls(**{k: v for k, v in record.items() if k in FIELD_NAMES})

    @classmethod
    def for_check(cls, check, *, seed: int, nodeid: str = "") -> "Result":
        return cls(impl=check.impl.name, component=check.prop.component, property=check.prop.name,
                   dtype=check.dtype, seed=seed, family=check.prop.family, statement=check.prop.statement,
                   nodeid=nodeid)

    @classmethod
    def for_signature_error(cls, check, problem: str, *, seed: int, nodeid: str) -> "Result":
        """A check not run because its component's signature is not the catalogue's: an error."""
        return cls.for_check(check, seed=seed, nodeid=nodeid).update(status="error", message=problem)

    @classmethod
    def for_crash(cls, ids: dict, family: str, nodeid: str, message: str) -> "Result":
        """A check whose process died (no record came back), attributed from its test id."""
        last = message.strip().splitlines()[-1] if message.strip() else ""
        return cls(**ids, family=family, status="error", duration_s=None, nodeid=nodeid,
                   message=f"the process running this check died: {last}")


#: the fields of a result, in order, with their meaning (docs/contract.md section 5 is generated from these)
FIELDS = [(f.name, f.metadata["doc"]) for f in fields(Result)]
FIELD_NAMES = frozenset(name for name, _ in FIELDS)


def reproduce_command(node: str, *, impl_cli: str = "", seed: int = 0, profile: str | None = None,
                      check_timeout: float = 60.0, device: str = "cpu") -> str:
    """A command that runs one check again with the same inputs: its test id ``node`` (as the directory the run
    started in sees it), its implementation (and only it: a plug-in does not need the built-ins loaded), the run
    seed, and the profile, timeout and device when they are not what a plain ``pytest`` would use (a ``ci``
    failure must reproduce without CI=true). It writes no report (``--report-json ''``): replaying one check must
    not overwrite the run's reports."""
    parts = ["pytest", shlex.quote(node)]
    if impl_cli:
        parts += [impl_cli, "--no-builtins"]
    if seed:
        parts.append(f"--hypothesis-seed={seed}")
    if profile and profile != "dev":
        parts.append(f"--hypothesis-profile={profile}")
    if check_timeout != 60.0:
        parts.append(f"--check-timeout={check_timeout:g}")
    if device != "cpu":
        parts.append(f"--device {device}")
    parts.append("--report-json '' --report-html ''")
    return " ".join(parts)
