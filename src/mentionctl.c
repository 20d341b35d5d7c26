/*
 * mentionctl: the operator's tool on mentiond's configuration and database.
 * Each command reads only what it needs: parse needs neither config nor
 * database, check and test-rules need no database.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/time.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "mentiond.h"

struct ctl {
	const char	*conf_path;
	int		 conf_given;
	const char	*db_path;
	struct conf	*conf;
};

/* The command's arguments, for ctl_cmd_usage to tell --help from errors. */
static int	  ctl_argc;
static char	**ctl_argv;

struct ctl_cmd {
	const char	*name;
	int		(*fn)(struct ctl *, int, char **);
	const char	*usage;
	const char	*help;
};

static int	ctl_check(struct ctl *, int, char **);
static int	ctl_ingest(struct ctl *, int, char **);
static int	ctl_parse(struct ctl *, int, char **);
static int	ctl_test_rules(struct ctl *, int, char **);
static int	ctl_rescore(struct ctl *, int, char **);
static int	ctl_report(struct ctl *, int, char **);

static const struct ctl_cmd ctl_cmds[] = {
	{ "check", ctl_check, "check",
	  "validate the configuration and compile every rule" },
	{ "ingest", ctl_ingest, "ingest [--source NAME] PATH...",
	  "record saved feed files as polls (folders are walked)" },
	{ "export", ctl_report, "export [--per-source] [--bucket hour|day|"
	  "week|month]\n\t\t[--from TIME] [--to TIME] [--rule R,...] "
	  "[--source S,...]\n\t\t[--by published|seen] [--format long|wide|"
	  "ratio|json]\n\t\t[--measure items|mentions|share] [--tz ZONE] "
	  "[--totals]\n\t\t[--with-version]",
	  "write the trend CSV (or JSON) to standard output" },
	{ "parse", ctl_parse, "parse FILE|URL|-",
	  "print a feed's items as JSON Lines" },
	{ "test-rules", ctl_test_rules, "test-rules [--rule R,...] [--diff "
	  "OLD.conf] [FILE|URL|-]\n\t\ttest-rules --stored [--since 7d] "
	  "[--rule R,...]",
	  "show where each rule matches in a feed or plain text" },
	{ "sources", ctl_report, "sources [--failing] [--format table|csv|"
	  "json] [--csv]",
	  "each source's health: last poll, status, error, next due" },
	{ "cooccur", ctl_report, "cooccur [--bucket B] [--kind-a party] "
	  "[--kind-b term]\n\t\t[--rule R,...] [--from T] [--to T] [--tz Z] "
	  "[--by published|seen]",
	  "items in which two rules both matched: bucket,a,b,items" },
	{ "spikes", ctl_report, "spikes [--rule R,...] [--bucket day] "
	  "[--window 14]\n\t\t[--threshold 3.5] [--measure M] [--from T] "
	  "[--to T] [--tz Z]\n\t\t[--by B] [--format table|csv|json] [--csv]",
	  "buckets far above their trailing median (see docs/spikes.md)" },
	{ "top", ctl_report, "top [--since 24h] [--to T] [--limit N] "
	  "[--rule R,...] [--by B]\n\t\t[--format table|csv|json] [--csv]",
	  "rules ranked by the change in mentions from the period before" },
	{ "coverage", ctl_report, "coverage [--bucket day] [--source S,...] "
	  "[--from T] [--to T]\n\t\t[--tz Z]",
	  "polls, successes and items per source: tell dips from dead feeds" },
	{ "plot", ctl_report, "plot -o FILE.svg [--rule R,...] [--bucket B] "
	  "[--measure M]\n\t\t[--by B] [--from T] [--to T] [--tz Z] [--title T]",
	  "an SVG line chart of the trend, one line per rule" },
	{ "rules", ctl_report, "rules [--format table|csv|json]",
	  "the configured rules, and retired ones the database remembers" },
	{ "rescore", ctl_rescore, "rescore [--since 30d] [--rule R,...]",
	  "re-apply the current rules to stored item text" },
};

