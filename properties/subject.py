"""The implementation as a property sees it: NumPy in, NumPy out, one dtype, every failure classified.

Properties are written once, in NumPy: ``subject.layer_norm(x, 2)`` converts ``x`` with the implementation's
``asarray``, calls its ``layer_norm`` under the ``--check-timeout`` alarm, and converts what comes back with its
``to_numpy``. What can go wrong is sorted into the outcomes of docs/contract.md section 2:

- ``NotImplementedError`` -> the input is *unsupported*: Hypothesis discards it and the message is kept
  (a check where every input is unsupported is ``skipped``);
- any other exception -> :class:`ImplError` (``error``);
- a Python list, an object ``to_numpy`` cannot convert, the wrong shape or dtype -> :class:`BadOutput`
  (``error``: the result breaks the contract's form);
- NaN or inf where the contract requires a finite result -> :class:`NonFinite`, a property failure (``failed``:
  the form is right and the values are wrong, infinitely far from any allowance — a planted bug caught this way
  is caught by the property's own statement, not by a crash);
- a call running past the timeout -> :class:`CheckTimeout`, a ``BaseException`` so that Hypothesis does not
  retry or shrink it (that would hang again).
"""
from __future__ import annotations

import signal
import threading
import zlib
from contextlib import contextmanager

import numpy as np
from hypothesis import reject

from properties import context
from properties.assertions import PropertyFailure
from properties.catalogue import SIGNATURES, optional_parameters


class ImplError(Exception):
    """The implementation raised while computing ``component``."""

    def __init__(self, component: str, original: BaseException):
        super().__init__(f"{component} raised {type(original).__name__}: {original}")
        self.component = component
        self.original = original


class BadOutput(Exception):
    """The implementation returned something the contract does not allow (type, shape, dtype, NaN)."""


class NonFinite(PropertyFailure):
    """The implementation returned NaN or inf where the contract requires a finite result (``failed``)."""


class CheckTimeout(BaseException):
    """A call into the implementation ran longer than ``--check-timeout`` seconds."""


class AllUnsupported(BaseException):
    """The first :data:`UNSUPPORTED_PROBE` examples were all declared unsupported: the option is not
    implemented at all, so the check is ``skipped`` now instead of after Hypothesis gives up (~500 examples).
    An implementation supporting even half of the inputs passes this probe with probability 1 - 2**-20."""


#: consecutive unsupported examples, with none supported, after which a check is skipped
UNSUPPORTED_PROBE = 20


@contextmanager
def time_limit(component: str, ctx: context.CheckContext):
    """Raise :class:`CheckTimeout` in this thread if the body runs longer than the check's ``ctx.timeout_s``.

    The runner arms it once per example (a timer per call would cost more than a cheap kernel); the message
    names the call in progress. SIGALRM interrupts Python code and blocking system calls; a native kernel that
    never returns to the interpreter is only stopped by running under ``-n`` (a crashed or killed worker costs
    its own checks).
    """
    seconds = ctx.timeout_s
    armed = seconds and threading.current_thread() is threading.main_thread() \
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0

    def expire(signum, frame):
        raise CheckTimeout(f"{ctx.calling or component} did not return within {seconds:g} s (--check-timeout)")

    if not armed:
        yield
        return
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_DTYPE_NAMES: dict = {}


def _dtype_name(a: np.ndarray) -> str:
    """``a.dtype.name``, remembered per dtype (numpy builds the string anew on every access, ~3 us)."""
    dtype = a.dtype
    name = _DTYPE_NAMES.get(dtype)
    if name is None:
        name = _DTYPE_NAMES[dtype] = dtype.name
    return name


#: values passed to an implementation as they are (and returned to a property as they are)
_SCALARS = (bool, int, float, str, np.generic)


