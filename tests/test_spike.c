/*
 * spike.c: medians and robust spike scores.  Every expected value below
 * was worked out by hand (window written out, sorted, median and MAD taken,
 * scale = max(1.4826 * MAD, sqrt(max(baseline, 1)))), never taken from
 * spike.c; the arithmetic in each comment gives the literal.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mentiond.h"

#define EPS		1e-9
#define NELEM(a)	(sizeof (a) / sizeof (a)[0])
#define MAXN		16

/* This cmocka has no assert_double_equal; report the caller's line. */
#define assert_near(got, want)	near_at((got), (want), #got, __LINE__)

struct run {
	double	baseline[MAXN];
	double	score[MAXN];
	int	valid[MAXN];
};

static void
near_at(double got, double want, const char *expr, int line)
{
	if (!(fabs(got - want) <= EPS))
		fail_msg("line %d: %s is %.17g, want %.17g", line, expr, got,
		    want);
}

static void
run(const double *x, size_t n, size_t window, size_t min_window,
    struct run *r)
{
	struct spike_opts	o = { window, min_window, 3.5 };

	assert_true(n <= MAXN);
	memset(r, 0xff, sizeof *r);	/* every output must be written */
	spike_scores(x, n, &o, r->baseline, r->score, r->valid);
}

static void
test_median_of_odd_count_is_the_middle_value(void **state)
{
	double	v[] = { 3, 1, 2 };

	(void)state;
	assert_near(spike_median(v, 3), 2);
}

static void
test_median_of_even_count_is_the_mean_of_the_middle_two(void **state)
{
	double	v[] = { 4, 1, 3, 2 };

	(void)state;
	assert_near(spike_median(v, 4), 2.5);
}

static void
test_median_of_nothing_is_zero(void **state)
{
	double	v[] = { 42 };

	(void)state;
	assert_near(spike_median(v, 0), 0);
	assert_near(spike_median(NULL, 0), 0);
	assert_near(v[0], 42);
}

static void
test_median_of_one_value_is_that_value(void **state)
{
	double	v[] = { 7.25 };

	(void)state;
	assert_near(spike_median(v, 1), 7.25);
}

/* 9 7 8 1 5 sorted is 1 5 7 8 9: the median is 7, and v is left sorted. */
static void
test_median_of_unsorted_input_sorts_it_in_place(void **state)
{
	double	v[] = { 9, 7, 8, 1, 5 };
	double	want[] = { 1, 5, 7, 8, 9 };
	size_t	i;

	(void)state;
	assert_near(spike_median(v, 5), 7);
	for (i = 0; i < NELEM(v); i++)
		assert_near(v[i], want[i]);
}

/*
 * Window 7 of 5s: median 5, MAD 0, scale max(0, sqrt 5).  The 30 scores
 * 25 / sqrt 5 = 5 sqrt 5 = 11.180339887498949.  Afterwards the window holds
 * six 5s and the 30: median 5, deviations 0 x6 and 25, MAD 0: every 5
 * still scores 0 (the earlier spike does not mask the baseline).
 */
static void
test_flat_series_with_one_spike_scores_over_sqrt_baseline(void **state)
{
	double		x[] = { 5, 5, 5, 5, 5, 5, 5, 5, 30, 5, 5, 5 };
	struct run	r;
	size_t		t;

	(void)state;
	run(x, NELEM(x), 7, 3, &r);
	for (t = 3; t < NELEM(x); t++) {
		assert_int_equal(r.valid[t], 1);
		assert_near(r.baseline[t], 5);
		assert_near(r.score[t], t == 8 ? 11.180339887498949 : 0);
	}
}

/* All zeros: median 0, MAD 0, scale max(0, sqrt(max(0, 1))) = 1. */
static void
test_quiet_series_of_zeros_is_floored_at_one(void **state)
{
	double		x[] = { 0, 0, 0, 0, 0, 0, 4, 0 };
	struct run	r;

	(void)state;
	run(x, NELEM(x), 5, 3, &r);
	assert_int_equal(r.valid[6], 1);
	assert_near(r.baseline[6], 0);
	assert_near(r.score[6], 4);
	assert_near(r.score[5], 0);
	assert_near(r.score[7], 0);
}