static __dead void
ctl_usage(int status)
{
	FILE	*fp = status == 0 ? stdout : stderr;
	size_t	 i;

	fprintf(fp, "usage: mentionctl [-qv] [-c FILE] [--db PATH] COMMAND "
	    "[ARGS]\n\ncommands:\n");
	for (i = 0; i < nitems(ctl_cmds); i++)
		fprintf(fp, "  %-10s  %s\n\t\t%s\n", ctl_cmds[i].name,
		    ctl_cmds[i].help, ctl_cmds[i].usage);
	fprintf(fp, "\noptions:\n"
	    "  -c, --config FILE  configuration (default %s)\n"
	    "      --db PATH      database (default: the config's database)\n"
	    "  -q, --quiet        only errors\n"
	    "  -v, --verbose      more detail\n"
	    "  -V, --version      print the version\n"
	    "  -h, --help         this help\n\n"
	    "Exit status: 0 success, 1 runtime failure, 2 usage or config "
	    "error.\nSee mentionctl(1).\n", conf_default_path());
	exit(status);
}

/* A command's usage: on stdout and exit 0 when asked (--help). */
static __dead void
ctl_cmd_usage(const char *cmd)
{
	size_t	i;
	int	k, asked = 0;

	for (k = 1; k < ctl_argc; k++) {
		if (strcmp(ctl_argv[k], "--help") == 0 ||
		    strcmp(ctl_argv[k], "-h") == 0)
			asked = 1;
	}

	for (i = 0; i < nitems(ctl_cmds); i++) {
		if (strcmp(ctl_cmds[i].name, cmd) == 0)
			fprintf(asked ? stdout : stderr, "usage: mentionctl "
			    "%s\n\t%s\n", ctl_cmds[i].usage, ctl_cmds[i].help);
	}
	exit(asked ? EXIT_OK : EXIT_USAGE);
}

/* Load the configuration once; a failure is a config error (exit 2). */
static int
ctl_conf(struct ctl *ctl)
{
	char	*cause;

	if (ctl->conf != NULL)
		return (0);
	if (conf_load(ctl->conf_path, &ctl->conf, &cause) != 0) {
		log_warnx("%s", cause);
		free(cause);
		return (-1);
	}
	return (0);
}

static struct store *
ctl_store(struct ctl *ctl, int flags)
{
	struct store	*st;
	const char	*path;
	char		*cause;

	path = ctl->db_path != NULL ? ctl->db_path : ctl->conf->database;
	if ((st = store_open(path, flags, &cause)) == NULL) {
		log_warnx("%s", cause);
		free(cause);
	}
	return (st);
}