def unsupported(message: str):
    """Discard this input as one the implementation does not support, keeping ``message`` (a check whose first
    :data:`UNSUPPORTED_PROBE` inputs are all unsupported is skipped at once)."""
    ctx = context.current()
    ctx.unsupported(message)
    if ctx.unsupported_count >= UNSUPPORTED_PROBE and ctx.unsupported_count == ctx.examples:
        raise AllUnsupported() from None
    reject()


def _is_default(value, default) -> bool:
    if isinstance(value, np.ndarray) or isinstance(default, np.ndarray):
        return False
    return value is None if default is None else (type(value) is type(default) and value == default)


def _coin(args) -> bool:
    """A fair, deterministic bit of the call's first array (its bytes' CRC): the same input decides the same way
    (Hypothesis replays and shrinks reproduce), different inputs differ."""
    for a in args:
        if isinstance(a, np.ndarray) and a.size:
            return bool(zlib.crc32(np.ascontiguousarray(a).view(np.uint8)) & 1)
        if isinstance(a, (int, np.integer)) and not isinstance(a, bool):
            return bool(zlib.crc32(str(int(a)).encode()) & 1)
    return True


def omit_defaults(component: str, args, kwargs: dict) -> dict:
    """Defaults are part of the contract: where a property passes a keyword argument at its catalogue default,
    omitting it is one of the choices — made by :func:`_coin` from the input, half the time — so every property
    also runs the implementation's own defaults."""
    defaults = optional_parameters(component) if component in SIGNATURES else {}
    same = [k for k, v in kwargs.items() if k in defaults and _is_default(v, defaults[k])]
    if not same or not _coin(args):
        return kwargs
    return {k: v for k, v in kwargs.items() if k not in same}


