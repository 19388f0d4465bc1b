"""Sweeps: create, run, resume and summarise a sweep of trials."""
