/*
 * HTTP with libcurl; the only file that calls curl_multi_*.
 *
 * The daemon's transfers run on libcurl's multi interface driven by the
 * libevent loop, as in curl's docs/examples/hiperfifo.c: libcurl tells us
 * which sockets to watch (CURLMOPT_SOCKETFUNCTION -> event_assign) and when
 * to time out (CURLMOPT_TIMERFUNCTION -> an evtimer); libevent tells libcurl
 * what happened through curl_multi_socket_action, after which finished
 * transfers are collected.  libcurl is never called from inside one of its
 * own callbacks: the timer callback only arms our timer.
 *
 * fetch_easy_setup is the one place the client's manners are set
 * (User-Agent, timeouts, redirects, protocols, encodings, body limit), so
 * one-shot fetches by mentionctl and the daemon's polls behave the same.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <event2/event_struct.h>

#include "mentiond.h"

#define FETCH_MAX_REDIRS	5

struct fetch {
	struct event_base	*base;
	CURLM			*multi;
	struct event		 timer;
	fetch_done_fn		 done;
	void			*arg;
	int			 running;
	struct fetch_xfer	*xfers;		/* in flight */
};

/* What libcurl asks us to watch for one socket. */
struct fetch_sock {
	struct fetch		*f;
	curl_socket_t		 fd;
	struct event		 ev;
	int			 added;
};

static int	fetch_inited;

void
fetch_global_init(void)
{
	if (fetch_inited)
		return;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatalx("curl_global_init failed");
	fetch_inited = 1;
}

/* Collect a body, refusing (not truncating) one larger than max_body. */
static size_t
fetch_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct fetch_body	*fb = arg;
	size_t			 n = size * nmemb;

	if (fb->out->len + n > fb->max) {
		fb->too_big = 1;
		return (0);	/* aborts the transfer */
	}
	buf_add(fb->out, data, n);
	return (n);
}

/* Set the options every transfer shares; c may be NULL for defaults. */
void
fetch_easy_setup(void *easy, const struct conf *c, const char *url,
    struct fetch_body *fb, char *errbuf)
{
	CURL		*e = easy;
	char		*dflt = NULL;

	if (c == NULL)
		xasprintf(&dflt, "mentiond/%s", PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_USERAGENT, c != NULL ? c->user_agent : dflt);
	free(dflt);	/* libcurl copies string options */
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)FETCH_MAX_REDIRS);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS,
	    CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");	/* all built in */
	curl_easy_setopt(e, CURLOPT_TIMEOUT,
	    (long)(c != NULL ? c->timeout : 30));
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT,
	    (long)(c != NULL ? c->connect_timeout : 10));
	fb->max = c != NULL ? c->max_body : 8 * 1024 * 1024;
	fb->too_big = 0;
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)fb->max);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, fetch_write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, fb);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	errbuf[0] = '\0';
}

/* One line on why a transfer failed. */
static char *
fetch_error(CURLcode code, const struct fetch_body *fb, const char *errbuf)
{
	char	*s;

	if (fb->too_big || code == CURLE_FILESIZE_EXCEEDED)
		xasprintf(&s, "body larger than max_body (%zu bytes): "
		    "transfer aborted", fb->max);
	else if (code == CURLE_TOO_MANY_REDIRECTS)
		xasprintf(&s, "too many redirects (more than %d, or a loop)",
		    FETCH_MAX_REDIRS);
	else if (code == CURLE_UNSUPPORTED_PROTOCOL)
		xasprintf(&s, "redirected to a refused protocol (only http "
		    "and https are followed): %s", errbuf[0] != '\0' ? errbuf :
		    curl_easy_strerror(code));
	else if (code == CURLE_PARTIAL_FILE)
		xasprintf(&s, "truncated body: %s", errbuf[0] != '\0' ? errbuf :
		    curl_easy_strerror(code));
	else
		xasprintf(&s, "%s", errbuf[0] != '\0' ? errbuf :
		    curl_easy_strerror(code));
	return (s);
}

