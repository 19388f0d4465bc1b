"""What the form says about each dataset, and the default human-level performance.

``DATASET_INFO`` is one line per ``data.name`` for tooltips. ``HUMAN_LEVEL`` is the
accuracy (percent) the diagnosis panel uses as its proxy for Bayes error when it splits
a gap into avoidable bias and variance; None where there is no sensible default
(regression, the user's own files).
"""

from __future__ import annotations

DATASET_INFO: dict[str, str] = {
    "digits": "Handwritten digits, 1,797 8x8 grey images, 10 classes (scikit-learn)",
    "wine": "Wine cultivars from 13 chemical measurements, 178 samples, 3 classes "
            "(scikit-learn)",
    "breast_cancer": "Breast tumour malignant or benign from 30 cell-nucleus measurements, "
                     "569 samples, 2 classes (scikit-learn)",
    "iris": "Iris species from 4 flower measurements, 150 samples, 3 classes (scikit-learn)",
    "diabetes": "Diabetes progression after one year from 10 baseline measurements, "
                "442 patients, regression (scikit-learn)",
    "moons": "Two interleaving half circles in 2-D, 2 classes (generated; n_samples, noise)",
    "circles": "A small circle inside a large one in 2-D, 2 classes (generated; n_samples, "
               "noise)",
    "spirals": "Three interleaved spiral arms in 2-D, 3 classes (generated; n_samples, noise)",
    "csv": "Your CSV file: a header row, one sample per row; text columns are one-hot "
           "encoded, data.target names the target (default: the last column)",
    "npz": "Your NumPy .npz archive with arrays X (features or images) and y (labels or "
           "values)",
}

# Defaults only: the user can change them in the diagnosis panel, and should when they
# know better (an expert's error rate on their own data). Rough values:
# - digits, wine: careful people (or experts with the measurements) make next to no
#   mistakes, and the best published models reach ~99-100 %;
# - iris: versicolor and virginica overlap a little in the 4 measurements;
# - breast_cancer: reported expert accuracy on fine-needle aspirates is ~97 %;
# - moons, circles, spirals: the best a classifier can do at the default noise 0.2,
#   estimated with a 50-nearest-neighbour vote on 50,000 points; lower noise raises it
#   (moons 99.9, circles 99.3, spirals 99.6 at noise 0.1), higher noise lowers it.
HUMAN_LEVEL: dict[str, float | None] = {
    "digits": 100.0,
    "wine": 100.0,
    "breast_cancer": 97.0,
    "iris": 98.0,
    "diabetes": None,
    "moons": 97.0,
    "circles": 88.0,
    "spirals": 95.5,
    "csv": None,
    "npz": None,
}
