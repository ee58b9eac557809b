"""Reference solution for lambda-alias-canary, with the AWS CLI as a learner would type it."""

import zipfile


def solve(ctx):
    ctx.aws("lambda publish-version --function-name checkout --description 'release 1'")
    with zipfile.ZipFile(ctx.workspace / "release-2.zip", "w") as archive:  # zip release-2.zip app.py
        archive.write(ctx.workspace / "app.py", "app.py")
    ctx.aws("lambda update-function-code --function-name checkout --zip-file fileb://release-2.zip")
    ctx.aws("lambda publish-version --function-name checkout --description 'release 2'")
    ctx.aws(
        "lambda create-alias --function-name checkout --name live --function-version 1 "
        "--routing-config 'AdditionalVersionWeights={2=0.1}'"
    )
