"""Schemathesis hooks: the request rules JSON Schema cannot state.

openapi.yaml states these in words, and apps/api's tests prove each 400; no JSON Schema keyword can say
them, so a generated request that breaks one is "schema-valid" to Schemathesis. Exactly those 400s are
dropped (Schemathesis counts them in its summary); any other refusal of schema-valid data still fails.
"""

import schemathesis

# The server's messages for those rules (apps/api/src/validation/create-kubbi.ts, services/requests.ts,
# webhooks/url-policy.ts).
STATED_IN_WORDS = (
    # File names are unique within a package ignoring case and Unicode normalization.
    "must be unique within the package, ignoring case and Unicode normalization",
    # A string `content` of an application/json kubbi is JSON text.
    "must be valid JSON text when given as a string for application/json",
    # JSON nests at most 64 levels deep.
    "must be nested at most 64 levels deep",
    # A request link asks for no more than the requester key's plan allows (apps/api/src/services/requests.ts).
    " on this plan",
    # A request link's public key is a point on P-256, not just 65 bytes that start with 0x04.
    "the public key is not a point on P-256",
    # A webhook URL is https and not to a loopback, private, link-local or metadata address, unless the operator
    # sets KUBBI_WEBHOOK_ALLOW_PRIVATE (apps/api/src/webhooks/url-policy.ts): a rule of the server's setting and
    # of what the host name resolves to, which no JSON Schema keyword can state.
    "must use https",
    "must not point to a loopback, private, link-local or metadata address",
    "must not point to this host (localhost)",
    # ...and carries no credentials or fragment: a URI's userinfo and fragment are allowed by format: uri.
    "must not contain a user name or password",
    "must not have a #fragment",
)


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    if failure.code != "ST202" or response.status_code != 400:
        return True
    try:
        body = response.json()
    except ValueError:
        return True
    messages = body.get("messages") if isinstance(body, dict) else None
    if body.get("error") != "validation_error" or not isinstance(messages, list) or not messages:
        return True
    stated_in_words = all(any(rule in str(message) for rule in STATED_IN_WORDS) for message in messages)
    return not stated_in_words
