"""The effective params of a task, as the Rust SDK reads them."""

import json

from wit_world.imports import host


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _parse(text: str, what: str):
    """One params string as JSON; blank reads as None (absent)."""
    text = text.strip()
    if not text:
        return None
    try:
        # NaN and Infinity are not JSON.
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError as e:
        raise ValueError(f"invalid {what}: {e}") from None


def params(ctx: host.TaskContext) -> dict:
    """The job's params with the instance's laid over them, as a dict (as
    the Rust SDK's `params`): two objects merge, the instance's keys
    winning; otherwise non-empty instance params replace the job's; empty
    reads as {}. Raises ValueError when they are not a JSON object."""
    job = _parse(ctx.job_params, "job params")
    instance = _parse(ctx.instance_params, "instance params")
    if isinstance(job, dict) and isinstance(instance, dict):
        merged = {**job, **instance}
    elif instance is not None:
        merged = instance
    else:
        merged = job if job is not None else {}
    if not isinstance(merged, dict):
        raise ValueError(f"the params must be a JSON object, not {json.dumps(merged)}")
    return merged
