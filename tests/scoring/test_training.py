"""Training a scorecard from a file: metrics, feature choice, protected attributes, errors."""

import numpy as np
import pandas as pd
import pytest

from arrears.scoring.features import SCORE_FEATURES, TAIWAN_TARGET
from arrears.scoring.scorecard import Scorecard, score_one
from arrears.scoring.training import (
    TrainingError,
    challenger_train,
    config_load,
    features_choose,
    scorecard_train,
    table_read,
    target_pays,
)


def test_scorecard_on_a_taiwan_slice_is_sane(trained, taiwan_frame):
    m = trained.metrics
    assert 0.6 < m["auc"] < 0.85
    assert m["gini"] == pytest.approx(2 * m["auc"] - 1, abs=1e-4)
    assert 0.1 < m["ks"] < 0.7
    assert m["test_rows"] == 900 and m["train_rows"] == 2100 and m["split_seed"] == 42
    assert trained.pays_when == "default_next_month = 1 means does not pay"
    assert set(trained.features) <= {*SCORE_FEATURES, "bucket"}
    assert trained.excluded["account_external_id"] == "identifier"
    assert len(trained.sha256) == 64 and trained.rows == len(taiwan_frame)


def test_higher_scores_pay_more_often(trained, taiwan_frame):
    card = Scorecard.from_json(trained.scorecard)
    scores = np.array([score_one(row, card)["score"]
                       for row in taiwan_frame.to_dict("records")])
    pays = 1 - taiwan_frame[TAIWAN_TARGET].to_numpy()
    low, high = scores <= np.median(scores), scores > np.median(scores)
    assert pays[high].mean() > pays[low].mean() + 0.1


def test_late_accounts_never_earn_more_points_for_lateness(trained):
    """Wrong-sign features are dropped, so being late never adds points."""
    card = Scorecard.from_json(trained.scorecard)
    for feature in card.features:
        assert feature.best_points in (*feature.points, feature.missing_points)
    for name in ("days_past_due", "cycles_delinquent", "past_due_minor"):
        feature = next((f for f in card.features if f.name == name), None)
        if feature is not None:
            assert list(feature.points) == sorted(feature.points, reverse=True), name


def test_the_same_seed_gives_the_same_model(trained, taiwan_file):
    again = scorecard_train(path=taiwan_file, target=TAIWAN_TARGET, name="slice-v1")
    assert again.scorecard == trained.scorecard and again.metrics == trained.metrics


def test_gbm_challenger_is_measured_on_the_same_split(taiwan_file, trained):
    result = challenger_train(path=taiwan_file, target=TAIWAN_TARGET)
    assert result.scorecard is None
    assert result.metrics["test_rows"] == trained.metrics["test_rows"]
    assert 0.6 < result.metrics["auc"] < 0.9


@pytest.fixture
def raw_like(tmp_path, taiwan_frame):
    """Taiwan-like columns with protected attributes next to the snapshot features."""
    rng = np.random.default_rng(7)
    frame = taiwan_frame.copy()
    frame["SEX"] = rng.integers(1, 3, len(frame))
    frame["age"] = rng.integers(21, 70, len(frame))
    frame["Marriage"] = rng.choice(["married", "single"], len(frame))
    path = tmp_path / "with_protected.csv"
    frame.to_csv(path, index=False)
    return path


def test_protected_attributes_are_left_out_by_default(raw_like):
    result = scorecard_train(path=raw_like, target=TAIWAN_TARGET)
    for column in ("SEX", "age", "Marriage"):
        assert result.excluded[column] == "protected attribute"
        assert column not in result.features


def test_declaring_a_protected_attribute_is_refused(raw_like, tmp_path):
    config = {"numeric": ["days_past_due", "age"]}
    with pytest.raises(TrainingError, match="age are protected attributes.*--allow-protected"):
        scorecard_train(path=raw_like, target=TAIWAN_TARGET, config=config)


def test_allow_protected_lets_them_in(raw_like):
    choice = features_choose(table_read(raw_like), TAIWAN_TARGET, {}, allow_protected=True)
    assert {"SEX", "age"} <= set(choice.numeric) and "Marriage" in choice.categorical


def test_the_protected_list_is_configurable(raw_like):
    choice = features_choose(table_read(raw_like), TAIWAN_TARGET,
                             {"protected": ["utilisation"]})
    assert choice.excluded["utilisation"] == "protected attribute"
    assert "SEX" in choice.numeric


