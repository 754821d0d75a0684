from knowledge.catalog import (
    BssCatalogSource,
    CatalogOffering,
    StaticCatalog,
    offering_from_tmf,
    render_offering,
)
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


async def test_the_simulators_catalog_is_ingested_with_current_prices(
    kb_settings: Settings, embedder: FakeEmbedder
) -> None:
    from bss.app import create_bss_app
    from tools.bss.client import make_bss_client

    app = create_bss_app(kb_settings, run_worker=False)
    async with make_bss_client(kb_settings, app=app) as client:
        source = BssCatalogSource(client, url_template="https://shop.example/{id}")
        offerings = {o.id: o for o in await source.list_offerings()}
        report = await ingest(kb_settings, embedder=embedder, catalog=source)
    await app.state.sim.close()
    assert "dev-iphone-16" not in offerings  # not sellable
    bundle = offerings["bundle-10"]
    assert (bundle.price, bundle.period, bundle.segments) == (10.0, "30 days", ("prepaid",))
    assert "catalog-bundle-10" in report.added and "catalog-unlimited-max" in report.added
    retriever = build_retriever(kb_settings, embedder=embedder)
    top = (await retriever.search("Bundle 10 price", customer_type="prepaid"))[0]
    assert top.doc_id == "catalog-bundle-10" and top.url == "https://shop.example/bundle-10"
    assert "£10 per 30 days" in top.text and "Data: 10GB" in top.text
    postpaid = await retriever.search("Bundle 10 price", k=10, customer_type="postpaid")
    assert "catalog-bundle-10" not in {p.doc_id for p in postpaid}
    unlimited = render_offering(offerings["unlimited-max"]).body
    assert (
        "Roaming included: Zone 1, Zone 2" in unlimited and "Minimum term: 12 months" in unlimited
    )
