"""Shape and argument validation shared by every built-in implementation.

Checking a convention (is D even? does H divide by Hkv?) is not arithmetic, so sharing it keeps the
implementations independent where it matters (the math) and consistent where users see it (the
``ValueError``/``TypeError`` messages). Functions here take shapes, dtypes and plain Python values,
never arrays of a particular framework.
"""
