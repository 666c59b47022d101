"""The collection scorecard as data, and scoring one account with it in plain Python.

A scorecard is a JSON document (see ``docs/scoring.md``): for every feature its bins (numeric
split points, or lists of categories), the integer points of each bin, the points of a missing
value and of a category never seen in training, and a reason code per bin. The score is the
sum of the points, so it can be read, reviewed and compiled into SQL
(:func:`arrears.scoring.compile.score_columns`), which must give exactly what
:func:`score_one` gives here.

Points follow the PDO convention: ``score = offset + factor × ln(odds of paying)`` with
``factor = pdo / ln 2`` and ``offset = base_points − factor × ln(base_odds)`` — by default
600 points at odds of 50 : 1 that the account pays, and 20 more points for every doubling of
those odds. Higher scores mean the account is more likely to pay.
"""

import math
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FORMAT = 1
DEFAULT_SCALING = {"pdo": 20, "odds": 50, "points": 600}

# Score bands by the probability of payment they stand for; with the default scaling a band's
# lowest score is the smallest integer score whose probability reaches the band's threshold.
BAND_PROBABILITIES: tuple[tuple[str, float], ...] = (
    ("A", 0.90),
    ("B", 0.80),
    ("C", 0.65),
    ("D", 0.45),
)
WORST_BAND = "E"
REASON_COUNT = 3

# Reason codes of the snapshot features: (value below the best bin, above it, missing).
FEATURE_REASONS: dict[str, tuple[str, str, str]] = {
    "days_past_due": ("DPD_LOW", "DPD_HIGH", "DPD_MISSING"),
    "cycles_delinquent": ("CYCLES_LOW", "CYCLES_HIGH", "CYCLES_MISSING"),
    "balance_minor": ("BALANCE_LOW", "BALANCE_HIGH", "BALANCE_MISSING"),
    "past_due_minor": ("PAST_DUE_LOW", "PAST_DUE_HIGH", "PAST_DUE_MISSING"),
    "credit_limit_minor": ("LIMIT_LOW", "LIMIT_HIGH", "LIMIT_MISSING"),
    "utilisation": ("UTIL_LOW", "UTIL_HIGH", "UTIL_MISSING"),
    "days_since_last_payment": ("PAYMENT_VERY_RECENT", "NO_RECENT_PAYMENT",
                                "PAYMENT_DATE_MISSING"),
    "payment_ratio_3m": ("PAY_RATIO_LOW", "PAY_RATIO_HIGH", "PAY_RATIO_MISSING"),
}

REASON_DESCRIPTIONS = {
    "DPD_LOW": gettext_lazy("Few days past due"),
    "DPD_HIGH": gettext_lazy("Many days past due"),
    "DPD_MISSING": gettext_lazy("Days past due unknown"),
    "CYCLES_LOW": gettext_lazy("Few cycles delinquent"),
    "CYCLES_HIGH": gettext_lazy("Delinquent for several cycles"),
    "CYCLES_MISSING": gettext_lazy("Cycles delinquent unknown"),
    "BALANCE_LOW": gettext_lazy("Low balance"),
    "BALANCE_HIGH": gettext_lazy("High balance"),
    "BALANCE_MISSING": gettext_lazy("Balance unknown"),
    "PAST_DUE_LOW": gettext_lazy("Small past-due amount"),
    "PAST_DUE_HIGH": gettext_lazy("Large past-due amount"),
    "PAST_DUE_MISSING": gettext_lazy("Past-due amount unknown"),
    "LIMIT_LOW": gettext_lazy("Low credit limit"),
    "LIMIT_HIGH": gettext_lazy("High credit limit"),
    "LIMIT_MISSING": gettext_lazy("Credit limit unknown"),
    "UTIL_LOW": gettext_lazy("Little of the credit limit in use"),
    "UTIL_HIGH": gettext_lazy("Balance high relative to the credit limit"),
    "UTIL_MISSING": gettext_lazy("Utilisation unknown"),
    "PAYMENT_VERY_RECENT": gettext_lazy("Paid very recently"),
    "NO_RECENT_PAYMENT": gettext_lazy("No recent payment"),
    "PAYMENT_DATE_MISSING": gettext_lazy("Last payment date unknown"),
    "PAY_RATIO_LOW": gettext_lazy("Paid little of the recent minimum payments"),
    "PAY_RATIO_HIGH": gettext_lazy("Paid much more than the recent minimum payments"),
    "PAY_RATIO_MISSING": gettext_lazy("Recent payments unknown"),
}


class ScorecardError(ValueError):
    """A scorecard document is malformed; the message says which feature and what."""


