"""FakeAshby on hostile requests: every body gets an answer, never an exception."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from ashby_query._core.schema import ENTITIES
from ashby_query.testing import FakeAshby

FAKE = FakeAshby({"jobs": [{"id": "j1", "title": "Engineer", "status": "Open"}]}, in_process=True)
EXECUTE = f"/api/v1/integrations/connectors/{FAKE.connector_id}/execute"
AUTH = {"Authorization": f"Bearer {FAKE.token}"}

json_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=6)
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)
bodies = st.fixed_dictionaries(
    {},
    optional={
        "entity": st.one_of(st.sampled_from(list(ENTITIES)), json_values),
        "action": st.one_of(
            st.sampled_from(["list", "get", "context_store_search", "x"]), json_values
        ),
        "params": st.one_of(
            st.fixed_dictionaries(
                {},
                optional={
                    "limit": json_values,
                    "cursor": json_values,
                    "query": json_values,
                    "id": json_values,
                    "fields": json_values,
                },
            ),
            json_values,
        ),
        "select_fields": json_values,
        "exclude_fields": json_values,
        "skip_truncation": json_values,
    },
)


@settings(max_examples=300)
@given(bodies)
def test_any_execute_body_gets_an_answer(body):
    """Whatever JSON arrives, FakeAshby answers 200, 400 or 404 with a JSON body."""
    status, _, payload = FAKE.handle(EXECUTE, AUTH, json.dumps(body).encode())
    assert status in (200, 400, 404)
    answer = json.loads(payload)
    if status != 200:
        assert answer["errors"][0]["userPresentableMessage"]


@settings(max_examples=100)
@given(st.binary(max_size=64), st.sampled_from(["GET", "POST", "PUT"]), st.text(max_size=30))
def test_any_bytes_and_path_get_an_answer(raw, method, path):
    """Bytes that are not JSON, odd methods and paths are answered, not raised."""
    for where in (EXECUTE, "/api/v1/account/applications/token", "/" + path):
        status, _, payload = FAKE.handle(where, AUTH, raw, method=method)
        assert 200 <= status < 500
        json.loads(payload)
