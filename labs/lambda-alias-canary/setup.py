"""Setup for lambda-alias-canary: the function checkout, running release 1 on $LATEST, never published."""

import io
import json
import zipfile

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def setup(ctx):
    role = ctx.client("iam").create_role(
        RoleName="checkout-role",
        AssumeRolePolicyDocument=json.dumps(TRUST),
        Description="Execution role of the checkout function",
    )["Role"]["Arn"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.write(ctx.lab_dir / "release-1" / "app.py", "app.py")
    ctx.client("lambda").create_function(
        FunctionName="checkout",
        Runtime="python3.12",
        Handler="app.handler",
        Role=role,
        Code={"ZipFile": buf.getvalue()},
        Timeout=10,
        MemorySize=256,
        Description="Checkout service",
    )
