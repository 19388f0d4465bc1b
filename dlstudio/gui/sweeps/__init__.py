"""The Sweeps tab: define, plan, run, watch and resume a sweep."""
