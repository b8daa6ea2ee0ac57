"""`manage.py signing_demo_ca`: the throwaway demo CA and a demo certificate per surety (demo and tests only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from esurety.signing import demo_ca, keys


class Command(BaseCommand):
    help = "Create (only if missing) the demo CA and one demo signing certificate per surety."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=None, help="directory (default: settings.SIGNING_DIR)")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["dir"] or keys.signing_dir()
        try:
            created_ca = demo_ca.demo_ca_ensure(directory=directory)
            minted = demo_ca.signing_ensure_demo_certificates(directory=directory)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        if created_ca:
            self.stdout.write(f"demo CA 「{demo_ca.DEMO_CA_NAME}」 created in {directory}")
        for surety in minted:
            self.stdout.write(f"demo signing certificate for {surety.name} (surety-{surety.pk})")
        if not created_ca and not minted:
            self.stdout.write(f"demo CA and certificates already present in {directory}")
