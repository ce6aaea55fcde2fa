"""The verification harness (registry, strategies, tolerances, oracle, runner, pytest plugin) and one property
module per family (``test_<family>.py``)."""
