"""Training a collection scorecard from a bank's own history file.

The file is CSV or Parquet with one row per account and a target column that says whether
the account paid. Features are detected (numbers are numeric, text is categorical; identifiers,
dates, constant columns and protected attributes are left out) or declared in a small JSON
config::

    {"numeric": ["days_past_due", ...], "categorical": ["product"], "exclude": ["region"],
     "protected": ["SEX", "AGE"], "positive_class": 0}

``positive_class`` is the target value that means "pays" (``default_class`` the value that
means "does not pay"); without either, a target whose name speaks of default or bad debt
(``default``, ``bad``, ``delinq``, ``charge``, ``write``) has its larger value mean "does not
pay", any other target its larger value mean "pays".

Binning is optbinning's optimal binning by weight of evidence; a logistic regression
(scikit-learn) on the WoE values gives the points, scaled to the PDO convention of
:mod:`arrears.scoring.scorecard`. A feature whose coefficient comes out with the wrong sign
(more points for a worse WoE — a sign of collinearity) is dropped and the model refitted,
so every feature's points rise with its weight of evidence. Metrics (AUC, Gini, KS) are
measured on a stratified held-out split with the integer-point scorecard exactly as it is
deployed.
"""

import hashlib
import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from arrears.scoring.scorecard import (
    DEFAULT_SCALING,
    Scorecard,
    band_cutoffs,
    reason_codes_for,
    score_one,
)

MIN_ROWS = 200
MIN_MINORITY = 30
MIN_INFORMATION_VALUE = 0.02
MAX_CATEGORY_SHARE = 0.5  # a text column with more distinct values than this share is an id
DEFAULT_PROTECTED = ("sex", "gender", "age", "date_of_birth", "marriage", "marital_status",
                     "education", "race", "ethnicity", "religion", "nationality")
DEFAULT_LIKE_TARGET_WORDS = ("default", "bad", "delinq", "charge", "write")
CONFIG_KEYS = {"numeric", "categorical", "exclude", "protected", "positive_class",
               "default_class"}


class TrainingError(Exception):
    """The file or its options cannot give a scorecard; the message says why."""


@dataclass
class FeatureChoice:
    numeric: list[str]
    categorical: list[str]
    excluded: dict[str, str]  # column -> why it is not a feature

    @property
    def names(self) -> list[str]:
        return [*self.numeric, *self.categorical]


@dataclass
class TrainingResult:
    path: str
    sha256: str
    rows: int
    target: str
    pays_when: str  # human-readable: which target value means "pays"
    features: list[str]
    excluded: dict[str, str]
    dropped: dict[str, str]  # features the model left out, and why
    metrics: dict[str, Any]
    scorecard: dict | None
    settings: dict[str, Any] = field(default_factory=dict)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def config_load(path: Path) -> dict:
    """A training config file, checked for unknown keys and list types."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise TrainingError(_("cannot read config %(path)s: %(error)s")
                            % {"path": path, "error": error.strerror or error}) from None
    except json.JSONDecodeError as error:
        raise TrainingError(_("config %(path)s is not valid JSON: %(error)s")
                            % {"path": path, "error": error}) from None
    if not isinstance(data, dict):
        raise TrainingError(_("config %(path)s must be a JSON object") % {"path": path})
    unknown = sorted(set(data) - CONFIG_KEYS)
    if unknown:
        raise TrainingError(_("config %(path)s: unknown keys %(keys)s (known: %(known)s)")
                            % {"path": path, "keys": ", ".join(unknown),
                               "known": ", ".join(sorted(CONFIG_KEYS))})
    for key in ("numeric", "categorical", "exclude", "protected"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TrainingError(_("config %(path)s: %(key)s must be a list of column names")
                                % {"path": path, "key": key})
    return data


def table_read(path: Path):
    """The file as a pandas DataFrame (``.csv`` or ``.parquet``)."""
    import pandas as pd

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".parquet", ".pq"}:
        raise TrainingError(_("%(path)s: use a .csv or .parquet file") % {"path": path})
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, low_memory=False)
        else:
            frame = pd.read_parquet(path)
    except FileNotFoundError:
        raise TrainingError(_("%(path)s: no such file") % {"path": path}) from None
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise TrainingError(_("%(path)s cannot be read: %(error)s")
                            % {"path": path, "error": str(error).splitlines()[0]}) from None
    if frame.empty:
        raise TrainingError(_("%(path)s holds no rows") % {"path": path})
    return frame


def _matches(column, value) -> np.ndarray:
    import pandas as pd

    if pd.api.types.is_bool_dtype(column):
        text = str(value).strip().lower()
        return (column == (text in {"1", "true", "yes", "y", "t"})).to_numpy()
    if pd.api.types.is_numeric_dtype(column):
        try:
            return (column == float(value)).to_numpy()
        except (TypeError, ValueError):
            return np.zeros(len(column), dtype=bool)
    return (column.astype(str) == str(value)).to_numpy()


def target_pays(frame, target: str, config: Mapping) -> tuple[np.ndarray, str]:
    """1 where the row's account paid, 0 where it did not; and how that was decided."""
    if target not in frame.columns:
        raise TrainingError(_("no column %(target)r in the file; its columns are: %(columns)s")
                            % {"target": target, "columns": ", ".join(map(str, frame.columns))})
    column = frame[target]
    if column.isna().any():
        raise TrainingError(_("the target column %(target)s is empty on %(n)d rows")
                            % {"target": target, "n": int(column.isna().sum())})
    values = sorted(column.unique().tolist(), key=lambda v: (str(type(v)), v))
    if len(values) < 2:
        raise TrainingError(_("the target column %(target)s has one class only (%(value)s); "
                              "a scorecard needs accounts that paid and accounts that did not")
                            % {"target": target, "value": values[0]})
    positive, negative = config.get("positive_class"), config.get("default_class")
    if positive is not None:
        pays = _matches(column, positive)
        rule = _("%(target)s = %(value)s means pays") % {"target": target, "value": positive}
    elif negative is not None:
        pays = ~_matches(column, negative)
        rule = _("%(target)s = %(value)s means does not pay") % {"target": target,
                                                                   "value": negative}
    else:
        if len(values) != 2:
            raise TrainingError(_("the target column %(target)s has %(n)d values; say which one "
                                  "means pays with --positive-class")
                                % {"target": target, "n": len(values)})
        defaults = any(word in target.lower() for word in DEFAULT_LIKE_TARGET_WORDS)
        if defaults:
            pays = ~_matches(column, values[1])
            rule = _("%(target)s = %(value)s means does not pay") % {"target": target,
                                                                       "value": values[1]}
        else:
            pays = _matches(column, values[1])
            rule = _("%(target)s = %(value)s means pays") % {"target": target,
                                                               "value": values[1]}
    return pays.astype(np.int8), rule


