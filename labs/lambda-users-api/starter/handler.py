"""users-api: GET /users/{userId} behind an API Gateway proxy integration.

Fill in the TODOs, then zip this file and deploy it (see the handout).
"""


# Code at module level runs once per execution environment (the "init" phase) and is reused by
# every warm invocation: create SDK clients or resources here, not inside the handler.
# TODO: read the table name from the environment and get a handle on the table.


def respond(status_code, payload):
    """Build the proxy response API Gateway expects: statusCode, headers and a body.

    TODO: API Gateway passes the body through as text, and the client needs to be told what it is.
    """
    raise NotImplementedError


def lambda_handler(event, context):
    # The event is API Gateway's proxy event: look at event["httpMethod"] and event["pathParameters"].
    # Careful: pathParameters is null (None) when the request path has no parameters at all.
    # TODO: 405 for anything but GET, 400 without a userId, 404 for an unknown user, 200 with the item.
    raise NotImplementedError
