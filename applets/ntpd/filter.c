/* filter.c -- per-source clock filter: the minimum-delay sample of the last eight. */
#include <math.h>
#include <string.h>

#include "ntpd.h"

/*
 * A sample's offset is wrong by at most half of its delay above the
 * minimum, so the newest sample is used at once when that excess is small:
 * within half the minimum delay or 100 us.  Otherwise the sample of the
 * window with the least error bound is used, if it was not used before.
 * That bound is half the delay plus the clock's frequency error times the
 * sample's age, as in RFC 5905's clock filter.  A low-delay sample that is
 * old is no better than a new one when the clock has wandered since, and
 * waiting for it to leave the window would hold back every update.
 */
#define EXCESS_RATIO	0.5
#define EXCESS_MIN	100e-6

void
filter_reset(struct filter *f)
{
	memset(f, 0, sizeof(*f));
	f->used_mono = -INFINITY;
}

void
filter_add(struct filter *f, const struct filter_sample *s)
{
	f->s[f->next] = *s;
	f->next = (f->next + 1) % FILTER_SIZE;
	if (f->n < FILTER_SIZE)
		f->n++;
}

/* Index of the i-th sample from the oldest. */
static int
slot(const struct filter *f, int i)
{
	return (f->next - f->n + i + FILTER_SIZE) % FILTER_SIZE;
}

const struct filter_sample *
filter_best(struct filter *f, double phi)
{
	const struct filter_sample	*best = NULL, *newest, *s;
	double				 bound, best_bound = INFINITY;
	int				 i;

	if (f->n == 0)
		return NULL;
	newest = &f->s[slot(f, f->n - 1)];
	for (i = 0; i < f->n; i++) {
		s = &f->s[slot(f, i)];
		bound = s->delay / 2 + phi * (newest->mono - s->mono);
		if (bound < best_bound) {
			best = s;
			best_bound = bound;
		}
	}
	if (newest->delay - best->delay <= fmax(EXCESS_RATIO * best->delay, EXCESS_MIN))
		best = newest;
	/* An older sample than one already used would move the clock backwards in time. */
	if (best->mono <= f->used_mono)
		return NULL;
	f->used_mono = best->mono;
	return best;
}

double
filter_jitter(const struct filter *f, const struct filter_sample *best)
{
	double	sum = 0.0, d;
	int	i;

	if (f->n < 2)
		return 0.0;
	for (i = 0; i < f->n; i++) {
		/* Raw offsets take out every step and slew made between the samples. */
		d = f->s[slot(f, i)].raw - best->raw;
		sum += d * d;
	}
	return sqrt(sum / (f->n - 1));
}

void
filter_get_stats(const struct filter *f, double now, double phase_now, struct filter_stats *st)
{
	double	sx = 0, sy = 0, sxx = 0, sxy = 0, x, y, mx, my, den, b = 0, a, r, ss = 0;
	int	i, sign, last_sign = 0;

	memset(st, 0, sizeof(*st));
	st->samples = f->n;
	if (f->n == 0) {
		/* What chronyd reports for a source without samples. */
		st->skew_ppm = 2000.0;
		st->stddev = 4.0;
		return;
	}
	st->span = f->s[slot(f, f->n - 1)].mono - f->s[slot(f, 0)].mono;
	for (i = 0; i < f->n; i++) {
		x = f->s[slot(f, i)].mono - now;
		y = f->s[slot(f, i)].raw - phase_now;
		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
	}
	mx = sx / f->n;
	my = sy / f->n;
	den = sxx - f->n * mx * mx;
	if (f->n >= 3 && den > 1e-9)
		b = (sxy - f->n * mx * my) / den;
	a = my - b * mx;
	for (i = 0; i < f->n; i++) {
		x = f->s[slot(f, i)].mono - now;
		r = f->s[slot(f, i)].raw - phase_now - (a + b * x);
		ss += r * r;
		sign = r >= 0 ? 1 : -1;
		if (sign != last_sign)
			st->runs++;
		last_sign = sign;
	}
	/* Offsets are server minus local, so a local clock running fast
	 * makes them fall: its frequency error is minus the slope. */
	st->offset = a;
	st->freq_ppm = f->n >= 3 ? -b * 1e6 : 0.0;
	if (f->n > 2)
		st->stddev = sqrt(ss / (f->n - 2));
	else if (f->n == 2)
		st->stddev = sqrt(ss);
	st->skew_ppm = f->n >= 3 && den > 1e-9 ? sqrt(ss / (f->n - 2) / den) * 1e6 : 2000.0;
}
