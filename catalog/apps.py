from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Alliance Catalog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Receivers that keep derived data true live with the data they keep, above the
        # models, and are connected here: search documents and facet counts, openness
        # classes and the API token named in an entry's history.
        from catalog import metrics, signals
        from catalog.search import signals as search_signals

        search_signals.connect()
        signals.connect()
        metrics.connect()
