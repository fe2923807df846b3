"""The catalog as DCAT-AP 3 for data portals and their harvesters (data.europa.eu, CKAN's
DCAT harvester, data.gov): `/catalog.ttl` and `/catalog.jsonld`, paged with Hydra, and
one entry at `/artifacts/<namespace>/<slug>.ttl` (or `.jsonld`), beside its web page.

Built with rdflib from the published entries only. How the catalog maps onto DCAT-AP 3:

- The catalog is a `dcat:Catalog` whose address is the site's home page; its publisher
  is `settings.CATALOG_PUBLISHER`.
- Datasets and models are `dcat:Dataset`s: a model's weights are data published for
  download, and harvesters take in datasets (and data services) only. Their address is
  their web page. `dct:type` says which kind each is (the catalog's own `#kinds` scheme).
- Tools are `dcat:Resource`s, listed with `dcat:resource`. DCAT has no class for
  software, and calling a library a dataset would mislead a harvester, so they stay out
  of its dataset lists while the graph still holds every published entry.
- The entry's Hugging Face repository, when known, is its `dcat:Distribution`
  (`dcat:accessURL`). DCAT-AP states licences on distributions only, so a dataset's
  licence is there: `dct:license` with the SPDX URI (`http://spdx.org/licenses/<id>`)
  when the expression is one SPDX licence, the licence's own URL for a `LicenseRef-`,
  and a `dct:RightsStatement` holding the expression when it combines several (DCAT-AP
  allows one licence per distribution). Tools, which have no distribution, carry
  `dct:license` themselves.
- Organizations are `foaf:Organization` (and `foaf:Agent`) at their member page, with
  the ADMS publisher type where their kind maps to one; the lead organization is the
  publisher and every contributor a creator; the lead's website is the contact point.
- Tasks and modalities are `skos:Concept`s in two schemes (`dcat:themeTaxonomy`) and
  the entries' `dcat:theme`s; tags are `dcat:keyword`s; languages are the EU
  Publications Office's language authority URIs.
- Release dates keep their precision (`xsd:gYear`, `xsd:gYearMonth`, `xsd:date`).
  Claims the seeds mark unverified are not published fields and never appear.

`catalog/protocols/dcat_ap3_shapes.ttl` holds the mandatory and recommended properties of
DCAT-AP 3's Catalogue, Dataset, Distribution and Agent; the tests validate every graph
served here against it with pyshacl.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Min, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from catalog.models import (
    Artifact,
    ArtifactKind,
    ContributionRole,
    DatePrecision,
    Organization,
    OrganizationKind,
)
from catalog.search.query import with_result_relations

# DCAT 3 (rdflib's DCAT namespace stops at DCAT 2: no dcat:version, no dcat:resource).
DCAT = Namespace("http://www.w3.org/ns/dcat#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS_PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
EU_LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
LOC_ISO639_1 = Namespace("http://id.loc.gov/vocabulary/iso639-1/")
SPDX_LICENSE = Namespace("http://spdx.org/licenses/")

PREFIXES = {
    "dcat": DCAT,
    "dct": DCTERMS,
    "foaf": FOAF,
    "skos": SKOS,
    "vcard": VCARD,
    "hydra": HYDRA,
    "rdfs": RDFS,
    "xsd": XSD,
}
JSON_LD_CONTEXT = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}

FORMATS = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "jsonld": ("json-ld", "application/ld+json"),
}

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

# ISO 639-1 -> the EU language authority's code (ISO 639-2/T); tests check that every
# language of the taxonomy fixture is here. Others fall back to the Library of Congress's
# ISO 639-1 URI.
EU_LANGUAGE_CODES = {
    "ar": "ARA", "bg": "BUL", "bn": "BEN", "cs": "CES", "da": "DAN", "de": "DEU",
    "el": "ELL", "en": "ENG", "es": "SPA", "fa": "FAS", "fi": "FIN", "fr": "FRA",
    "he": "HEB", "hi": "HIN", "hu": "HUN", "id": "IND", "it": "ITA", "ja": "JPN",
    "ko": "KOR", "ms": "MSA", "nb": "NOB", "nl": "NLD", "pl": "POL", "pt": "POR",
    "ro": "RON", "ru": "RUS", "sv": "SWE", "sw": "SWA", "th": "THA", "tr": "TUR",
    "uk": "UKR", "ur": "URD", "vi": "VIE", "zh": "ZHO", "mn": "MON",
}  # fmt: skip

# ADMS publisher types (DCAT-AP's vocabulary for an Agent's dct:type). A government
# agency's level (national, regional, local) is not recorded, so it gets none.
PUBLISHER_TYPES = {
    OrganizationKind.COMPANY: ADMS_PUBLISHER_TYPE.Company,
    OrganizationKind.UNIVERSITY: ADMS_PUBLISHER_TYPE["Academia-ScientificOrganisation"],
    OrganizationKind.RESEARCH_INSTITUTE: ADMS_PUBLISHER_TYPE["Academia-ScientificOrganisation"],
    OrganizationKind.NON_PROFIT: ADMS_PUBLISHER_TYPE.NonProfitOrganisation,
    OrganizationKind.FOUNDATION: ADMS_PUBLISHER_TYPE.NonProfitOrganisation,
}

DATE_TYPES = {
    DatePrecision.YEAR: XSD.gYear,
    DatePrecision.MONTH: XSD.gYearMonth,
    DatePrecision.DAY: XSD.date,
}


def language_uri(code: str) -> URIRef:
    if code in EU_LANGUAGE_CODES:
        return EU_LANGUAGE[EU_LANGUAGE_CODES[code]]
    if len(code) == 3:  # already ISO 639-3, which the authority's codes follow
        return EU_LANGUAGE[code.upper()]
    return LOC_ISO639_1[code]


def license_uri(license) -> URIRef | None:
    """A licence's canonical URI: SPDX's for SPDX identifiers, else its own URL."""
    if not license.key.startswith("LicenseRef-"):
        return SPDX_LICENSE[license.key]
    return URIRef(license.url) if license.url else None


@dataclass(frozen=True)
class Site:
    """Absolute addresses on the site that answered the request."""

    base: str  # scheme and host, no trailing slash

    @classmethod
    def of(cls, request: HttpRequest) -> Site:
        return cls(request.build_absolute_uri("/").rstrip("/"))

    def url(self, path: str) -> URIRef:
        return URIRef(self.base + path)

    @property
    def catalog(self) -> URIRef:
        return self.url(reverse("web:home"))

    @property
    def publisher(self) -> URIRef:
        return URIRef(f"{self.catalog}#publisher")

    def scheme(self, name: str) -> URIRef:
        return URIRef(f"{self.url(reverse('api:taxonomy'))}#{name}")

    def concept(self, scheme: str, slug: str) -> URIRef:
        return URIRef(f"{self.scheme(scheme)}-{slug}")

    def entry(self, artifact: Artifact) -> URIRef:
        return self.url(artifact.get_absolute_url())

    def organization(self, organization: Organization) -> URIRef:
        return self.url(organization.get_absolute_url())


SCHEMES = {
    "tasks": "Tasks",
    "modalities": "Modalities",
    "kinds": "Kinds of entry",
}


def new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def entries_queryset() -> QuerySet[Artifact]:
    """Published entries with everything a description shows, in a fixed number of
    queries whatever their number."""
    return with_result_relations(Artifact.objects.published())


# ------------------------------------------------------------------------------
# Descriptions
# ------------------------------------------------------------------------------
def add_catalog(graph: Graph, site: Site, *, issued=None, modified=None) -> URIRef:
    """The catalog itself and its publisher (DCAT-AP 3 Catalogue, mandatory and the
    recommended properties the catalog knows)."""
    catalog = site.catalog
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal(settings.CATALOG_NAME, lang="en")))
    graph.add((catalog, DCTERMS.description, Literal(settings.CATALOG_DESCRIPTION, lang="en")))
    graph.add((catalog, FOAF.homepage, catalog))
    graph.add((catalog, DCTERMS.language, EU_LANGUAGE.ENG))
    publisher = site.publisher
    graph.add((catalog, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal(settings.CATALOG_PUBLISHER, lang="en")))
    for name, title in SCHEMES.items():
        scheme = site.scheme(name)
        graph.add((catalog, DCAT.themeTaxonomy, scheme))
        graph.add((scheme, RDF.type, SKOS.ConceptScheme))
        graph.add((scheme, DCTERMS.title, Literal(title, lang="en")))
    if issued is not None:
        graph.add((catalog, DCTERMS.issued, Literal(issued, datatype=XSD.dateTime)))
    if modified is not None:
        graph.add((catalog, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime)))
    return catalog


def add_entry(graph: Graph, site: Site, artifact: Artifact) -> URIRef:
    """One published entry (prefetched as `entries_queryset` does): a dcat:Dataset for
    datasets and models, a dcat:Resource for tools."""
    entry = site.entry(artifact)
    is_tool = artifact.kind == ArtifactKind.TOOL
    graph.add((entry, RDF.type, DCAT.Resource if is_tool else DCAT.Dataset))
    graph.add((entry, DCTERMS.title, Literal(artifact.name, lang="en")))
    graph.add((entry, DCTERMS.description, Literal(artifact.summary, lang="en")))
    graph.add((entry, DCTERMS.identifier, Literal(artifact.repo_id)))
    kind = _concept(graph, site, "kinds", artifact.kind, ArtifactKind(artifact.kind).label)
    graph.add((entry, DCTERMS.type, kind))
    graph.add((entry, DCAT.landingPage, entry))
    if artifact.homepage_url:
        graph.add((entry, DCAT.landingPage, URIRef(artifact.homepage_url)))
    if artifact.repository_url:
        graph.add((entry, FOAF.page, URIRef(artifact.repository_url)))
    if artifact.paper_url:
        graph.add((entry, DCTERMS.isReferencedBy, URIRef(artifact.paper_url)))
    if artifact.released_on:
        released = Literal(
            artifact.released_display, datatype=DATE_TYPES[artifact.release_precision]
        )
        graph.add((entry, DCTERMS.issued, released))
    graph.add((entry, DCTERMS.modified, Literal(artifact.updated_at, datatype=XSD.dateTime)))
    if artifact.version:
        graph.add((entry, DCAT.version, Literal(artifact.version)))
    for task in artifact.tasks.all():
        graph.add((entry, DCAT.theme, _concept(graph, site, "tasks", task.slug, task.name)))
    for modality in artifact.modalities.all():
        concept = _concept(graph, site, "modalities", modality.slug, modality.name)
        graph.add((entry, DCAT.theme, concept))
    for tag in artifact.tags.all():
        graph.add((entry, DCAT.keyword, Literal(tag.slug, lang="en")))
    for language in artifact.languages.all():
        graph.add((entry, DCTERMS.language, language_uri(language.slug)))
    for contribution in artifact.contributions.all():
        agent = _agent(graph, site, contribution.organization)
        graph.add((entry, DCTERMS.creator, agent))
        if contribution.role == ContributionRole.LEAD:
            graph.add((entry, DCTERMS.publisher, agent))
            _contact_point(graph, entry, contribution.organization)
    if is_tool:
        _add_licence(graph, entry, artifact)
    elif artifact.huggingface_url:
        graph.add((entry, DCAT.distribution, _huggingface_distribution(graph, entry, artifact)))
    return entry


def _concept(graph: Graph, site: Site, scheme: str, slug: str, label: str) -> URIRef:
    concept = site.concept(scheme, slug)
    graph.add((concept, RDF.type, SKOS.Concept))
    graph.add((concept, SKOS.prefLabel, Literal(label, lang="en")))
    graph.add((concept, SKOS.inScheme, site.scheme(scheme)))
    return concept


def _agent(graph: Graph, site: Site, organization: Organization) -> URIRef:
    agent = site.organization(organization)
    graph.add((agent, RDF.type, FOAF.Organization))
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, FOAF.name, Literal(organization.name, lang="en")))
    if organization.website:
        graph.add((agent, FOAF.homepage, URIRef(organization.website)))
    if organization.kind in PUBLISHER_TYPES:
        graph.add((agent, DCTERMS.type, PUBLISHER_TYPES[organization.kind]))
    return agent


def _contact_point(graph: Graph, entry: URIRef, organization: Organization) -> None:
    """The lead organization, reached through its website: the one contact the catalog
    knows (it records no e-mail addresses)."""
    if not organization.website:
        return
    contact = BNode(f"contact-{organization.slug}")
    graph.add((entry, DCAT.contactPoint, contact))
    graph.add((contact, RDF.type, VCARD.Kind))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(organization.name, lang="en")))
    graph.add((contact, VCARD.hasURL, URIRef(organization.website)))


def _huggingface_distribution(graph: Graph, entry: URIRef, artifact: Artifact) -> URIRef:
    distribution = URIRef(f"{entry}#huggingface")
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, DCAT.accessURL, URIRef(artifact.huggingface_url)))
    graph.add((distribution, DCTERMS.title, Literal("Hugging Face Hub repository", lang="en")))
    kind = ArtifactKind(artifact.kind).label.lower()
    description = Literal(f"The {kind}'s repository on the Hugging Face Hub.", lang="en")
    graph.add((distribution, DCTERMS.description, description))
    _add_licence(graph, distribution, artifact)
    return distribution


def _add_licence(graph: Graph, subject: URIRef, artifact: Artifact) -> None:
    licenses = list(artifact.licenses.all())
    uri = license_uri(licenses[0]) if len(licenses) == 1 else None
    if uri is not None:
        graph.add((subject, DCTERMS.license, uri))
        graph.add((uri, RDF.type, DCTERMS.LicenseDocument))
        graph.add((uri, RDFS.label, Literal(licenses[0].key)))
    elif artifact.license_expression:
        rights = BNode()
        graph.add((subject, DCTERMS.rights, rights))
        graph.add((rights, RDF.type, DCTERMS.RightsStatement))
        graph.add((rights, RDFS.label, Literal(artifact.license_expression)))


def catalog_graph(site: Site, entries: list[Artifact], **dates) -> Graph:
    graph = new_graph()
    catalog = add_catalog(graph, site, **dates)
    for artifact in entries:
        entry = add_entry(graph, site, artifact)
        is_tool = artifact.kind == ArtifactKind.TOOL
        graph.add((catalog, DCAT.resource if is_tool else DCAT.dataset, entry))
    return graph


def entry_graph(site: Site, artifact: Artifact) -> Graph:
    graph = new_graph()
    add_entry(graph, site, artifact)
    return graph


# ------------------------------------------------------------------------------
# Paging (Hydra)
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Page:
    number: int
    size: int
    total: int

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def add_paging(graph: Graph, page: Page, page_url) -> None:
    """Hydra's paging in both the forms harvesters read: the current
    `hydra:PartialCollectionView` (first, last, next, previous as links) and the older
    `hydra:PagedCollection` (firstPage ... as literals) that CKAN's DCAT harvester and
    data.europa.eu's follow."""
    view = URIRef(page_url(page.number))
    collection = URIRef(page_url(None))
    graph.add((collection, RDF.type, HYDRA.Collection))
    graph.add((collection, HYDRA.totalItems, Literal(page.total)))
    graph.add((collection, HYDRA.view, view))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, RDF.type, HYDRA.PagedCollection))
    graph.add((view, HYDRA.totalItems, Literal(page.total)))
    graph.add((view, HYDRA.itemsPerPage, Literal(page.size)))
    links = {"first": 1, "last": page.last}
    if page.number > 1:
        links["previous"] = page.number - 1
    if page.number < page.last:
        links["next"] = page.number + 1
    for name, number in links.items():
        graph.add((view, HYDRA[name], URIRef(page_url(number))))
        graph.add((view, HYDRA[f"{name}Page"], Literal(page_url(number))))


