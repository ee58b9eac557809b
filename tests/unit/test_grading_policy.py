"""Policy and lifecycle helpers accept every spelling of the same end state."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tutor.grading.policy import (
    PolicyError,
    arn_matches,
    as_list,
    canonical_operator,
    covers,
    find_statements,
    is_public_principal,
    lifecycle_rules,
    normalize_conditions,
    normalize_principal,
    parse_policy,
    statements,
)

BUCKET = "arn:aws:s3:::tutor-assets"
OBJECTS = "arn:aws:s3:::tutor-assets/*"


# ---------------------------------------------------------------- documents


def test_parse_policy_accepts_dict_json_and_url_encoded_json():
    doc = {"Version": "2012-10-17", "Statement": []}
    assert parse_policy(doc) == doc
    assert parse_policy(json.dumps(doc)) == doc
    assert parse_policy(quote(json.dumps(doc))) == doc
    assert parse_policy(None) == {} and parse_policy("  ") == {}


def test_parse_policy_rejects_text_that_is_not_a_json_object():
    with pytest.raises(PolicyError, match="not valid JSON"):
        parse_policy("{nope")
    with pytest.raises(PolicyError):
        parse_policy("[1, 2]")


def test_statements_is_always_a_list():
    single = {"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}
    assert len(statements(single)) == 1
    assert len(statements({"Statement": [single["Statement"]] * 2})) == 2
    assert statements({}) == []


def test_as_list_wraps_strings_and_keeps_lists():
    assert as_list("s3:GetObject") == ["s3:GetObject"]
    assert as_list(["a", "b"]) == ["a", "b"]
    assert as_list(None) == []


# ---------------------------------------------------------------- principals and conditions


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["*"]}, {"aws": "*"}])
def test_public_principal_spellings_are_equivalent(principal):
    assert is_public_principal(principal)
    assert normalize_principal(principal) == {"AWS": ["*"]}


def test_principal_normalization_wraps_lists_and_expands_account_ids():
    assert normalize_principal({"AWS": "123456789012"}) == {"AWS": ["arn:aws:iam::123456789012:root"]}
    assert normalize_principal({"Service": "lambda.amazonaws.com"}) == {"Service": ["lambda.amazonaws.com"]}
    assert normalize_principal({"AWS": ["arn:aws:iam::123456789012:role/a"]}) == {
        "AWS": ["arn:aws:iam::123456789012:role/a"]
    }
    assert not is_public_principal({"Service": "lambda.amazonaws.com"})


def test_condition_operators_take_aws_letter_case():
    assert canonical_operator("bool") == "Bool"
    assert canonical_operator("stringequalsifexists") == "StringEqualsIfExists"
    assert canonical_operator("foranyvalue:stringlike") == "ForAnyValue:StringLike"
    assert canonical_operator("StringSortOfEquals") == "StringSortOfEquals"  # unknown: unchanged


def test_condition_normalization_lowercases_keys_and_stringifies_values():
    a = normalize_conditions({"Bool": {"aws:SecureTransport": False}})
    b = normalize_conditions({"bool": {"AWS:securetransport": "False"}})
    c = normalize_conditions({"Bool": {"aws:SecureTransport": ["false"]}})
    assert a == b == c == {"Bool": {"aws:securetransport": ["false"]}}
    assert normalize_conditions({"NumericLessThan": {"s3:max-keys": 10}}) == {
        "NumericLessThan": {"s3:max-keys": ["10"]}
    }


# ---------------------------------------------------------------- the finder

TLS_DENY = {
    "Sid": "DenyInsecure",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": [BUCKET, OBJECTS],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


def test_finder_understands_action_and_resource_wildcards():
    doc = {"Statement": [TLS_DENY]}
    found = find_statements(doc, effect="deny", action="s3:GetObject", resource=f"{BUCKET}/report.csv")
    assert found == [TLS_DENY]
    assert find_statements(doc, effect="Deny", action="s3:GetObject", resource=OBJECTS)
    assert not find_statements(doc, effect="Deny", action="dynamodb:GetItem", resource=OBJECTS)
    assert not find_statements(doc, effect="Allow", action="s3:GetObject", resource=OBJECTS)


@pytest.mark.parametrize(
    "condition",
    [
        ("aws:SecureTransport", "false"),
        ("aws:securetransport", False),
        ("Bool", "aws:SecureTransport", "false"),
        {"Bool": {"aws:SecureTransport": False}},
    ],
)
def test_finder_condition_accepts_any_spelling(condition):
    doc = {"Statement": [TLS_DENY]}
    assert find_statements(doc, effect="Deny", action="s3:GetObject", resource=OBJECTS, condition=condition)


def test_finder_accepts_bool_if_exists_and_boolean_values_in_the_policy():
    statement = dict(TLS_DENY, Condition={"BoolIfExists": {"AWS:SecureTransport": False}})
    assert find_statements({"Statement": [statement]}, condition=("aws:SecureTransport", "false"))


def test_finder_rejects_the_opposite_condition_value():
    statement = dict(TLS_DENY, Condition={"Bool": {"aws:SecureTransport": "true"}})
    assert not find_statements({"Statement": [statement]}, condition=("aws:SecureTransport", "false"))


def test_finder_respects_not_action_and_not_resource():
    doc = {"Statement": [{"Effect": "Deny", "NotAction": "s3:GetObject", "NotResource": OBJECTS}]}
    assert find_statements(doc, action="s3:PutObject", resource="arn:aws:s3:::other/x")
    assert not find_statements(doc, action="s3:GetObject", resource="arn:aws:s3:::other/x")
    assert not find_statements(doc, action="s3:PutObject", resource=f"{BUCKET}/x")


def test_finder_matches_principals_in_every_form():
    doc = {
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]}, "Action": "sts:AssumeRole"}
        ]
    }
    assert find_statements(doc, principal=("Service", "lambda.amazonaws.com"))
    assert find_statements(doc, principal="lambda.amazonaws.com")
    assert not find_statements(doc, principal="*")
    assert find_statements({"Statement": [TLS_DENY]}, principal="*")


def test_covers_accepts_split_and_merged_statements():
    merged = {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": OBJECTS}]}
    split = {
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": OBJECTS},
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": [OBJECTS]},
        ]
    }
    half = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": OBJECTS}]}
    for doc in (merged, split):
        assert covers(doc, effect="Allow", actions=["s3:GetObject", "s3:PutObject"], resources=OBJECTS)
    assert not covers(half, effect="Allow", actions=["s3:GetObject", "s3:PutObject"], resources=OBJECTS)


def test_arn_wildcards_do_not_cross_segments_except_at_segment_end():
    assert arn_matches("arn:aws:s3:::tutor-assets/*", "arn:aws:s3:::tutor-assets/a/b.txt")
    assert not arn_matches("arn:aws:s3:::tutor-assets/*", "arn:aws:s3:::tutor-assets")
    assert arn_matches("*", "arn:aws:s3:::anything")
    assert arn_matches("arn:aws:iam::*", "arn:aws:iam::123456789012:role/x")  # "*" ends its segment
    assert not arn_matches("arn:aws:sqs:*east-1:*:q", "arn:aws:sqs:x:east-1:123:q")
    assert arn_matches("arn:aws:sqs:us-east-?:*:orders", "arn:aws:sqs:us-east-1:123456789012:orders")
    assert not arn_matches("arn:aws:s3:::Tutor-assets/*", "arn:aws:s3:::tutor-assets/x")  # case-sensitive


# ---------------------------------------------------------------- lifecycle rules


def _rule(**extra):
    rule = {"ID": "logs", "Status": "Enabled"}
    rule.update(extra)
    return rule


TRANSITIONS = [{"Days": 90, "StorageClass": "GLACIER"}, {"Days": 30, "StorageClass": "STANDARD_IA"}]


@pytest.mark.parametrize(
    "rule",
    [
        _rule(Filter={"Prefix": "logs/"}, Transitions=TRANSITIONS),
        _rule(Filter={"And": {"Prefix": "logs/", "Tags": [{"Key": "k", "Value": "v"}]}}, Transitions=TRANSITIONS),
        _rule(Prefix="logs/", Transitions=list(reversed(TRANSITIONS))),
    ],
)
def test_lifecycle_prefix_is_found_in_every_spelling_and_transitions_sorted(rule):
    (parsed,) = lifecycle_rules({"Rules": [rule]})
    assert parsed.prefix == "logs/" and parsed.enabled
    assert [(t.days, t.storage_class) for t in parsed.transitions] == [(30, "STANDARD_IA"), (90, "GLACIER")]
    assert parsed.transition_to("glacier").days == 90
    assert parsed.applies_to("logs/2024/app.log") and not parsed.applies_to("data/x")


def test_lifecycle_tags_expiration_and_noncurrent_versions_are_normalized():
    rule = _rule(
        Filter={"And": {"Prefix": "", "Tags": [{"Key": "tier", "Value": "cold"}]}},
        Expiration={"Days": 365},
        NoncurrentVersionTransitions=[{"NoncurrentDays": 30, "StorageClass": "GLACIER"}],
        NoncurrentVersionExpiration={"NoncurrentDays": 90},
        AbortIncompleteMultipartUpload={"DaysAfterInitiation": 7},
    )
    (parsed,) = lifecycle_rules([rule])
    assert parsed.tags == {"tier": "cold"} and parsed.prefix == ""
    assert parsed.expiration_days == 365 and parsed.noncurrent_expiration_days == 90
    assert parsed.noncurrent_transition_to("GLACIER").days == 30
    assert parsed.abort_incomplete_upload_days == 7
    assert parsed.applies_to("anything")


def test_lifecycle_rules_can_skip_disabled_rules_and_read_a_single_tag_filter():
    config = {"Rules": [_rule(Status="Disabled", Filter={"Tag": {"Key": "a", "Value": "b"}}), _rule(ID="on")]}
    assert [r.id for r in lifecycle_rules(config, enabled_only=True)] == ["on"]
    assert lifecycle_rules(config)[0].tags == {"a": "b"}
    assert lifecycle_rules(None) == []
