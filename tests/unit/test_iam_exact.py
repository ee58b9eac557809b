"""The "allows exactly these permissions and nothing else" helper: every correct variant passes, every
plausible wrong one fails, and the report says why."""

from __future__ import annotations

import pytest

from tutor.grading.iam import PolicyDocument, allowed_actions, exact_permissions

OBJECTS = "arn:aws:s3:::uploads-bucket/*"
BUCKET = "arn:aws:s3:::uploads-bucket"


def doc(*statements, name="read-uploads") -> PolicyDocument:
    return PolicyDocument(name, {"Version": "2012-10-17", "Statement": list(statements)}, "inline policy")


def allow(action, resource=OBJECTS, **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def only_get(policies):
    return exact_permissions(policies, "s3:GetObject", OBJECTS)


# ---------------------------------------------------------------- correct variants


@pytest.mark.parametrize(
    "policies",
    [
        doc(allow("s3:GetObject")),
        doc(allow(["s3:GetObject"], [OBJECTS])),
        doc({"Sid": "Read", "Effect": "Allow", "Action": "s3:getobject", "Resource": OBJECTS}),
        {"Version": "2012-10-17", "Statement": allow("s3:GetObject")},  # a single Statement object
        doc(allow("s3:GetObject"), allow(["s3:GetObject"])),  # the same grant twice
        [doc(allow("s3:GetObject"), name="a"), doc(allow("s3:GetObject"), name="b")],  # across two policies
        doc(allow("s3:*"), {"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"}),  # narrowed by a Deny
        doc(allow("s3:GetObject", "*"), {"Effect": "Deny", "Action": "*", "NotResource": OBJECTS}),
    ],
    ids=["string", "lists", "lowercase-with-sid", "single-statement-object", "duplicated", "two-policies",
         "allow-all-deny-not-action", "resource-star-deny-not-resource"],
)  # fmt: skip
def test_exact_permissions_accepts_correct_variants(policies):
    report = only_get(policies)
    assert report.ok, report.message()


def test_exact_permissions_accepts_split_and_merged_statements_for_several_actions():
    actions = ["s3:GetObject", "s3:PutObject"]
    merged = doc(allow(actions))
    split = doc(allow("s3:GetObject"), allow(["s3:PutObject"]))
    assert exact_permissions(merged, actions, OBJECTS).ok
    assert exact_permissions(split, actions, OBJECTS).ok


def test_exact_permissions_accepts_bucket_and_object_resources_given_together():
    policies = doc(allow("s3:ListBucket", BUCKET), allow("s3:GetObject"))
    report = exact_permissions(policies, [], [], also=[("s3:ListBucket", BUCKET), ("s3:GetObject", OBJECTS)])
    assert report.ok, report.message()


# ---------------------------------------------------------------- wrong variants


def test_exact_permissions_rejects_wildcard_action():
    report = only_get(doc(allow("s3:*")))
    assert not report.ok and not report.missing
    assert any(e.startswith("s3:* on") for e in report.extra)
    assert "via inline policy read-uploads, statement #1" in report.extra[0]


def test_exact_permissions_rejects_get_star():
    report = only_get(doc(allow("s3:Get*")))
    assert not report.ok and any(e.startswith("s3:Get* on") for e in report.extra)


def test_exact_permissions_rejects_resource_star():
    report = only_get(doc(allow("s3:GetObject", "*")))
    assert not report.ok and any("s3:GetObject on *" in e or "any resource" in e for e in report.extra)


def test_exact_permissions_rejects_a_second_bucket():
    report = only_get(doc(allow("s3:GetObject", [OBJECTS, "arn:aws:s3:::payroll/*"])))
    assert not report.ok and any("arn:aws:s3:::payroll/*" in e for e in report.extra)


def test_exact_permissions_rejects_a_bucket_name_wildcard_that_reaches_siblings():
    report = only_get(doc(allow("s3:GetObject", "arn:aws:s3:::uploads-bucket*/*")))
    assert not report.ok


def test_exact_permissions_rejects_an_extra_action():
    report = only_get(doc(allow(["s3:GetObject", "s3:PutObject"])))
    assert not report.ok and any(e.startswith("s3:PutObject on") for e in report.extra)


def test_exact_permissions_rejects_an_extra_statement_for_another_service():
    report = only_get(doc(allow("s3:GetObject"), allow("dynamodb:GetItem", "*")))
    assert not report.ok and any("dynamodb:GetItem" in e for e in report.extra)


def test_exact_permissions_rejects_action_star():
    report = only_get(doc(allow("*")))
    assert not report.ok


def test_exact_permissions_rejects_not_action_allow():
    report = only_get(doc({"Effect": "Allow", "NotAction": "s3:DeleteObject", "Resource": OBJECTS}))
    assert not report.ok and any("s3:PutObject" in e for e in report.extra)


def test_exact_permissions_reports_missing_grant_on_the_wrong_resource():
    report = only_get(doc(allow("s3:GetObject", BUCKET)))
    assert report.missing == [f"s3:GetObject on {OBJECTS}"]
    assert "does not allow s3:GetObject on arn:aws:s3:::uploads-bucket/*" in report.message()


def test_exact_permissions_reports_missing_grant_when_too_narrow():
    report = only_get(doc(allow("s3:GetObject", "arn:aws:s3:::uploads-bucket/public/*")))
    assert report.missing and not report.extra


def test_exact_permissions_reports_missing_grant_when_denied():
    report = only_get(doc(allow("s3:GetObject"), {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}))
    assert report.missing


def test_exact_permissions_message_is_short_and_readable():
    report = only_get(doc(allow("*", "*")))
    text = report.message()
    assert text.startswith("also allows") and "more)" in text and len(text) < 600


def test_exact_permissions_with_conditions_uses_the_given_context():
    tls = allow("s3:GetObject", Condition={"Bool": {"aws:SecureTransport": "true"}})
    assert exact_permissions(doc(tls), "s3:GetObject", OBJECTS, context={"aws:SecureTransport": True}).ok
    assert exact_permissions(doc(tls), "s3:GetObject", OBJECTS).missing


# ---------------------------------------------------------------- allowed_actions


def test_allowed_actions_lists_written_patterns_and_common_actions():
    assert allowed_actions(doc(allow("s3:GetObject")), OBJECTS) == ["s3:GetObject"]
    assert allowed_actions(doc(allow("s3:GetObject")), "arn:aws:s3:::other/*") == []
    found = allowed_actions(doc(allow("s3:Get*")), OBJECTS)
    assert "s3:Get*" in found and "s3:GetObjectAcl" in found and "s3:PutObject" not in found


def test_allowed_actions_probes_given_actions():
    found = allowed_actions(
        doc(allow(["s3:GetObject", "s3:PutObject"])), OBJECTS, actions=["s3:GetObject", "s3:DeleteObject"]
    )
    assert found == ["s3:GetObject"]
