"""What a library adapter found, with everything the scoreboard (``make scoreboard``) shows about it.

A library adapter (``impls/<library>/``) lists its findings once, as :class:`Finding` records, and derives its
``KNOWN_DEVIATIONS`` from them with :func:`known_deviations`, so the declaration the checks use and the
explanation the scoreboard prints can never drift apart. The loader records each loaded module's ``LIBRARY`` and
``FINDINGS`` in the results (``implementations`` in ``results.json``); the scoreboard page reads them from there.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable

#: what kind of difference a finding is
KINDS = {
    "bug": "a real bug: the library's result is wrong by its own documentation",
    "convention": "a documented convention that differs from the catalogue's",
    "precision": "accuracy short of what the dtype allows, in a regime the library does not promise",
}


@dataclass(frozen=True)
class Finding:
    """One observed difference between a library and the catalogue.

    ``checks`` are ``(component, property)`` or ``(component, property, dtype)`` keys (as in ``KNOWN_DEVIATIONS``);
    ``regime`` scopes the declaration to the inputs of a named regime of ``properties/regimes.py`` (or a predicate
    ``regime(case, dtype)``); ``source`` is where in the library's source the cause sits (``path:function``);
    ``repro`` is a standalone script (only the library and NumPy) under ``docs/scoreboard/repro/`` that exits 1
    while the difference holds; ``writeup`` is a report ready to send upstream (for ``kind="bug"``).
    """
    id: str
    title: str
    checks: tuple[tuple[str, ...], ...]
    cause: str
    source: str
    kind: str
    repro: str
    regime: str | Callable | None = None
    upstream: str | None = None
    writeup: str | None = None
    options: dict = field(default_factory=dict)  # e.g. the library option the finding concerns

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"finding {self.id}: kind must be one of {sorted(KINDS)}, not {self.kind!r}")
        if self.kind == "bug" and not self.writeup:
            raise ValueError(f"finding {self.id}: a bug needs an upstream write-up (writeup=)")

    def record(self) -> dict:
        """The JSON form written into the results (the regime by name)."""
        out = asdict(self)
        out["checks"] = [list(c) for c in self.checks]
        regime = self.regime
        out["regime"] = regime if isinstance(regime, str) or regime is None else getattr(regime, "__name__", "predicate")
        return out


def known_deviations(findings) -> dict:
    """``KNOWN_DEVIATIONS`` for the loader: each finding's checks mapped to its title (and regime)."""
    out = {}
    for f in findings:
        value = f.title if f.regime is None else (f.title, f.regime)
        for key in f.checks:
            if key in out:
                raise ValueError(f"{key} is declared by two findings")
            out[key] = value
    return out
