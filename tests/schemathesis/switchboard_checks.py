"""Schemathesis checks for Switchboard's Web API: no 5xx except from the deliberate fault
samples, and every error answered with Dataverse's OData error JSON."""

import json

import schemathesis

# The samples that fail on purpose (loop, memory bomb, panic): their 500s are the point.
FAULT_SAMPLES = ("/sb_FaultLoop", "/sb_FaultMemory", "/sb_FaultPanic")


def _is_fault_sample(case) -> bool:
    return any(case.path.startswith(p) for p in FAULT_SAMPLES)


@schemathesis.check
def no_server_error(ctx, response, case):
    """A 5xx only from the fault samples."""
    if response.status_code >= 500 and not _is_fault_sample(case):
        raise AssertionError(
            f"{response.status_code} from {case.method} {case.path}: {response.text[:500]}"
        )


@schemathesis.check
def odata_error_body(ctx, response, case):
    """Every 4xx/5xx carries {"error": {"code": ..., "message": ...}} as JSON."""
    if response.status_code < 400 or case.method.upper() == "HEAD":
        return
    content_type = response.headers.get("content-type", [""])
    if isinstance(content_type, list):
        content_type = content_type[0] if content_type else ""
    if "json" not in content_type:
        raise AssertionError(
            f"{response.status_code} without a JSON body (content-type {content_type!r}): "
            f"{response.text[:300]!r}"
        )
    try:
        body = json.loads(response.text)
    except ValueError as e:
        raise AssertionError(f"{response.status_code} body is not JSON ({e}): {response.text[:300]!r}")
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or "code" not in error or not error.get("message"):
        raise AssertionError(f"{response.status_code} body is not an OData error: {response.text[:300]}")
