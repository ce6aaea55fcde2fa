"""pytest entry point of dlprops: everything lives in :mod:`properties.plugin` (options, implementation loading,
parametrisation, result collection)."""
pytest_plugins = ["properties.plugin"]
