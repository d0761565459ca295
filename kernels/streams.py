"""Random-stream purpose codes: which part of the model a Philox draw is for.

Every random draw in the project comes from the counter-based Philox4x64-10
generator (``kernels.philox``) with

    key     = (seed, replication_index)
    counter = (step, slot, purpose, sub)

``purpose`` is one of the integer constants below, so two sub-models never
share random numbers even when they use the same step and slot.  ``sub`` is
the block index within one (step, slot, purpose) triple: 0 for the first
block, 1, 2, ... for kernels that need more than four numbers per draw.
These are plain ``int`` constants (immutable), safe to use as compile-time
constants inside numba kernels.
"""

PARAM = 1        # parameter sampling at replication start
GROUND = 2       # ground combat attrition (Lanchester)
AIR = 3          # air combat
NAVAL = 4        # naval salvo exchanges
PERCEPTION = 5   # sensing / intelligence noise
EVENT = 6        # random event occurrence and timing
DECISION = 7     # stochastic decision rules
EXTRA = 8        # anything else (tests, extensions)
RAID = 9         # missile and drone raids: failures and interceptions (kernels.raid_step)
RAID_DECISION = 10  # third parties' perception when deciding to join an air defence
BATTLE = 11      # battle outcomes: breakpoints and decisive events, once per replication (crisis/battle.py)

# The system kind (engine/system/): states over decades. Numbered from 20, clear of
# the crisis kind's purposes.
SYS_GROWTH = 20    # yearly power growth shocks (step = year)
SYS_DECISION = 21  # perception errors and war propensity draws (step = year)
SYS_FORTUNE = 22   # each side's lethality 'fortune', once per war (step = year, column = initiator)
SYS_COMBAT = 23    # binomial war attrition (step = war tick, slot = initiator)

ALL = (PARAM, GROUND, AIR, NAVAL, PERCEPTION, EVENT, DECISION, EXTRA, RAID, RAID_DECISION, BATTLE,
       SYS_GROWTH, SYS_DECISION, SYS_FORTUNE, SYS_COMBAT)
