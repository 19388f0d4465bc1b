"""dlstudio: a desktop workbench for training deep-learning models and tracking runs."""

__version__ = "0.1.0"