class Subject:
    """An implementation bound to one dtype, called with and returning NumPy values."""

    #: note every :meth:`call` in the check's context (``ctx.calls``): the runner sets it on the subject under
    #: check, so that a failure's counterexample and replay are the exact calls its example made
    recording = False
    #: omit, on a coin flip decided by the input's bytes, the keyword arguments a property passes at their
    #: catalogue default (``omit_defaults``); ``defaults_are_the_catalogue_defaults`` turns it off for its
    #: explicit call
    keep_defaults = False

    def __init__(self, impl, dtype: str):
        self.impl = impl
        self.name = impl.name
        self.dtype = dtype
        self.module = impl.module
        self._asarray = impl.module.asarray
        self._to_numpy = impl.module.to_numpy

    # conversion -----------------------------------------------------------------------------------------
    def native(self, value):
        """NumPy arrays (also inside tuples, lists and dicts) as native arrays; other values unchanged."""
        if isinstance(value, np.ndarray):
            return self._guarded("asarray", self._asarray, value)
        if isinstance(value, _SCALARS):
            return value
        if isinstance(value, tuple):
            return tuple(self.native(v) for v in value)
        if isinstance(value, list):
            return [self.native(v) for v in value]
        if isinstance(value, dict):
            return {k: self.native(v) for k, v in value.items()}
        return value

    def numpy(self, value, component: str, *, top: bool = True):
        """A native result as NumPy (recursively through tuples and dicts)."""
        if value is None or isinstance(value, _SCALARS):
            return value
        if isinstance(value, tuple):
            return tuple(self.numpy(v, component, top=False) for v in value)
        if isinstance(value, dict):
            return {k: self.numpy(v, component, top=False) for k, v in value.items()}
        if isinstance(value, list):
            if top:
                raise BadOutput(f"{component} returned a Python list, not a native array")
            return [self.numpy(v, component, top=False) for v in value]
        try:
            out = self._to_numpy(value)
        except Exception as exc:
            raise BadOutput(f"{component} returned {type(value).__name__}, which to_numpy cannot convert "
                            f"({type(exc).__name__}: {exc})") from None
        if not isinstance(out, np.ndarray):
            raise BadOutput(f"to_numpy returned {type(out).__name__} for {component}'s result, not an ndarray")
        return out

    # calling --------------------------------------------------------------------------------------------
    def _guarded(self, component: str, fn, *args, **kwargs):
        ctx = context.current()
        ctx.calling = component
        try:
            return fn(*args, **kwargs)
        except NotImplementedError as exc:
            unsupported(f"{component}: {exc}" if str(exc) else f"{component}: not implemented")
        except (CheckTimeout, BadOutput, ImplError):
            raise
        except Exception as exc:
            raise ImplError(component, exc) from exc
        finally:
            ctx.calling = ""

    def call(self, component: str, *args, **kwargs):
        """``component(*args, **kwargs)`` on the implementation, NumPy in and out."""
        fn = getattr(self.module, component, None)
        if not callable(fn):
            raise BadOutput(f"{component} is not provided by {self.name}")
        if kwargs and not self.keep_defaults:
            kwargs = omit_defaults(component, args, kwargs)
        if self.recording:
            context.current().calls.append((component, args, kwargs))
        native = self.native
        args = [native(a) for a in args]
        if kwargs:
            kwargs = {k: native(v) for k, v in kwargs.items()}
        return self.numpy(self._guarded(component, fn, *args, **kwargs), component)

    def __getattr__(self, component: str):
        if component.startswith("_"):
            raise AttributeError(component)

        def caller(*args, **kwargs):
            return self.call(component, *args, **kwargs)
        setattr(self, component, caller)  # later lookups find it without __getattr__ (called per case)
        return caller

    def vjp(self, component: str, args: tuple, cotangent: np.ndarray, *, wrt=(0,), output=None, **kwargs):
        """The implementation's VJP of ``component(*args, **kwargs)`` (its output ``output`` when it returns a
        tuple) with respect to the positional arguments ``wrt``, for ``cotangent``; NumPy in and out."""
        fn = getattr(self.module, component)
        native_args = list(self.native(args))
        native_kwargs = self.native(kwargs)

        def restricted(*primals):
            full = list(native_args)
            for i, p in zip(wrt, primals):
                full[i] = p
            out = fn(*full, **native_kwargs)
            return out if output is None else out[output]

        primals = tuple(native_args[i] for i in wrt)
        grads = self._guarded(f"vjp({component})", self.module.vjp, restricted, primals, self.native(cotangent))
        return tuple(self.numpy(g, f"vjp({component})", top=False) for g in grads)

    def rejects(self, component: str, *args, **kwargs) -> BaseException | None:
        """Call with bad input; return the ``ValueError``/``TypeError`` raised, or ``None`` if it was accepted.

        Any other exception is the implementation's error (it crashed instead of rejecting the input).
        """
        try:
            self.call(component, *args, **kwargs)
        except ImplError as exc:
            if isinstance(exc.original, (ValueError, TypeError)):
                return exc.original
            raise
        except BadOutput:
            return None
        return None

    # output checks --------------------------------------------------------------------------------------
    def expect(self, out: np.ndarray, *, shape=None, dtype: str | None = None, finite: bool = True,
               what: str = "output") -> np.ndarray:
        """Check a returned array's shape, dtype and finiteness; :class:`BadOutput` if any is wrong."""
        if not isinstance(out, np.ndarray):
            raise BadOutput(f"{what} is {type(out).__name__}, not an array")
        if shape is not None and tuple(out.shape) != tuple(shape):
            raise BadOutput(f"{what} has shape {tuple(out.shape)}, expected {tuple(shape)}")
        want = self.dtype if dtype is None else dtype
        if want and _dtype_name(out) != want:
            raise BadOutput(f"{what} has dtype {_dtype_name(out)}, expected {want}")
        if finite and out.dtype.kind in "fV" and not np.isfinite(out).all():
            bad = np.argwhere(~np.isfinite(out.astype(np.float64)))[0]
            raise NonFinite(f"{what} is not finite at index {tuple(int(i) for i in bad)}: "
                            f"{out.astype(np.float64)[tuple(bad)]}")
        return out
