"""The one-paragraph, human explanation of a diagnosis, with its numbers."""

from __future__ import annotations

_GAP_WORDS = {
    "avoidable_bias": "avoidable bias",
    "variance": "variance",
    "dev_overfitting": "dev overfitting",
}

_VERDICT_SENTENCES = {
    "bias": "Verdict: high bias - the model underfits; avoidable bias is the largest gap.",
    "variance": "Verdict: high variance - the model fits the training set but does not "
                "generalize to the dev set; variance is the largest gap.",
    "both": "Verdict: high bias and high variance - both gaps count and are comparable; "
            "reduce bias first, then variance.",
    "dev_overfitting": "Verdict: dev-set overfitting - test error is well above dev error, "
                       "so the hyperparameters were tuned to the dev set and its numbers "
                       "flatter the model (variance read from it is optimistic too).",
    "none": "Verdict: no clear problem - no gap is large enough to act on.",
}


def explain(metric, errors, gaps, verdict, also, thresholds) -> tuple[str, tuple[str, ...]]:
    """Return (paragraph, notes): the paragraph quotes every number; notes stand alone."""
    unit = "" if metric == "regression" else " %"
    pts = "" if metric == "regression" else " points"
    fmt = (lambda v: f"{v:.4g}") if metric == "regression" else (lambda v: f"{v:.1f}")
    sentences = [
        f"Human-level error is {fmt(errors['human'])}{unit}; train error "
        f"{fmt(errors['train'])}{unit}, dev error {fmt(errors['dev'])}{unit}"
        + ("" if errors["test"] is None else f", test error {fmt(errors['test'])}{unit}")
        + "."
    ]
    for name, gap in gaps.items():
        if gap is None:
            continue
        ci = ""
        if gap.low is not None:
            ci = (f" ({thresholds.confidence:.0%} CI {fmt(gap.low)} to {fmt(gap.high)})")
        status = "counts" if gap.counts else "does not count"
        sentences.append(f"{_GAP_WORDS[name].capitalize()}: {fmt(gap.value)}{pts}{ci}, {status}.")
    sentences.append(_VERDICT_SENTENCES[verdict])
    if also:
        names = ["avoidable_bias" if a == "bias" else a for a in also]
        words = ", ".join(f"{_GAP_WORDS[n]} ({fmt(gaps[n].value)}{pts})" for n in names)
        sentences.append(f"Smaller gaps that also pass the threshold: {words}; "
                         f"they come after the verdict's problem.")
    notes = _notes(metric, gaps, thresholds)
    return " ".join(sentences + list(notes)), notes


def _notes(metric, gaps, thresholds) -> tuple[str, ...]:
    notes = []
    bias, variance, dev = gaps["avoidable_bias"], gaps["variance"], gaps["dev_overfitting"]
    if bias.value < 0:
        notes.append("Train is better than human level: avoidable bias is not the issue "
                     "(past human level, human error no longer estimates Bayes error and "
                     "progress is usually slower).")
    if variance.value < 0:
        notes.append("Dev error is below train error: check that train and dev come from "
                     "the same distribution and that dropout or augmentation was off when "
                     "the train error was measured.")
    if dev is None:
        notes.append("No test metric: dev overfitting cannot be judged; the verdict covers "
                     "bias and variance only.")
    if metric == "regression":
        notes.append(f"A regression metric is not a proportion, so there are no binomial "
                     f"confidence intervals; a gap counts from "
                     f"{thresholds.min_relative_gap:.0%} of the largest error.")
    else:
        unsure = [g for g in gaps.values() if g is not None and g.low is not None
                  and g.value >= thresholds.min_gap and not g.counts]
        for gap in unsure:
            notes.append(f"The {_GAP_WORDS[gap.name]} gap is large but its interval includes "
                         f"0: with these set sizes it could be noise; more samples would tell.")
        if all(g is None or g.low is None for g in gaps.values()):
            notes.append(f"No set sizes given: gaps are judged by size alone (a gap counts "
                         f"from {thresholds.min_gap:g} points), without confidence intervals.")
    return tuple(notes)
