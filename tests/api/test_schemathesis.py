"""Schemathesis walks every operation of the OpenAPI document, as the admin and as a member.

The document is loaded through the WSGI app (``/api/v1/openapi.json``); the cases run through
the same app and the test's rolled-back transaction, on a seeded network whose ids the path
parameters hit half of the time. Every check schemathesis has runs on every response (the
CLI's ``--checks all``): no 5xx, documented status codes, content types and response schemas,
schema-violating data refused, valid data accepted, auth enforced. Positive data may still get
a 400 when a rule the schema cannot express refuses it (an end before its start, an unknown
person); that is the only check setting changed.

Bounded: a fixed number of examples per operation and mode, derandomized (the same cases on
every run), a deadline per case.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks

from tests.api.test_hostile_input import seed_world

#: examples per operation, per generation mode, per caller
EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 12}
#: reads first, then writes, cancelling last (so that writes find the seeded objects)
METHOD_ORDER = {"GET": 0, "POST": 1, "PATCH": 2}

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"with-security-parameters": False, "allow-x00": True},
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409"]
            }
        },
    }
)


@pytest.fixture(scope="module")
def api_schema(app):
    """The API's OpenAPI document, loaded through the WSGI app."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)


def _operations(schema) -> list:
    """Every operation of the document, reads first and cancellations last."""
    operations = [result.ok() for result in schema.get_all_operations()]
    return sorted(
        operations,
        key=lambda op: (op.path.endswith("/cancel"), METHOD_ORDER.get(op.method.upper(), 3)),
    )


def _strategy(operation, mode: GenerationMode, ids: dict[str, list[int]]):
    """Cases with generated path parameters, or with ids of the seeded objects."""
    names = [p.name for p in operation.path_parameters]
    generated = operation.as_strategy(generation_mode=mode)
    if not names or any(name not in ids for name in names):
        return generated
    real = st.fixed_dictionaries({name: st.sampled_from(ids[name]) for name in names})
    return st.one_of(
        generated, real.flatmap(lambda p: operation.as_strategy(mode, path_parameters=p))
    )


@pytest.mark.parametrize("caller", ["admin", "member"])
def test_every_operation_passes_every_check(app, ctx, api_schema, caller, record_property):
    """No operation fails a check, in positive or negative mode, for this caller."""
    world = seed_world()
    headers = getattr(world, caller)
    client = app.test_client()
    load_all_checks()
    checks = CHECKS.get_all()
    counted = {"cases": 0}
    statuses: Counter[str] = Counter()
    failures: list[str] = []
    started = time.perf_counter()
    for operation in _operations(api_schema):
        for mode, examples in EXAMPLES.items():

            @settings(
                max_examples=examples,
                deadline=timedelta(seconds=3),
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=_strategy(operation, mode, world.ids))
            def run(case):
                """Send one case through the app and run every check on the answer."""
                counted["cases"] += 1
                response = case.call(session=client, headers=headers)
                statuses[f"{case.operation.label} {response.status_code}"] += 1
                case.validate_response(
                    response,
                    checks=checks,
                    headers=headers,
                    transport_kwargs={"session": client, "headers": headers, "app": app},
                )

            try:
                run()
            except Unsatisfiable:  # negative mode: nothing to make invalid (no parameters)
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as exc:  # one report for every operation
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    seconds = time.perf_counter() - started
    record_property("cases", counted["cases"])
    record_property("seconds", round(seconds, 1))
    print(f"schemathesis as {caller}: {counted['cases']} cases in {seconds:.1f} s")
    for key, number in sorted(statuses.items()):
        print(f"  {key}: {number}")
    assert not failures, "\n\n".join(failures)
    assert counted["cases"] > 100