/* Read a whole file ("-" is standard input) into b. */
static int
ctl_read(const char *path, struct buf *b, int64_t *mtime)
{
	struct stat	sb;
	ssize_t		n;
	int		fd;

	buf_reset(b);
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	if (fstat(fd, &sb) == 0) {
		if (mtime != NULL)
			*mtime = S_ISREG(sb.st_mode) ? (int64_t)sb.st_mtime :
			    (int64_t)time(NULL);
		if (S_ISREG(sb.st_mode) && sb.st_size > 0)
			buf_grow(b, (size_t)sb.st_size);
	}
	for (;;) {
		buf_grow(b, 65536);
		n = read(fd, b->data + b->len, b->size - b->len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		b->len += (size_t)n;
	}
	b->data[b->len] = '\0';
	if (fd != STDIN_FILENO) {
		int saved = errno;

		close(fd);
		errno = saved;
	}
	return (n == -1 ? -1 : 0);
}

static int
ctl_is_url(const char *s)
{
	return (strncasecmp(s, "http://", 7) == 0 ||
	    strncasecmp(s, "https://", 8) == 0);
}

/* A feed from a file, "-" or an http(s) URL, into b. */
static int
ctl_fetch(struct ctl *ctl, const char *what, struct buf *b)
{
	char	*cause;

	if (ctl_is_url(what)) {
		/* The daemon's client settings, when there is a config. */
		if (ctl->conf == NULL && (ctl->conf_given ||
		    access(ctl->conf_path, R_OK) == 0) && ctl_conf(ctl) != 0)
			return (-1);
		if (fetch_get(ctl->conf, what, b, &cause) != 0) {
			log_warnx("%s: %s", what, cause);
			free(cause);
			return (-1);
		}
		return (0);
	}
	if (strncasecmp(what, "file://", 7) == 0)
		what += 7;	/* file:///path: the path */
	if (ctl_read(what, b, NULL) != 0) {
		log_warn("%s", what);
		return (-1);
	}
	return (0);
}

static int
ctl_check(struct ctl *ctl, int argc, char **argv)
{
	size_t	i, npat = 0;

	(void)argv;
	if (argc > 1)
		ctl_cmd_usage("check");
	if (ctl_conf(ctl) != 0)
		return (EXIT_USAGE);
	for (i = 0; i < ctl->conf->nrules; i++)
		npat += ctl->conf->rules[i]->nmatch +
		    ctl->conf->rules[i]->nexclude;
	printf("%s: OK: %zu sources, %zu rules (%zu patterns compiled), "
	    "database %s\n", ctl->conf_path, ctl->conf->nsources,
	    ctl->conf->nrules, npat, ctl->conf->database);
	/* -v: what the prefilter keys on; a rule without literals always runs. */
	for (i = 0; log_getverbose() > 0 && i < ctl->conf->nrules; i++) {
		char *l = rule_literals(ctl->conf->rules[i]);

		printf("  rule %-20s %s\n", ctl->conf->rules[i]->name,
		    *l != '\0' ? l : "(no literal: runs on every item)");
		free(l);
	}
	return (EXIT_OK);
}

/* One file to ingest and the source it belongs to. */
struct ctl_file {
	char	*source;
	char	*path;
};

static int
ctl_file_cmp(const void *a, const void *b)
{
	const struct ctl_file	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->source, y->source)) != 0)
		return (c);
	return (strcmp(x->path, y->path));
}

struct ctl_files {
	struct ctl_file	*v;
	size_t		 n;
	size_t		 cap;
	const char	*source;	/* --source, or NULL */
	int		 bad;
};

static void
ctl_files_add(struct ctl_files *fl, const char *path)
{
	char	*copy, *dir;
	char	*name;

	if (fl->source != NULL)
		name = xstrdup(fl->source);
	else {
		copy = xstrdup(path);
		dir = dirname(copy);
		name = xstrdup(basename(dir));
		free(copy);
		if (!conf_valid_name(name)) {
			log_warnx("%s: folder name \"%s\" is not a source "
			    "name (letters, digits, '.', '_', '-'); use "
			    "--source", path, name);
			free(name);
			fl->bad = 1;
			return;
		}
	}
	if (fl->n == fl->cap) {
		fl->cap = fl->cap == 0 ? 256 : fl->cap * 2;
		fl->v = xreallocarray(fl->v, fl->cap, sizeof *fl->v);
	}
	fl->v[fl->n].source = name;
	fl->v[fl->n].path = xstrdup(path);
	fl->n++;
}

/* Collect the files under path (a file, or a folder walked recursively). */
static void
ctl_walk(struct ctl_files *fl, const char *path, int depth)
{
	struct stat	 sb;
	DIR		*d;
	struct dirent	*de;
	char		*child;

	if (strcmp(path, "-") == 0) {
		ctl_files_add(fl, path);
		return;
	}
	if (stat(path, &sb) == -1) {
		log_warn("%s", path);
		fl->bad = 1;
		return;
	}
	if (S_ISREG(sb.st_mode)) {
		ctl_files_add(fl, path);
		return;
	}
	if (!S_ISDIR(sb.st_mode) || depth > 32)
		return;
	if ((d = opendir(path)) == NULL) {
		log_warn("%s", path);
		fl->bad = 1;
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		xasprintf(&child, "%s/%s", path, de->d_name);
		ctl_walk(fl, child, depth + 1);
		free(child);
	}
	closedir(d);
}

