"""Built-in implementations of the dlprops component catalogue (see docs/contract.md).

Each sub-package is one implementation module in the sense of docs/contract.md section 2: ``NAME``, ``asarray``,
``to_numpy``, ``DTYPES``, optionally ``vjp`` and ``KNOWN_DEVIATIONS``, and the component functions,
one module per family.
"""
