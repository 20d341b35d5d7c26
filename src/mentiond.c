/*
 * mentiond: polls news sources on schedule, matches rules, records counts.
 *
 * One libevent loop drives everything: the scheduler's timers, libcurl's
 * sockets, signals (SIGHUP reloads, SIGTERM/SIGINT stop), the watchdog and
 * the worker threads' finished jobs.  Database writes all happen on the
 * loop's thread, one transaction per poll.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/thread.h>

#include "mentiond.h"

#define MENTIOND_PRUNE_EVERY	3600	/* seconds between text pruning */

struct mentiond {
	const char		*conf_path;
	struct conf		*conf;
	struct store		*store;
	struct sched		*sched;
	struct api		*api;
	struct event_base	*base;
	struct event		 sigterm;
	struct event		 sigint;
	struct event		 sighup;
	struct event		 prune;
	int			 once;
};

static __dead void
mentiond_usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: mentiond [-fqvV] [-c FILE] [--once] [--check-config]\n\n"
	    "  -c, --config FILE  configuration (default %s)\n"
	    "  -f, --foreground   do not detach; log to stderr (the journal "
	    "under systemd)\n"
	    "      --once         poll every enabled source once, record, "
	    "exit\n\t\t     (without the HTTP API)\n"
	    "      --check-config validate the configuration and every rule, "
	    "exit\n"
	    "  -q, --quiet        warnings only\n"
	    "  -v, --verbose      a line per poll (debug)\n"
	    "  -V, --version      print the version\n"
	    "  -h, --help         this help\n\n"
	    "Signals: HUP reloads the configuration, TERM and INT stop.\n"
	    "Exit status: 0 success (with --once: the cycle ran, even if "
	    "sources failed),\n1 runtime failure, 2 usage or config error. "
	    "See mentiond(8).\n", conf_default_path());
	exit(status);
}

static void
mentiond_stop_cb(evutil_socket_t sig, short what, void *arg)
{
	struct mentiond	*d = arg;

	(void)what;
	log_info("signal %d: stopping", (int)sig);
	event_base_loopexit(d->base, NULL);
}

/* Reload atomically: a configuration that fails to load changes nothing. */
static void
mentiond_reload_cb(evutil_socket_t sig, short what, void *arg)
{
	struct mentiond	*d = arg;
	struct conf	*c;
	char		*cause, status[128];

	(void)sig;
	(void)what;
	notify_reloading();
	log_info("SIGHUP: reloading %s", d->conf_path);
	if (conf_load(d->conf_path, &c, &cause) != 0) {
		log_warnx("reload failed, still running the previous "
		    "configuration: %s", cause);
		free(cause);
		goto out;
	}
	if (strcmp(c->database, d->conf->database) != 0) {
		log_warnx("reload: database changed to %s; a restart is needed "
		    "for that, still using %s", c->database, d->conf->database);
		free(c->database);
		c->database = xstrdup(d->conf->database);
	}
	sched_commit(d->sched);	/* the rules are written on their own */
	if (store_sync_rules(d->store, c->rules, c->nrules, &c->ruleset,
	    &cause) != 0) {
		log_warnx("reload failed, still running the previous "
		    "configuration: %s", cause);
		free(cause);
		conf_unref(c);
		goto out;
	}
	sched_reload(d->sched, c);
	if (d->api != NULL)
		api_reload(d->api, c);
	conf_unref(d->conf);
	d->conf = c;
out:
	sched_status(d->sched, status, sizeof status);
	notify_send("READY=1\nSTATUS=%s", status);
}

static void
mentiond_prune_cb(evutil_socket_t fd, short what, void *arg)
{
	struct mentiond	*d = arg;
	int64_t		 n;
	char		*cause;

	(void)fd;
	(void)what;
	if (d->conf->text_retention == 0)
		return;
	if (d->sched != NULL)	/* the prune is a transaction of its own */
		sched_commit(d->sched);
	if (store_prune_text(d->store, (int64_t)time(NULL) -
	    d->conf->text_retention, &n, &cause) != 0) {
		log_warnx("pruning item text: %s", cause);
		free(cause);
	} else if (n > 0)
		log_info("dropped the text of %lld items older than "
		    "text_retention (their counts stay)", (long long)n);
}

