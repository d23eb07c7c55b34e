/* clock.c -- ntpd's only access to the system clock, and a simulated clock for tests. */
#include <sys/timex.h>

#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "ntpd.h"
#include "ntpwire.h"

/*
 * Linux applies the frequency in two parts: the length of a tick in
 * microseconds (nominal 1000000 / USER_HZ, adjustable by 10%) and a fine
 * frequency of at most 500 ppm.  Splitting the adjustment between them
 * covers the 1000 ppm clocks and the fast slews ntpd needs.
 */
#define TICK_USER_HZ	100
#define TICK_NOMINAL	(1000000 / TICK_USER_HZ)
#define TICK_PPM	(1e6 / TICK_NOMINAL)	/* ppm per microsecond of tick */
#define FREQ_SCALE	65536.0			/* adjtimex freq unit: ppm << 16 */

static struct clock_sim	*sim;
static int		 readonly = 1;

int
clock_init_real(int ro)
{
	struct timex	tx;

	sim = NULL;
	readonly = ro;
	if (readonly)
		return 0;
	/* Turn off the kernel's own PLL and FLL, which another NTP daemon may
	 * have left on: ntpd sets the frequency itself. */
	memset(&tx, 0, sizeof(tx));
	if (adjtimex(&tx) == -1)
		return -1;
	tx.modes = ADJ_STATUS;
	tx.status &= ~(STA_PLL | STA_FLL | STA_PPSFREQ | STA_PPSTIME);
	tx.status |= STA_UNSYNC;
	return adjtimex(&tx) == -1 ? -1 : 0;
}

void
clock_init_sim(struct clock_sim *s)
{
	sim = s;
	readonly = 0;
}

void
clock_sim_advance(struct clock_sim *s, double seconds)
{
	s->offset += (s->drift + s->freq) * 1e-6 * seconds;
	s->elapsed += seconds;
}

int
clock_is_readonly(void)
{
	return readonly;
}

int
clock_now(struct timespec *ts)
{
	if (sim != NULL) {
		*ts = sim->base;
		ntpwire_timespec_add(ts, sim->elapsed + sim->offset);
		return 0;
	}
	return clock_gettime(CLOCK_REALTIME, ts);
}

double
clock_mono(void)
{
	struct timespec	ts;

	if (sim != NULL)
		return sim->elapsed;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
clock_step(double seconds)
{
	struct timespec	ts;

	if (readonly) {
		errno = EPERM;
		return -1;
	}
	if (sim != NULL) {
		sim->offset += seconds;
		sim->steps++;
		return 0;
	}
	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return -1;
	ntpwire_timespec_add(&ts, seconds);
	return clock_settime(CLOCK_REALTIME, &ts);
}

int
clock_set_freq(double ppm)
{
	struct timex	tx;
	long		tick_delta;

	if (readonly) {
		errno = EPERM;
		return -1;
	}
	if (sim != NULL) {
		sim->freq = ppm;
		return 0;
	}
	tick_delta = lround(ppm / TICK_PPM);
	if (tick_delta > TICK_NOMINAL / 10)
		tick_delta = TICK_NOMINAL / 10;
	if (tick_delta < -TICK_NOMINAL / 10)
		tick_delta = -TICK_NOMINAL / 10;
	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_TICK | ADJ_FREQUENCY;
	tx.tick = TICK_NOMINAL + tick_delta;
	tx.freq = lround((ppm - tick_delta * TICK_PPM) * FREQ_SCALE);
	if (tx.freq > 500 * 65536L)
		tx.freq = 500 * 65536L;
	if (tx.freq < -500 * 65536L)
		tx.freq = -500 * 65536L;
	return adjtimex(&tx) == -1 ? -1 : 0;
}

int
clock_set_sync(int synced, double est_error, double max_error)
{
	struct timex	tx;

	if (readonly) {
		errno = EPERM;
		return -1;
	}
	if (sim != NULL)
		return 0;
	memset(&tx, 0, sizeof(tx));
	if (adjtimex(&tx) == -1)
		return -1;
	tx.modes = ADJ_STATUS | ADJ_ESTERROR | ADJ_MAXERROR;
	/* PLL updates stay off: ntpd sets the frequency itself. */
	tx.status &= ~(STA_PLL | STA_FLL);
	if (synced)
		tx.status &= ~STA_UNSYNC;
	else
		tx.status |= STA_UNSYNC;
	tx.esterror = lround(fmin(est_error * 1e6, 16000000.0));
	tx.maxerror = lround(fmin(max_error * 1e6, 16000000.0));
	return adjtimex(&tx) == -1 ? -1 : 0;
}