static double
ctl_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static int
ctl_ingest(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_files	 fl;
	struct ingest_ctx	*in = NULL;
	struct ingest_stats	 is;
	struct ingest_source	 isrc;
	struct store		*st = NULL;
	struct source		*src = NULL, tmp;
	struct buf		 body;
	char			*cause;
	const char		*cur = NULL;
	double			 t0, last = 0, now;
	int64_t			 seen, pruned;
	uint64_t		 bytes = 0, mentions = 0;
	size_t			 i, items = 0, fresh = 0, matched = 0;
	size_t			 failed = 0, nsources = 0, limited = 0;
	int			 ch, tty, rc = EXIT_OK;

	memset(&fl, 0, sizeof fl);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+s:h", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (!conf_valid_name(optarg)) {
				log_warnx("--source: \"%s\" is not a source "
				    "name (letters, digits, '.', '_', '-')",
				    optarg);
				return (EXIT_USAGE);
			}
			fl.source = optarg;
			break;
		default:
			ctl_cmd_usage("ingest");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		ctl_cmd_usage("ingest");
	if (ctl_conf(ctl) != 0)
		return (EXIT_USAGE);

	for (i = 0; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "-") == 0 && fl.source == NULL) {
			log_warnx("ingest: reading standard input needs "
			    "--source");
			return (EXIT_USAGE);
		}
		ctl_walk(&fl, argv[i], 0);
	}
	if (fl.bad && fl.n == 0)
		return (EXIT_USAGE);
	if (fl.n > 1)
		qsort(fl.v, fl.n, sizeof *fl.v, ctl_file_cmp);

	if ((st = ctl_store(ctl, 0)) == NULL)
		return (EXIT_RUNTIME);
	if (store_sync_rules(st, ctl->conf->rules, ctl->conf->nrules,
	    &ctl->conf->ruleset, &cause) != 0) {
		log_warnx("%s", cause);
		free(cause);
		store_close(st);
		return (EXIT_RUNTIME);
	}
	in = ingest_ctx_new(ctl->conf, st, NULL);
	buf_init(&body);
	tty = isatty(STDERR_FILENO) && log_getverbose() >= 0;
	t0 = ctl_now();

	for (i = 0; i < fl.n; i++) {
		if (cur == NULL || strcmp(cur, fl.v[i].source) != 0) {
			cur = fl.v[i].source;
			nsources++;
			if ((src = conf_source(ctl->conf, cur)) == NULL) {
				/* Not configured: recorded under its name. */
				memset(&tmp, 0, sizeof tmp);
				tmp.name = fl.v[i].source;
				tmp.enabled = 1;
				src = &tmp;
			}
			if (store_source_id(st, src->name, src->url, &src->id,
			    &cause) != 0) {
				log_warnx("%s", cause);
				free(cause);
				rc = EXIT_RUNTIME;
				break;
			}
		}
		if (ctl_read(fl.v[i].path, &body, &seen) != 0) {
			log_warn("%s", fl.v[i].path);
			failed++;
			continue;
		}
		bytes += body.len;
		isrc.name = src->name;
		isrc.id = src->id;
		isrc.base = ingest_base(src->url);
		if (ingest_body(in, st, ctl->conf, &isrc, body.data, body.len,
		    seen, &is, &cause) != 0) {
			if (tty)
				fputs("\r\033[K", stderr);
			log_warnx("%s: source \"%s\": %s", fl.v[i].path,
			    src->name, cause);
			free(cause);
			failed++;
			continue;
		}
		items += is.items;
		fresh += is.fresh;
		matched += is.matched;
		mentions += is.mentions;
		limited += is.limited;
		if (tty && ((now = ctl_now()) - last > 0.1 || i + 1 == fl.n)) {
			last = now;
			fprintf(stderr, "\r\033[Kingest: %zu/%zu files, "
			    "%.1f MB, %zu new items, %s", i + 1, fl.n,
			    bytes / 1e6, fresh, src->name);
		}
	}
	if (tty)
		fputs("\r\033[K", stderr);

	if (rc == EXIT_OK && ctl->conf->text_retention > 0 &&
	    store_prune_text(st, (int64_t)time(NULL) -
	    ctl->conf->text_retention, &pruned, &cause) != 0) {
		log_warnx("%s", cause);
		free(cause);
	}
	log_info("ingested %zu of %zu files (%.1f MB) from %zu sources in "
	    "%.2f s: %zu items, %zu new, %zu matched, %llu mentions%s",
	    fl.n - failed, fl.n, bytes / 1e6, nsources, ctl_now() - t0, items,
	    fresh, matched, (unsigned long long)mentions,
	    limited ? " (some rules hit the match limit; see above)" : "");
	if (failed > 0 || fl.bad)
		rc = EXIT_RUNTIME;

	ingest_ctx_free(in);
	buf_free(&body);
	store_close(st);
	for (i = 0; i < fl.n; i++) {
		free(fl.v[i].source);
		free(fl.v[i].path);
	}
	free(fl.v);
	return (rc);
}