/* --once: every source has been polled. */
static void
mentiond_idle_cb(void *arg)
{
	struct mentiond	*d = arg;

	event_base_loopexit(d->base, NULL);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "once", no_argument, NULL, 'o' },
		{ "check-config", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct mentiond	 d;
	struct timeval	 tv = { MENTIOND_PRUNE_EVERY, 0 };
	char		*cause, *abs = NULL, status[128];
	int		 ch, foreground = 0, check = 0, verbose = 0, fd = -1;

	memset(&d, 0, sizeof d);
	d.conf_path = conf_default_path();
	while ((ch = getopt_long(argc, argv, "c:fqvVh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			d.conf_path = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'o':
			d.once = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'q':
			verbose = -1;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("mentiond %s\n", PACKAGE_VERSION);
			return (EXIT_OK);
		case 'h':
			mentiond_usage(EXIT_OK);
		default:
			mentiond_usage(EXIT_USAGE);
		}
	}
	if (optind != argc)
		mentiond_usage(EXIT_USAGE);
	/* A detached daemon runs in /: reloads must still find the file. */
	if ((abs = realpath(d.conf_path, NULL)) != NULL)
		d.conf_path = abs;
	log_init("mentiond", check ? 0 : LOG_F_DAEMON);
	log_setverbose(verbose);
	feed_init();

	if (conf_load(d.conf_path, &d.conf, &cause) != 0) {
		log_warnx("%s", cause);
		free(cause);
		free(abs);
		return (EXIT_USAGE);
	}
	if (check) {
		printf("%s: OK: %zu sources, %zu rules\n", d.conf_path,
		    d.conf->nsources, d.conf->nrules);
		conf_unref(d.conf);
		free(abs);
		return (EXIT_OK);
	}

	/* The API's socket is bound before detaching: a port in use fails. */
	cause = NULL;
	if ((d.store = store_open(d.conf->database, STORE_EXCLUSIVE,
	    &cause)) == NULL ||
	    store_sync_rules(d.store, d.conf->rules, d.conf->nrules,
	    &d.conf->ruleset, &cause) != 0 ||
	    (!d.once && *d.conf->listen != '\0' &&
	    (fd = api_listen(d.conf, &cause)) == -1)) {
		log_warnx("%s", cause);
		free(cause);
		store_close(d.store);
		conf_unref(d.conf);
		free(abs);
		return (EXIT_RUNTIME);
	}
	if (!foreground && !d.once) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init("mentiond", LOG_F_SYSLOG);
	}
	signal(SIGPIPE, SIG_IGN);
	metrics_init();

	if (evthread_use_pthreads() != 0)
		fatalx("evthread_use_pthreads failed");
	if ((d.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	evsignal_assign(&d.sigterm, d.base, SIGTERM, mentiond_stop_cb, &d);
	evsignal_assign(&d.sigint, d.base, SIGINT, mentiond_stop_cb, &d);
	evsignal_add(&d.sigterm, NULL);
	evsignal_add(&d.sigint, NULL);
	if (!d.once) {
		evsignal_assign(&d.sighup, d.base, SIGHUP, mentiond_reload_cb,
		    &d);
		evsignal_add(&d.sighup, NULL);
		event_assign(&d.prune, d.base, -1, EV_PERSIST,
		    mentiond_prune_cb, &d);
		event_add(&d.prune, &tv);
		mentiond_prune_cb(-1, 0, &d);
	}

	d.sched = sched_new(d.base, d.conf, d.store, d.once, mentiond_idle_cb,
	    &d);
	if (fd != -1)
		d.api = api_new(d.base, fd, d.conf, d.sched);
	notify_watchdog_start(d.base);
	sched_status(d.sched, status, sizeof status);
	notify_send("READY=1\nSTATUS=%s", status);

	event_base_dispatch(d.base);

	notify_send("STOPPING=1");
	notify_watchdog_stop();
	api_free(d.api);	/* reports cut off, their threads stopped */
	sched_free(d.sched);	/* transfers cancelled, jobs committed */
	if (!d.once) {
		event_del(&d.sighup);
		event_del(&d.prune);
	}
	event_del(&d.sigterm);
	event_del(&d.sigint);
	store_close(d.store);
	event_base_free(d.base);
	conf_unref(d.conf);
	metrics_free();
	log_info("stopped");
	free(abs);
	return (EXIT_OK);
}
