from knowledge.catalog import CatalogOffering, StaticCatalog, offering_from_tmf, render_offering
from knowledge.factory import build_retriever, ingest
from switchboard.settings import Settings
from tests.knowledge.conftest import FakeEmbedder

TMF_OFFERING = {
    "id": "data-5gb",
    "href": "http://bss/tmf-api/productCatalogManagement/v4/productOffering/data-5gb",
    "name": "5GB Data Boost",
    "description": "5GB of extra data for 30 days.",
    "category": [{"id": "addon", "name": "addon"}],
    "marketSegment": [{"id": "prepaid", "name": "prepaid"}, {"id": "postpaid", "name": "postpaid"}],
    "productOfferingPrice": [
        {
            "priceType": "oneTime",
            "price": {"taxIncludedAmount": {"unit": "GBP", "value": 8.0}},
        }
    ],
}


def test_a_tmf620_offering_becomes_a_document_with_its_price() -> None:
    offering = offering_from_tmf(TMF_OFFERING)
    assert (offering.price, offering.period) == (8.0, None)
    assert offering.segments == ("prepaid", "postpaid")
    doc = render_offering(offering)
    assert doc.id == "catalog-data-5gb" and doc.source == "catalog"
    assert "£8 (one-off)" in doc.body and "prepaid customers and postpaid customers" in doc.body
    assert doc.customer_types == ("prepaid", "postpaid")
    assert doc.url == TMF_OFFERING["href"]


def test_recurring_prices_name_their_period() -> None:
    plan = dict(
        TMF_OFFERING,
        id="bundle-10",
        name="Bundle 10",
        productOfferingPrice=[
            {
                "priceType": "recurring",
                "recurringChargePeriodType": "day",
                "recurringChargePeriodLength": 30,
                "price": {"taxIncludedAmount": {"unit": "GBP", "value": 10}},
            }
        ],
    )
    assert "£10 per 30 days" in render_offering(offering_from_tmf(plan)).body


async def test_catalog_prices_are_searchable_and_follow_price_changes(
    kb_settings: Settings, embedder: FakeEmbedder
) -> None:
    boost = CatalogOffering(
        id="data-5gb",
        name="5GB Data Boost",
        category="addon",
        price=8.0,
        segments=("prepaid", "postpaid"),
    )
    await ingest(kb_settings, embedder=embedder, catalog=StaticCatalog([boost]))
    retriever = build_retriever(kb_settings, embedder=embedder)
    top = (await retriever.search("5GB data boost price"))[0]
    assert top.doc_id == "catalog-data-5gb" and "£8" in top.text
    report = await ingest(
        kb_settings,
        embedder=embedder,
        catalog=StaticCatalog([boost.model_copy(update={"price": 9.0})]),
    )
    assert report.updated == ["catalog-data-5gb"] and report.chunks_embedded == 1
    await retriever.refresh(force=True)
    assert "£9" in (await retriever.search("5GB data boost price"))[0].text
    # ingesting articles alone leaves the catalog alone
    alone = await ingest(kb_settings, embedder=embedder)
    assert alone.removed == [] and "catalog-data-5gb" not in alone.unchanged
    # an offering withdrawn from the catalog disappears
    gone = await ingest(kb_settings, embedder=embedder, catalog=StaticCatalog([]))
    assert gone.removed == ["catalog-data-5gb"]
