import signal
import time
from typing import Any

from django.core.management.base import BaseCommand

from esurety.notifications.services import outbox_deliver_due


class Command(BaseCommand):
    help = "Deliver queued e-mails from the outbox, with retries and backoff, until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between polls")
        parser.add_argument("--once", action="store_true", help="deliver what is due and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write("worker: delivering outbox messages")
        while not stopping:
            sent = outbox_deliver_due()
            if sent:
                self.stdout.write(f"worker: sent {sent} message(s)")
            if options["once"]:
                break
            time.sleep(options["interval"])
