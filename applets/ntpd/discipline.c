/* discipline.c -- clock discipline: frequency by regression over recent samples, offset by steps or timed slews. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "log.h"
#include "ntpd.h"

#define DISC_SAMPLES	16	/* samples in the frequency regression */
#define CORR_TIME_RATIO	3.0	/* an offset is slewed over this many update intervals */
#define SLEW_MIN_TIME	1.0	/* seconds */
#define SLEW_FAST_FROM	1e-3	/* seconds: larger offsets are slewed faster */
#define FREQ_LIMIT	5000.0	/* ppm: larger estimates are treated as broken samples */
#define RMS_WEIGHT	0.25	/* weight of a new offset in the RMS average */
#define MAX_UPDATE_SKEW	1000.0	/* ppm: less certain estimates are not used */
#define JUMP_MIN	1e-3	/* seconds off the fitted line that count as a jump */
#define JUMP_SIGMAS	8.0	/* ... or this many residual standard deviations, if more */
#define STEPPED_BY	"system clock stepped by %+.6f seconds"	/* log format */
#define JUMP_SKEW_MIN	10.0	/* ppm: least frequency error assumed without a line, as a fit
				   through clustered iburst samples understates its skew */

static struct disc_config	cfg;
static double			floor_time;	/* seconds since the epoch, 0: none */

/*
 * The phase is the sum of every step and of the integral of every
 * frequency adjustment applied so far.  A measured offset plus the phase at
 * its time (the "raw" offset) is the offset the clock would show had ntpd
 * never touched it.  So a straight line through raw offsets gives the
 * clock's own frequency error, whatever corrections ran in between.
 */
static struct {
	double	t[DISC_SAMPLES];
	double	raw[DISC_SAMPLES];
	int	n;
	double	phase;		/* phase at phase_mono */
	double	phase_mono;
	double	applied;	/* frequency adjustment in force, ppm */
	double	base;		/* part of it that cancels the frequency error, ppm */
	double	slew_end;	/* monotonic end of the running slew, 0 when none */
	double	slew_rate;	/* ppm on top of base while slewing */
	int	short_restart;	/* restarted without a line since the last fit */
	struct disc_status st;
} d;

double
discipline_phase(double mono)
{
	return d.phase + d.applied * 1e-6 * (mono - d.phase_mono);
}

double
discipline_offset_now(double raw, double sample_mono, double now)
{
	/* A clock running fast pulls the offset (server minus local) down. */
	return raw - discipline_phase(now) - d.st.freq_ppm * 1e-6 * (now - sample_mono);
}

static void
set_frequency(double now, double ppm)
{
	if (clock_is_readonly())
		return;
	d.phase = discipline_phase(now);
	d.phase_mono = now;
	if (clock_set_freq(ppm) == -1) {
		/* EPERM was logged once by the clock, which is read-only now. */
		if (errno != EPERM)
			log_warn("cannot set the clock frequency to %.3f ppm", ppm);
		return;
	}
	d.applied = ppm;
}

void
discipline_init(const struct disc_config *c)
{
	double	now = clock_mono();

	cfg = *c;
	floor_time = 0;
	memset(&d, 0, sizeof(d));
	d.phase_mono = now;
	d.base = -cfg.freq_ppm;
	d.st.freq_ppm = cfg.freq_ppm;
	d.st.skew_ppm = cfg.skew_ppm;
	set_frequency(now, d.base);
}

static void
drop_oldest_sample(void)
{
	d.n--;
	memmove(d.t, d.t + 1, sizeof(d.t[0]) * d.n);
	memmove(d.raw, d.raw + 1, sizeof(d.raw[0]) * d.n);
}

static void
add_sample(double mono, double raw)
{
	if (d.n == DISC_SAMPLES)
		drop_oldest_sample();
	d.t[d.n] = mono;
	d.raw[d.n] = raw;
	d.n++;
}

/* Fit raw = a + b t through the samples from index `from` on.  Returns 0
 * with the slope, its standard error, the means and the residual standard
 * deviation, or -1. */
static int
fit_from(int from, double *slope, double *err_slope, double *mean_t, double *mean_raw,
    double *sd)
{
	double	mx = 0, my = 0, sxx = 0, sxy = 0, ss = 0, r;
	int	i, n = d.n - from;

	if (n < 3)
		return -1;
	for (i = from; i < d.n; i++) {
		mx += d.t[i];
		my += d.raw[i];
	}
	mx /= n;
	my /= n;
	for (i = from; i < d.n; i++) {
		sxx += (d.t[i] - mx) * (d.t[i] - mx);
		sxy += (d.t[i] - mx) * (d.raw[i] - my);
	}
	if (sxx < 1e-6)
		return -1;
	*slope = sxy / sxx;
	for (i = from; i < d.n; i++) {
		r = d.raw[i] - my - *slope * (d.t[i] - mx);
		ss += r * r;
	}
	*err_slope = sqrt(ss / (n - 2) / sxx);
	*mean_t = mx;
	*mean_raw = my;
	*sd = sqrt(ss / (n - 2));
	return 0;
}