def _is_identifier(name: str) -> bool:
    lower = name.lower()
    return lower == "id" or lower.endswith("_id") or lower.endswith(".id")


def features_choose(frame, target: str, config: Mapping, *,
                    allow_protected: bool = False) -> FeatureChoice:
    """Which columns are numeric and categorical features, and why the others are not."""
    import pandas as pd

    protected = {p.lower() for p in config.get("protected", DEFAULT_PROTECTED)}
    exclude = set(config.get("exclude", []))
    declared = [*config.get("numeric", []), *config.get("categorical", [])]
    unknown = [c for c in [*declared, *exclude] if c not in frame.columns]
    if unknown:
        raise TrainingError(_("the config names columns the file does not have: %(names)s")
                            % {"names": ", ".join(unknown)})
    if target in declared:
        raise TrainingError(_("the target %(target)s cannot also be a feature")
                            % {"target": target})
    refused = [c for c in declared if c.lower() in protected]
    if refused and not allow_protected:
        raise TrainingError(_("%(names)s are protected attributes; a collection score may not "
                              "use them unless you pass --allow-protected")
                            % {"names": ", ".join(refused)})
    choice = FeatureChoice([], [], {})
    if declared:
        choice.numeric = [c for c in config.get("numeric", []) if c not in exclude]
        choice.categorical = [c for c in config.get("categorical", []) if c not in exclude]
        for column in frame.columns:
            if column != target and column not in choice.names:
                choice.excluded[column] = _("not declared in the config")
        bad = [c for c in choice.numeric
               if not (pd.api.types.is_numeric_dtype(frame[c])
                       or pd.api.types.is_bool_dtype(frame[c]))]
        if bad:
            raise TrainingError(_("declared numeric but not numbers: %(names)s")
                                % {"names": ", ".join(bad)})
        return choice
    for column in frame.columns:
        if column == target:
            continue
        series = frame[column]
        if column in exclude:
            choice.excluded[column] = _("excluded by the config")
        elif column.lower() in protected and not allow_protected:
            choice.excluded[column] = _("protected attribute")
        elif _is_identifier(column):
            choice.excluded[column] = _("identifier")
        elif series.nunique(dropna=True) <= 1:
            choice.excluded[column] = _("the same value on every row")
        elif pd.api.types.is_datetime64_any_dtype(series):
            choice.excluded[column] = _("a date")
        elif pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            choice.numeric.append(column)
        elif series.nunique(dropna=True) > MAX_CATEGORY_SHARE * len(series):
            choice.excluded[column] = _("too many distinct values for a category")
        else:
            choice.categorical.append(column)
    return choice


