from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from apps.accounts.services import ApiKeyRefused, check_api_key


class ApiClientUser:
    """Stands in for request.user when a district system calls: authenticated, never staff."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, client):
        self.api_client = client
        self.username = f"api:{client.name}"

    def get_username(self):
        return self.username

    def has_perm(self, perm, obj=None):
        return False

    def __str__(self):
        return self.username


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>` for ApiClients. A wrong key is a 401, never a fallback."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if not parts or parts[0] != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header: use “Bearer <key>”."))
        try:
            client = check_api_key(parts[1])
        except ApiKeyRefused as refused:
            # `error.code` says why: invalid_key, key_revoked, key_expired or key_replaced.
            raise exceptions.AuthenticationFailed(refused.message, code=refused.code) from None
        return ApiClientUser(client), client

    def authenticate_header(self, request):
        return self.keyword


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.ApiKeyAuthentication"
    name = "BearerKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "API client key (create_api_client)"}
