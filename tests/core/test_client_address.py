"""apps.core.net.client_address: X-Forwarded-For is believed only from a trusted proxy (issue 14,
finding 1; ADR 0018)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from apps.core.net import client_address

rf = RequestFactory()


def address(remote, xff=None):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return client_address(rf.get("/", **extra))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert address("127.0.0.2") == "127.0.0.2"
    assert address("127.0.0.2", "203.0.113.9") == "127.0.0.2"
    assert address("127.0.0.2", "203.0.113.9, 198.51.100.1") == "127.0.0.2"


def test_a_trusted_proxy_is_believed_for_the_hop_it_appended(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert address("10.0.0.5", "198.51.100.7") == "198.51.100.7"
    # The client wrote "1.2.3.4" itself; the proxy appended the real address on the right.
    assert address("10.0.0.5", "1.2.3.4, 198.51.100.7") == "198.51.100.7"
    # A trusted proxy with no header: the proxy is the client as far as anyone can tell.
    assert address("10.0.0.5") == "10.0.0.5"
    assert address("10.0.0.5", "") == "10.0.0.5"


def test_trusted_hops_are_skipped_from_the_right(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.0/24"]
    # client -> CDN edge (192.0.2.10) -> load balancer (10.0.0.9) -> gunicorn
    assert address("10.0.0.9", "1.2.3.4, 198.51.100.7, 192.0.2.10") == "198.51.100.7"


def test_an_untrusted_sender_cannot_pose_as_a_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert address("198.51.100.7", "10.0.0.5, 1.2.3.4") == "198.51.100.7"


def test_malformed_hops_stop_the_walk(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert address("10.0.0.5", "198.51.100.7, nonsense") == "10.0.0.5"
    assert address("10.0.0.5", "unknown, 198.51.100.7") == "198.51.100.7"
    assert address("10.0.0.5", " , ,") == "10.0.0.5"


def test_ports_and_ipv6(settings):
    settings.TRUSTED_PROXIES = ["::1/128", "127.0.0.1/32"]
    assert address("::1", "[2001:db8::5]:4711") == "2001:db8::5"
    assert address("127.0.0.1", "198.51.100.7:443") == "198.51.100.7"
    assert address("2001:db8::9", "198.51.100.7") == "2001:db8::9"
    assert address("::ffff:198.51.100.7") == "198.51.100.7"


def test_missing_or_bad_remote_addr(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(rf.get("/", REMOTE_ADDR="")) == ""
    assert address("not-an-address", "198.51.100.7") == ""


def test_a_bad_setting_is_refused(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured):
        address("10.0.0.1")


def test_the_default_trusts_no_proxy():
    from config.settings import base

    assert base.TRUSTED_PROXIES == []
