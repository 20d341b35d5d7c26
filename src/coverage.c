/*
 * The coverage ledger: a dip in a trend must be told from a dead feed.
 * Per bucket and source: polls, successful polls, new items (by the time
 * they were seen), and a gap flag where the source, within its active span,
 * failed every poll, was not polled at all, or (usually yielding items)
 * yielded none.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mentiond.h"

struct coverage_state {
	struct frame	*f;
	int64_t		*polls;		/* nb x ns */
	int64_t		*ok;
	int64_t		*items;
};

static int
coverage_poll_cb(const struct store_cell *c, void *arg)
{
	struct coverage_state	*cv = arg;
	ssize_t			 b, s;

	if ((b = frame_bucket(cv->f, c->hour)) < 0 ||
	    (s = frame_source(cv->f, c->owner)) < 0)
		return (0);
	cv->polls[(size_t)b * cv->f->nsrc + s] += c->v1;
	cv->ok[(size_t)b * cv->f->nsrc + s] += c->v2;
	return (0);
}

static int
coverage_item_cb(const struct store_cell *c, void *arg)
{
	struct coverage_state	*cv = arg;
	ssize_t			 b, s;

	if (c->owner == 0 || (b = frame_bucket(cv->f, c->hour)) < 0 ||
	    (s = frame_source(cv->f, c->owner)) < 0)
		return (0);
	cv->items[(size_t)b * cv->f->nsrc + s] += c->v1;
	return (0);
}

/* Write bucket,source,polls,polls_ok,items,gap. */
int
coverage_run(struct store *st, struct conf *conf, const struct export_opts *o,
    FILE *fp, char **cause)
{
	struct coverage_state	 cv;
	struct export_opts	 oo = *o;
	struct frame		 f;
	int64_t			*ids;
	double			*usual;
	char			 when[40];
	size_t			 b, s, ns, nb, first, last, nids, n;
	const char		*gap;
	int			 rc;

	oo.axis = STORE_BY_SEEN;	/* polls happen when they are seen */
	if ((rc = frame_open(&f, st, conf, &oo, cause)) != 0) {
		frame_close(&f);
		return (rc);
	}
	ns = f.nsrc;
	nb = f.nb;
	memset(&cv, 0, sizeof cv);
	cv.f = &f;
	cv.polls = xcalloc(nb * ns + 1, sizeof *cv.polls);
	cv.ok = xcalloc(nb * ns + 1, sizeof *cv.ok);
	cv.items = xcalloc(nb * ns + 1, sizeof *cv.items);
	usual = xcalloc(ns + 1, sizeof *usual);
	ids = frame_source_ids(&f, &nids);
	rc = store_cells(st, STORE_T_POLL, 0, f.from, f.to, ids, nids,
	    coverage_poll_cb, &cv, cause);
	if (rc == 0)
		rc = store_cells(st, STORE_T_TOTAL, STORE_BY_SEEN, f.from, f.to,
		    ids, nids, coverage_item_cb, &cv, cause);
	free(ids);
	if (rc != 0)
		goto out;

	/* "Usually yields items": the median over its successful buckets. */
	for (s = 0; s < ns; s++) {
		double	*v = xcalloc(nb + 1, sizeof *v);

		for (b = 0, n = 0; b < nb; b++) {
			if (cv.ok[b * ns + s] > 0)
				v[n++] = (double)cv.items[b * ns + s];
		}
		usual[s] = spike_median(v, n);
		free(v);
	}

	fputs("bucket,source,polls,polls_ok,items,gap\n", fp);
	for (b = 0; b < nb; b++) {
		frame_label(&f, b, when, sizeof when);
		for (s = 0; s < ns; s++) {
			/* Only inside the span the source was polled in. */
			for (first = 0; first < nb &&
			    cv.polls[first * ns + s] == 0; first++)
				;
			for (last = nb; last > 0 &&
			    cv.polls[(last - 1) * ns + s] == 0; last--)
				;
			if (b < first || b >= last)
				continue;
			if (cv.polls[b * ns + s] == 0)
				gap = "not polled";
			else if (cv.ok[b * ns + s] == 0)
				gap = "all polls failed";
			else if (cv.items[b * ns + s] == 0 && usual[s] >= 1)
				gap = "no items";
			else
				gap = "";
			fprintf(fp, "%s,", when);
			csv_cell(fp, f.src[s].name);
			fprintf(fp, ",%lld,%lld,%lld,%s\n",
			    (long long)cv.polls[b * ns + s],
			    (long long)cv.ok[b * ns + s],
			    (long long)cv.items[b * ns + s], gap);
		}
	}
out:
	free(cv.polls);
	free(cv.ok);
	free(cv.items);
	free(usual);
	frame_close(&f);
	return (rc);
}
