"""The `expect` matchers: each kind passes and fails, and says what it found."""

from __future__ import annotations

import pytest

from tutor.content.schema import Expect
from tutor.grading.matchers import describe, loosely_equal, match


def E(spec: dict) -> Expect:
    return Expect.model_validate(spec)


# ---------------------------------------------------------------- equals and its tolerances


def test_equals_passes_on_same_string_and_reports_it():
    verdict = match(E({"equals": "Enabled"}), "Enabled")
    assert verdict.passed and verdict.detail == "found 'Enabled'"


def test_equals_failure_says_what_was_found():
    verdict = match(E({"equals": "Enabled"}), "Suspended")
    assert not verdict.passed
    assert "found 'Suspended'" in verdict.detail and "'Enabled'" in verdict.detail


def test_equals_on_missing_value_says_nothing_was_found():
    verdict = match(E({"equals": "Enabled"}), None)
    assert not verdict.passed and "found nothing" in verdict.detail


@pytest.mark.parametrize(
    ("expected", "actual"),
    [(60, "60"), ("60", 60), (60, "60.0"), (1.5, "1.5"), (False, "false"), (True, "TRUE"), ("false", False)],
)
def test_equals_tolerates_numeric_strings_and_boolean_strings(expected, actual):
    assert match(E({"equals": expected}), actual).passed


@pytest.mark.parametrize(
    ("expected", "actual"),
    [(True, 1), (False, "0"), ("Enabled", "enabled"), (None, ""), (60, "60 "), (60, "sixty"), (1, "1_0")],
)
def test_equals_does_not_tolerate_other_type_or_case_differences(expected, actual):
    assert not match(E({"equals": expected}), actual).passed


def test_equals_compares_lists_and_dicts_item_by_item():
    assert match(E({"equals": ["a", 1]}), ["a", "1"]).passed
    assert match(E({"equals": {"Days": 30}}), {"Days": "30"}).passed
    assert not match(E({"equals": ["a", "b"]}), ["b", "a"]).passed
    assert not match(E({"equals": {"Days": 30}}), {"Days": 30, "Extra": 1}).passed


def test_loosely_equal_never_equates_none_with_false():
    assert not loosely_equal(False, None)
    assert loosely_equal(None, None)


# ---------------------------------------------------------------- contains, matches, length


def test_contains_finds_item_in_list_with_tolerance():
    assert match(E({"contains": 443}), ["80", "443"]).passed
    verdict = match(E({"contains": "s3:GetObject"}), ["s3:PutObject"])
    assert not verdict.passed and "s3:PutObject" in verdict.detail


def test_contains_matches_dict_items_by_the_given_keys():
    tags = [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "data"}]
    assert match(E({"contains": {"Key": "env", "Value": "prod"}}), tags).passed
    assert match(E({"contains": {"Key": "team"}}), tags).passed
    assert not match(E({"contains": {"Key": "env", "Value": "dev"}}), tags).passed


def test_contains_on_string_is_substring():
    assert match(E({"contains": "tutor"}), "arn:aws:s3:::tutor-assets").passed
    assert not match(E({"contains": "prod"}), "tutor-assets").passed


def test_contains_on_dict_means_has_key_and_on_missing_fails():
    assert match(E({"contains": "Status"}), {"Status": "Enabled"}).passed
    assert not match(E({"contains": "x"}), None).passed


def test_matches_searches_regex_in_text():
    assert match(E({"matches": r"^arn:aws:iam::\d{12}:role/"}), "arn:aws:iam::123456789012:role/app").passed
    verdict = match(E({"matches": "GLACIER"}), "STANDARD_IA")
    assert not verdict.passed and "/GLACIER/" in verdict.detail and "'STANDARD_IA'" in verdict.detail


def test_matches_fails_when_nothing_found():
    assert not match(E({"matches": ".*"}), None).passed


def test_length_counts_list_items():
    assert match(E({"length": 2}), ["a", "b"]).passed
    verdict = match(E({"length": 3}), ["a"])
    assert not verdict.passed and "found 1" in verdict.detail


def test_length_of_missing_value_fails():
    verdict = match(E({"length": 0}), None)
    assert not verdict.passed and "found nothing" in verdict.detail


