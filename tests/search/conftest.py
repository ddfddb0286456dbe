import os
import uuid

import pytest

from search import backends


@pytest.fixture
def embedded(settings, tmp_path):
    """A fresh embedded index in this test's own file, used by the services too."""
    settings.SEARCH_BACKEND = "embedded"
    settings.SEARCH_SQLITE_PATH = str(tmp_path / "search.sqlite3")
    backend = backends.get_backend()
    yield backend
    backend.close()
    backends._cache.clear()


ES_SKIP = "ELASTICSEARCH_URL is not set: the Elasticsearch contract cases need a real cluster"


@pytest.fixture(params=["embedded", "elasticsearch"])
def any_backend(request, settings, tmp_path):
    """The contract cases run against every backend; Elasticsearch only when a cluster is configured."""
    if request.param == "embedded":
        settings.SEARCH_BACKEND = "embedded"
        settings.SEARCH_SQLITE_PATH = str(tmp_path / "search.sqlite3")
        backend = backends.get_backend()
        yield backend
        backend.close()
        backends._cache.clear()
        return
    url = os.environ.get("ELASTICSEARCH_URL", "")
    if not url:
        pytest.skip(ES_SKIP)
    from search.backends.elastic import ElasticBackend

    backend = ElasticBackend(
        url=url, index=f"oa-test-{uuid.uuid4().hex[:8]}", analyzer=os.environ.get("OA_SEARCH_ES_ANALYZER", "smartcn")
    )
    yield backend
    backend.client.indices.delete(index=backend.index_name, ignore_unavailable=True)