/*
 * Window for t = 7: 20 35 28 50 31 24 42, sorted 20 24 28 31 35 42 50,
 * median 31.  Deviations 11 4 3 19 0 7 11, sorted 0 3 4 7 11 11 19, MAD 7.
 * Scale max(1.4826 * 7 = 10.3782, sqrt 31 = 5.57) = 10.3782.
 * Score (62 - 31) / 10.3782 = 2.987030506253493.
 */
static void
test_noisy_series_scores_in_units_of_mad(void **state)
{
	double		x[] = { 20, 35, 28, 50, 31, 24, 42, 62 };
	struct run	r;

	(void)state;
	run(x, NELEM(x), 7, 7, &r);
	assert_int_equal(r.valid[7], 1);
	assert_near(r.baseline[7], 31);
	assert_near(r.score[7], 2.987030506253493);
}

static void
test_first_min_window_buckets_have_no_score(void **state)
{
	double		x[] = { 50, 60, 70, 80, 90, 100 };
	struct run	r;
	size_t		t;

	(void)state;
	run(x, NELEM(x), 5, 3, &r);
	for (t = 0; t < 3; t++) {
		assert_int_equal(r.valid[t], 0);
		assert_near(r.baseline[t], 0);
		assert_near(r.score[t], 0);
	}
	for (t = 3; t < NELEM(x); t++)
		assert_int_equal(r.valid[t], 1);
}

/*
 * Window 4, min_window 2: t = 2 uses only x[0..1] = 2 4, median 3, MAD 1,
 * scale max(1.4826, sqrt 3) = sqrt 3; score 6 / sqrt 3 = 2 sqrt 3 =
 * 3.4641016151377544.
 */
static void
test_window_is_shorter_at_the_start(void **state)
{
	double		x[] = { 2, 4, 9 };
	struct run	r;

	(void)state;
	run(x, NELEM(x), 4, 2, &r);
	assert_int_equal(r.valid[1], 0);
	assert_int_equal(r.valid[2], 1);
	assert_near(r.baseline[2], 3);
	assert_near(r.score[2], 3.4641016151377544);
}

/*
 * Window 2: t = 2 sees 5 5 (baseline 5, not raised by its own 30).
 * t = 3 and t = 4 see 5 and 30: median 17.5, deviations 12.5 12.5, MAD
 * 12.5, scale max(1.4826 * 12.5 = 18.5325, sqrt 17.5) = 18.5325; a 5
 * scores -12.5 / 18.5325 = -0.6744907594765952.  t = 5 sees 5 5 again.
 */
static void
test_window_looks_only_backwards(void **state)
{
	double		x[] = { 5, 5, 30, 5, 5, 5 };
	struct run	r, r2;

	(void)state;
	run(x, NELEM(x), 2, 2, &r);
	assert_near(r.baseline[2], 5);
	assert_near(r.score[2], 11.180339887498949);
	assert_near(r.baseline[3], 17.5);
	assert_near(r.score[3], -0.6744907594765952);
	assert_near(r.baseline[4], 17.5);
	assert_near(r.baseline[5], 5);
	assert_near(r.score[5], 0);

	/*
	 * A bigger spike changes its own score, never its own baseline:
	 * 2995 / sqrt 5 = 599 sqrt 5 = 1339.404718522374.
	 */
	x[2] = 3000;
	run(x, NELEM(x), 2, 2, &r2);
	assert_near(r2.baseline[2], 5);
	assert_near(r2.score[2], 1339.404718522374);
}

/*
 * Both end at 40 from a level of 10, window 7.  Sudden: window all 10s,
 * scale sqrt 10, score 30 / sqrt 10 = 3 sqrt 10 = 9.486832980505138.
 * Gradual (10 .. 35 in steps of 5): window 10 10 15 20 25 30 35, median
 * 20, deviations 10 10 5 0 5 10 15, sorted 0 5 5 10 10 10 15, MAD 10,
 * scale 14.826; score 20 / 14.826 = 1.3489815189531902.
 */
static void
test_gradual_rise_scores_lower_than_sudden_jump(void **state)
{
	double		sudden[] = { 10, 10, 10, 10, 10, 10, 10,
			    10, 10, 10, 10, 10, 40 };
	double		gradual[] = { 10, 10, 10, 10, 10, 10, 10,
			    15, 20, 25, 30, 35, 40 };
	struct run	rs, rg;

	(void)state;
	run(sudden, NELEM(sudden), 7, 7, &rs);
	run(gradual, NELEM(gradual), 7, 7, &rg);
	assert_near(rs.score[12], 9.486832980505138);
	assert_near(rg.baseline[12], 20);
	assert_near(rg.score[12], 1.3489815189531902);
	assert_true(rg.score[12] < rs.score[12]);
}

