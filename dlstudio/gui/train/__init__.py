"""The Train tab: the run form with its previews, the live view, the queue."""
