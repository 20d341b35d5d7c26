/*
 * Co-occurrence: per bucket, how many items matched both rule a and rule b
 * (by default a party and a framing term).  Pairs are counted at ingest,
 * one per item and pair of matched rules (rule a < rule b by id), into the
 * cooccur rollups; here they are only read and oriented by kind.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mentiond.h"

/*
 * Buckets are written as soon as no later day can add to them; an open
 * bucket keeps a dense rules x rules grid of items (rules are few).
 */
struct cooccur_state {
	struct frame	 *f;
	FILE		 *fp;
	const char	 *kind_a;
	const char	 *kind_b;
	int64_t		**open;		/* per bucket: nr x nr, or NULL */
	size_t		  flushed;
	struct buf	  line;
	char		**quoted;	/* rule names, CSV-quoted once */
};

static void
cooccur_write(struct cooccur_state *cs, size_t b)
{
	struct frame	*f = cs->f;
	int64_t		*g = cs->open[b];
	char		 when[40];
	size_t		 x, y, nr = f->nrule;

	if (g == NULL)
		return;
	frame_label(f, b, when, sizeof when);
	for (x = 0; x < nr; x++) {
		for (y = 0; y < nr; y++) {
			if (g[x * nr + y] == 0)
				continue;
			buf_reset(&cs->line);
			buf_adds(&cs->line, when);
			buf_addc(&cs->line, ',');
			buf_adds(&cs->line, cs->quoted[x]);
			buf_addc(&cs->line, ',');
			buf_adds(&cs->line, cs->quoted[y]);
			buf_addc(&cs->line, ',');
			buf_add_int(&cs->line, g[x * nr + y]);
			buf_addc(&cs->line, '\n');
			fwrite(cs->line.data, 1, cs->line.len, cs->fp);
		}
	}
	free(g);
	cs->open[b] = NULL;
}

static void
cooccur_flush_until(struct cooccur_state *cs, int64_t t)
{
	while (cs->flushed < cs->f->nb && cs->f->start[cs->flushed + 1] <= t &&
	    !ferror(cs->fp))
		cooccur_write(cs, cs->flushed++);
}

static int
cooccur_cell_cb(const struct store_cell *c, void *arg)
{
	struct cooccur_state	*cs = arg;
	const char		*kx, *ky;
	size_t			 nr = cs->f->nrule;
	ssize_t			 b, x, y;

	cooccur_flush_until(cs, c->hour - c->hour % 86400);
	if (ferror(cs->fp))
		return (1);
	if ((b = frame_bucket(cs->f, c->hour)) < 0 ||
	    (x = frame_rule(cs->f, c->owner)) < 0 ||
	    (y = frame_rule(cs->f, c->sub)) < 0)
		return (0);
	kx = cs->f->rule[x].kind;
	ky = cs->f->rule[y].kind;
	if (cs->open[b] == NULL)
		cs->open[b] = xcalloc(nr * nr, sizeof *cs->open[b]);
	/* Stored as (lower id, higher id): orient by kind, once. */
	if (strcmp(kx, cs->kind_a) == 0 && strcmp(ky, cs->kind_b) == 0)
		cs->open[b][x * nr + y] += c->v1;
	else if (strcmp(ky, cs->kind_a) == 0 && strcmp(kx, cs->kind_b) == 0)
		cs->open[b][y * nr + x] += c->v1;
	return (0);
}

/*
 * Write bucket,a,b,items for pairs of rules of kind_a and kind_b.  Returns
 * 0, -1 (runtime) or -2 (usage), like export_run.
 */
int
cooccur_run(struct store *st, struct conf *conf, const struct export_opts *o,
    const char *kind_a, const char *kind_b, FILE *fp, char **cause)
{
	struct frame		 f;
	struct cooccur_state	 cs;
	size_t			 b;
	int			 rc;

	if ((rc = frame_open(&f, st, conf, o, cause)) != 0) {
		frame_close(&f);
		return (rc);
	}
	memset(&cs, 0, sizeof cs);
	cs.f = &f;
	cs.fp = fp;
	cs.kind_a = kind_a;
	cs.kind_b = kind_b;
	cs.open = xcalloc(f.nb + 1, sizeof *cs.open);
	buf_init(&cs.line);
	cs.quoted = xcalloc(f.nrule + 1, sizeof *cs.quoted);
	for (b = 0; b < f.nrule; b++) {
		csv_quote(&cs.line, f.rule[b].name);
		cs.quoted[b] = buf_take(&cs.line);
	}
	fputs("bucket,a,b,items\n", fp);
	rc = store_cells(st, STORE_T_COOCCUR, o->axis, f.from, f.to, NULL, 0,
	    cooccur_cell_cb, &cs, cause);
	if (rc == 0)
		cooccur_flush_until(&cs, INT64_MAX);
	for (b = 0; b < f.nb; b++)
		free(cs.open[b]);
	free(cs.open);
	for (b = 0; b < f.nrule; b++)
		free(cs.quoted[b]);
	free(cs.quoted);
	buf_free(&cs.line);
	frame_close(&f);
	return (rc);
}
