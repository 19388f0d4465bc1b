"""The Diagnosis tab: bias, variance or dev-set overfitting, and what to do."""
