"""The scorecard document and scoring one account in plain Python."""

import math

import pytest

from arrears.scoring.scorecard import (
    Scorecard,
    ScorecardError,
    band_cutoffs,
    reason_description,
    score_explain,
    score_one,
)


def card_document(**changes) -> dict:
    document = {
        "format": 1, "name": "test",
        "scaling": {"pdo": 20, "odds": 50, "points": 600},
        "bands": [{"band": b, "min_score": s} for b, s in band_cutoffs(pdo=20, odds=50,
                                                                       points=600)],
        "features": [
            {"name": "days_past_due", "kind": "numeric", "splits": [1.0, 30.0],
             "points": [200, 150, 100], "reasons": ["DPD_HIGH"] * 3,
             "missing_points": 160, "missing_reason": "DPD_MISSING", "best_points": 200},
            {"name": "utilisation", "kind": "numeric", "splits": [0.1, 0.8],
             "points": [170, 180, 140], "reasons": ["UTIL_LOW", "UTIL_HIGH", "UTIL_HIGH"],
             "missing_points": 165, "missing_reason": "UTIL_MISSING", "best_points": 180},
            {"name": "product", "kind": "categorical", "categories": [["GOLD"], ["STD", "TW"]],
             "points": [190, 175], "reasons": ["PRODUCT_VALUE"] * 2,
             "missing_points": 180, "missing_reason": "PRODUCT_MISSING",
             "other_points": 182, "other_reason": "PRODUCT_VALUE", "best_points": 190},
        ],
    }
    document.update(changes)
    return document


def test_points_add_up_and_bins_are_half_open():
    card = Scorecard.from_json(card_document())
    # 1 is the first value of the middle bin, 0.8 the first of the last.
    result = score_one({"days_past_due": 1, "utilisation": 0.8, "product": "STD"}, card)
    assert result["score"] == 150 + 140 + 175
    result = score_one({"days_past_due": 0, "utilisation": 0.5, "product": "GOLD"}, card)
    assert result["score"] == 200 + 180 + 190


def test_reasons_are_the_features_that_lose_most_points():
    card = Scorecard.from_json(card_document())
    result = score_one({"days_past_due": 45, "utilisation": 0.95, "product": "STD"}, card)
    # losses: DPD 100, UTIL 40, PRODUCT 15
    assert [result[f"reason_{i}"] for i in (1, 2, 3)] == ["DPD_HIGH", "UTIL_HIGH",
                                                          "PRODUCT_VALUE"]
    result = score_one({"days_past_due": 0, "utilisation": 0.05, "product": "GOLD"}, card)
    assert [result[f"reason_{i}"] for i in (1, 2, 3)] == ["UTIL_LOW", "", ""]


def test_equal_losses_rank_in_scorecard_order():
    card = Scorecard.from_json(card_document())
    result = score_one({"days_past_due": None, "utilisation": None, "product": None}, card)
    # losses: DPD 40, UTIL 15, PRODUCT 10
    assert result["score"] == 160 + 165 + 180
    assert (result["reason_1"], result["reason_2"], result["reason_3"]) == (
        "DPD_MISSING", "UTIL_MISSING", "PRODUCT_MISSING")
    tie = card_document()
    tie["features"][0]["missing_points"] = 180  # DPD loses 20
    tie["features"][1]["missing_points"] = 160  # UTIL loses 20 too: DPD comes first
    result = score_one({"days_past_due": None, "utilisation": None, "product": "GOLD"},
                       Scorecard.from_json(tie))
    assert (result["reason_1"], result["reason_2"]) == ("DPD_MISSING", "UTIL_MISSING")


def test_nan_is_missing_and_unknown_category_scores_other():
    card = Scorecard.from_json(card_document())
    result = score_one({"days_past_due": 0, "utilisation": math.nan, "product": "PLATINUM"},
                       card)
    assert result["score"] == 200 + 165 + 182


def test_probability_follows_the_pdo_scaling():
    card = Scorecard.from_json(card_document())
    assert card.probability(600) == pytest.approx(50 / 51, abs=1e-12)
    assert card.probability(620) == pytest.approx(100 / 101, abs=1e-12)
    result = score_one({"days_past_due": 0, "utilisation": 0.5, "product": "GOLD"}, card)
    assert result["probability_pay"] == pytest.approx(card.probability(570), abs=1e-12)


def test_bands_stand_for_probabilities():
    card = Scorecard.from_json(card_document())
    for band, lowest in card.bands:
        assert card.band(lowest) == band
        assert card.band(lowest - 1) != band
    a_lowest = dict(card.bands)["A"]
    assert card.probability(a_lowest) >= 0.90 > card.probability(a_lowest - 1)
    assert card.band(-1000) == "E"


def test_missing_feature_is_an_error():
    card = Scorecard.from_json(card_document())
    with pytest.raises(ScorecardError, match="utilisation"):
        score_one({"days_past_due": 0, "product": "GOLD"}, card)


@pytest.mark.parametrize("change, message", [
    ({"format": 2}, "not a scorecard"),
    ({"features": []}, "at least one feature"),
    ({"bands": [{"band": "A", "min_score": 500}, {"band": "B", "min_score": 520}]},
     "decrease"),
])
def test_malformed_documents_are_refused(change, message):
    with pytest.raises(ScorecardError, match=message):
        Scorecard.from_json(card_document(**change))


def test_feature_with_wrong_number_of_points_is_refused():
    document = card_document()
    document["features"][0]["points"] = [1, 2]
    with pytest.raises(ScorecardError, match="days_past_due"):
        Scorecard.from_json(document)


def test_json_round_trip():
    card = Scorecard.from_json(card_document())
    assert Scorecard.from_json(card.to_json()) == card


def test_reason_descriptions_exist_and_translate():
    from django.utils import translation

    assert reason_description("DPD_HIGH") == "Many days past due"
    assert reason_description("LIMIT_BAL_LOW", feature="LIMIT_BAL") == "LIMIT_BAL is low"
    assert reason_description("") == ""
    with translation.override("zh-hans"):
        assert reason_description("DPD_HIGH")  # translated text, or English until translated


def test_explain_lists_every_feature_with_its_loss():
    card = Scorecard.from_json(card_document())
    rows = score_explain({"days_past_due": 45, "utilisation": 0.5, "product": "GOLD"}, card)
    assert [(r["feature"], r["points"], r["reason"]) for r in rows] == [
        ("days_past_due", 100, "DPD_HIGH"), ("utilisation", 180, ""), ("product", 190, "")]
    assert rows[0]["description"] == "Many days past due"
