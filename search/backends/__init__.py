"""Backend selection: ``get_backend()`` returns the configured one (embedded by default)."""

from .. import conf
from .base import Backend, Hit, SearchQuery, SearchResult  # noqa: F401

_cache: dict[tuple, Backend] = {}


def get_backend() -> Backend:
    name = conf.backend_name()
    if name in ("elasticsearch", "es"):
        key = ("es", conf.elasticsearch_url(), conf.es_index(), conf.es_analyzer())
        if key not in _cache:
            from .elastic import ElasticBackend

            _cache[key] = ElasticBackend(url=key[1], index=key[2], analyzer=key[3])
        return _cache[key]
    key = ("embedded", str(conf.sqlite_path()))
    if key not in _cache:
        from .embedded import EmbeddedBackend

        _cache[key] = EmbeddedBackend(conf.sqlite_path())
    return _cache[key]
