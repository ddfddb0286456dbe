"""REST API root: each app registers its viewsets on the shared router."""

from rest_framework.routers import DefaultRouter

from documents.api import register as register_documents
from documents.archive.api import register as register_archive
from documents.exchange.api import register as register_exchange
from meetings.api import register as register_meetings
from oa.messaging.api import register as register_messaging
from oa.org.api import register as register_org
from oa.supervision.api import register as register_supervision
from oa.todo.api import register as register_todo
from search.api import register as register_search
from signing.api import register as register_signing

router = DefaultRouter()
register_org(router)
register_todo(router)
register_supervision(router)
register_messaging(router)
register_documents(router)
register_exchange(router)
register_archive(router)
register_signing(router)
register_meetings(router)
register_search(router)

urlpatterns = router.urls
