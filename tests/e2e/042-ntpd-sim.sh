#!/bin/sh
# The ntpd simulation scenarios (tests/sim/ntpsim.c): ntpd's client code on
# a simulated clock and network, each scenario asserting its own bounds.
# Seed 1 keeps the run repeatable; make sim SIM_ARGS="-s SEED" tries others.
. "$(dirname "$0")/lib.sh"

SIM="$B/sim/ntpsim"
[ -x "$SIM" ] || skip "$SIM is missing; run make check or make sim"
e2e_timeout 120 "$@"
e2e_init
"$SIM" -s 1 || E2E_FAIL=1
exit "$E2E_FAIL"
