"""The demo tree's story: three days of two accounts, told event by event (what Fixtures/logs/README.md
lists), one module per day."""

from .demo import Scenario
from .demo_day1 import day1
from .demo_day2 import day2_console_and_quarantine, day2_cross_account_and_identity_center, day2_leaked_key
from .demo_day3 import day3
from .world import World


def build_scenario(W1: World, W2: World) -> Scenario:
    """The whole story. Its sections run in this order, which is the order they draw their random values in:
    keep it (new events go into part 1, with a generator of their own)."""
    sc = Scenario()
    day1(sc, W1, W2)
    leak = day2_leaked_key(sc, W1)
    day2_console_and_quarantine(sc, W1, leak)
    day2_cross_account_and_identity_center(sc, W1, W2)
    day3(sc, W1, W2, leak)
    return sc
