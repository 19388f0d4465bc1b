"""Widgets and helpers every tab uses: fields, prompts, plot pieces, formatting."""
