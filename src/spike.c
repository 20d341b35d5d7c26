/*
 * Robust spike scores for bucketed counts (docs/spikes.md): each bucket is
 * compared with the median of the buckets before it, in units of the
 * median absolute deviation, floored at a Poisson-like sqrt(baseline).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mentiond.h"

/* Makes 1.4826 * MAD estimate a standard deviation for normal data. */
#define SPIKE_MAD_SCALE	1.4826

static int
spike_cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return ((x > y) - (x < y));
}

/* Sorts in place: callers pass scratch they no longer need in order. */
double
spike_median(double *v, size_t n)
{
	if (n == 0)
		return (0);
	if (n > 1)
		qsort(v, n, sizeof *v, spike_cmp);
	if (n % 2 == 1)
		return (v[n / 2]);
	return ((v[n / 2 - 1] + v[n / 2]) / 2);
}

/*
 * One scratch buffer of window size serves every bucket: the window is
 * copied, its median taken, then overwritten with the deviations for MAD.
 */
void
spike_scores(const double *x, size_t n, const struct spike_opts *o,
    double *baseline, double *score, int *valid)
{
	double	*w, base, mad, scale;
	size_t	 t, i, m;

	if (n == 0)
		return;
	w = xreallocarray(NULL, o->window > 0 ? o->window : 1, sizeof *w);
	for (t = 0; t < n; t++) {
		m = t < o->window ? t : o->window;
		if (m < o->min_window) {
			baseline[t] = score[t] = 0;
			valid[t] = 0;
			continue;
		}
		memcpy(w, x + t - m, m * sizeof *w);
		base = spike_median(w, m);
		for (i = 0; i < m; i++)
			w[i] = fabs(w[i] - base);
		mad = spike_median(w, m);
		scale = fmax(SPIKE_MAD_SCALE * mad, sqrt(fmax(base, 1)));
		baseline[t] = base;
		score[t] = (x[t] - base) / scale;
		valid[t] = 1;
	}
	free(w);
}