/* A blocking GET of one URL into out (for mentionctl); -1 with a cause. */
int
fetch_get(const struct conf *c, const char *url, struct buf *out,
    char **cause)
{
	CURL			*e;
	CURLcode		 code;
	struct fetch_body	 fb;
	char			 errbuf[CURL_ERROR_SIZE];
	long			 status = 0;
	int			 rc = -1;

	fetch_global_init();
	if ((e = curl_easy_init()) == NULL)
		fatalx("curl_easy_init failed");
	buf_reset(out);
	memset(&fb, 0, sizeof fb);
	fb.out = out;
	fetch_easy_setup(e, c, url, &fb, errbuf);
	code = curl_easy_perform(e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if (code != CURLE_OK)
		*cause = fetch_error(code, &fb, errbuf);
	else if (status < 200 || status > 299)
		xasprintf(cause, "HTTP status %ld", status);
	else
		rc = 0;
	curl_easy_cleanup(e);
	return (rc);
}

/* Seconds from a Retry-After value: delta-seconds or an HTTP-date. */
static int64_t
fetch_retry_after(const char *v)
{
	int64_t	t;
	char	*end;
	long	 n;

	while (isspace((u_char)*v))
		v++;
	if (isdigit((u_char)*v)) {
		n = strtol(v, &end, 10);
		return (n >= 0 ? n : 0);
	}
	if (date_parse(v, &t) == 0 && t > (int64_t)time(NULL))
		return (t - (int64_t)time(NULL));
	return (0);
}

static char *
fetch_header_value(const char *p, size_t n)
{
	while (n > 0 && isspace((u_char)*p)) {
		p++;
		n--;
	}
	while (n > 0 && isspace((u_char)p[n - 1]))
		n--;
	return (xstrndup(p, n));
}

/*
 * Every header line of every response in a redirect chain: the validators
 * and Retry-After of the final response are kept; the first response's
 * status and Location tell a permanent redirect.
 */
static size_t
fetch_header_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct fetch_xfer	*x = arg;
	size_t			 n = size * nmemb, k;
	const char		*colon;
	long			 status;

	if (n > 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* A new response: what the previous one said is history. */
		free(x->etag_out);
		free(x->lm_out);
		x->etag_out = x->lm_out = NULL;
		x->retry_after = 0;
		x->responses++;
		for (k = 5; k < n && data[k] != ' '; k++)
			;
		status = strtol(data + k, NULL, 10);
		if (x->responses == 1)
			x->first_status = status;
		return (n);
	}
	if ((colon = memchr(data, ':', n)) == NULL)
		return (n);
	k = colon - data;
	colon++;
	if (k == 4 && strncasecmp(data, "etag", 4) == 0) {
		free(x->etag_out);
		x->etag_out = fetch_header_value(colon, n - k - 1);
	} else if (k == 13 && strncasecmp(data, "last-modified", 13) == 0) {
		free(x->lm_out);
		x->lm_out = fetch_header_value(colon, n - k - 1);
	} else if (k == 11 && strncasecmp(data, "retry-after", 11) == 0) {
		char *v = fetch_header_value(colon, n - k - 1);

		x->retry_after = fetch_retry_after(v);
		free(v);
	} else if (k == 14 && strncasecmp(data, "content-length", 14) == 0) {
		/* Room for the whole body at once, within max_body. */
		unsigned long long cl = strtoull(colon, NULL, 10);

		if (cl > 0 && cl <= x->fb.max && x->body.len == 0)
			buf_grow(&x->body, (size_t)cl);
	} else if (k == 8 && strncasecmp(data, "location", 8) == 0 &&
	    x->responses == 1 && x->moved_to == NULL)
		x->moved_to = fetch_header_value(colon, n - k - 1);
	return (n);
}

static void
fetch_check_multi_info(struct fetch *f)
{
	CURLMsg			*msg;
	struct fetch_xfer	*x, **pp;
	int			 left;
	char			*url = NULL;

	while ((msg = curl_multi_info_read(f->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &x);
		x->code = msg->data.result;
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
		curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME, &x->seconds);
		if (curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL,
		    &url) == CURLE_OK && url != NULL)
			x->final_url = xstrdup(url);
		if (x->code != CURLE_OK)
			x->error = fetch_error(x->code, &x->fb, x->errbuf);
		curl_multi_remove_handle(f->multi, x->easy);
		for (pp = &f->xfers; *pp != NULL; pp = &(*pp)->next) {
			if (*pp == x) {
				*pp = x->next;
				break;
			}
		}
		x->f = NULL;
		f->done(x, f->arg);	/* takes ownership of x */
	}
}

/* libevent saw activity on a socket libcurl asked us to watch. */
static void
fetch_event_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct fetch	*f = arg;
	int		 action;

	action = ((kind & EV_READ) ? CURL_CSELECT_IN : 0) |
	    ((kind & EV_WRITE) ? CURL_CSELECT_OUT : 0);
	curl_multi_socket_action(f->multi, fd, action, &f->running);
	fetch_check_multi_info(f);
}

/* libcurl's timeout expired. */
static void
fetch_timeout_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct fetch	*f = arg;

	(void)fd;
	(void)kind;
	curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0,
	    &f->running);
	fetch_check_multi_info(f);
}

