/*
 * Service manager notifications (sd_notify(3)): READY, RELOADING, STOPPING,
 * STATUS and the watchdog keep-alive, sent from the event loop so that a
 * stuck loop stops the keep-alives.  Without libsystemd (configure
 * --without-systemd) every call is a no-op.
 */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "mentiond.h"

static struct event	notify_watchdog_ev;
static int		notify_watchdog_on;

void
notify_send(const char *fmt, ...)
{
#ifdef HAVE_SYSTEMD
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	sd_notify(0, msg);
	free(msg);
#else
	(void)fmt;
#endif
}

/* RELOADING=1 with the monotonic time, as Type=notify-reload expects. */
void
notify_reloading(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	notify_send("RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000);
}

static void
notify_watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	notify_send("WATCHDOG=1");
}

/* Keep the watchdog fed at half its period, if the unit has WatchdogSec. */
void
notify_watchdog_start(struct event_base *base)
{
#ifdef HAVE_SYSTEMD
	struct timeval	tv;
	uint64_t	usec;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return;
	usec /= 2;
	tv.tv_sec = usec / 1000000;
	tv.tv_usec = usec % 1000000;
	event_assign(&notify_watchdog_ev, base, -1, EV_PERSIST,
	    notify_watchdog_cb, NULL);
	event_add(&notify_watchdog_ev, &tv);
	notify_watchdog_on = 1;
	notify_send("WATCHDOG=1");
#else
	(void)base;
#endif
}

void
notify_watchdog_stop(void)
{
	if (notify_watchdog_on)
		event_del(&notify_watchdog_ev);
	notify_watchdog_on = 0;
}