# ---------------------------------------------------------------- exists, one_of, gte, lte


def test_exists_true_passes_for_a_value_and_fails_for_none_or_empty_list():
    assert match(E({"exists": True}), "x").passed
    assert match(E({"exists": True}), False).passed  # a value that is false still exists
    assert not match(E({"exists": True}), None).passed
    assert not match(E({"exists": True}), []).passed


def test_exists_false_passes_for_missing_and_reports_what_was_found_otherwise():
    assert match(E({"exists": False}), None).passed
    assert match(E({"exists": False}), []).passed
    verdict = match(E({"exists": False}), "public-read")
    assert not verdict.passed and "found 'public-read'" in verdict.detail


def test_one_of_accepts_any_listed_value():
    assert match(E({"one_of": ["aws:kms", "AES256"]}), "AES256").passed
    verdict = match(E({"one_of": ["aws:kms", "AES256"]}), "none")
    assert not verdict.passed and "'aws:kms'" in verdict.detail and "found 'none'" in verdict.detail


def test_gte_and_lte_compare_numbers_and_numeric_strings():
    assert match(E({"gte": 30}), "30").passed
    assert match(E({"lte": 14}), 7).passed
    verdict = match(E({"gte": 30}), 7)
    assert not verdict.passed and verdict.detail == "expected at least 30, found 7"
    assert not match(E({"lte": 10}), 11).passed


def test_gte_rejects_values_that_are_not_numbers():
    verdict = match(E({"gte": 1}), "many")
    assert not verdict.passed and "not a number" in verdict.detail
    assert not match(E({"gte": 0}), True).passed


# ---------------------------------------------------------------- each, some, all, any, not


def test_each_needs_every_item_to_match_and_names_the_first_failure():
    assert match(E({"each": {"equals": "Enabled"}}), ["Enabled", "Enabled"]).passed
    verdict = match(E({"each": {"equals": "Enabled"}}), ["Enabled", "Disabled"])
    assert not verdict.passed and verdict.detail.startswith("item 2 of 2") and "'Disabled'" in verdict.detail


def test_each_fails_on_empty_list():
    verdict = match(E({"each": {"equals": "x"}}), [])
    assert not verdict.passed and "empty list" in verdict.detail


def test_each_fails_on_non_list():
    assert not match(E({"each": {"equals": "x"}}), "x").passed


def test_some_needs_one_matching_item():
    assert match(E({"some": {"gte": 30}}), [7, 30]).passed
    verdict = match(E({"some": {"gte": 30}}), [7, 14])
    assert not verdict.passed and "none of the 2 items" in verdict.detail


def test_all_combines_and_reports_first_failing_matcher():
    expect = E({"all": [{"exists": True}, {"matches": "^tutor-"}]})
    assert match(expect, "tutor-assets").passed
    verdict = match(expect, "assets")
    assert not verdict.passed and "/^tutor-/" in verdict.detail


def test_any_passes_if_one_matcher_passes():
    expect = E({"any": [{"equals": "aws:kms"}, {"equals": "aws:kms:dsse"}]})
    assert match(expect, "aws:kms:dsse").passed
    verdict = match(expect, "AES256")
    assert not verdict.passed and "found 'AES256'" in verdict.detail


def test_not_inverts_a_matcher():
    assert match(E({"not": {"equals": "public-read"}}), "private").passed
    verdict = match(E({"not": {"equals": "public-read"}}), "public-read")
    assert not verdict.passed and "found 'public-read'" in verdict.detail


def test_nested_matchers_work_through_all_levels():
    rules = [{"Status": "Enabled", "Days": 30}, {"Status": "Enabled", "Days": 90}]
    expect = E({"each": {"all": [{"exists": True}, {"length": 2}]}})
    assert match(expect, rules).passed


# ---------------------------------------------------------------- wording


def test_describe_speaks_to_learners():
    assert describe(None).startswith("found nothing")
    assert describe([]) == "found an empty list"
    assert describe(True) == "found true"
    assert describe(["a"]) == 'found 1 item: ["a"]'
    assert describe("x" * 200).endswith("…'")
