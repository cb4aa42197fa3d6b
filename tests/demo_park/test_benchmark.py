"""The benchmark's matrix (manage.py benchmark) names pages that exist and answer, for every role,
on a small park (the full run is `make benchmark`, on the district-scale data set)."""

import io

import pytest

from apps.demo import benchmark

pytestmark = pytest.mark.django_db


def test_every_target_answers_its_role(demo_park, client):
    out = io.StringIO()
    headers, objects = benchmark.principals(out)
    targets = benchmark.matrix(objects)
    assert {t.role for t in targets} >= {"park_admin", "hr", "mediator", "union", "api", "superuser"}
    assert {t.group for t in targets} >= {"home", "list", "figures", "dossier", "export", "baseline"}
    for target in targets:
        extra = {}
        for name, value in headers[target.role].items():
            if name == "Cookie":
                key, _, session = value.partition("=")
                client.cookies[key] = session
            else:
                extra[f"HTTP_{name.upper().replace('-', '_')}"] = value
        response = client.get(target.path, **extra)
        assert response.status_code == 200, (target.name, target.role, target.path, response.status_code)
        client.cookies.clear()


def test_a_result_meets_its_targets_or_says_not():
    t = benchmark.Target("list", "x", "park_admin", "/", p95_target_ms=100, max_queries=12)
    assert benchmark.Result(t, 200, 10, c1=[50.0] * 20).met
    assert not benchmark.Result(t, 200, 13, c1=[50.0] * 20).met
    assert not benchmark.Result(t, 200, 10, c1=[50.0] * 18 + [150.0, 160.0]).met
    assert not benchmark.Result(t, 500, 10, c1=[50.0]).met


def test_the_bulk_pull_walks_every_contract_once(demo_park, client):
    """`manage.py benchmark_pull` follows the contract list's cursor to the end: on the demo park it
    meets every contract the client may read, each once."""
    from apps.accounts.services import create_api_client
    from apps.contracts.models import LabourContract
    from apps.demo.benchmark_pull import walk

    _client, key = create_api_client(name="pull-test", scopes=["contracts:read"])

    def fetch(path):
        response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {key}")
        return response.status_code, response.json()

    pull = walk(fetch, "/api/v1/contracts/?cursor=&page_size=1000")
    assert pull.rows == LabourContract.objects.count() > 1000
    assert pull.pages == -(-pull.rows // 1000)
    assert pull.duplicates == 0 and len(pull.ids) == pull.rows