static int
fit(double *slope, double *err_slope, double *mean_t, double *mean_raw, double *sd)
{
	return fit_from(0, slope, err_slope, mean_t, mean_raw, sd);
}

/*
 * Return 1 when raw at mono lies off the line fitted through `samples`
 * samples by more than its noise and the line's own error there allow.
 */
static int
off_line(double mono, double raw, int samples, double slope, double err, double mx, double my,
    double sd)
{
	/* A standard deviation estimated from a few samples may be far too
	 * small, so widen the test by Student's t over the normal quantile
	 * (both two-sided 99 %) for samples - 2 degrees of freedom. */
	static const double	t_ratio[DISC_SAMPLES - 1] = {
		24.7, 3.85, 2.27, 1.79, 1.57, 1.44, 1.36, 1.30, 1.26, 1.23, 1.21, 1.19,
		1.17, 1.16, 1.15
	};
	double	off = fabs(raw - (my + slope * (mono - mx)));
	double	sigmas = JUMP_SIGMAS * t_ratio[samples - 3];

	double	drift = err * (mono - mx);

	/* The line's own error grows with the distance from its centre: a
	 * frequency known to 10 ppm misses by 10 ms after 1000 s.  The terms
	 * are far from overflow, so sqrt serves for hypot (430 bytes of musl
	 * on x86_64). */
	return off > fmax(JUMP_MIN, sigmas * sqrt(sd * sd + drift * drift));
}

/*
 * Drop the oldest samples while each lies off the line through the newer
 * ones.  A reply delayed by a spike early in the iburst would otherwise
 * bias the frequency for as long as it stays among the last 16 samples,
 * which at polls of 1024 s is hours.
 */
static void
drop_old_outliers(void)
{
	double	slope, err, mx, my, sd;

	while (fit_from(1, &slope, &err, &mx, &my, &sd) == 0 &&
	    off_line(d.t[0], d.raw[0], d.n - 1, slope, err, mx, my, sd)) {
		log_debug("dropped the oldest sample from the frequency estimate: %.6f s off "
		    "the line through the newer ones", d.raw[0] - (my + slope * (d.t[0] - mx)));
		drop_oldest_sample();
	}
}

static int
regress(double *slope, double *err_slope)
{
	double	mx, my, sd;

	drop_old_outliers();
	return fit(slope, err_slope, &mx, &my, &sd);
}

/*
 * Forget the history when a sample lies far off the line through it: the
 * clock was set by someone else or the sources changed, and a fit across
 * the jump would give a wildly wrong frequency.
 */
static void
check_jump(double mono, double raw)
{
	double	slope, err, mx, my, sd, off, dt, skew;

	if (fit(&slope, &err, &mx, &my, &sd) == 0) {
		if (!off_line(mono, raw, d.n, slope, err, mx, my, sd))
			return;
		off = fabs(raw - (my + slope * (mono - mx)));
	} else if (d.n > 0 && !d.short_restart) {
		/* Too few samples for a line, as just after a restart: carry the
		 * newest forward at the frequency in force.  Otherwise a second
		 * jump soon after a first would be fitted as a frequency error.
		 * A wrong frequency makes every sample miss, so this restarts the
		 * estimate at most once before a line is fitted again. */
		dt = mono - d.t[d.n - 1];
		off = fabs(raw - (d.raw[d.n - 1] - d.st.freq_ppm * 1e-6 * dt));
		skew = fmax(d.st.skew_ppm, JUMP_SKEW_MIN);
		if (off <= fmax(JUMP_MIN, JUMP_SIGMAS * skew * 1e-6 * dt))
			return;
		d.short_restart = 1;
	} else {
		return;
	}
	log_info("offset jumped by %.6f seconds; restarting the frequency estimate", off);
	d.n = 0;
}

static void
update_frequency(void)
{
	double	slope, err, freq;

	if (regress(&slope, &err) == -1)
		return;
	d.short_restart = 0;
	/* raw falls as a fast clock runs ahead, so the error is minus the slope. */
	freq = -slope * 1e6;
	if (fabs(freq) > FREQ_LIMIT) {
		log_warnx("frequency estimate %.1f ppm is beyond %.0f ppm, keeping %.3f ppm",
		    freq, FREQ_LIMIT, d.st.freq_ppm);
		return;
	}
	/* An estimate this uncertain (three iburst samples, one of them
	 * delayed) is noise; chronyd's maxupdateskew skips such updates too. */
	if (err * 1e6 > MAX_UPDATE_SKEW) {
		log_debug("frequency estimate %.1f +/- %.1f ppm is too uncertain, keeping "
		    "%.3f ppm", freq, err * 1e6, d.st.freq_ppm);
		return;
	}
	d.st.resid_freq_ppm = freq - d.st.freq_ppm;
	d.st.freq_ppm = freq;
	d.st.skew_ppm = err * 1e6;
	d.base = -freq;
}

