"""Schemathesis over the app's OpenAPI schema: no server error, every answer as documented.

A real uvicorn server (hashing encoder, 60 sample listings) runs in a thread; every
operation of its OpenAPI document gets schema-valid (positive) and schema-invalid
(negative) requests, the examples of the schema, and requests on a real listing of
the caller's scope, as an admin, a company user and without a token. Each answer
must pass ``not_a_server_error``, ``status_code_conformance``,
``content_type_conformance``, ``response_headers_conformance``,
``response_schema_conformance`` and ``negative_data_rejection`` (schema-invalid
input is refused with a 4xx).

Bounded and reproducible: a fixed number of examples per operation and mode, fixed
seeds, no example database. The summary (operations, requests, failures, statuses)
goes to the JUnit properties and the pytest cache (``pytest --cache-show
'isa_match/schemathesis/*'``).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import schemathesis
import uvicorn
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (  # the public names of the built-in checks
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from svc_helpers import ADMIN, COMPANY_DE, free_port, password_of, small_settings

from service.app import create_app

MAX_EXAMPLES = 10
"""Generated requests per operation and mode (positive, negative, on a real listing)."""
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@dataclass
class Server:
    """A live server and its OpenAPI schema."""

    base: str
    schema: Any
    session: requests.Session

    def token(self, email: str) -> dict[str, str]:
        r = self.session.post(
            f"{self.base}/api/v1/auth/token",
            data={"username": email, "password": password_of(email)},
            timeout=30,
        )
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def listing_of(self, headers: dict[str, str], skip: int = 0) -> str:
        r = self.session.get(
            f"{self.base}/api/v1/listings", headers=headers, params={"per_page": 20}, timeout=30
        )
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        assert len(items) > skip, items
        return str(items[skip]["id"])


@dataclass
class Summary:
    """What one run did and found."""

    role: str
    operations: set[str] = field(default_factory=set)
    requests: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    by_operation: dict[str, Counter[int]] = field(default_factory=dict)
    failures: dict[tuple[str, str], str] = field(default_factory=dict)
    unsatisfiable: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "operations": len(self.operations),
            "requests": self.requests,
            "failures": len(self.failures),
            "statuses": dict(sorted(self.statuses.items())),
        }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A uvicorn server on loopback serving a fresh small app."""
    app = create_app(small_settings(tmp_path_factory.mktemp("schemathesis")))
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, name="uvicorn-schemathesis", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    with requests.Session() as session:
        spec = session.get(f"{base}/openapi.json", timeout=30).json()
        yield Server(base, schemathesis.openapi.from_dict(spec), session)
    uv.should_exit = True
    thread.join(timeout=30)


def _run_strategy(
    server: Server,
    summary: Summary,
    label: str,
    strategy: st.SearchStrategy[Any],
    headers: dict[str, str],
    examples: int,
    seed_value: int,
) -> None:
    @seed(seed_value)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        response = case.call(base_url=server.base, session=server.session, headers=headers)
        summary.requests += 1
        summary.statuses[str(response.status_code)] += 1
        summary.by_operation.setdefault(label, Counter())[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except BaseException as exc:  # a FailureGroup: record it, keep exploring
            key = (label, f"{response.status_code}: {str(exc).splitlines()[2:4]}")
            if key not in summary.failures:
                curl = case.as_curl_command(headers=headers, base_url=server.base)
                summary.failures[key] = f"{exc}\n{curl}"[:3000]

    try:
        run()
    except Unsatisfiable:
        summary.unsatisfiable.append(label)  # e.g. no negative case for an operation


def _explore(server: Server, role: str, headers: dict[str, str], listing: str | None) -> Summary:
    summary = Summary(role)
    examples = MAX_EXAMPLES if headers else 3
    operations = [result.ok() for result in server.schema.get_all_operations()]
    # deletes last: the real listing is withdrawn only after the others have used it
    operations.sort(key=lambda op: op.method.upper() == "DELETE")
    for number, operation in enumerate(operations):
        label = operation.label
        summary.operations.add(label)
        strategies: list[tuple[str, st.SearchStrategy[Any]]] = [
            ("positive", operation.as_strategy(GenerationMode.POSITIVE)),
            ("negative", operation.as_strategy(GenerationMode.NEGATIVE)),
        ]
        names = {p.name for p in operation.path_parameters}
        if listing is not None and names == {"listing_id"}:
            real = {"listing_id": listing}
            strategies.append(("real listing", operation.as_strategy(path_parameters=real)))
        for explicit in server.schema.get_strategies_from_examples(operation):
            strategies.append(("example", explicit))
        for offset, (mode, strategy) in enumerate(strategies):
            _run_strategy(
                server,
                summary,
                f"{label} [{mode}]",
                strategy,
                headers,
                1 if mode == "example" else examples,
                seed_value=1000 * number + offset,
            )
    return summary


@pytest.mark.parametrize("role", ["admin", "company", "anonymous"])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    server: Server,
    role: str,
    record_property: Callable[[str, object], None],
    request: pytest.FixtureRequest,
) -> None:
    if role == "anonymous":
        headers: dict[str, str] = {}
        listing = None
    else:
        headers = server.token(ADMIN if role == "admin" else COMPANY_DE)
        # the admin works on another listing than the company's own, so runs are independent
        listing = server.listing_of(headers, skip=5 if role == "admin" else 0)
    started = time.monotonic()
    summary = _explore(server, role, headers, listing)
    report = {**summary.as_dict(), "seconds": round(time.monotonic() - started, 1)}
    record_property("schemathesis", report)
    assert request.config.cache is not None
    by_operation = {k: dict(sorted(v.items())) for k, v in sorted(summary.by_operation.items())}
    request.config.cache.set(
        f"isa_match/schemathesis/{role}", {**report, "by_operation": by_operation}
    )
    print(f"\nschemathesis {role}: {report}")
    assert summary.operations and summary.requests >= len(summary.operations)
    if role != "anonymous":
        # the run reached the operations, not only the authentication in front of them
        assert summary.statuses["200"] + summary.statuses["201"] > 0, report
        assert summary.statuses["422"] > 0, report
    else:
        assert summary.statuses["401"] > 0, report
    problems = "\n\n".join(f"{k[0]}\n{v}" for k, v in list(summary.failures.items())[:8])
    assert not summary.failures, f"{len(summary.failures)} failure(s):\n{problems}"


def test_every_error_response_is_documented_with_the_error_model(server: Server) -> None:
    spec = server.session.get(f"{server.base}/openapi.json", timeout=30).json()
    checked = 0
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            if operation.get("security"):
                assert {"401", "403"} <= set(responses), (method, path)
            if "requestBody" in operation:
                assert {"413", "415", "422"} <= set(responses), (method, path)
            for code, response in responses.items():
                if int(code) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    refs = [schema.get("$ref")] + [s.get("$ref") for s in schema.get("anyOf", [])]
                    assert "#/components/schemas/ErrorOut" in refs, (method, path, code)
                    checked += 1
    assert checked > 30
    assert "HTTPValidationError" not in spec["components"]["schemas"]
