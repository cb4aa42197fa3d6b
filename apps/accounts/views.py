from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST

from apps.core.pagination import paginate
from apps.core.scoping import get_visible_or_404, principal_for_request

from .forms import LoginForm
from .models import Organisation
from .selectors import organisations_visible_to
from .services import set_language_preference


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        """Log in, and switch the pages to the language the user chose last time."""
        response = super().form_valid(form)
        language = form.get_user().language
        if language in dict(settings.LANGUAGES):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=False,
            )
        return response


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@login_required
@permission_required("accounts.view_organisation", raise_exception=True)
def organisation_list(request):
    principal = principal_for_request(request)
    qs = organisations_visible_to(principal)
    kind = request.GET.get("kind")
    if kind in Organisation.Kind.values:
        qs = qs.filter(kind=kind)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(name__icontains=q)
    page = paginate(request, qs, 50)
    return render(
        request,
        "accounts/organisation_list.html",
        {"page": page, "kinds": Organisation.Kind.choices, "kind": kind, "q": q},
    )


@login_required
def organisation_detail(request, pk):
    principal = principal_for_request(request)
    org = get_visible_or_404(organisations_visible_to(principal), principal, pk=pk)
    members = org.memberships.select_related("user") if principal.is_park_admin else None
    return render(
        request,
        "accounts/organisation_detail.html",
        {"org": org, "members": members, "registry_url": _registry_url(org)},
    )


def _registry_url(org):
    """The enterprise registry record or the union page behind an organisation, if any."""
    from django.urls import NoReverseMatch, reverse

    for attr, name in (("enterprise", "enterprises:detail"), ("trade_union", "unions:detail")):
        related = getattr(org, attr, None) if hasattr(org, attr) else None
        if related is not None:
            try:
                return reverse(name, args=[related.pk])
            except NoReverseMatch:
                return None
    return None


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice on the user's profile so that
    notifications and e-mails reach them in that language."""
    response = i18n_views.set_language(request)
    code = request.POST.get("language")
    if request.user.is_authenticated and code in dict(settings.LANGUAGES):
        set_language_preference(request.user, code)
    return response