/* Threshold is for callers: any threshold gives the same, unfiltered output. */
static void
test_threshold_does_not_filter_scores(void **state)
{
	double			x[] = { 5, 5, 5, 5, 6, 30, 2, 5 };
	struct spike_opts	lo = { 3, 3, 0 }, hi = { 3, 3, 1e9 };
	struct run		a, b;
	size_t			t;

	(void)state;
	spike_scores(x, NELEM(x), &lo, a.baseline, a.score, a.valid);
	spike_scores(x, NELEM(x), &hi, b.baseline, b.score, b.valid);
	for (t = 0; t < NELEM(x); t++) {
		assert_int_equal(a.valid[t], t >= 3);
		assert_int_equal(a.valid[t], b.valid[t]);
		assert_near(a.baseline[t], b.baseline[t]);
		assert_near(a.score[t], b.score[t]);
	}
	/*
	 * Below any threshold, even negative, yet still reported.  t = 3:
	 * window 5 5 5, score 0.  t = 7: window 6 30 2, median 6, deviations
	 * 0 24 4, MAD 4, scale 5.9304; (5 - 6) / 5.9304 = -0.1686226898691488.
	 */
	assert_near(a.score[3], 0);
	assert_near(a.score[7], -0.1686226898691488);
}

/*
 * A year of hourly buckets (8760) cycling 0..23, window 168 (a week):
 * every full window holds each hour 7 times.  Median: positions 84 and 85
 * of 168 sorted are 11 and 12, so 11.5.  Deviations 0.5 .. 11.5 each 14
 * times: positions 84 and 85 are 5.5 and 6.5, MAD 6.  Scale 1.4826 * 6 =
 * 8.8956; the last bucket (8759 % 24 = 23) scores 11.5 / 8.8956 =
 * 1.292773955663474, hour 0 scores its negative.
 */
static void
test_year_of_hourly_buckets_scores_each_hour_alike(void **state)
{
	struct spike_opts	 o = { 168, 168, 3.5 };
	enum { N = 8760 };
	double			*x, *base, *score;
	int			*valid;
	size_t			 t;

	(void)state;
	x = xcalloc(N, sizeof *x);
	base = xcalloc(N, sizeof *base);
	score = xcalloc(N, sizeof *score);
	valid = xcalloc(N, sizeof *valid);
	for (t = 0; t < N; t++)
		x[t] = t % 24;
	spike_scores(x, N, &o, base, score, valid);
	assert_int_equal(valid[167], 0);
	for (t = 168; t < N; t++) {
		assert_int_equal(valid[t], 1);
		assert_near(base[t], 11.5);
		assert_near(score[t], (x[t] - 11.5) / 8.8956);
	}
	assert_near(score[N - 1], 1.292773955663474);
	assert_near(score[N - 24], -1.292773955663474);
	free(x);
	free(base);
	free(score);
	free(valid);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median_of_odd_count_is_the_middle_value),
		cmocka_unit_test(
		    test_median_of_even_count_is_the_mean_of_the_middle_two),
		cmocka_unit_test(test_median_of_nothing_is_zero),
		cmocka_unit_test(test_median_of_one_value_is_that_value),
		cmocka_unit_test(test_median_of_unsorted_input_sorts_it_in_place),
		cmocka_unit_test(
		    test_flat_series_with_one_spike_scores_over_sqrt_baseline),
		cmocka_unit_test(test_quiet_series_of_zeros_is_floored_at_one),
		cmocka_unit_test(test_noisy_series_scores_in_units_of_mad),
		cmocka_unit_test(test_first_min_window_buckets_have_no_score),
		cmocka_unit_test(test_window_is_shorter_at_the_start),
		cmocka_unit_test(test_window_looks_only_backwards),
		cmocka_unit_test(test_gradual_rise_scores_lower_than_sudden_jump),
		cmocka_unit_test(test_threshold_does_not_filter_scores),
		cmocka_unit_test(
		    test_year_of_hourly_buckets_scores_each_hour_alike),
	};

	return (cmocka_run_group_tests_name("spike", tests, NULL, NULL));
}