def _write(tmp_path, frame, name="file.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_no_such_target(taiwan_file):
    with pytest.raises(TrainingError, match="no column 'paid'.*days_past_due"):
        scorecard_train(path=taiwan_file, target="paid")


def test_one_class_only(tmp_path, taiwan_frame):
    frame = taiwan_frame.assign(**{TAIWAN_TARGET: 0})
    with pytest.raises(TrainingError, match="one class only"):
        scorecard_train(path=_write(tmp_path, frame), target=TAIWAN_TARGET)


def test_too_few_rows(tmp_path, taiwan_frame):
    with pytest.raises(TrainingError, match="only 150 rows; .* at least 200"):
        scorecard_train(path=_write(tmp_path, taiwan_frame.head(150)), target=TAIWAN_TARGET)


def test_too_few_of_the_minority_class(tmp_path, taiwan_frame):
    paying = taiwan_frame[taiwan_frame[TAIWAN_TARGET] == 0].head(400)
    defaulting = taiwan_frame[taiwan_frame[TAIWAN_TARGET] == 1].head(12)
    frame = pd.concat([paying, defaulting])
    with pytest.raises(TrainingError, match="only 12 rows of the smaller class"):
        scorecard_train(path=_write(tmp_path, frame), target=TAIWAN_TARGET)


def test_no_usable_feature(tmp_path, taiwan_frame):
    frame = taiwan_frame[["account_external_id", TAIWAN_TARGET]].assign(product="TW-STD")
    with pytest.raises(TrainingError, match="no usable feature.*identifier"):
        scorecard_train(path=_write(tmp_path, frame), target=TAIWAN_TARGET)


def test_features_without_information_are_no_usable_feature(tmp_path, taiwan_frame):
    rng = np.random.default_rng(3)
    frame = taiwan_frame[[TAIWAN_TARGET]].assign(noise=rng.integers(0, 2, len(taiwan_frame)))
    with pytest.raises(TrainingError, match="no usable feature.*noise"):
        scorecard_train(path=_write(tmp_path, frame), target=TAIWAN_TARGET)


@pytest.mark.parametrize("name, content", [
    ("broken.parquet", b"PAR1 this is not parquet"),
    ("notes.txt", b"a,b\n1,2\n"),
    ("empty.csv", b""),
])
def test_unreadable_files(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TrainingError, match=name):
        scorecard_train(path=path, target="y")


def test_missing_file(tmp_path):
    with pytest.raises(TrainingError, match="no such file"):
        scorecard_train(path=tmp_path / "nowhere.csv", target="y")


def test_target_meaning_is_explicit_or_follows_its_name():
    frame = pd.DataFrame({"paid": [0, 1, 1], "bad": [0, 1, 1], "status": ["late", "ok", "ok"]})
    assert target_pays(frame, "paid", {})[0].tolist() == [0, 1, 1]
    assert target_pays(frame, "bad", {})[0].tolist() == [1, 0, 0]
    assert target_pays(frame, "bad", {"positive_class": 1})[0].tolist() == [0, 1, 1]
    assert target_pays(frame, "paid", {"default_class": "1"})[0].tolist() == [1, 0, 0]
    assert target_pays(frame, "status", {"positive_class": "ok"})[0].tolist() == [0, 1, 1]


def test_categorical_columns_are_detected_and_scored(tmp_path, taiwan_frame):
    frame = taiwan_frame.drop(columns=["days_past_due", "cycles_delinquent", "past_due_minor"])
    result = scorecard_train(path=_write(tmp_path, frame), target=TAIWAN_TARGET)
    bucket = next(f for f in result.scorecard["features"] if f["name"] == "bucket")
    assert bucket["kind"] == "categorical"
    assert any("M0" in values for values in bucket["categories"])


def test_config_file_errors(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"numerics": ["a"]}')
    with pytest.raises(TrainingError, match="unknown keys numerics"):
        config_load(path)
    path.write_text('{"numeric": "a"}')
    with pytest.raises(TrainingError, match="numeric must be a list"):
        config_load(path)
    path.write_text("{")
    with pytest.raises(TrainingError, match="not valid JSON"):
        config_load(path)


def test_config_naming_an_absent_column(taiwan_file):
    with pytest.raises(TrainingError, match="does not have: nope"):
        scorecard_train(path=taiwan_file, target=TAIWAN_TARGET, config={"numeric": ["nope"]})
