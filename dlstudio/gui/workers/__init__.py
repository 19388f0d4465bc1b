"""Work off the GUI thread: worker sessions, the training controller and its queue."""
