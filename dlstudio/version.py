"""The version of dlstudio, in a module of its own so that the core can read it without
loading the package's public API."""

__version__ = "0.1.0"
