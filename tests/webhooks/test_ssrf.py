"""The worker: a registered URL must not lead it into this machine or its network, however the name
resolves, and one endpoint it cannot sign for must not stop the others."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.test import override_settings

from esurety.core.errors import DomainError
from esurety.webhooks import signing
from esurety.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from esurety.webhooks.targets import target_check
from tests.factories import World, make_guarantee
from tests.queue import deliver_webhooks
from tests.webhooks.conftest import Admins, subscribe
from tests.webhooks.receiver import Receiver


def test_a_name_that_rebinds_to_this_machine_after_the_check_is_not_contacted(
    world: World, admins: Admins, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An attacker's DNS answers a public address to the check and 127.0.0.1 a moment later.
    subscribe(admins.surety, receiver.url.replace("127.0.0.1", "localhost"), events=["issued"])
    make_guarantee(world)
    real = socket.getaddrinfo
    answers: list[str] = []

    def rebinding(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "localhost":
            return real(host, port, *args, **kwargs)
        answer = "8.8.8.8" if not answers else "127.0.0.1"
        answers.append(answer)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (answer, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with override_settings(WEBHOOK_ALLOW_LOCAL=False):
        assert deliver_webhooks() == 0
    assert answers[0] == "8.8.8.8" and "127.0.0.1" in answers
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert "ローカルネットワーク" in delivery.last_error and "127.0.0.1" in delivery.last_error


@pytest.mark.parametrize(
    "url",
    [
        "https://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of the metadata address 169.254.169.254
        "https://[64:ff9b::a00:5]/hook",  # NAT64 of 10.0.0.5
        "https://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
        "https://[::ffff:127.0.0.1]/hook",
    ],
)
def test_ipv6_forms_of_inward_addresses_are_refused_in_production(url: str) -> None:
    with override_settings(WEBHOOK_ALLOW_LOCAL=False), pytest.raises(DomainError) as refused:
        target_check(url)
    assert "ローカルネットワーク" in refused.value.message


def test_an_endpoint_whose_secret_no_longer_opens_is_given_up_and_does_not_block_the_others(
    world: World, admins: Admins, receiver: Receiver
) -> None:
    # After ACCESS_KEY_SECRET changes, the oldest delivery must not stop every later one.
    broken = subscribe(admins.surety, receiver.url + "-old", events=["issued"]).endpoint
    WebhookEndpoint.objects.filter(pk=broken.pk).update(
        secret_sealed=signing.secret_seal("whsec_sealed_with_another_key", url="https://elsewhere.example/")
    )
    make_guarantee(world)
    subscribe(admins.surety, receiver.url + "-new", events=["issued"])
    make_guarantee(world)

    assert deliver_webhooks() == 1

    assert [r.path for r in receiver.requests] == ["/hooks/esurety-new"]
    given_up = WebhookDelivery.objects.filter(endpoint=broken)
    assert given_up.count() == 2
    assert all(d.status == DeliveryStatus.FAILED and "復号できない" in d.last_error for d in given_up)
