"""The client's address: one answer for the throttles, the login lockout and the audit trail.

`X-Forwarded-For` is written by whoever sends the request, so it is believed only when the
connection itself comes from a trusted proxy (`settings.TRUSTED_PROXIES`, a list of CIDRs, empty by
default: no proxy is trusted and the socket's address is the client). The chain is then walked
from the right, where the nearest proxy appended what it saw, skipping hops that are themselves
trusted proxies; the first untrusted hop is the client. Anything the client wrote further left is
never reached (OWASP ASVS 4 §1.4; ADR 0018).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from exc


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def parse_address(value: str) -> Address | None:
    """An address from a header or REMOTE_ADDR: `1.2.3.4`, `1.2.3.4:567`, `::1`, `[::1]:567`; None
    for anything else."""
    value = (value or "").strip()
    if not value:
        return None
    if value.startswith("["):  # [v6] or [v6]:port
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def is_trusted_proxy(address: Address | None) -> bool:
    return address is not None and any(address in network for network in trusted_networks())


def client_address(request) -> str:
    """The address of the client that sent `request` (a Django or DRF request), as a string; ""
    when the socket's address is missing."""
    meta = request.META
    remote = parse_address(meta.get("REMOTE_ADDR", ""))
    if remote is None:
        return ""
    if not is_trusted_proxy(remote):
        return str(remote)
    client = remote
    hops = [hop for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            break  # a malformed hop: keep the last address a trusted proxy vouched for
        client = address
        if not is_trusted_proxy(address):
            break
    return str(client)
