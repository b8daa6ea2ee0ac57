import datetime as dt
import logging
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand

from esurety.core.clock import business_date, now
from esurety.dashboards.selectors import figures_refresh_due
from esurety.dashboards.services import dashboard_figures_refresh
from esurety.guarantees.imports import import_batches_process_pending
from esurety.guarantees.services import guarantees_expire_due
from esurety.notifications.services import outbox_deliver_due
from esurety.webhooks.delivery import webhook_deliver_due

logger = logging.getLogger(__name__)

# Expiry is daily business; checking hourly catches the date change without a separate scheduler.
EXPIRY_INTERVAL_SECONDS = 3600
WEBHOOKS_PER_POLL = 20
# How often the pause between polls looks at the stop flag.
_NAP_SECONDS = 0.1
# The staff home's monthly figures (dashboards): recomputed on the same hourly tick.
FIGURES_EVERY = dt.timedelta(minutes=55)


class Command(BaseCommand):
    help = "Deliver queued e-mails from the outbox (retries, backoff) and run uploaded bulk imports, until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between polls")
        parser.add_argument("--once", action="store_true", help="deliver what is due and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: object) -> None:
            # SIGTERM (a deploy, systemd, docker stop) or Ctrl-C: finish the message in flight,
            # leave the rest due for the next worker. A second signal stops at once (the
            # transaction of the message in flight rolls back: it stays due, unsent).
            nonlocal stopping
            stopping = True
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)

        def should_stop() -> bool:
            return stopping

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write("worker: delivering outbox messages")
        last_expiry: float | None = None
        while not stopping:
            if last_expiry is None or time.monotonic() - last_expiry >= EXPIRY_INTERVAL_SECONDS:
                last_expiry = time.monotonic()
                try:
                    expired = guarantees_expire_due(today=business_date())
                except Exception:  # mail delivery must go on; expiry is retried next hour
                    logger.exception("worker: expiring guarantees failed")
                else:
                    if expired:
                        self.stdout.write(f"worker: {expired} guarantee(s) expired")
                try:
                    # Several workers each tick hourly: only one of them recomputes within the hour.
                    if figures_refresh_due(now=now(), every=FIGURES_EVERY):
                        dashboard_figures_refresh(now=now(), unless_within=FIGURES_EVERY)
                except Exception:  # mail delivery must go on; the figures are recomputed next hour
                    logger.exception("worker: recomputing the dashboard figures failed")
            if not stopping:
                try:
                    imported = import_batches_process_pending(now=now())
                except Exception:  # mail delivery must go on; the batch is retried on the next poll
                    logger.exception("worker: bulk import failed")
                else:
                    if imported:
                        self.stdout.write(f"worker: processed {imported} import batch(es)")
            sent = outbox_deliver_due(should_stop=should_stop)
            if sent:
                self.stdout.write(f"worker: sent {sent} message(s)")
            try:
                # A few per poll: receivers that time out must not hold up the mail for long.
                delivered = webhook_deliver_due(limit=WEBHOOKS_PER_POLL, should_stop=should_stop)
            except Exception:  # mail delivery must go on; due webhooks are tried on the next poll
                logger.exception("worker: webhook delivery failed")
            else:
                if delivered:
                    self.stdout.write(f"worker: delivered {delivered} webhook(s)")
            if options["once"]:
                break
            pause_until = time.monotonic() + options["interval"]
            while not stopping and time.monotonic() < pause_until:
                time.sleep(_NAP_SECONDS)
        if stopping:
            # Written here, not in the handler: the signal may arrive in the middle of a write.
            self.stdout.write("worker: stopped; messages not sent yet stay due")
