/* select.c -- source selection: falseticker rejection by interval intersection, then combining. */
#include <math.h>
#include <stdlib.h>

#include "ctl.h"
#include "ntpd.h"

#define COMBINE_LIMIT	3.0	/* combine sources up to this multiple of the best distance */

struct endpoint {
	double	value;
	int	type;		/* +1 lower end, -1 upper end */
};

static int
compare_endpoints(const void *a, const void *b)
{
	const struct endpoint	*x = a, *y = b;

	if (x->value < y->value)
		return -1;
	if (x->value > y->value)
		return 1;
	/* At equal values lower ends come first, so touching intervals overlap. */
	return y->type - x->type;
}

/*
 * Find the smallest interval that at least n - f of the correctness
 * intervals contain, trying f = 0, 1, ... while the n - f form a majority
 * (the intersection algorithm of RFC 5905, section 11.2.1).
 */
static int
intersect(struct endpoint *ep, int n, double *low, double *high)
{
	int	f, i, count;

	qsort(ep, (size_t)(2 * n), sizeof(ep[0]), compare_endpoints);
	for (f = 0; 2 * f < n; f++) {
		*low = INFINITY;
		*high = -INFINITY;
		for (count = 0, i = 0; i < 2 * n; i++) {
			count += ep[i].type;
			if (count >= n - f) {
				*low = ep[i].value;
				break;
			}
		}
		for (count = 0, i = 2 * n - 1; i >= 0; i--) {
			count -= ep[i].type;
			if (count >= n - f) {
				*high = ep[i].value;
				break;
			}
		}
		if (*low <= *high)
			return 0;
	}
	return -1;
}

static int
collect_candidates(const struct select_input *in, int n, double maxdistance, int *states,
    struct endpoint *ep)
{
	int	i, m = 0;

	for (i = 0; i < n; i++) {
		states[i] = CTL_STATE_UNUSABLE;
		if (!in[i].usable || !(in[i].distance <= maxdistance))
			continue;
		ep[2 * m].value = in[i].offset - in[i].distance;
		ep[2 * m].type = 1;
		ep[2 * m + 1].value = in[i].offset + in[i].distance;
		ep[2 * m + 1].type = -1;
		m++;
	}
	return m;
}

static int
choose_best(const struct select_input *in, int n, const int *states)
{
	int	i, best = -1;

	for (i = 0; i < n; i++) {
		if (states[i] != CTL_STATE_COMBINED)
			continue;
		if (best == -1 || (in[i].prefer && !in[best].prefer) ||
		    (in[i].prefer == in[best].prefer && in[i].distance < in[best].distance))
			best = i;
	}
	return best;
}

static void
combine(const struct select_input *in, int n, int *states, struct select_result *res)
{
	double	wsum = 0.0, osum = 0.0, w, limit;
	int	i;

	limit = in[res->best].distance * COMBINE_LIMIT;
	for (i = 0; i < n; i++) {
		if (states[i] != CTL_STATE_COMBINED)
			continue;
		if (in[i].distance > limit) {
			states[i] = CTL_STATE_NOTCOMBINED;
			continue;
		}
		w = 1.0 / fmax(in[i].distance, 1e-9);
		wsum += w;
		osum += w * in[i].offset;
	}
	states[res->best] = CTL_STATE_SELECTED;
	res->offset = osum / wsum;
	res->distance = in[res->best].distance;
}

int
select_run(const struct select_input *in, int n, int minsources, double maxdistance,
    int *states, struct select_result *res)
{
	struct endpoint	ep[2 * NTPD_MAX_SOURCES];
	double		low, high;
	int		i, m;

	res->best = -1;
	res->survivors = 0;
	if (n > NTPD_MAX_SOURCES)
		n = NTPD_MAX_SOURCES;
	m = collect_candidates(in, n, maxdistance, states, ep);
	if (m == 0 || intersect(ep, m, &low, &high) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (!in[i].usable || !(in[i].distance <= maxdistance))
			continue;
		if (in[i].offset + in[i].distance < low || in[i].offset - in[i].distance > high) {
			states[i] = CTL_STATE_FALSETICKER;
			continue;
		}
		states[i] = CTL_STATE_COMBINED;
		res->survivors++;
	}
	if (res->survivors < minsources) {
		for (i = 0; i < n; i++)
			if (states[i] == CTL_STATE_COMBINED)
				states[i] = CTL_STATE_NOTCOMBINED;
		return -1;
	}
	res->best = choose_best(in, n, states);
	combine(in, n, states, res);
	return 0;
}