void
discipline_set_floor(double floor)
{
	floor_time = floor;
}

int
discipline_step_allowed(double offset)
{
	static int	warned_limit, warned_floor;
	struct timespec	now;

	if (offset >= 0)
		return 1;
	if (cfg.backstep_limited && -offset > cfg.maxbackstep) {
		if (!warned_limit)
			log_warnx("not stepping the clock back by %.6f seconds (maxbackstep %g); "
			    "slewing instead", -offset, cfg.maxbackstep);
		warned_limit = 1;
		return 0;
	}
	clock_now(&now);
	if (floor_time > 0 && (double)now.tv_sec + now.tv_nsec / 1e9 + offset < floor_time) {
		if (!warned_floor)
			log_warnx("not stepping the clock back by %.6f seconds: that is before "
			    "the time saved at the last run", -offset);
		warned_floor = 1;
		return 0;
	}
	return 1;
}

static int
should_step(double offset)
{
	if (!discipline_step_allowed(offset))
		return 0;
	if (d.st.updates == 1 && cfg.initstep_threshold >= 0 &&
	    fabs(offset) > cfg.initstep_threshold)
		return 1;
	if (cfg.makestep_limit == 0 || fabs(offset) <= cfg.makestep_threshold)
		return 0;
	return cfg.makestep_limit < 0 || d.st.updates <= cfg.makestep_limit;
}

static void
start_slew(double now, double offset)
{
	double	span, rate;

	span = CORR_TIME_RATIO * d.st.update_interval;
	/* An offset far above the noise is a real error, not jitter to average
	 * out: shorten the slew by the square root of how far (0.3 s: 17 times). */
	if (fabs(offset) > SLEW_FAST_FROM)
		span *= sqrt(SLEW_FAST_FROM / fabs(offset));
	if (span < SLEW_MIN_TIME)
		span = SLEW_MIN_TIME;
	rate = offset / span * 1e6;
	if (fabs(rate) > cfg.maxslewrate) {
		rate = copysign(cfg.maxslewrate, rate);
		span = fabs(offset / (rate * 1e-6));
	}
	d.slew_rate = rate;
	d.slew_end = now + span;
	set_frequency(now, d.base + rate);
}

double
discipline_update(double now, double offset, double sample_mono, double raw)
{
	double	step = 0.0;

	d.st.updates++;
	if (d.st.last_update > 0)
		d.st.update_interval = now - d.st.last_update;
	d.st.last_update = now;
	d.st.last_offset = offset;
	d.st.rms_offset = d.st.updates == 1 ? fabs(offset) :
	    sqrt((1 - RMS_WEIGHT) * d.st.rms_offset * d.st.rms_offset +
	    RMS_WEIGHT * offset * offset);

	if (!clock_is_readonly() && should_step(offset)) {
		if (clock_step(offset) == 0) {
			log_info(STEPPED_BY "%s", offset, "");
			d.phase += offset;
			step = offset;
		} else if (errno != EPERM) {
			log_warn("cannot step the system clock by %+.6f seconds", offset);
		}
	}
	check_jump(sample_mono, raw);
	add_sample(sample_mono, raw);
	update_frequency();
	d.st.correction = offset - step;
	if (clock_is_readonly())
		return 0.0;
	start_slew(now, offset - step);
	return step;
}

void
discipline_set_makestep(double threshold, int limit)
{
	cfg.makestep_threshold = threshold;
	/* The limit counts from now, as chronyc's makestep command does. */
	cfg.makestep_limit = limit < 0 ? -1 : d.st.updates + limit;
}

static void
end_slew(double now)
{
	d.slew_end = 0;
	d.slew_rate = 0;
	d.st.correction = 0;
	set_frequency(now, d.base);
}

int
discipline_makestep(double now, double *stepped)
{
	double	corr;

	*stepped = 0.0;
	if (clock_is_readonly()) {
		errno = EPERM;
		return -1;
	}
	corr = d.slew_end > now ? d.slew_rate * 1e-6 * (d.slew_end - now) : 0.0;
	if (corr == 0.0)
		return 0;
	if (!discipline_step_allowed(corr)) {
		errno = ERANGE;
		return -1;
	}
	/* End the slew first, so the phase takes in its part up to now. */
	end_slew(now);
	if (clock_step(corr) == -1)
		return -1;
	d.phase += corr;
	*stepped = corr;
	log_info(STEPPED_BY "%s", corr, " (makestep command)");
	return 0;
}

void
discipline_tick(double now)
{
	if (d.slew_end == 0 || now < d.slew_end)
		return;
	end_slew(now);
}

double
discipline_next(void)
{
	return d.slew_end;
}

void
discipline_get_status(struct disc_status *st)
{
	double	now = clock_mono();

	*st = d.st;
	if (d.slew_end > now && !clock_is_readonly())
		st->correction = d.slew_rate * 1e-6 * (d.slew_end - now);
}