static void
ctl_json_time(struct buf *b, int has, int64_t t)
{
	char	when[32];

	if (!has) {
		buf_adds(b, "null");
		return;
	}
	date_iso(t, when, sizeof when);
	json_string(b, when);
}

static int
ctl_parse(struct ctl *ctl, int argc, char **argv)
{
	struct buf		 body, out, text;
	struct feed		*f;
	struct feed_item	*it;
	char			*cause;
	size_t			 i;

	if (argc != 2 || argv[1][0] == '\0' ||
	    (argv[1][0] == '-' && argv[1][1] != '\0'))
		ctl_cmd_usage("parse");
	buf_init(&body);
	if (ctl_fetch(ctl, argv[1], &body) != 0) {
		buf_free(&body);
		return (EXIT_RUNTIME);
	}
	if ((f = feed_parse(body.data, body.len,
	    ctl_is_url(argv[1]) ? argv[1] : NULL, &cause)) == NULL) {
		log_warnx("%s: %s", argv[1], cause);
		free(cause);
		buf_free(&body);
		return (EXIT_RUNTIME);
	}
	if (f->recovered)
		log_debug("%s: malformed %s feed, recovered",
		    argv[1], feed_format_name(f->format));
	buf_init(&out);
	buf_init(&text);
	for (i = 0; i < f->nitems; i++) {
		it = &f->items[i];
		buf_reset(&out);
		buf_reset(&text);
		feed_item_text(it, &text);
		buf_adds(&out, "{\"id\":");
		json_string(&out, it->id);
		buf_adds(&out, ",\"link\":");
		if (it->link != NULL)
			json_string(&out, it->link);
		else
			buf_adds(&out, "null");
		buf_adds(&out, ",\"title\":");
		json_string(&out, it->title);
		buf_adds(&out, ",\"published\":");
		ctl_json_time(&out, it->has_published, it->published);
		buf_adds(&out, ",\"updated\":");
		ctl_json_time(&out, it->has_updated, it->updated);
		buf_adds(&out, ",\"text\":");
		json_string(&out, text.data);
		buf_adds(&out, "}\n");
		fwrite(out.data, 1, out.len, stdout);
	}
	feed_free(f);
	buf_free(&body);
	buf_free(&out);
	buf_free(&text);
	return (fflush(stdout) == 0 ? EXIT_OK : EXIT_RUNTIME);
}

/*
 * The database to read, and the config if there is one: with --db alone
 * it is optional (it only orders rules).  NULL after saying why; *rc is
 * the exit status then.
 */
