"""Incremental sync at district scale (issue 15; docs/performance.md): a page of a pull by update
time, `updated_since` and the cursor's `(updated_at, id) > (...)`, is read through the index
`(updated_at, id)` of each big table, in its order (no sort of a million contracts), park-wide,
for a client restricted to an area and for an enterprise's HR."""

import datetime as dt

import pytest
from django.http import QueryDict
from django.utils import timezone

from apps.api import sync
from apps.certification.models import Application, Certificate
from apps.contracts.models import LabourContract
from apps.core.pagination import KeysetPaginator
from apps.core.principal import principal_for_api_client, principal_for_user
from apps.enterprises.models import Enterprise
from apps.inspection.models import CreditGrade, InspectionCase, Interview, RectificationOrder, WrittenReview
from apps.unions.models import CollectiveContract, Union
from tests.perf import assert_served_by_index

pytestmark = pytest.mark.django_db

SINCE = timezone.now() - dt.timedelta(days=1)
PARAMS = QueryDict(mutable=True)
PARAMS.update({"updated_since": SINCE.isoformat(), "ordering": "updated_at", "cursor": ""})


def page_after(queryset, size=1000):
    """The query of a page after a cursor, as apps.api.pagination runs it."""
    queryset = sync.apply(queryset, PARAMS)
    keyset = ["updated_at", "pk"]
    paginator = KeysetPaginator(queryset, keyset, size)
    values = [timezone.now() - dt.timedelta(hours=1), "00000000-0000-0000-0000-000000000000"]
    return paginator._after(queryset.order_by(*keyset), values, keyset)[: size + 1]


@pytest.mark.parametrize(
    ("model", "table"),
    [
        (LabourContract, "contracts_labourcontract"),
        (Enterprise, "enterprises_enterprise"),
        (Union, "unions_union"),
        (CollectiveContract, "unions_collectivecontract"),
        (Application, "certification_application"),
        (Certificate, "certification_certificate"),
        (InspectionCase, "inspection_inspectioncase"),
        (RectificationOrder, "inspection_rectificationorder"),
        (Interview, "inspection_interview"),
        (WrittenReview, "inspection_writtenreview"),
        (CreditGrade, "inspection_creditgrade"),
    ],
)
def test_a_pull_by_update_time_walks_the_tables_index(model, table):
    plan = assert_served_by_index(page_after(model.objects.all()), table)
    if plan:
        assert "_updated" in plan, plan


def test_a_contract_pull_for_an_area_and_for_an_enterprise_is_served_by_an_index(
    api_client_factory, ent_a, ent_hr_a
):
    client, _key = api_client_factory(scopes=["contracts:read"], area=ent_a.town)
    restricted = principal_for_api_client(client)
    assert restricted.area_ids
    plan = assert_served_by_index(
        page_after(LabourContract.objects.visible_to(restricted)), "contracts_labourcontract"
    )
    if plan:
        assert "contract_updated" in plan or "contract_ent_updated" in plan, plan
    hr = principal_for_user(ent_hr_a)
    plan = assert_served_by_index(
        page_after(LabourContract.objects.visible_to(hr)), "contracts_labourcontract"
    )
    if plan:
        assert "contract_ent_updated" in plan, plan
    # The list's `enterprise` filter, for a district system following one enterprise.
    plan = assert_served_by_index(
        page_after(LabourContract.objects.filter(enterprise=ent_a)), "contracts_labourcontract"
    )
    if plan:
        assert "contract_ent_updated" in plan, plan


def test_the_record_id_filter_reads_the_signatures_index():
    from apps.contracts.filters import ContractFilter

    queryset = ContractFilter({"record_id": "LQ-1"}, queryset=LabourContract.objects.all()).qs
    assert_served_by_index(queryset, "contracts_esignature", sorted_by_index=False)