def _code_base(feature: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in feature.upper()).strip("_") or "FEATURE"


def reason_codes_for(feature: str) -> tuple[str, str, str]:
    """(below the best bin, above it, missing) reason codes of a feature."""
    if feature in FEATURE_REASONS:
        return FEATURE_REASONS[feature]
    base = _code_base(feature)
    return f"{base}_LOW", f"{base}_HIGH", f"{base}_MISSING"


def reason_description(code: str, *, feature: str = "") -> str:
    """A translated sentence for a reason code (generic codes name their feature)."""
    if not code:
        return ""
    if code in REASON_DESCRIPTIONS:
        return str(REASON_DESCRIPTIONS[code])
    name = feature or code.rsplit("_", 1)[0]
    if code.endswith("_LOW"):
        return _("%(feature)s is low") % {"feature": name}
    if code.endswith("_HIGH"):
        return _("%(feature)s is high") % {"feature": name}
    if code.endswith("_MISSING"):
        return _("%(feature)s is missing") % {"feature": name}
    return _("%(feature)s value") % {"feature": name}


@dataclass(frozen=True)
class Feature:
    """One scorecard characteristic: its bins, their points and their reason codes."""

    name: str
    kind: str  # "numeric" or "categorical"
    splits: tuple[float, ...]  # numeric: bin i holds splits[i-1] <= x < splits[i]
    categories: tuple[tuple[str, ...], ...]  # categorical: the values of each bin
    points: tuple[int, ...]
    reasons: tuple[str, ...]
    missing_points: int
    missing_reason: str
    other_points: int  # a category not seen in training
    other_reason: str
    best_points: int  # the most points a value seen in training earns

    def bin_of(self, value: Any) -> int | None:
        """The bin index of a value; None = missing, -1 = a category not seen in training."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if self.kind == "numeric":
            return bisect_right(self.splits, float(value))
        text = str(value)
        for index, values in enumerate(self.categories):
            if text in values:
                return index
        return -1

    def points_and_reason(self, value: Any) -> tuple[int, str]:
        index = self.bin_of(value)
        if index is None:
            return self.missing_points, self.missing_reason
        if index < 0:
            return self.other_points, self.other_reason
        return self.points[index], self.reasons[index]

    def to_json(self) -> dict:
        data = {"name": self.name, "kind": self.kind}
        if self.kind == "numeric":
            data["splits"] = list(self.splits)
        else:
            data["categories"] = [list(c) for c in self.categories]
        data.update(points=list(self.points), reasons=list(self.reasons),
                    missing_points=self.missing_points, missing_reason=self.missing_reason,
                    best_points=self.best_points)
        if self.kind == "categorical":
            data.update(other_points=self.other_points, other_reason=self.other_reason)
        return data

    @classmethod
    def from_json(cls, data: Mapping) -> "Feature":
        name = str(data.get("name", ""))
        try:
            kind = data["kind"]
            points = tuple(int(p) for p in data["points"])
            reasons = tuple(str(r) for r in data["reasons"])
            splits = tuple(float(s) for s in data.get("splits", ()))
            categories = tuple(tuple(str(v) for v in c) for c in data.get("categories", ()))
            feature = cls(
                name=name, kind=kind, splits=splits, categories=categories, points=points,
                reasons=reasons, missing_points=int(data["missing_points"]),
                missing_reason=str(data.get("missing_reason", "")),
                other_points=int(data.get("other_points", data["missing_points"])),
                other_reason=str(data.get("other_reason", "")),
                best_points=int(data["best_points"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ScorecardError(_("feature %(name)r: %(error)s")
                                 % {"name": name, "error": error}) from None
        bins = len(splits) + 1 if kind == "numeric" else len(categories)
        if kind not in {"numeric", "categorical"}:
            raise ScorecardError(_("feature %(name)r: unknown kind %(kind)r")
                                 % {"name": name, "kind": kind})
        if len(points) != bins or len(reasons) != bins:
            raise ScorecardError(_("feature %(name)r: %(bins)d bins but %(points)d points")
                                 % {"name": name, "bins": bins, "points": len(points)})
        if list(splits) != sorted(set(splits)):
            raise ScorecardError(_("feature %(name)r: split points must increase")
                                 % {"name": name})
        return feature


@dataclass(frozen=True)
class Scorecard:
    """A scorecard ready to score: features, the PDO scaling and the band cut-offs."""

    name: str
    features: tuple[Feature, ...]
    pdo: float
    odds: float
    base_points: float
    bands: tuple[tuple[str, int], ...]  # (band, lowest score), best first; below all: WORST_BAND

    @property
    def factor(self) -> float:
        return self.pdo / math.log(2)

    @property
    def offset(self) -> float:
        return self.base_points - self.factor * math.log(self.odds)

    @property
    def feature_names(self) -> list[str]:
        return [f.name for f in self.features]

    def probability(self, score: int) -> float:
        """P(pays) for an integer score, from the scaling alone."""
        return 1.0 / (1.0 + math.exp((self.offset - score) / self.factor))

    def band(self, score: int) -> str:
        for band, lowest in self.bands:
            if score >= lowest:
                return band
        return WORST_BAND

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "name": self.name,
            "scaling": {"pdo": self.pdo, "odds": self.odds, "points": self.base_points},
            "bands": [{"band": b, "min_score": s} for b, s in self.bands],
            "worst_band": WORST_BAND,
            "features": [f.to_json() for f in self.features],
        }

    @classmethod
    def from_json(cls, data: Mapping) -> "Scorecard":
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise ScorecardError(_("not a scorecard document (format %(format)d)")
                                 % {"format": FORMAT})
        try:
            scaling = data["scaling"]
            bands = tuple((str(b["band"]), int(b["min_score"])) for b in data["bands"])
            features = tuple(Feature.from_json(f) for f in data["features"])
            card = cls(name=str(data.get("name", "")), features=features,
                       pdo=float(scaling["pdo"]), odds=float(scaling["odds"]),
                       base_points=float(scaling["points"]), bands=bands)
        except (KeyError, TypeError, ValueError) as error:
            if isinstance(error, ScorecardError):
                raise
            raise ScorecardError(_("scorecard: %(error)s") % {"error": error}) from None
        if not features:
            raise ScorecardError(_("a scorecard needs at least one feature"))
        if [s for _b, s in bands] != sorted((s for _b, s in bands), reverse=True):
            raise ScorecardError(_("band cut-offs must decrease from the best band"))
        return card


def band_cutoffs(*, pdo: float, odds: float, points: float) -> tuple[tuple[str, int], ...]:
    """The lowest integer score of each band under a scaling (see ``BAND_PROBABILITIES``)."""
    factor = pdo / math.log(2)
    offset = points - factor * math.log(odds)
    return tuple((band, math.ceil(offset + factor * math.log(p / (1 - p)) - 1e-9))
                 for band, p in BAND_PROBABILITIES)


def as_scorecard(scorecard: "Scorecard | Mapping") -> Scorecard:
    return scorecard if isinstance(scorecard, Scorecard) else Scorecard.from_json(scorecard)


def feature_points(features: Mapping[str, Any], scorecard: Scorecard) -> list[tuple[int, str]]:
    """(points, reason code) of every feature of the scorecard, in scorecard order."""
    missing = [f.name for f in scorecard.features if f.name not in features]
    if missing:
        raise ScorecardError(_("missing features: %(names)s") % {"names": ", ".join(missing)})
    return [f.points_and_reason(features[f.name]) for f in scorecard.features]


def score_one(features: Mapping[str, Any], scorecard: "Scorecard | Mapping") -> dict:
    """Score one account: score, probability_pay, score_band and reason_1..reason_3.

    The reasons are the reason codes of the features whose points fall furthest below that
    feature's best points (ties: the earlier feature first); only features that lose points
    give a reason, so a top account may have fewer than three (the rest are "").
    """
    card = as_scorecard(scorecard)
    scored = feature_points(features, card)
    score = sum(points for points, _reason in scored)
    gaps = [(feature.best_points - points, index, reason)
            for index, (feature, (points, reason)) in enumerate(zip(card.features, scored,
                                                                    strict=True))]
    ranked = sorted((g for g in gaps if g[0] > 0), key=lambda g: (-g[0], g[1]))
    reasons = [reason for _gap, _index, reason in ranked[:REASON_COUNT]]
    reasons += [""] * (REASON_COUNT - len(reasons))
    result = {
        "score": score,
        "probability_pay": card.probability(score),
        "score_band": card.band(score),
    }
    result.update({f"reason_{i + 1}": reasons[i] for i in range(REASON_COUNT)})
    return result


def score_explain(features: Mapping[str, Any], scorecard: "Scorecard | Mapping") -> list[dict]:
    """Per feature: its value, points, best points and reason code (for people, not batches)."""
    card = as_scorecard(scorecard)
    return [
        {"feature": f.name, "value": features.get(f.name), "points": points,
         "best_points": f.best_points, "reason": reason if f.best_points > points else "",
         "description": reason_description(reason, feature=f.name)
         if f.best_points > points else ""}
        for f, (points, reason) in zip(card.features, feature_points(features, card),
                                       strict=True)
    ]
