"""The Compare tab: several runs' curves overlaid and their configs side by side."""