static struct store *
ctl_reader(struct ctl *ctl, int *rc)
{
	struct store	*st;

	if (ctl->db_path == NULL || ctl->conf_given ||
	    access(ctl->conf_path, R_OK) == 0) {
		if (ctl_conf(ctl) != 0) {
			*rc = EXIT_USAGE;
			return (NULL);
		}
	}
	if ((st = ctl_store(ctl, STORE_READONLY)) == NULL)
		*rc = EXIT_RUNTIME;
	return (st);
}

/* A command's result (0, -1 runtime, -2 usage) as an exit status. */
static int
ctl_result(const char *cmd, int rc, char *cause)
{
	if (rc != 0) {
		log_warnx("%s: %s", cmd, cause != NULL ? cause : "failed");
		free(cause);
		return (rc == -2 ? EXIT_USAGE : EXIT_RUNTIME);
	}
	if (fflush(stdout) != 0) {
		log_warn("%s: writing output", cmd);
		return (EXIT_RUNTIME);
	}
	return (EXIT_OK);
}

/* The commands that are reports (report.c), and which. */
static const struct {
	const char		*cmd;
	enum report_kind	 kind;
} ctl_reports[] = {
	{ "export", REPORT_EXPORT },
	{ "cooccur", REPORT_COOCCUR },
	{ "coverage", REPORT_COVERAGE },
	{ "spikes", REPORT_SPIKES },
	{ "top", REPORT_TOP },
	{ "plot", REPORT_PLOT },
	{ "sources", REPORT_SOURCES },
	{ "rules", REPORT_RULES },
};

#define CTL_OPT_PARAM	1000	/* + index in report_params() */

/*
 * export, cooccur, spikes, ...: the report's parameters are its long
 * options, plus --csv (--format csv) and plot's -o.
 */
static int
ctl_report(struct ctl *ctl, int argc, char **argv)
{
	const struct report_param	*params = report_params();
	struct option			 opts[48];
	struct report			 r;
	struct store			*st;
	const char			*cmd = argv[0], *out = NULL, *param;
	static char			 obuf[1 << 16];
	char				*cause = NULL;
	size_t				 i, n = 0;
	int				 ch, idx, rc, has_format = 0;
	FILE				*fp = stdout;

	for (i = 0; i < nitems(ctl_reports); i++) {
		if (strcmp(ctl_reports[i].cmd, cmd) == 0)
			break;
	}
	if (i == nitems(ctl_reports))
		fatalx("ctl_report: %s", cmd);
	report_init(&r, ctl_reports[i].kind);
	for (i = 0; params[i].name != NULL; i++) {
		if (!report_takes(r.kind, &params[i]) ||
		    strcmp(params[i].name, "through") == 0)
			continue;
		if (strcmp(params[i].name, "format") == 0)
			has_format = 1;
		opts[n].name = params[i].name;
		opts[n].has_arg = params[i].arg ? required_argument :
		    no_argument;
		opts[n].flag = NULL;
		opts[n++].val = CTL_OPT_PARAM + (int)i;
	}
	if (has_format && r.kind != REPORT_EXPORT)
		opts[n++] = (struct option){ "csv", no_argument, NULL, 'C' };
	if (r.kind == REPORT_PLOT)
		opts[n++] = (struct option){ "output", required_argument, NULL,
		    'o' };
	opts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	opts[n] = (struct option){ NULL, 0, NULL, 0 };

	optind = 1;
	while ((ch = getopt_long(argc, argv, r.kind == REPORT_PLOT ? "+o:" :
	    "+", opts, &idx)) != -1) {
		if (ch >= CTL_OPT_PARAM) {
			param = params[ch - CTL_OPT_PARAM].name;
			if (report_option(&r, param, optarg, &cause) != 0) {
				log_warnx("--%s: %s", param, cause);
				free(cause);
				report_clear(&r);
				return (EXIT_USAGE);
			}
			continue;
		}
		switch (ch) {
		case 'C':
			report_option(&r, "format", "csv", &cause);
			break;
		case 'o':
			out = optarg;
			break;
		default:
			ctl_cmd_usage(cmd);
		}
	}
	if (optind != argc || (r.kind == REPORT_PLOT && out == NULL))
		ctl_cmd_usage(cmd);
	if (report_check(&r, &param, &cause) != 0) {
		log_warnx("%s: %s", cmd, cause);
		free(cause);
		report_clear(&r);
		return (EXIT_USAGE);
	}
	if ((st = ctl_reader(ctl, &rc)) == NULL) {
		report_clear(&r);
		return (rc);
	}
	if (out != NULL && strcmp(out, "-") != 0 &&
	    (fp = fopen(out, "w")) == NULL) {
		log_warn("%s: %s", cmd, out);
		rc = EXIT_RUNTIME;
		goto done;
	}
	if (fp == stdout)
		setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	rc = report_run(&r, st, ctl->conf, fp, &cause);
	if (fp != stdout) {
		if (fclose(fp) != 0 && rc == 0) {
			xasprintf(&cause, "writing %s: %s", out,
			    strerror(errno));
			rc = -1;
		}
		if (rc != 0)
			unlink(out);
	}
	rc = ctl_result(cmd, rc, cause);
done:
	store_close(st);
	report_clear(&r);
	return (rc);
}

