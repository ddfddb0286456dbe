"""Search settings, read from Django settings when given there, else from the environment.

OA_SEARCH_BACKEND      embedded (default: SQLite FTS5 in its own file) or elasticsearch
OA_SEARCH_SQLITE_PATH  the embedded index file (default VAR_DIR/search/index.sqlite3)
ELASTICSEARCH_URL      the cluster (also OA_ELASTICSEARCH_URL), e.g. http://es:9200
OA_SEARCH_ES_INDEX     index name (default oa-documents)
OA_SEARCH_ES_ANALYZER  smartcn (default, the built-in plugin) or ik (needs the IK plugin of the cluster's version)
"""

import os
from pathlib import Path

from django.conf import settings


def _get(name: str, env: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value:
        return str(value)
    return os.environ.get(env, "").strip() or default


def backend_name() -> str:
    return _get("SEARCH_BACKEND", "OA_SEARCH_BACKEND", "embedded").lower()


def sqlite_path() -> Path:
    return Path(
        _get("SEARCH_SQLITE_PATH", "OA_SEARCH_SQLITE_PATH", str(Path(settings.VAR_DIR) / "search" / "index.sqlite3"))
    )


def elasticsearch_url() -> str:
    return _get("ELASTICSEARCH_URL", "ELASTICSEARCH_URL", "") or os.environ.get("OA_ELASTICSEARCH_URL", "").strip()


def es_index() -> str:
    return _get("SEARCH_ES_INDEX", "OA_SEARCH_ES_INDEX", "oa-documents")


def es_analyzer() -> str:
    return _get("SEARCH_ES_ANALYZER", "OA_SEARCH_ES_ANALYZER", "smartcn").lower()
