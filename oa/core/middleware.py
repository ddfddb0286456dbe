from oa.core.context import RequestInfo, client_address_from_meta, reset_request_info, set_request_info


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request_info(
            RequestInfo(
                client_address=client_address_from_meta(request.META),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:200],
            )
        )
        try:
            return self.get_response(request)
        finally:
            reset_request_info(token)