static int
ctl_rescore(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 'S' },
		{ "rule", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct rescore_opts	 o;
	struct rescore_stats	 rs;
	struct store		*st;
	char			*cause = NULL, when[32];
	int64_t			 since = 30 * 86400;
	size_t			 i;
	int			 ch, rc = EXIT_OK;

	memset(&o, 0, sizeof o);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (ch) {
		case 'S':
			if (conf_duration(optarg, &since) != 0) {
				log_warnx("--since: \"%s\" is not a duration "
				    "(30d, 12h)", optarg);
				rc = EXIT_USAGE;
				goto out;
			}
			break;
		case 'r':
			report_split(optarg, &o.rules, &o.nrules);
			break;
		default:
			ctl_cmd_usage("rescore");
		}
	}
	if (optind != argc)
		ctl_cmd_usage("rescore");
	rc = EXIT_USAGE;
	if (ctl_conf(ctl) != 0)
		goto out;
	for (i = 0; i < o.nrules; i++) {
		if (conf_rule(ctl->conf, o.rules[i]) == NULL) {
			log_warnx("--rule: no rule \"%s\" in %s", o.rules[i],
			    ctl->conf_path);
			goto out;
		}
	}
	rc = EXIT_OK;
	o.since = (int64_t)time(NULL) - since;
	if ((st = ctl_store(ctl, 0)) == NULL) {
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (store_sync_rules(st, ctl->conf->rules, ctl->conf->nrules,
	    &ctl->conf->ruleset, &cause) != 0 ||
	    rescore_run(ctl->conf, st, &o, &rs, &cause) != 0) {
		log_warnx("rescore: %s", cause);
		free(cause);
		rc = EXIT_RUNTIME;
	} else {
		date_iso(o.since, when, sizeof when);
		log_info("re-scored %zu items stored since %s: %zu changed%s",
		    rs.items, when, rs.changed, rs.limited > 0 ?
		    " (some rule/item pairs hit the match limit: kept)" : "");
	}
	store_close(st);
out:
	for (i = 0; i < o.nrules; i++)
		free(o.rules[i]);
	free(o.rules);
	return (rc);
}

