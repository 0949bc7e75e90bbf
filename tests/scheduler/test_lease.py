"""The scheduler's lease: one holder at a time, taken over when it lapses."""

from datetime import timedelta

from rosemeet.scheduler import lease

TTL = timedelta(seconds=60)


def test_only_one_holder_at_a_time(ctx):
    assert lease.acquire("a", TTL)
    assert not lease.acquire("b", TTL)
    assert lease.acquire("a", TTL)  # renewal
    assert lease.current_holder() == "a"


def test_a_lapsed_lease_is_taken_over(ctx):
    assert lease.acquire("a", timedelta(seconds=-1))  # lapses at once
    assert lease.acquire("b", TTL)
    assert not lease.acquire("a", TTL)
    assert lease.current_holder() == "b"


def test_release_lets_the_other_in(ctx):
    assert lease.acquire("a", TTL)
    lease.release("a")
    assert lease.current_holder() is None
    assert lease.acquire("b", TTL)
