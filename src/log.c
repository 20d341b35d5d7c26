/*
 * Logging.  Under systemd (JOURNAL_STREAM names our stderr) each line on
 * stderr starts with a sd-daemon(3) "<N>" priority so journald files it at
 * the right level; a daemon in the foreground elsewhere gets timestamps; a
 * daemon that detached goes to syslog; a command-line tool gets
 * "name: message", as Unix tools do.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "mentiond.h"

static const char	*log_name = "mentiond";
static int		 log_journal;
static int		 log_stamps;
static int		 log_syslog;
static int		 log_verbose;

static int
log_on_journal(void)
{
	const char		*e;
	unsigned long long	 dev, ino;
	struct stat		 sb;

	if ((e = getenv("JOURNAL_STREAM")) == NULL)
		return (0);
	if (sscanf(e, "%llu:%llu", &dev, &ino) != 2)
		return (0);
	if (fstat(STDERR_FILENO, &sb) == -1)
		return (0);
	return ((unsigned long long)sb.st_dev == dev &&
	    (unsigned long long)sb.st_ino == ino);
}

void
log_init(const char *name, int flags)
{
	log_name = name;
	log_journal = 0;
	log_stamps = 0;
	log_syslog = 0;
	if (flags & LOG_F_SYSLOG) {
		log_syslog = 1;
		openlog(name, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	} else if (flags & LOG_F_DAEMON) {
		log_journal = log_on_journal();
		log_stamps = !log_journal;
	}
	tzset();
}

void
log_setverbose(int v)
{
	log_verbose = v;
}

int
log_getverbose(void)
{
	return (log_verbose);
}

static void
log_vwrite(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char		 stamp[32], line[8192];
	const char	*level = "";
	struct tm	 tm;
	time_t		 now;
	int		 saved = errno;

	vsnprintf(line, sizeof line, fmt, ap);
	if (log_syslog) {
		syslog(pri, "%s%s%s", line, suffix != NULL ? ": " : "",
		    suffix != NULL ? suffix : "");
		errno = saved;
		return;
	}
	if (log_journal) {
		fprintf(stderr, "<%d>%s%s%s\n", pri, line,
		    suffix != NULL ? ": " : "", suffix != NULL ? suffix : "");
		errno = saved;
		return;
	}
	switch (pri) {
	case LOG_CRIT:
		level = "fatal: ";
		break;
	case LOG_WARNING:
		level = log_stamps ? "warning: " : "";
		break;
	case LOG_DEBUG:
		level = "debug: ";
		break;
	}
	if (log_stamps) {
		now = time(NULL);
		localtime_r(&now, &tm);
		strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(stderr, "%s %s[%ld]: %s%s%s%s\n", stamp, log_name,
		    (long)getpid(), level, line, suffix != NULL ? ": " : "",
		    suffix != NULL ? suffix : "");
	} else {
		fprintf(stderr, "%s: %s%s%s%s\n", log_name, level, line,
		    suffix != NULL ? ": " : "", suffix != NULL ? suffix : "");
	}
	fflush(stderr);
	errno = saved;
}

/* A warning about a failed system call: the message, then strerror. */
void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	char	*err = strerror(errno);

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, fmt, ap, err);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	if (log_verbose < 0)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

__dead void
fatal(const char *fmt, ...)
{
	va_list	ap;
	char	*err = strerror(errno);

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, fmt, ap, err);
	va_end(ap);
	exit(EXIT_RUNTIME);
}

__dead void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(EXIT_RUNTIME);
}