static int
ctl_test_rules(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rule", required_argument, NULL, 'r' },
		{ "diff", required_argument, NULL, 'd' },
		{ "stored", no_argument, NULL, 'S' },
		{ "since", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct tune_opts	 o;
	struct rescore_opts	 ro;
	struct store		*st;
	struct buf		 body;
	const char		*what = "-", *old = NULL;
	char			*cause;
	int64_t			 since = 7 * 86400;
	size_t			 i;
	int			 ch, rc, stored = 0;

	memset(&o, 0, sizeof o);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+r:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			report_split(optarg, &o.rules, &o.nrules);
			break;
		case 'd':
			old = optarg;
			break;
		case 'S':
			stored = 1;
			break;
		case 's':
			if (conf_duration(optarg, &since) != 0) {
				log_warnx("--since: \"%s\" is not a duration "
				    "(7d, 12h)", optarg);
				rc = EXIT_USAGE;
				goto out;
			}
			break;
		default:
			ctl_cmd_usage("test-rules");
		}
	}
	if (argc - optind > 1 || (stored && (optind < argc || old != NULL)))
		ctl_cmd_usage("test-rules");
	if (optind < argc)
		what = argv[optind];
	rc = EXIT_USAGE;
	if (ctl_conf(ctl) != 0)
		goto out;
	if (old != NULL && conf_load(old, &o.old, &cause) != 0) {
		log_warnx("--diff: %s", cause);
		free(cause);
		goto out;
	}
	/* With --diff a rule may be in either configuration. */
	for (i = 0; i < o.nrules; i++) {
		if (conf_rule(ctl->conf, o.rules[i]) == NULL && (o.old == NULL ||
		    conf_rule(o.old, o.rules[i]) == NULL)) {
			log_warnx("--rule: no rule \"%s\" in %s", o.rules[i],
			    ctl->conf_path);
			goto out;
		}
	}
	if (stored) {
		/* The current rules on stored items: nothing is written. */
		memset(&ro, 0, sizeof ro);
		ro.since = (int64_t)time(NULL) - since;
		ro.rules = o.rules;
		ro.nrules = o.nrules;
		if ((st = ctl_store(ctl, STORE_READONLY)) == NULL) {
			rc = EXIT_RUNTIME;
			goto out;
		}
		cause = NULL;
		rc = rescore_dry_run(ctl->conf, st, &ro, stdout, &cause);
		rc = ctl_result("test-rules", rc == 0 ? 0 : -1, cause);
		store_close(st);
		goto out;
	}
	buf_init(&body);
	if (ctl_fetch(ctl, what, &body) != 0) {
		buf_free(&body);
		rc = EXIT_RUNTIME;
		goto out;
	}
	o.name = what;
	o.base = ctl_is_url(what) ? what : NULL;
	o.color = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	rc = tune_run(ctl->conf, &o, body.data, body.len, stdout);
	buf_free(&body);
out:
	conf_unref(o.old);
	for (i = 0; i < o.nrules; i++)
		free(o.rules[i]);
	free(o.rules);
	return (rc);
}


int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl	 ctl;
	size_t		 i;
	int		 ch, verbose = 0, rc;

	log_init("mentionctl", 0);
	memset(&ctl, 0, sizeof ctl);
	ctl.conf_path = conf_default_path();
	while ((ch = getopt_long(argc, argv, "+c:d:qvVh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			ctl.conf_path = optarg;
			ctl.conf_given = 1;
			break;
		case 'd':
			ctl.db_path = optarg;
			break;
		case 'q':
			verbose = -1;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("mentionctl %s\n", PACKAGE_VERSION);
			return (EXIT_OK);
		case 'h':
			ctl_usage(EXIT_OK);
		default:
			ctl_usage(EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		ctl_usage(EXIT_USAGE);
	log_setverbose(verbose);
	feed_init();

	for (i = 0; i < nitems(ctl_cmds); i++) {
		if (strcmp(argv[0], ctl_cmds[i].name) == 0)
			break;
	}
	if (i == nitems(ctl_cmds)) {
		log_warnx("unknown command \"%s\" (try mentionctl --help)",
		    argv[0]);
		return (EXIT_USAGE);
	}
	ctl_argc = argc;
	ctl_argv = argv;
	rc = ctl_cmds[i].fn(&ctl, argc, argv);
	conf_free(ctl.conf);
	return (rc);
}

