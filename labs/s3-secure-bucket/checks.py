"""Python checks for s3-secure-bucket: read the configuration in depth, accept every correct spelling."""

from tutor.grading.policy import covers, lifecycle_rules, parse_policy

BUCKET = "tutor-assets"


def log_lifecycle(ctx):
    try:
        config = ctx.call("s3", "get_bucket_lifecycle_configuration", Bucket=BUCKET)
    except Exception:  # noqa: BLE001 - no configuration at all
        return False, "The bucket has no lifecycle configuration yet."
    for rule in lifecycle_rules(config, enabled_only=True):
        if rule.prefix != "logs/":
            continue
        ia, glacier = rule.transition_to("STANDARD_IA"), rule.transition_to("GLACIER")
        if ia and ia.days == 30 and glacier and glacier.days == 90 and rule.expiration_days == 365:
            return True
        return False, (
            f"The rule for logs/ is there but has: STANDARD_IA at {ia.days if ia else 'none'}, "
            f"GLACIER at {glacier.days if glacier else 'none'}, expiry at {rule.expiration_days or 'none'} days. "
            "Expected 30, 90 and 365."
        )
    return False


def denies_insecure_transport(ctx):
    try:
        policy = parse_policy(ctx.call("s3", "get_bucket_policy", Bucket=BUCKET)["Policy"])
    except Exception:  # noqa: BLE001 - NoSuchBucketPolicy
        return False, "The bucket has no policy yet."
    return covers(
        policy,
        effect="Deny",
        actions="s3:*",
        resources=[f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
        principal="*",
        condition=("aws:SecureTransport", "false"),
    )
