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


def test_a_take_over_raises_the_fence_and_a_renewal_keeps_it(ctx):
    first = lease.acquire("a", timedelta(seconds=-1))  # lapses at once
    assert first == lease.acquire("a", timedelta(seconds=-1))  # a renewal, even when lapsed
    second = lease.acquire("b", TTL)
    assert second == first + 1 and lease.acquire("b", TTL) == second
    lease.release("b")
    assert lease.acquire("a", TTL) == second + 1  # "a" again, but after "b": a new fence


def test_a_holder_paused_past_its_lease_no_longer_holds_it(ctx):
    fence = lease.acquire("a", timedelta(seconds=-1))
    assert not lease.holds("a", fence)  # lapsed
    assert lease.acquire("a", TTL) == fence and lease.holds("a", fence)
    lease.release("a")
    taken = lease.acquire("b", TTL)
    assert lease.holds("b", taken) and not lease.holds("a", fence)
    # "a" resumes and takes it back once "b" is gone: its old fence still does not count
    lease.release("b")
    again = lease.acquire("a", TTL)
    assert lease.holds("a", again) and not lease.holds("a", fence)
