"""Per-credential pools and credential parsing, without a network."""

from __future__ import annotations

import asyncio
import base64

import pytest

from adapter.config import MultiUser, ProductConfig
from adapter.multiuser import Credential, Pools, Refused, check_urls, parse
from adapter.server import Site

DC = ProductConfig("jira", "https://jira.example.com", "datacenter", personal_token="server-own")


def test_each_credential_and_site_gets_its_own_pool() -> None:
    pools = Pools(256, 1800, lambda config: Site(config))
    alice, bob = Credential("token", "alice-pat"), Credential("token", "bob-pat")
    a = alice.config("jira", DC, MultiUser())
    b = bob.config("jira", DC, MultiUser())
    assert a.personal_token == "alice-pat" and b.personal_token == "bob-pat" and a.url == DC.url
    site_a, _ = pools.get(alice.key(a), a)
    site_b, _ = pools.get(bob.key(b), b)
    assert site_a is not site_b and pools.get(alice.key(a), a)[0] is site_a
    elsewhere = Credential("token", "alice-pat", urls={"jira": "https://other.example.com"}).config(
        "jira", DC, MultiUser()
    )
    assert alice.key(elsewhere) != alice.key(a)  # same secret, other site: another pool
    assert "alice-pat" not in repr(alice) and "alice-pat" not in alice.key(a)


def test_pools_are_bounded_and_evicted_ones_handed_back() -> None:
    pools = Pools(2, 1800, lambda config: Site(config))
    users = [Credential("token", f"pat-{i}") for i in range(3)]
    sites = [pools.get(u.key(DC), u.config("jira", DC, MultiUser()))[0] for u in users[:2]]
    pools.get(users[0].key(DC), DC)  # user 0 used again: user 1 is now the least recent
    _, evicted = pools.get(users[2].key(DC), DC)
    assert evicted == [sites[1]] and len(pools) == 2
    idle = Pools(10, 0.0, lambda config: Site(config))
    first, _ = idle.get("a", DC)
    asyncio.run(asyncio.sleep(0.01))
    _, evicted = idle.get("b", DC)
    assert evicted == [first]


def test_parse() -> None:
    assert parse({}) is None
    basic = parse({"authorization": "Basic " + base64.b64encode(b"me@x.com:secret").decode()})
    assert basic is not None and (basic.scheme, basic.secret) == ("basic", "me@x.com:secret")
    bearer = parse({"authorization": "bearer abc", "x-atlassian-cloud-id": "c1"})
    assert bearer is not None and (bearer.scheme, bearer.cloud_id) == ("bearer", "c1")
    for bad in ("Bearer", "Bearer a b", "Basic ***", "Digest abc"):
        with pytest.raises(Refused) as caught:
            parse({"authorization": bad})
        assert caught.value.status == 401 and "abc" not in str(caught.value)


async def test_ssrf_guard_checks_domain_and_every_address() -> None:
    settings = MultiUser(allowed_domains=("example.com", "127.0.0.1"))
    for url, words in (("https://evil.com", "not in"), ("https://badexample.com", "not in"),
                       ("http://127.0.0.1:8080", "private"), ("ftp://a.example.com", "http")):  # fmt: skip
        with pytest.raises(Refused, match=words):
            await check_urls(Credential("token", "t", urls={"jira": url}), settings)
    allowed = MultiUser(allowed_domains=("127.0.0.1",), allow_private=True)
    checked = await check_urls(Credential("token", "t", urls={"jira": "http://127.0.0.1:8080/"}), allowed)
    assert checked.urls == {"jira": "http://127.0.0.1:8080"}