# ------------------------------------------------------------------------------
# Views
# ------------------------------------------------------------------------------
def _respond(graph: Graph, fmt: str) -> HttpResponse:
    rdflib_format, content_type = FORMATS[fmt]
    options = {"context": JSON_LD_CONTEXT, "auto_compact": True} if fmt == "jsonld" else {}
    return HttpResponse(graph.serialize(format=rdflib_format, **options), content_type=content_type)


def _whole_number(request: HttpRequest, name: str, default: int, highest: int | None):
    """A page or page_size parameter, or an error message for it."""
    raw = request.GET.get(name, "")
    if raw == "":
        return default, None
    try:
        value = int(raw)
    except ValueError:
        return None, "Enter a whole number."
    if value < 1 or (highest is not None and value > highest):
        return None, f"Use a number from 1 to {highest}." if highest else "Use 1 or more."
    return value, None


def catalog_view(request: HttpRequest, fmt: str) -> HttpResponse:
    """One page of the whole catalog: the catalog, its publisher and a page of entries,
    oldest first, with Hydra links to the other pages. `page` and `page_size` (1 to
    MAX_PAGE_SIZE) choose the page; a bad one is a 400 naming it, one past the end a 404."""
    size, size_error = _whole_number(request, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    number, number_error = _whole_number(request, "page", 1, None)
    errors = {
        name: [message]
        for name, message in (("page_size", size_error), ("page", number_error))
        if message
    }
    if errors:
        return JsonResponse(errors, status=400)
    published = Artifact.objects.published()
    dates = published.aggregate(
        total=Count("pk"),
        issued=Min("published_at"),
        modified=Max("updated_at"),
    )
    page = Page(number=number, size=size, total=dates.pop("total"))
    if page.number > page.last:
        raise Http404(f"There are {page.last} pages of {size} entries.")
    entries = list(entries_queryset().order_by("pk")[page.offset : page.offset + page.size])
    site = Site.of(request)
    graph = catalog_graph(site, entries, **dates)

    path = request.path

    def page_url(number: int | None) -> str:
        if number is None:
            return site.base + path
        query = f"page={number}"
        if size != DEFAULT_PAGE_SIZE:
            query += f"&page_size={size}"
        return f"{site.base}{path}?{query}"

    add_paging(graph, page, page_url)
    return _respond(graph, fmt)


def entry_view(request: HttpRequest, namespace: str, slug: str, fmt: str) -> HttpResponse:
    """One published entry's description; drafts and withdrawn entries are a 404."""
    artifact = entries_queryset().filter(namespace=namespace, slug=slug).first()
    if artifact is None:
        raise Http404(f"No published entry {namespace}/{slug} in the catalog.")
    return _respond(entry_graph(Site.of(request), artifact), fmt)
