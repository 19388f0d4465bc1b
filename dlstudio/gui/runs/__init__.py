"""The Runs tab: every stored run, filterable, editable, resumable."""