/* CURLMOPT_TIMERFUNCTION: only arm or disarm our timer, never call curl. */
static int
fetch_timer_cb(CURLM *multi, long timeout_ms, void *arg)
{
	struct fetch	*f = arg;
	struct timeval	 tv;

	(void)multi;
	if (timeout_ms < 0) {
		evtimer_del(&f->timer);
		return (0);
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(&f->timer, &tv);
	return (0);
}

/* CURLMOPT_SOCKETFUNCTION: watch a socket as libcurl asks. */
static int
fetch_socket_cb(CURL *e, curl_socket_t s, int what, void *arg, void *sockp)
{
	struct fetch		*f = arg;
	struct fetch_sock	*fs = sockp;
	short			 kind;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (fs != NULL) {
			if (fs->added)
				event_del(&fs->ev);
			free(fs);
		}
		curl_multi_assign(f->multi, s, NULL);
		return (0);
	}
	if (fs == NULL) {
		fs = xcalloc(1, sizeof *fs);
		fs->f = f;
		fs->fd = s;
		curl_multi_assign(f->multi, s, fs);
	} else if (fs->added) {
		event_del(&fs->ev);
		fs->added = 0;
	}
	kind = ((what & CURL_POLL_IN) ? EV_READ : 0) |
	    ((what & CURL_POLL_OUT) ? EV_WRITE : 0) | EV_PERSIST;
	event_assign(&fs->ev, f->base, s, kind, fetch_event_cb, f);
	event_add(&fs->ev, NULL);
	fs->added = 1;
	return (0);
}

struct fetch *
fetch_new(struct event_base *base, fetch_done_fn done, void *arg)
{
	struct fetch	*f;

	fetch_global_init();
	f = xcalloc(1, sizeof *f);
	f->base = base;
	f->done = done;
	f->arg = arg;
	if ((f->multi = curl_multi_init()) == NULL)
		fatalx("curl_multi_init failed");
	evtimer_assign(&f->timer, base, fetch_timeout_cb, f);
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, fetch_socket_cb);
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, fetch_timer_cb);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
	return (f);
}

/* Limits libcurl enforces too (the scheduler keeps below them). */
void
fetch_set_limits(struct fetch *f, const struct conf *c)
{
	curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)c->max_connections);
	curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)c->max_host_connections);
	curl_multi_setopt(f->multi, CURLMOPT_MAXCONNECTS,
	    (long)c->max_connections);
}

/*
 * Start a GET of url.  etag/last_modified make it conditional; allow_file
 * permits file:// (only for sources configured with such a URL).  done is
 * called later, from the loop, with the transfer.
 */
struct fetch_xfer *
fetch_start(struct fetch *f, const struct conf *c, const char *url,
    const char *etag, const char *last_modified, int allow_file, void *arg)
{
	struct fetch_xfer	*x;
	char			*h;

	x = xcalloc(1, sizeof *x);
	x->f = f;
	x->arg = arg;
	x->url = xstrdup(url);
	buf_init(&x->body);
	x->fb.out = &x->body;
	if ((x->easy = curl_easy_init()) == NULL)
		fatalx("curl_easy_init failed");
	fetch_easy_setup(x->easy, c, url, &x->fb, x->errbuf);
	if (allow_file) {
#if LIBCURL_VERSION_NUM >= 0x075500
		curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "file");
#else
		curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS, CURLPROTO_FILE);
#endif
	}
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->easy, CURLOPT_HEADERFUNCTION, fetch_header_cb);
	curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, x);
	if (etag != NULL) {
		xasprintf(&h, "If-None-Match: %s", etag);
		x->headers = curl_slist_append(x->headers, h);
		free(h);
	}
	if (last_modified != NULL) {
		xasprintf(&h, "If-Modified-Since: %s", last_modified);
		x->headers = curl_slist_append(x->headers, h);
		free(h);
	}
	if (x->headers != NULL)
		curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
	x->next = f->xfers;
	f->xfers = x;
	if (curl_multi_add_handle(f->multi, x->easy) != CURLM_OK)
		fatalx("curl_multi_add_handle failed");
	return (x);
}

/* Abandon a transfer in flight (its source was removed, or we stop). */
void
fetch_cancel(struct fetch *f, struct fetch_xfer *x)
{
	struct fetch_xfer	**pp;

	for (pp = &f->xfers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == x) {
			*pp = x->next;
			break;
		}
	}
	curl_multi_remove_handle(f->multi, x->easy);
	fetch_xfer_free(x);
}

void
fetch_xfer_free(struct fetch_xfer *x)
{
	if (x == NULL)
		return;
	if (x->easy != NULL)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	buf_free(&x->body);
	free(x->url);
	free(x->final_url);
	free(x->etag_out);
	free(x->lm_out);
	free(x->moved_to);
	free(x->error);
	free(x);
}

int
fetch_running(struct fetch *f)
{
	struct fetch_xfer	*x;
	int			 n = 0;

	for (x = f->xfers; x != NULL; x = x->next)
		n++;
	return (n);
}

/* Cancel everything and clean up; before event_base_free. */
void
fetch_free(struct fetch *f)
{
	if (f == NULL)
		return;
	while (f->xfers != NULL)
		fetch_cancel(f, f->xfers);
	curl_multi_cleanup(f->multi);
	evtimer_del(&f->timer);
	free(f);
}