def _prepared(frame, choice: FeatureChoice):
    """The feature columns as the scorecard sees them: floats, or text with None for missing."""
    import pandas as pd

    data = pd.DataFrame(index=frame.index)
    for column in choice.numeric:
        data[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    for column in choice.categorical:
        series = frame[column]
        data[column] = series.astype(str).astype(object).where(series.notna(), None)
    return data


def _check_counts(pays: np.ndarray) -> None:
    rows, paying = len(pays), int(pays.sum())
    minority = min(paying, rows - paying)
    if rows < MIN_ROWS:
        raise TrainingError(_("only %(rows)d rows; a scorecard needs at least %(min)d")
                            % {"rows": rows, "min": MIN_ROWS})
    if minority < MIN_MINORITY:
        raise TrainingError(_("only %(n)d rows of the smaller class (pays: %(pays)d, does not "
                              "pay: %(late)d); a scorecard needs at least %(min)d of each")
                            % {"n": minority, "pays": paying, "late": rows - paying,
                               "min": MIN_MINORITY})


def _fit_optbinning(X, defaults: np.ndarray, choice: FeatureChoice, scaling: Mapping):
    from optbinning import BinningProcess
    from optbinning import Scorecard as OptScorecard
    from sklearn.linear_model import LogisticRegression

    dropped: dict[str, str] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        selection = BinningProcess(
            choice.names, categorical_variables=choice.categorical or None,
            selection_criteria={"iv": {"min": MIN_INFORMATION_VALUE}},
        ).fit(X[choice.names], defaults)
    names = [str(n) for n in selection.get_support(names=True)]
    for name in choice.names:
        if name not in names:
            dropped[name] = _("too little information (IV below %(iv)s)") % {
                "iv": MIN_INFORMATION_VALUE}
    while names:
        categorical = [c for c in choice.categorical if c in names]
        card = OptScorecard(
            binning_process=BinningProcess(names, categorical_variables=categorical or None),
            estimator=LogisticRegression(max_iter=1000),
            scaling_method="pdo_odds",
            scaling_method_params={"pdo": scaling["pdo"], "odds": scaling["odds"],
                                   "scorecard_points": scaling["points"]},
            rounding=True,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            card.fit(X[names], defaults)
        # optbinning's WoE is ln(non-event/event) with "does not pay" as the event: a sound
        # feature has a negative coefficient.
        coefficients = dict(zip(names, card.estimator_.coef_[0], strict=True))
        wrong = max(coefficients, key=coefficients.get)
        if coefficients[wrong] <= 0:
            return card, names, dropped
        dropped[wrong] = _("its points fell as its weight of evidence rose (collinear)")
        names = [n for n in names if n != wrong]
    raise TrainingError(_("no usable feature: %(why)s") % {
        "why": "; ".join(f"{k}: {v}" for k, v in dropped.items()) or _("none found")})


def _scorecard_document(card, selected: list[str], choice: FeatureChoice, *, name: str,
                        scaling: Mapping) -> dict:
    table = card.table(style="detailed")
    features = []
    for feature_name in selected:
        rows = table[table["Variable"] == feature_name].reset_index(drop=True)
        binned = card.binning_process_.get_binned_variable(feature_name)
        regular = rows.iloc[:-2]
        neutral = int(rows.iloc[-2]["Points"])  # the Special bin: no special values, WoE 0
        missing = rows.iloc[-1]
        points = [int(p) for p in regular["Points"]]
        observed = [p for p, n in zip(points, regular["Count"], strict=True) if n > 0]
        if missing["Count"] > 0:
            observed.append(int(missing["Points"]))
        best = max(observed)
        best_index = points.index(best) if best in points else len(points)
        low, high, missing_code = reason_codes_for(feature_name)
        document = {"name": feature_name,
                    "missing_points": int(missing["Points"]), "missing_reason": missing_code,
                    "best_points": best, "points": points}
        if feature_name in choice.categorical:
            value_code = low.rsplit("_", 1)[0] + "_VALUE"
            document.update(kind="categorical",
                            categories=[[str(v) for v in bin_values]
                                        for bin_values in binned.splits],
                            reasons=[value_code] * len(points),
                            other_points=neutral, other_reason=value_code)
        else:
            document.update(kind="numeric", splits=[float(s) for s in binned.splits],
                            reasons=[low if i < best_index else high
                                     for i in range(len(points))])
        features.append(document)
    return {
        "format": 1, "name": name,
        "scaling": dict(scaling),
        "bands": [{"band": b, "min_score": s} for b, s in band_cutoffs(**scaling)],
        "worst_band": "E",
        "features": features,
    }


def binary_metrics(pays: np.ndarray, probability: np.ndarray) -> dict[str, float]:
    """AUC, Gini (2·AUC − 1) and KS (largest gap between the two classes' score CDFs)."""
    from sklearn.metrics import roc_auc_score, roc_curve

    auc = float(roc_auc_score(pays, probability))
    false_positive, true_positive, _thresholds = roc_curve(pays, probability)
    return {"auc": round(auc, 4), "gini": round(2 * auc - 1, 4),
            "ks": round(float(np.max(true_positive - false_positive)), 4)}


@dataclass
class _Prepared:
    frame: Any
    choice: FeatureChoice
    pays: np.ndarray
    rule: str
    train: np.ndarray
    test: np.ndarray


def _prepare(*, path: Path, target: str, config: Mapping | None, test_size: float,
             seed: int, allow_protected: bool) -> _Prepared:
    from sklearn.model_selection import train_test_split

    config = dict(config or {})
    if not 0.05 <= test_size <= 0.8:
        raise TrainingError(_("--test-size must be between 0.05 and 0.8"))
    frame = table_read(path)
    pays, rule = target_pays(frame, target, config)
    _check_counts(pays)
    choice = features_choose(frame, target, config, allow_protected=allow_protected)
    if not choice.names:
        raise TrainingError(_("no usable feature: %(why)s") % {
            "why": "; ".join(f"{k}: {v}" for k, v in choice.excluded.items())
            or _("the file has only the target")})
    train, test = train_test_split(np.arange(len(frame)), test_size=test_size,
                                   random_state=seed, stratify=pays)
    return _Prepared(_prepared(frame, choice), choice, pays, rule, np.sort(train),
                     np.sort(test))


def scorecard_train(
    *, path: Path, target: str, config: Mapping | None = None, name: str = "scorecard",
    test_size: float = 0.3, seed: int = 42, allow_protected: bool = False,
    scaling: Mapping | None = None,
) -> TrainingResult:
    """Train a scorecard on ``path`` and measure it on a held-out split."""
    scaling = dict(scaling or DEFAULT_SCALING)
    data = _prepare(path=path, target=target, config=config, test_size=test_size, seed=seed,
                    allow_protected=allow_protected)
    X = data.frame
    defaults = 1 - data.pays
    card, selected, dropped = _fit_optbinning(X.iloc[data.train], defaults[data.train],
                                              data.choice, scaling)
    document = _scorecard_document(card, selected, data.choice, name=name, scaling=scaling)
    scorecard = Scorecard.from_json(document)
    rows = X.iloc[data.test][selected].to_dict("records")
    probability = np.array([score_one(row, scorecard)["probability_pay"] for row in rows])
    metrics = binary_metrics(data.pays[data.test], probability)
    metrics.update(split_seed=seed, test_size=test_size, train_rows=len(data.train),
                   test_rows=len(data.test),
                   pay_rate=round(float(data.pays.mean()), 4))
    return TrainingResult(
        path=str(path), sha256=file_sha256(Path(path)), rows=len(X), target=target,
        pays_when=data.rule, features=selected, excluded=data.choice.excluded, dropped=dropped,
        metrics=metrics, scorecard=document,
        settings={"config": dict(config or {}), "allow_protected": allow_protected,
                  "scaling": scaling},
    )


def challenger_train(
    *, path: Path, target: str, config: Mapping | None = None, test_size: float = 0.3,
    seed: int = 42, allow_protected: bool = False,
) -> TrainingResult:
    """A gradient-boosting challenger (scikit-learn) on the same features and split.

    It is measured, not deployed: only a scorecard runs in the nightly batch.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    data = _prepare(path=path, target=target, config=config, test_size=test_size, seed=seed,
                    allow_protected=allow_protected)
    X = data.frame.copy()
    for column in data.choice.categorical:
        X[column] = X[column].astype("category")
    model = HistGradientBoostingClassifier(random_state=seed, categorical_features="from_dtype")
    model.fit(X.iloc[data.train], data.pays[data.train])
    probability = model.predict_proba(X.iloc[data.test])[:, 1]
    metrics = binary_metrics(data.pays[data.test], probability)
    metrics.update(split_seed=seed, test_size=test_size, train_rows=len(data.train),
                   test_rows=len(data.test), pay_rate=round(float(data.pays.mean()), 4))
    return TrainingResult(
        path=str(path), sha256=file_sha256(Path(path)), rows=len(X), target=target,
        pays_when=data.rule, features=data.choice.names, excluded=data.choice.excluded,
        dropped={}, metrics=metrics, scorecard=None,
        settings={"config": dict(config or {}), "allow_protected": allow_protected},
    )
