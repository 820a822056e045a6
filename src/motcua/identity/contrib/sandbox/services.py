"""Writes of the sandbox national identity provider: its people, its provider-side users, motcua's client."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from oauth2_provider.models import get_application_model

from motcua.accounts.models import AccountKind, User
from motcua.identity.models import SandboxPerson

from .people import generate_people

SANDBOX_USERNAME_PREFIX = "sandbox-vneid-"
CALLBACK_PATH = "/auth/callback/sandbox/"
# The sandbox providers motcua is a client of: the e-ID provider and the national portal's SSO.
SANDBOX_PROVIDERS = ("sandbox", "dvcqg-sandbox")


@transaction.atomic
def sandbox_people_ensure() -> int:
    """Create the generated fake citizens and businesses that are missing (idempotent); how many were new."""
    existing = set(SandboxPerson.objects.values_list("subject", flat=True))
    new = [
        SandboxPerson(
            kind=person.kind,
            subject=person.subject,
            id_number=person.id_number,
            full_name=person.full_name,
            birth_date=person.birth_date,
            sex=person.sex,
            permanent_address=person.permanent_address,
            phone=person.phone,
            email=person.email,
            level=person.level,
            tax_code=person.tax_code,
            organisation_name=person.organisation_name,
        )
        for person in generate_people()
        if person.subject not in existing
    ]
    SandboxPerson.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def sandbox_provider_user(*, person: SandboxPerson) -> User:
    """The provider-side account of ``person`` (DOT's grants point at it); inactive, no password.

    It never logs in to motcua: the relying party creates the real citizen account from the claims.
    """
    if person.user_id is not None:
        return person.user  # type: ignore[return-value]
    user, _created = User.objects.get_or_create(
        username=f"{SANDBOX_USERNAME_PREFIX}{person.subject}",
        defaults={
            "kind": AccountKind.BUSINESS if person.kind == AccountKind.BUSINESS else AccountKind.CITIZEN,
            "full_name": f"[sandbox VNeID] {person.organisation_name or person.full_name}",
            "is_active": False,
        },
    )
    if _created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    person.user = user
    person.save(update_fields=["user"])
    return user


@transaction.atomic
def sandbox_client_ensure(*, redirect_uris: list[str] | None = None, provider: str = "sandbox") -> object:
    """Register (or update) motcua's OAuth client at the sandbox provider; idempotent; returns the Application.

    Client id and secret come from ``settings.MOTCUA_LOGIN_PROVIDERS["sandbox"]``; the redirect URI is
    ``settings.MOTCUA_PUBLIC_URL + "/auth/callback/sandbox/"`` unless ``redirect_uris`` are given. Also
    makes sure the fake people exist (``sandbox_people_ensure``). ``motcua load-demo`` calls this.
    """
    application_model = get_application_model()
    config = settings.MOTCUA_LOGIN_PROVIDERS[provider]
    callback = f"/auth/callback/{provider}/"
    if redirect_uris:
        uris = list(redirect_uris)
    else:
        public = settings.MOTCUA_PUBLIC_URL.rstrip("/")
        uris = [public + callback]
        # On a developer machine the same server answers on 127.0.0.1 and localhost.
        for a, b in (("//127.0.0.1", "//localhost"), ("//localhost", "//127.0.0.1")):
            if a in public:
                uris.append(public.replace(a, b) + callback)
    wanted = {
        "name": "motcua (một cửa điện tử)" if provider == "sandbox" else f"motcua ({provider})",
        "client_type": application_model.CLIENT_CONFIDENTIAL,
        "authorization_grant_type": application_model.GRANT_AUTHORIZATION_CODE,
        "redirect_uris": " ".join(uris),
        "algorithm": application_model.RS256_ALGORITHM,
        "skip_authorization": True,
    }
    application = application_model.objects.filter(client_id=config["client_id"]).first()
    if application is None:
        application = application_model(client_id=config["client_id"], **wanted)
    else:
        for name, value in wanted.items():
            setattr(application, name, value)
    application.client_secret = config["client_secret"]  # hashed on save by django-oauth-toolkit
    application.save()
    sandbox_people_ensure()
    return application
