"""`manage.py api_token create|revoke|list`: API tokens from a shell (for the first token of a
surety, before anyone has set one up on a page, and for scripts such as the benchmarks)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from esurety.core.clock import now
from esurety.core.errors import DomainError
from esurety.integrations.models import ApiToken
from esurety.integrations.services import api_token_create, api_token_revoke
from esurety.parties.models import Orderer, Role, SuretyCompany


class Command(BaseCommand):
    help = "Issue (the secret is printed once), revoke or list API tokens."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token; prints the secret once")
        owner = create.add_mutually_exclusive_group(required=True)
        owner.add_argument("--orderer", type=int, help="orderer id (an orderer's system)")
        owner.add_argument("--surety", type=int, help="surety id (a surety's core system)")
        create.add_argument("--name", required=True, help="the connected system, e.g. 電子契約システム")
        create.add_argument("--role", choices=[Role.CLERK, Role.APPROVER], default=Role.CLERK, help="surety tokens")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix (esk_xxxxxxxx)")
        revoke.add_argument("prefix")
        listing = sub.add_parser("list", help="list tokens (never their secrets)")
        listing.add_argument("--orderer", type=int)
        listing.add_argument("--surety", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options)
        elif action == "revoke":
            token = ApiToken.objects.filter(prefix=options["prefix"]).first()
            if token is None:
                raise CommandError(f"no token {options['prefix']!r}")
            try:
                api_token_revoke(token=token, by=None, now=now())
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(f"失効しました: {token}")
        else:
            tokens = ApiToken.objects.select_related("orderer", "surety").order_by("created_at")
            if options["orderer"]:
                tokens = tokens.filter(orderer_id=options["orderer"])
            if options["surety"]:
                tokens = tokens.filter(surety_id=options["surety"])
            for t in tokens:
                state = "失効" if t.revoked_at else "有効"
                self.stdout.write(f"{t.prefix}\t{state}\t{t.orderer or t.surety}\t{t.name}")

    def _create(self, options: dict[str, Any]) -> None:
        orderer = surety = None
        if options["orderer"]:
            orderer = Orderer.objects.filter(pk=options["orderer"]).first()
            if orderer is None:
                raise CommandError(f"no orderer {options['orderer']}")
        else:
            surety = SuretyCompany.objects.filter(pk=options["surety"]).first()
            if surety is None:
                raise CommandError(f"no surety {options['surety']}")
        try:
            issued = api_token_create(
                by=None, name=options["name"], orderer=orderer, surety=surety, role=options["role"], now=now()
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        # The only place the secret ever appears: stdout of this command.
        self.stdout.write(issued.secret)
