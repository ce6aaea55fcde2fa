"""Shape and argument validation shared by every built-in implementation.

Checking a convention (is D even? does H divide by Hkv?) is not arithmetic, so sharing it keeps the
implementations independent where it matters (the math) and consistent where users see it (the
``ValueError``/``TypeError`` messages). Functions here take shapes, dtypes and plain Python values,
never arrays of a particular framework.
"""

_NAMES: dict = {}


def dtype_name(dtype) -> str:
    """``'float32'`` for ``np.float32``, ``jnp.float32`` and ``torch.float32`` alike: dtypes are compared by name,
    so that no framework is imported here. Remembered per dtype object: ``str`` of a NumPy dtype takes ~3 us,
    and every call of every component asks."""
    key = (type(dtype), dtype)
    try:
        return _NAMES[key]
    except KeyError:
        name = _NAMES[key] = str(dtype).removeprefix("torch.")
    except TypeError:  # an unhashable stand-in for a dtype
        name = str(dtype).removeprefix("torch.")
    return name
