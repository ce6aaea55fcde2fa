"""Fixtures for the tests of the suite itself."""
import importlib
import pkgutil

import pytest

import properties
from properties import registry


def import_property_modules() -> list:
    """Every registered property of every family module."""
    for info in pkgutil.iter_modules(properties.__path__):
        if info.name.startswith("test_"):
            importlib.import_module(f"properties.{info.name}")
    return registry.properties()


@pytest.fixture(scope="session")
def all_properties():
    return import_property_modules()
