"""What the shared validators (``impls._validate``) take: an array's ``(shape, dtype)``."""


def meta(x):
    """``(shape, dtype)`` of a tensor, None for an absent optional one."""
    return None if x is None else (tuple(x.shape), x.dtype)
