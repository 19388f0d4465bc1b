"""The LR finder tab: the LR range test, its plot, history and suggestions."""
