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
#define MAX_SYNC_ERROR	16.0			/* seconds; the kernel's limit, as chrony */

static struct clock_sim	*sim;
static int		 readonly = 1;

/*
 * A change failed: when the process may not set the clock, say so once
 * and go on measuring as with -x.  Returns -1 for the caller to return.
 */
static int
change_failed(void)
{
	if (errno != EPERM)
		return -1;
	if (!readonly)
		log_warnx("not permitted to change the system clock; measuring only, as with -x");
	readonly = 1;
	errno = EPERM;
	return -1;
}

/* Return 0 to go on with a change, -1 (errno EPERM) when it may not be made. */
static int
may_change(void)
{
	if (readonly) {
		errno = EPERM;
		return -1;
	}
	if (sim != NULL && sim->eperm) {
		errno = EPERM;
		return change_failed();
	}
	return 0;
}

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
	tx.status &= ~(STA_PLL | STA_FLL | STA_PPSFREQ | STA_PPSTIME | STA_INS | STA_DEL);
	tx.status |= STA_UNSYNC;
	if (adjtimex(&tx) == -1) {
		change_failed();
		return readonly ? 0 : -1;
	}
	return 0;
}

void
clock_init_sim(struct clock_sim *s)
{
	sim = s;
	readonly = s->readonly;
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

	if (may_change() == -1)
		return -1;
	if (sim != NULL) {
		sim->offset += seconds;
		if (sim->steps++ == 0)
			sim->first_step_at = sim->elapsed;
		return 0;
	}
	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return -1;
	ntpwire_timespec_add(&ts, seconds);
	return clock_settime(CLOCK_REALTIME, &ts) == -1 ? change_failed() : 0;
}

int
clock_set_freq(double ppm)
{
	struct timex	tx;
	long		tick_delta;

	if (may_change() == -1)
		return -1;
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
	return adjtimex(&tx) == -1 ? change_failed() : 0;
}

int
clock_set_sync(int synced, int rtc, double est_error, double max_error)
{
	struct timex	tx;

	if (may_change() == -1)
		return -1;
	/* As chrony: errors are capped at the kernel's 16 s, and a clock that
	 * far off is not synchronised. */
	if (!synced || max_error >= MAX_SYNC_ERROR) {
		synced = 0;
		est_error = max_error = MAX_SYNC_ERROR;
	}
	est_error = fmin(est_error, MAX_SYNC_ERROR);
	/* Linux copies the clock to the RTC every 11 minutes while STA_UNSYNC
	 * is clear, so chronyd clears it only with rtcsync; so does ntpd. */
	if (!rtc)
		synced = 0;
	if (sim != NULL) {
		sim->sync_calls++;
		sim->unsync = !synced;
		sim->esterror = est_error;
		sim->maxerror = max_error;
		return 0;
	}
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
	tx.esterror = lround(est_error * 1e6);
	tx.maxerror = lround(max_error * 1e6);
	return adjtimex(&tx) == -1 ? change_failed() : 0;
}

int
clock_set_leap(int leap)
{
	struct timex	tx;

	if (may_change() == -1)
		return -1;
	if (leap != NTPWIRE_LEAP_INSERT && leap != NTPWIRE_LEAP_DELETE)
		leap = NTPWIRE_LEAP_NONE;
	if (sim != NULL) {
		sim->leap = leap;
		return 0;
	}
	memset(&tx, 0, sizeof(tx));
	if (adjtimex(&tx) == -1)
		return -1;
	tx.modes = ADJ_STATUS;
	tx.status &= ~(STA_INS | STA_DEL | STA_PLL | STA_FLL);
	if (leap == NTPWIRE_LEAP_INSERT)
		tx.status |= STA_INS;
	else if (leap == NTPWIRE_LEAP_DELETE)
		tx.status |= STA_DEL;
	return adjtimex(&tx) == -1 ? change_failed() : 0;
}

void
clock_rxtime(const struct timespec *kernel, struct timespec *out)
{
	if (sim == NULL && kernel != NULL && kernel->tv_sec != 0)
		*out = *kernel;
	else
		clock_now(out);
}
