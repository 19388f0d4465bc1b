"""The course's remedies for each verdict, in the order the course tries them."""

from __future__ import annotations

VERDICTS = ("bias", "variance", "both", "dev_overfitting", "none")

BIAS_REMEDIES = (
    "Train a bigger model (more units or layers).",
    "Reduce regularization (smaller L2 weight, lower dropout).",
    "Train longer or use a better optimizer (momentum, RMSProp, Adam).",
    "Do error analysis on the training errors to see what the model misses.",
    "Search the hyperparameters or try a new architecture.",
)

VARIANCE_REMEDIES = (
    "Get more training data.",
    "Synthesize data (artificial data for the hard cases).",
    "Add regularization (L2 weight decay).",
    "Add BatchNorm.",
    "Add dropout.",
    "Augment the data.",
    "Stop early (keep the epoch with the best dev score).",
    "Use a smaller model.",
)

DEV_OVERFITTING_REMEDIES = (
    "Get more dev data (a bigger dev set): the hyperparameters were tuned to this dev set "
    "and no longer generalize to the test set.",
)

# Fix bias first: a model that cannot fit the training set is not yet worth regularizing.
# "Smaller model" would undo the first bias remedy, so "both" drops it; a bigger model
# with proper regularization is the course's way to lower both at once.
BOTH_REMEDIES = BIAS_REMEDIES + tuple(r for r in VARIANCE_REMEDIES if "smaller" not in r)

_BY_VERDICT = {
    "bias": BIAS_REMEDIES,
    "variance": VARIANCE_REMEDIES,
    "both": BOTH_REMEDIES,
    "dev_overfitting": DEV_OVERFITTING_REMEDIES,
    "none": (),
}


def remedies_for(verdict: str) -> tuple[str, ...]:
    """The remedies for one of ``VERDICTS``, most effective first."""
    return _BY_VERDICT[verdict]
