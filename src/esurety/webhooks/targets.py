"""Where webhooks may go: https URLs on the internet.

The server POSTs to URLs that organisations type in, so a URL must not make
it reach its own network (cloud metadata, databases, admin ports). Plain
http to this machine is allowed only in debug, demo and test runs, for a
receiver on a laptop.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import Any
from urllib.parse import SplitResult, urlsplit

from django.conf import settings

from esurety.core.errors import DomainError, RuleViolation

MAX_URL_LENGTH = 500
LOCAL_HOSTNAMES = frozenset({"localhost", "127.0.0.1", "::1"})

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# NAT64 (RFC 6052): a gateway turns 64:ff9b::a00:1 into 10.0.0.1, so the IPv4 inside is what counts.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
REFUSED_INWARD = "社内ネットワーク・ローカルネットワークのアドレス"


def local_http_allowed() -> bool:
    configured = getattr(settings, "WEBHOOK_ALLOW_LOCAL", None)
    if configured is not None:
        return bool(configured)
    testing = os.environ.get("ESURETY_TESTING", "").strip().lower() in {"1", "true", "yes", "on"}
    return bool(settings.DEBUG or getattr(settings, "DEMO_MODE", False) or testing)


def private_networks_allowed() -> bool:
    """An orderer's system inside a closed network (a VPN to the platform) needs this set on purpose."""
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE_NETWORKS", False))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _address_allowed(ip: IpAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        ip = _embedded_ipv4(ip) or ip
    if ip.is_loopback:
        return local_http_allowed() or private_networks_allowed()
    if ip.is_global and not ip.is_multicast:
        return True
    # Link-local covers the cloud metadata address (169.254.169.254): never, whatever the setting.
    inward_ok = not (ip.is_link_local or ip.is_multicast or ip.is_unspecified)
    return private_networks_allowed() and ip.is_private and inward_ok


def _refuse(message: str) -> DomainError:
    return DomainError(message, [RuleViolation("url", message)])


def _split(url: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError:
        raise _refuse("URLの形式が正しくありません。") from None
    return parts


def target_check(url: str) -> str:
    """The URL as it will be stored, or a DomainError saying (in Japanese) what is wrong with it."""
    url = url.strip()
    if not url:
        raise _refuse("送信先URLを入力してください。")
    if len(url) > MAX_URL_LENGTH:
        raise _refuse(f"送信先URLは{MAX_URL_LENGTH}文字以内で入力してください。")
    if not url.isprintable() or " " in url:
        raise _refuse("送信先URLに空白や制御文字を含めないでください。")
    parts = _split(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise _refuse("送信先URLは https:// で始まる形式で入力してください。")
    if parts.username is not None or parts.password is not None:
        raise _refuse("送信先URLに利用者名・パスワードを含めないでください（署名で送信元を確認できます）。")
    if parts.fragment:
        raise _refuse("送信先URLに「#」以降を含めないでください。")
    local = host in LOCAL_HOSTNAMES
    if parts.scheme == "http" and not (local and local_http_allowed()):
        raise _refuse("送信先URLは https:// で始まる形式で入力してください（暗号化されない http は使えません）。")
    if local and not local_http_allowed():
        raise _refuse("このサーバー自身のアドレスには送信できません。")
    try:
        literal: IpAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None and not _address_allowed(literal):
        raise _refuse(f"{REFUSED_INWARD}には送信できません。")
    return url


def target_refusal(url: str) -> str | None:
    """Checked again before each delivery: a host name may point inward since it was registered."""
    parts = _split(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError) as exc:
        return f"送信先のホスト名を解決できません（{exc}）"
    return _inward(infos)


def _inward(infos: list[Any]) -> str | None:
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not _address_allowed(address):
            return f"送信先が{REFUSED_INWARD}（{address}）のため送信しません"
    return None


class TargetRefused(OSError):
    """The name pointed inward when the connection was made (its message is the Japanese refusal)."""


def target_connect(
    address: tuple[str, int], timeout: float | None = None, source_address: tuple[str, int] | None = None
) -> socket.socket:
    """socket.create_connection for deliveries, connecting only to the addresses it checked.

    target_refusal alone is not enough: the connection resolves the name again,
    and a name with a short TTL can answer a public address to the check and
    127.0.0.1 to the connection (DNS rebinding).
    """
    host, port = address
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    refusal = _inward(infos)
    if refusal:
        raise TargetRefused(refusal)
    error: OSError = OSError(f"no address for {host}")
    for family, kind, proto, _, sockaddr in infos:
        sock = socket.socket(family, kind, proto)
        try:
            if isinstance(timeout, int | float):
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        return sock
    raise error
