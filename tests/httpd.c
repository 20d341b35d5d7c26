/*
 * tests/httpd.c: the fixture HTTP server the integration tests poll.
 *
 *	httpd -d docroot [-p portfile] [-l logfile] [-a addr]
 *
 * It binds addr (127.0.0.1) on a port the kernel picks, writes that port
 * and a newline to portfile (through portfile.tmp and rename(2), so a
 * reader never sees half a number) and serves until SIGTERM or SIGINT,
 * then exits 0.  Each request appends one line to logfile (opened for
 * appending), flushed at once:
 *
 *	METHOD URI if-none-match=V if-modified-since=V \
 *	    accept-encoding=V user-agent=V inflight=N
 *	  (N: /slow/ requests waiting when this one arrived, itself
 *	  included if it is one: the client's concurrency on slow answers)
 *
 * on one line, where V is the header as received or "-" when absent.
 *
 * The first path segment picks a mode; NAME is a file under docroot, read
 * afresh on every request (tests rewrite it between polls); a ".." path
 * component in it is refused with 403.  Only GET and HEAD are served.
 *
 *	/f/NAME			the file as application/rss+xml with a strong
 *				ETag (FNV-1a 64 of the bytes) and Last-Modified
 *				(its mtime); If-None-Match and, only when that
 *				is absent, If-Modified-Since answer 304
 *	/noval/NAME		the file with no validators at all
 *	/lying/NAME		the file with a new ETag every time, never 304
 *	/status/CODE		that status (200-599) and a short text body;
 *				?retry_after=V adds "Retry-After: V"
 *	/slow/SECS/NAME		as /f/NAME, after SECS seconds (0-300, fractions
 *				allowed) on a timer; everything else is served
 *				meanwhile
 *	/stall			never answers; the request lives until the
 *				client closes the connection
 *	/redirect/N/NAME	302 to /redirect/N-1/NAME, and from N = 1 to
 *				/f/NAME: exactly N redirects before the file
 *				(/redirect/0/NAME is the file itself)
 *	/moved/NAME		301 to /f/NAME
 *	/moved308/NAME		308 to /f/NAME
 *	/loop			302 to /loop, forever
 *	/tofile			302 to file:///etc/passwd
 *	/big/BYTES		200 and exactly BYTES bytes of RSS-looking text,
 *				streamed a chunk at a time so that our memory
 *				stays small; Content-Length is sent unless the
 *				query has chunked=1 (then chunked encoding)
 *	/truncated/NAME		Content-Length of the whole file, half the
 *				body, then the connection is closed
 *	/gzip/NAME		the file gzipped, Content-Encoding: gzip always
 *	/gzipbomb/MB		a small gzip body that inflates to an RSS
 *				document of MB MiB (1-4096), built once per MB
 *				in steps between other requests (~3 s a GiB)
 *	/garbage		200, application/rss+xml, 4 KiB of fixed
 *				pseudo-random bytes
 *	/drop			the connection is closed without a response
 *	anything else		404
 *
 * Everything runs on one event_base: libevent's evhttp does the protocol
 * (keep-alive included), evtimer the delays and evsignal the shutdown.
 * Requests that outlive the request callback (slow, stall, big, a bomb
 * being built) sit on a list so that a connection's close callback can
 * find and release them.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include <zlib.h>

#define HTTPD_RSS_TYPE		"application/rss+xml"
#define HTTPD_TEXT_TYPE		"text/plain; charset=utf-8"
#define HTTPD_MAX_FILE		(64 * 1024 * 1024)
#define HTTPD_MAX_SLOW		300.0	/* well inside HTTPD_TIMEOUT */
#define HTTPD_MAX_REDIRECT	1000
#define HTTPD_MAX_BOMB_MB	4096
#define HTTPD_BOMB_STEP		(4 * 1024 * 1024)	/* per loop pass */
#define HTTPD_PRIORITIES	3	/* bomb steps run last */
#define HTTPD_BIG_CHUNK		(256 * 1024)
#define HTTPD_FILLER_SIZE	(64 * 1024)
#define HTTPD_GARBAGE_SIZE	4096
#define HTTPD_TIMEOUT		600	/* idle seconds before evhttp quits */

#define HTTPD_BIG_PREFIX						\
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"			\
	"<rss version=\"2.0\">\n<channel>\n<title>big</title>\n"	\
	"<link>http://127.0.0.1/big</link>\n"				\
	"<description>a very large feed</description>\n"		\
	"<item>\n<title>big item</title>\n<description>"

#define HTTPD_BOMB_PREFIX						\
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"			\
	"<rss version=\"2.0\">\n<channel>\n<title>bomb</title>\n"	\
	"<item>\n<title>bomb</title>\n<description>"
#define HTTPD_BOMB_SUFFIX						\
	"</description>\n</item>\n</channel>\n</rss>\n"

/* How a served file advertises validators. */
enum httpd_validators {
	HTTPD_VAL_REAL,
	HTTPD_VAL_NONE,
	HTTPD_VAL_LIE
};

enum httpd_kind {
	HTTPD_SLOW,
	HTTPD_STALL,
	HTTPD_BIG,
	HTTPD_BOMB
};

/* A request still open after the request callback returned. */
struct httpd_pending {
	enum httpd_kind			 kind;
	struct evhttp_request		*req;
	struct evhttp_connection	*evcon;
	struct event			*timer;	/* slow, bomb */
	char				*name;	/* slow */
	uint64_t			 off;	/* big: bytes sent */
	uint64_t			 left;	/* big, bomb: bytes to go */
	unsigned long			 mb;	/* bomb */
	z_stream			*zs;	/* bomb */
	struct evbuffer			*zout;	/* bomb: gzip so far */
	TAILQ_ENTRY(httpd_pending)	 entry;
};
TAILQ_HEAD(httpd_pendings, httpd_pending);

/* A gzip bomb, kept once built: deflating gigabytes takes seconds. */
struct httpd_bomb {
	unsigned long		 mb;
	unsigned char		*data;
	size_t			 len;
	struct httpd_bomb	*next;
};

struct httpd_file {
	char		*data;
	size_t		 len;
	time_t		 mtime;
};

struct httpd_route {
	const char	*prefix;	/* ends in '/' for a prefix match */
	void		(*fn)(struct evhttp_request *, const char *,
			    const char *);
};

static struct event_base	*httpd_base;
static struct evhttp		*httpd_http;
static const char		*httpd_docroot;
static FILE			*httpd_log;
static struct httpd_pendings	 httpd_pendings =
    TAILQ_HEAD_INITIALIZER(httpd_pendings);
static struct httpd_bomb	*httpd_bombs;
static unsigned long		 httpd_lies;
static char			 httpd_filler[HTTPD_FILLER_SIZE];
static const char		 httpd_big_prefix[] = HTTPD_BIG_PREFIX;

static void	httpd_route_f(struct evhttp_request *, const char *,
		    const char *);
static void	httpd_route_noval(struct evhttp_request *, const char *,
		    const char *);
static void	httpd_route_lying(struct evhttp_request *, const char *,
		    const char *);
static void	httpd_route_status(struct evhttp_request *, const char *,
		    const char *);
static void	httpd_route_slow(struct evhttp_request *, const char *,
		    const char *);
static void	httpd_route_stall(struct evhttp_request *, const char *,
		    const char *);
static void	httpd_route_redirect(struct evhttp_request *, const char *,
		    const char *);
static void	httpd_route_moved(struct evhttp_request *, const char *,
		    const char *);
static void	httpd_route_moved308(struct evhttp_request *, const char *,
		    const char *);
static void	httpd_route_loop(struct evhttp_request *, const char *,
		    const char *);
static void	httpd_route_tofile(struct evhttp_request *, const char *,
		    const char *);
static void	httpd_route_big(struct evhttp_request *, const char *,
		    const char *);
static void	httpd_route_truncated(struct evhttp_request *, const char *,
		    const char *);
static void	httpd_route_gzip(struct evhttp_request *, const char *,
		    const char *);
static void	httpd_route_gzipbomb(struct evhttp_request *, const char *,
		    const char *);
static void	httpd_route_garbage(struct evhttp_request *, const char *,
		    const char *);
static void	httpd_route_drop(struct evhttp_request *, const char *,
		    const char *);

/* Matched in order against the still-encoded path. */
static const struct httpd_route httpd_routes[] = {
	{ "/f/",		httpd_route_f },
	{ "/noval/",		httpd_route_noval },
	{ "/lying/",		httpd_route_lying },
	{ "/status/",		httpd_route_status },
	{ "/slow/",		httpd_route_slow },
	{ "/stall",		httpd_route_stall },
	{ "/redirect/",		httpd_route_redirect },
	{ "/moved308/",		httpd_route_moved308 },
	{ "/moved/",		httpd_route_moved },
	{ "/loop",		httpd_route_loop },
	{ "/tofile",		httpd_route_tofile },
	{ "/big/",		httpd_route_big },
	{ "/truncated/",	httpd_route_truncated },
	{ "/gzip/",		httpd_route_gzip },
	{ "/gzipbomb/",		httpd_route_gzipbomb },
	{ "/garbage",		httpd_route_garbage },
	{ "/drop",		httpd_route_drop },
};

static void
httpd_usage(void)
{
	fprintf(stderr, "usage: httpd -d docroot [-p portfile] [-l logfile]"
	    " [-a addr]\n");
	exit(2);
}

static void
httpd_fatal(const char *fmt, ...)
{
	va_list	ap;

	fputs("httpd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static const char *
httpd_method(struct evhttp_request *req)
{
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET:
		return ("GET");
	case EVHTTP_REQ_POST:
		return ("POST");
	case EVHTTP_REQ_HEAD:
		return ("HEAD");
	case EVHTTP_REQ_PUT:
		return ("PUT");
	case EVHTTP_REQ_DELETE:
		return ("DELETE");
	case EVHTTP_REQ_OPTIONS:
		return ("OPTIONS");
	case EVHTTP_REQ_TRACE:
		return ("TRACE");
	case EVHTTP_REQ_CONNECT:
		return ("CONNECT");
	case EVHTTP_REQ_PATCH:
		return ("PATCH");
	default:
		return ("UNKNOWN");
	}
}

/* Our own phrases: libevent 2.1 has none for 308 or 429. */
static const char *
httpd_reason(int code)
{
	switch (code) {
	case 200:
		return ("OK");
	case 201:
		return ("Created");
	case 202:
		return ("Accepted");
	case 204:
		return ("No Content");
	case 301:
		return ("Moved Permanently");
	case 302:
		return ("Found");
	case 303:
		return ("See Other");
	case 304:
		return ("Not Modified");
	case 307:
		return ("Temporary Redirect");
	case 308:
		return ("Permanent Redirect");
	case 400:
		return ("Bad Request");
	case 401:
		return ("Unauthorized");
	case 403:
		return ("Forbidden");
	case 404:
		return ("Not Found");
	case 405:
		return ("Method Not Allowed");
	case 408:
		return ("Request Timeout");
	case 410:
		return ("Gone");
	case 429:
		return ("Too Many Requests");
	case 500:
		return ("Internal Server Error");
	case 501:
		return ("Not Implemented");
	case 502:
		return ("Bad Gateway");
	case 503:
		return ("Service Unavailable");
	case 504:
		return ("Gateway Timeout");
	}
	if (code >= 200 && code < 300)
		return ("Success");
	if (code >= 300 && code < 400)
		return ("Redirection");
	if (code >= 400 && code < 500)
		return ("Client Error");
	return ("Server Error");
}

static int
httpd_is_head(struct evhttp_request *req)
{
	return (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD);
}

/* Set a response header, replacing rather than adding a second one. */
static void
httpd_header(struct evhttp_request *req, const char *key, const char *value)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);

	evhttp_remove_header(h, key);
	evhttp_add_header(h, key, value);
}

/*
 * Send a complete reply.  evhttp 2.1 writes whatever is in the output
 * buffer even when the status or a HEAD forbids a body, so the body is
 * dropped here for those.  Content-Length is always ours: evhttp leaves
 * it out for HTTP/1.0 and HEAD, where it is still useful to the client.
 */
static void
httpd_reply(struct evhttp_request *req, int code, struct evbuffer *body)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);
	char			 len[32];

	if (code == 204 || code == 304 || code < 200) {
		if (body != NULL)
			evbuffer_drain(body, evbuffer_get_length(body));
		evhttp_send_reply(req, code, httpd_reason(code), NULL);
		return;
	}
	if (evhttp_find_header(h, "Content-Length") == NULL) {
		snprintf(len, sizeof len, "%zu",
		    body != NULL ? evbuffer_get_length(body) : 0);
		evhttp_add_header(h, "Content-Length", len);
	}
	if (body != NULL && httpd_is_head(req))
		evbuffer_drain(body, evbuffer_get_length(body));
	evhttp_send_reply(req, code, httpd_reason(code), body);
}

/* A short text/plain reply, the body naming the status. */
static void
httpd_text(struct evhttp_request *req, int code)
{
	struct evbuffer	*body;

	if ((body = evbuffer_new()) == NULL) {
		evhttp_send_reply(req, 500, httpd_reason(500), NULL);
		return;
	}
	evbuffer_add_printf(body, "%d %s\n", code, httpd_reason(code));
	httpd_header(req, "Content-Type", HTTPD_TEXT_TYPE);
	httpd_reply(req, code, body);
	evbuffer_free(body);
}

static void
httpd_redirect(struct evhttp_request *req, int code, const char *location)
{
	httpd_header(req, "Location", location);
	httpd_text(req, code);
}

static uint64_t
httpd_fnv1a(const void *p, size_t len)
{
	const unsigned char	*s = p;
	uint64_t		 h = 0xcbf29ce484222325ULL;
	size_t			 i;

	for (i = 0; i < len; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return (h);
}

static void
httpd_http_date(time_t t, char *buf, size_t len)
{
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* The three HTTP-date forms RFC 9110 says a recipient must accept. */
static int
httpd_parse_date(const char *s, time_t *t)
{
	static const char	*fmts[] = {
		"%a, %d %b %Y %H:%M:%S GMT",	/* IMF-fixdate */
		"%A, %d-%b-%y %H:%M:%S GMT",	/* RFC 850 */
		"%a %b %e %H:%M:%S %Y",		/* asctime */
	};
	struct tm		 tm;
	const char		*end;
	size_t			 i;

	for (i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
		memset(&tm, 0, sizeof tm);
		end = strptime(s, fmts[i], &tm);
		if (end == NULL)
			continue;
		end += strspn(end, " \t");
		if (*end != '\0')
			continue;
		*t = timegm(&tm);
		return (*t == (time_t)-1 ? -1 : 0);
	}
	return (-1);
}

/* Does an If-None-Match list name etag?  Weak comparison, as RFC 9110. */
static int
httpd_etag_match(const char *list, const char *etag)
{
	const char	*p = list, *e;
	size_t		 n;

	for (;;) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			return (0);
		e = p + strcspn(p, ",");
		n = e - p;
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 1 && *p == '*')
			return (1);
		if (n > 2 && p[0] == 'W' && p[1] == '/') {
			p += 2;
			n -= 2;
		}
		if (n == strlen(etag) && memcmp(p, etag, n) == 0)
			return (1);
		p = e;
	}
}

/*
 * Turn the still-encoded rest of a path into a file name under docroot.
 * Returns 0 with *out allocated, or the status to answer with.
 */
static int
httpd_name(const char *raw, char **out)
{
	char	*name, *p;
	size_t	 len, n;

	*out = NULL;
	if ((name = evhttp_uridecode(raw, 0, &len)) == NULL)
		return (500);
	if (len != strlen(name)) {
		free(name);
		return (400);
	}
	for (p = name; *p != '\0'; p += n + (p[n] == '/')) {
		n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			free(name);
			return (403);
		}
	}
	if (*name == '\0') {
		free(name);
		return (404);
	}
	*out = name;
	return (0);
}

/* Read the whole file now: tests rewrite it between requests. */
static int
httpd_file_load(const char *name, struct httpd_file *f)
{
	char		 path[PATH_MAX], *p;
	struct stat	 st;
	size_t		 size;
	ssize_t		 n;
	int		 fd, code;

	memset(f, 0, sizeof *f);
	if ((size_t)snprintf(path, sizeof path, "%s/%s", httpd_docroot,
	    name) >= sizeof path)
		return (404);
	if ((fd = open(path, O_RDONLY|O_CLOEXEC)) == -1) {
		if (errno == EACCES)
			return (403);
		if (errno == ENOENT || errno == ENOTDIR ||
		    errno == ENAMETOOLONG || errno == ELOOP)
			return (404);
		return (500);
	}
	if (fstat(fd, &st) == -1) {
		code = 500;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		code = 404;
		goto fail;
	}
	f->mtime = st.st_mtime;
	size = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
	if ((f->data = malloc(size)) == NULL) {
		code = 500;
		goto fail;
	}
	for (;;) {
		if (f->len == size) {
			if (size >= HTTPD_MAX_FILE ||
			    (p = realloc(f->data, size * 2)) == NULL) {
				code = 500;
				goto fail;
			}
			f->data = p;
			size *= 2;
		}
		n = read(fd, f->data + f->len, size - f->len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			code = 500;
			goto fail;
		}
		if (n == 0)
			break;
		f->len += n;
	}
	close(fd);
	return (0);

fail:
	close(fd);
	free(f->data);
	f->data = NULL;
	return (code);
}

/* Gzip len bytes at p onto out; flush is Z_NO_FLUSH or Z_FINISH. */
static int
httpd_deflate(z_stream *zs, const void *p, size_t len, int flush,
    struct evbuffer *out)
{
	unsigned char	tmp[16384];
	int		ret;

	zs->next_in = (unsigned char *)(uintptr_t)p;
	zs->avail_in = len;
	do {
		zs->next_out = tmp;
		zs->avail_out = sizeof tmp;
		ret = deflate(zs, flush);
		if (ret == Z_STREAM_ERROR)
			return (-1);
		if (evbuffer_add(out, tmp, sizeof tmp - zs->avail_out) == -1)
			return (-1);
	} while (zs->avail_out == 0);
	return (zs->avail_in == 0 ? 0 : -1);
}

static int
httpd_gzip_start(z_stream *zs)
{
	memset(zs, 0, sizeof *zs);
	/* 15 bits of window, +16 for a gzip rather than zlib wrapper. */
	return (deflateInit2(zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) == Z_OK ? 0 : -1);
}

/* Answer with the file and the validators mode asks for. */
static void
httpd_send_file(struct evhttp_request *req, const char *name,
    enum httpd_validators mode)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	struct httpd_file	 f;
	struct evbuffer		*body;
	const char		*inm, *ims;
	char			 etag[64], date[64];
	time_t			 since;
	int			 code;

	if ((code = httpd_file_load(name, &f)) != 0) {
		httpd_text(req, code);
		return;
	}
	switch (mode) {
	case HTTPD_VAL_REAL:
		snprintf(etag, sizeof etag, "\"%016" PRIx64 "\"",
		    httpd_fnv1a(f.data, f.len));
		httpd_http_date(f.mtime, date, sizeof date);
		httpd_header(req, "ETag", etag);
		httpd_header(req, "Last-Modified", date);
		/* If-None-Match wins; If-Modified-Since only without it. */
		inm = evhttp_find_header(in, "If-None-Match");
		ims = evhttp_find_header(in, "If-Modified-Since");
		if ((inm != NULL && httpd_etag_match(inm, etag)) ||
		    (inm == NULL && ims != NULL &&
		    httpd_parse_date(ims, &since) == 0 && f.mtime <= since)) {
			free(f.data);
			httpd_reply(req, 304, NULL);
			return;
		}
		break;
	case HTTPD_VAL_LIE:
		snprintf(etag, sizeof etag, "\"lie-%lu\"", ++httpd_lies);
		httpd_header(req, "ETag", etag);
		break;
	case HTTPD_VAL_NONE:
		break;
	}
	if ((body = evbuffer_new()) == NULL ||
	    evbuffer_add(body, f.data, f.len) == -1) {
		if (body != NULL)
			evbuffer_free(body);
		free(f.data);
		httpd_text(req, 500);
		return;
	}
	free(f.data);
	httpd_header(req, "Content-Type", HTTPD_RSS_TYPE);
	httpd_reply(req, 200, body);
	evbuffer_free(body);
}

/* Decode NAME and serve it, or answer why not. */
static void
httpd_serve_name(struct evhttp_request *req, const char *raw,
    enum httpd_validators mode)
{
	char	*name;
	int	 code;

	if ((code = httpd_name(raw, &name)) != 0) {
		httpd_text(req, code);
		return;
	}
	httpd_send_file(req, name, mode);
	free(name);
}

static struct httpd_pending *
httpd_pending_new(struct evhttp_request *req, enum httpd_kind kind)
{
	struct httpd_pending	*p;

	if ((p = calloc(1, sizeof *p)) == NULL)
		return (NULL);
	p->kind = kind;
	p->req = req;
	p->evcon = evhttp_request_get_connection(req);
	TAILQ_INSERT_TAIL(&httpd_pendings, p, entry);
	return (p);
}

/*
 * evhttp stops reading once a request is in, so a client that gives up
 * on a request we are sitting on goes unnoticed (CLOSE_WAIT until we
 * answer).  Read again with evhttp's own event callback but no read
 * callback, as evhttp itself does while writing: EOF then fails the
 * connection, which detaches the request and runs httpd_close_cb, and
 * any bytes a client sends early wait in the input buffer for evhttp.
 */
static void
httpd_watch_close(struct evhttp_request *req)
{
	struct bufferevent	*bev;
	bufferevent_data_cb	 readcb, writecb;
	bufferevent_event_cb	 eventcb;
	void			*cbarg;

	bev = evhttp_connection_get_bufferevent(
	    evhttp_request_get_connection(req));
	bufferevent_getcb(bev, &readcb, &writecb, &eventcb, &cbarg);
	bufferevent_setcb(bev, NULL, writecb, eventcb, cbarg);
	bufferevent_enable(bev, EV_READ);
}

/* Forget a pending request; its evhttp_request is the caller's business. */
static void
httpd_pending_free(struct httpd_pending *p)
{
	TAILQ_REMOVE(&httpd_pendings, p, entry);
	if (p->timer != NULL)
		event_free(p->timer);
	if (p->zs != NULL) {
		deflateEnd(p->zs);
		free(p->zs);
	}
	if (p->zout != NULL)
		evbuffer_free(p->zout);
	free(p->name);
	free(p);
}

/*
 * A connection is going away: release what we hold on it.  When the client
 * closed, evhttp has already detached our unfinished request from the
 * connection and it is ours to free; when evhttp_free tears everything
 * down, the request is still attached and the connection frees it.
 */
static void
httpd_close_cb(struct evhttp_connection *evcon, void *arg)
{
	struct httpd_pending	*p, *next;

	(void)arg;
	for (p = TAILQ_FIRST(&httpd_pendings); p != NULL; p = next) {
		next = TAILQ_NEXT(p, entry);
		if (p->evcon != evcon)
			continue;
		if (evhttp_request_get_connection(p->req) == NULL)
			evhttp_request_free(p->req);
		httpd_pending_free(p);
	}
}

static void
httpd_route_f(struct evhttp_request *req, const char *rest, const char *query)
{
	(void)query;
	httpd_serve_name(req, rest, HTTPD_VAL_REAL);
}

static void
httpd_route_noval(struct evhttp_request *req, const char *rest,
    const char *query)
{
	(void)query;
	httpd_serve_name(req, rest, HTTPD_VAL_NONE);
}

static void
httpd_route_lying(struct evhttp_request *req, const char *rest,
    const char *query)
{
	(void)query;
	httpd_serve_name(req, rest, HTTPD_VAL_LIE);
}

/* Parse all of s as a decimal number in [min, max]. */
static int
httpd_number(const char *s, unsigned long long min, unsigned long long max,
    unsigned long long *out)
{
	char	*end;

	if (*s < '0' || *s > '9')
		return (-1);
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || *out < min || *out > max)
		return (-1);
	return (0);
}

static void
httpd_route_status(struct evhttp_request *req, const char *rest,
    const char *query)
{
	struct evkeyvalq	 args;
	unsigned long long	 code;
	const char		*retry;

	if (httpd_number(rest, 200, 599, &code) == -1) {
		httpd_text(req, 400);
		return;
	}
	TAILQ_INIT(&args);
	if (query != NULL && evhttp_parse_query_str(query, &args) == 0 &&
	    (retry = evhttp_find_header(&args, "retry_after")) != NULL &&
	    *retry != '\0')
		httpd_header(req, "Retry-After", retry);
	evhttp_clear_headers(&args);
	httpd_text(req, (int)code);
}

static void
httpd_slow_cb(evutil_socket_t fd, short events, void *arg)
{
	struct httpd_pending	*p = arg;
	struct evhttp_request	*req = p->req;
	char			*name = p->name;

	(void)fd;
	(void)events;
	p->name = NULL;
	httpd_pending_free(p);
	httpd_send_file(req, name, HTTPD_VAL_REAL);
	free(name);
}

static void
httpd_route_slow(struct evhttp_request *req, const char *rest,
    const char *query)
{
	struct httpd_pending	*p;
	struct timeval		 tv;
	char			*end, *name;
	double			 secs;
	int			 code;

	(void)query;
	errno = 0;
	secs = strtod(rest, &end);
	if (end == rest || *end != '/' || errno != 0 || !isfinite(secs) ||
	    secs < 0 || secs > HTTPD_MAX_SLOW) {
		httpd_text(req, 400);
		return;
	}
	if ((code = httpd_name(end + 1, &name)) != 0) {
		httpd_text(req, code);
		return;
	}
	if ((p = httpd_pending_new(req, HTTPD_SLOW)) == NULL) {
		free(name);
		httpd_text(req, 500);
		return;
	}
	p->name = name;
	if ((p->timer = evtimer_new(httpd_base, httpd_slow_cb, p)) == NULL) {
		httpd_pending_free(p);
		httpd_text(req, 500);
		return;
	}
	tv.tv_sec = (time_t)secs;
	tv.tv_usec = (suseconds_t)((secs - (double)tv.tv_sec) * 1e6);
	evtimer_add(p->timer, &tv);
	httpd_watch_close(req);
}

static void
httpd_route_stall(struct evhttp_request *req, const char *rest,
    const char *query)
{
	(void)query;
	if (*rest != '\0') {
		httpd_text(req, 404);
		return;
	}
	if (httpd_pending_new(req, HTTPD_STALL) == NULL) {
		httpd_text(req, 500);
		return;
	}
	httpd_watch_close(req);
}

/* Check NAME in a redirecting route before sending anyone to it. */
static int
httpd_check_name(struct evhttp_request *req, const char *raw)
{
	char	*name;
	int	 code;

	if ((code = httpd_name(raw, &name)) != 0) {
		httpd_text(req, code);
		return (-1);
	}
	free(name);
	return (0);
}

static void
httpd_route_redirect(struct evhttp_request *req, const char *rest,
    const char *query)
{
	unsigned long long	 n;
	const char		*slash;
	char			 num[32], *location;
	int			 r;

	(void)query;
	if ((slash = strchr(rest, '/')) == NULL ||
	    (size_t)(slash - rest) >= sizeof num) {
		httpd_text(req, 400);
		return;
	}
	memcpy(num, rest, slash - rest);
	num[slash - rest] = '\0';
	if (httpd_number(num, 0, HTTPD_MAX_REDIRECT, &n) == -1) {
		httpd_text(req, 400);
		return;
	}
	if (httpd_check_name(req, slash + 1) == -1)
		return;
	if (n == 0) {
		httpd_serve_name(req, slash + 1, HTTPD_VAL_REAL);
		return;
	}
	if (n == 1)
		r = asprintf(&location, "/f/%s", slash + 1);
	else
		r = asprintf(&location, "/redirect/%llu/%s", n - 1, slash + 1);
	if (r == -1) {
		httpd_text(req, 500);
		return;
	}
	httpd_redirect(req, 302, location);
	free(location);
}

static void
httpd_moved(struct evhttp_request *req, int code, const char *rest)
{
	char	*location;

	if (httpd_check_name(req, rest) == -1)
		return;
	if (asprintf(&location, "/f/%s", rest) == -1) {
		httpd_text(req, 500);
		return;
	}
	httpd_redirect(req, code, location);
	free(location);
}

static void
httpd_route_moved(struct evhttp_request *req, const char *rest,
    const char *query)
{
	(void)query;
	httpd_moved(req, 301, rest);
}

static void
httpd_route_moved308(struct evhttp_request *req, const char *rest,
    const char *query)
{
	(void)query;
	httpd_moved(req, 308, rest);
}

static void
httpd_route_loop(struct evhttp_request *req, const char *rest,
    const char *query)
{
	(void)query;
	if (*rest != '\0')
		httpd_text(req, 404);
	else
		httpd_redirect(req, 302, "/loop");
}

static void
httpd_route_tofile(struct evhttp_request *req, const char *rest,
    const char *query)
{
	(void)query;
	if (*rest != '\0')
		httpd_text(req, 404);
	else
		httpd_redirect(req, 302, "file:///etc/passwd");
}

/*
 * The output buffer has drained: queue the next piece of a big body, or end
 * it.  The filler goes in by reference, so a chunk costs no copying and
 * only one chunk is ever queued.
 */
static void
httpd_big_cb(struct evhttp_connection *evcon, void *arg)
{
	struct httpd_pending	*p = arg;
	struct evhttp_request	*req = p->req;
	struct evbuffer		*chunk;
	size_t			 n, room;

	(void)evcon;
	if (p->left == 0) {
		httpd_pending_free(p);
		evhttp_send_reply_end(req);
		return;
	}
	if ((chunk = evbuffer_new()) == NULL)
		goto fail;
	room = p->left < HTTPD_BIG_CHUNK ? (size_t)p->left : HTTPD_BIG_CHUNK;
	if (p->off < sizeof httpd_big_prefix - 1) {
		n = sizeof httpd_big_prefix - 1 - p->off;
		if (n > room)
			n = room;
		if (evbuffer_add(chunk, &httpd_big_prefix[p->off], n) == -1)
			goto fail;
		room -= n;
		p->off += n;
		p->left -= n;
	}
	while (room > 0) {
		n = room < sizeof httpd_filler ? room : sizeof httpd_filler;
		if (evbuffer_add_reference(chunk, httpd_filler, n, NULL,
		    NULL) == -1)
			goto fail;
		room -= n;
		p->off += n;
		p->left -= n;
	}
	evhttp_send_reply_chunk_with_cb(req, chunk, httpd_big_cb, p);
	evbuffer_free(chunk);
	return;

fail:
	/* Out of memory: cut the body short rather than lie about it. */
	if (chunk != NULL)
		evbuffer_free(chunk);
	httpd_pending_free(p);
	evhttp_connection_free(evhttp_request_get_connection(req));
}

static void
httpd_route_big(struct evhttp_request *req, const char *rest,
    const char *query)
{
	struct evkeyvalq	 args;
	struct httpd_pending	*p;
	unsigned long long	 bytes;
	const char		*v;
	char			 len[32];
	int			 chunked = 0;

	if (httpd_number(rest, 0, (unsigned long long)INT64_MAX,
	    &bytes) == -1) {
		httpd_text(req, 400);
		return;
	}
	TAILQ_INIT(&args);
	if (query != NULL && evhttp_parse_query_str(query, &args) == 0 &&
	    (v = evhttp_find_header(&args, "chunked")) != NULL &&
	    strcmp(v, "0") != 0)
		chunked = 1;
	evhttp_clear_headers(&args);

	httpd_header(req, "Content-Type", HTTPD_RSS_TYPE);
	/* Without Content-Length, evhttp picks chunked encoding for 1.1. */
	if (!chunked) {
		snprintf(len, sizeof len, "%llu", bytes);
		httpd_header(req, "Content-Length", len);
	}
	if (httpd_is_head(req) || bytes == 0) {
		evhttp_send_reply_start(req, 200, httpd_reason(200));
		evhttp_send_reply_end(req);
		return;
	}
	if ((p = httpd_pending_new(req, HTTPD_BIG)) == NULL) {
		httpd_text(req, 500);
		return;
	}
	p->left = bytes;
	evhttp_send_reply_start(req, 200, httpd_reason(200));
	httpd_big_cb(p->evcon, p);
}

/*
 * Promise the whole file, deliver half.  Connection: close makes evhttp
 * close the connection once the half is written, which is the point.
 */
static void
httpd_route_truncated(struct evhttp_request *req, const char *rest,
    const char *query)
{
	struct httpd_file	 f;
	struct evbuffer		*body;
	char			*name, len[32];
	int			 code;

	(void)query;
	if ((code = httpd_name(rest, &name)) != 0) {
		httpd_text(req, code);
		return;
	}
	code = httpd_file_load(name, &f);
	free(name);
	if (code != 0) {
		httpd_text(req, code);
		return;
	}
	snprintf(len, sizeof len, "%zu", f.len);
	httpd_header(req, "Content-Type", HTTPD_RSS_TYPE);
	httpd_header(req, "Content-Length", len);
	httpd_header(req, "Connection", "close");
	evhttp_send_reply_start(req, 200, httpd_reason(200));
	if (!httpd_is_head(req) && f.len / 2 > 0 &&
	    (body = evbuffer_new()) != NULL) {
		evbuffer_add(body, f.data, f.len / 2);
		evhttp_send_reply_chunk(req, body);
		evbuffer_free(body);
	}
	free(f.data);
	evhttp_send_reply_end(req);
}

static void
httpd_route_gzip(struct evhttp_request *req, const char *rest,
    const char *query)
{
	struct httpd_file	 f;
	struct evbuffer		*body;
	z_stream		 zs;
	char			*name;
	int			 code;

	(void)query;
	if ((code = httpd_name(rest, &name)) != 0) {
		httpd_text(req, code);
		return;
	}
	code = httpd_file_load(name, &f);
	free(name);
	if (code != 0) {
		httpd_text(req, code);
		return;
	}
	if ((body = evbuffer_new()) == NULL) {
		free(f.data);
		httpd_text(req, 500);
		return;
	}
	if (httpd_gzip_start(&zs) == -1) {
		free(f.data);
		evbuffer_free(body);
		httpd_text(req, 500);
		return;
	}
	code = httpd_deflate(&zs, f.data, f.len, Z_FINISH, body);
	deflateEnd(&zs);
	free(f.data);
	if (code == -1) {
		evbuffer_free(body);
		httpd_text(req, 500);
		return;
	}
	httpd_header(req, "Content-Type", HTTPD_RSS_TYPE);
	httpd_header(req, "Content-Encoding", "gzip");
	httpd_header(req, "Vary", "Accept-Encoding");
	httpd_reply(req, 200, body);
	evbuffer_free(body);
}

static void
httpd_send_bomb(struct evhttp_request *req, const struct httpd_bomb *b)
{
	struct evbuffer	*body;

	if ((body = evbuffer_new()) == NULL ||
	    evbuffer_add(body, b->data, b->len) == -1) {
		if (body != NULL)
			evbuffer_free(body);
		httpd_text(req, 500);
		return;
	}
	httpd_header(req, "Content-Type", HTTPD_RSS_TYPE);
	httpd_header(req, "Content-Encoding", "gzip");
	httpd_reply(req, 200, body);
	evbuffer_free(body);
}

static struct httpd_bomb *
httpd_bomb_find(unsigned long mb)
{
	struct httpd_bomb	*b;

	for (b = httpd_bombs; b != NULL; b = b->next) {
		if (b->mb == mb)
			return (b);
	}
	return (NULL);
}

/* Keep a finished bomb, unless a concurrent build of the same size won. */
static struct httpd_bomb *
httpd_bomb_keep(unsigned long mb, struct evbuffer *out)
{
	struct httpd_bomb	*b;

	if ((b = httpd_bomb_find(mb)) != NULL)
		return (b);
	if ((b = calloc(1, sizeof *b)) == NULL)
		return (NULL);
	b->mb = mb;
	b->len = evbuffer_get_length(out);
	if ((b->data = malloc(b->len)) == NULL ||
	    evbuffer_remove(out, b->data, b->len) != (int)b->len) {
		free(b->data);
		free(b);
		return (NULL);
	}
	b->next = httpd_bombs;
	httpd_bombs = b;
	return (b);
}

/*
 * Deflate the next HTTPD_BOMB_STEP bytes of spaces, then yield to the
 * loop: a GiB takes seconds to compress and other requests must not wait.
 */
static void
httpd_bomb_step_cb(evutil_socket_t fd, short events, void *arg)
{
	static char			 spaces[64 * 1024];
	static const struct timeval	 now = { 0, 0 };
	struct httpd_pending		*p = arg;
	struct evhttp_request		*req = p->req;
	struct httpd_bomb		*b;
	uint64_t			 step = HTTPD_BOMB_STEP;
	size_t				 n;

	(void)fd;
	(void)events;
	if (spaces[0] != ' ')
		memset(spaces, ' ', sizeof spaces);
	while (p->left > 0 && step > 0) {
		n = p->left < sizeof spaces ? (size_t)p->left : sizeof spaces;
		if (httpd_deflate(p->zs, spaces, n, Z_NO_FLUSH, p->zout) == -1)
			goto fail;
		p->left -= n;
		step -= n < step ? n : step;
	}
	if (p->left > 0) {
		evtimer_add(p->timer, &now);
		return;
	}
	if (httpd_deflate(p->zs, HTTPD_BOMB_SUFFIX,
	    sizeof HTTPD_BOMB_SUFFIX - 1, Z_FINISH, p->zout) == -1)
		goto fail;
	if ((b = httpd_bomb_keep(p->mb, p->zout)) == NULL)
		goto fail;
	httpd_pending_free(p);
	httpd_send_bomb(req, b);
	return;

fail:
	httpd_pending_free(p);
	httpd_text(req, 500);
}

static void
httpd_route_gzipbomb(struct evhttp_request *req, const char *rest,
    const char *query)
{
	static const struct timeval	 now = { 0, 0 };
	struct httpd_pending		*p;
	struct httpd_bomb		*b;
	unsigned long long		 mb;

	(void)query;
	if (httpd_number(rest, 1, HTTPD_MAX_BOMB_MB, &mb) == -1) {
		httpd_text(req, 400);
		return;
	}
	if ((b = httpd_bomb_find(mb)) != NULL) {
		httpd_send_bomb(req, b);
		return;
	}
	if ((p = httpd_pending_new(req, HTTPD_BOMB)) == NULL) {
		httpd_text(req, 500);
		return;
	}
	p->mb = mb;
	p->left = (uint64_t)mb * 1024 * 1024 -
	    (sizeof HTTPD_BOMB_PREFIX - 1) - (sizeof HTTPD_BOMB_SUFFIX - 1);
	if ((p->zs = calloc(1, sizeof *p->zs)) == NULL ||
	    httpd_gzip_start(p->zs) == -1) {
		free(p->zs);
		p->zs = NULL;
		goto fail;
	}
	if ((p->zout = evbuffer_new()) == NULL ||
	    (p->timer = evtimer_new(httpd_base, httpd_bomb_step_cb,
	    p)) == NULL)
		goto fail;
	/* Below evhttp's default priority: pending I/O always goes first. */
	event_priority_set(p->timer, HTTPD_PRIORITIES - 1);
	if (httpd_deflate(p->zs, HTTPD_BOMB_PREFIX,
	    sizeof HTTPD_BOMB_PREFIX - 1, Z_NO_FLUSH, p->zout) == -1)
		goto fail;
	evtimer_add(p->timer, &now);
	httpd_watch_close(req);
	return;

fail:
	httpd_pending_free(p);
	httpd_text(req, 500);
}

static void
httpd_route_garbage(struct evhttp_request *req, const char *rest,
    const char *query)
{
	struct evbuffer	*body;
	unsigned char	 bytes[HTTPD_GARBAGE_SIZE];
	uint64_t	 x = 0x9e3779b97f4a7c15ULL;
	size_t		 i;

	(void)query;
	if (*rest != '\0') {
		httpd_text(req, 404);
		return;
	}
	/* xorshift64*: the same bytes on every run and every platform. */
	for (i = 0; i < sizeof bytes; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		bytes[i] = (x * 0x2545f4914f6cdd1dULL) >> 56;
	}
	if ((body = evbuffer_new()) == NULL ||
	    evbuffer_add(body, bytes, sizeof bytes) == -1) {
		if (body != NULL)
			evbuffer_free(body);
		httpd_text(req, 500);
		return;
	}
	httpd_header(req, "Content-Type", HTTPD_RSS_TYPE);
	httpd_reply(req, 200, body);
	evbuffer_free(body);
}

/* Freeing the connection closes it and frees the request with it. */
static void
httpd_route_drop(struct evhttp_request *req, const char *rest,
    const char *query)
{
	(void)query;
	if (*rest != '\0') {
		httpd_text(req, 404);
		return;
	}
	evhttp_connection_free(evhttp_request_get_connection(req));
}

/* Slow requests still waiting: shows how many a client runs at once. */
static int
httpd_slow_waiting(void)
{
	struct httpd_pending	*p;
	int			 n = 0;

	TAILQ_FOREACH(p, &httpd_pendings, entry) {
		if (p->kind == HTTPD_SLOW)
			n++;
	}
	return (n);
}

static void
httpd_log_request(struct evhttp_request *req)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	static const char	*names[] = {
		"if-none-match", "if-modified-since", "accept-encoding",
		"user-agent"
	};
	const char		*v;
	size_t			 i;

	if (httpd_log == NULL)
		return;
	fprintf(httpd_log, "%s %s", httpd_method(req),
	    evhttp_request_get_uri(req));
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		v = evhttp_find_header(in, names[i]);
		fprintf(httpd_log, " %s=%s", names[i], v != NULL ? v : "-");
	}
	fprintf(httpd_log, " inflight=%d\n", httpd_slow_waiting() +
	    (strncmp(evhttp_request_get_uri(req), "/slow/", 6) == 0));
	fflush(httpd_log);
}

/* Every request lands here: log it, then route on the path. */
static void
httpd_request_cb(struct evhttp_request *req, void *arg)
{
	const struct httpd_route	*r;
	struct evhttp_uri		*uri;
	const char			*path, *query;
	size_t				 i, n;
	enum evhttp_cmd_type		 cmd;

	(void)arg;
	httpd_log_request(req);
	evhttp_connection_set_closecb(evhttp_request_get_connection(req),
	    httpd_close_cb, NULL);

	cmd = evhttp_request_get_command(req);
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		httpd_header(req, "Allow", "GET, HEAD");
		httpd_text(req, 405);
		return;
	}
	uri = evhttp_uri_parse_with_flags(evhttp_request_get_uri(req),
	    EVHTTP_URI_NONCONFORMANT);
	if (uri == NULL || (path = evhttp_uri_get_path(uri)) == NULL) {
		if (uri != NULL)
			evhttp_uri_free(uri);
		httpd_text(req, 400);
		return;
	}
	query = evhttp_uri_get_query(uri);
	for (i = 0; i < sizeof httpd_routes / sizeof httpd_routes[0]; i++) {
		r = &httpd_routes[i];
		n = strlen(r->prefix);
		if (strncmp(path, r->prefix, n) != 0)
			continue;
		/* A route without a slash matches itself, or itself/... */
		if (r->prefix[n - 1] != '/' && path[n] != '\0' &&
		    path[n] != '/')
			continue;
		r->fn(req, path + n, query);
		evhttp_uri_free(uri);
		return;
	}
	evhttp_uri_free(uri);
	httpd_text(req, 404);
}

static void
httpd_signal_cb(evutil_socket_t sig, short events, void *arg)
{
	(void)sig;
	(void)events;
	(void)arg;
	event_base_loopbreak(httpd_base);
}

/* Write the port through a temporary file so readers see all or nothing. */
static void
httpd_write_port(const char *portfile, unsigned int port)
{
	char	*tmp;
	FILE	*f;

	if (asprintf(&tmp, "%s.tmp", portfile) == -1)
		httpd_fatal("out of memory");
	if ((f = fopen(tmp, "w")) == NULL)
		httpd_fatal("%s: %s", tmp, strerror(errno));
	if (fprintf(f, "%u\n", port) < 0 || fclose(f) == EOF)
		httpd_fatal("%s: %s", tmp, strerror(errno));
	if (rename(tmp, portfile) == -1)
		httpd_fatal("rename %s: %s", tmp, strerror(errno));
	free(tmp);
}

static unsigned int
httpd_bound_port(struct evhttp_bound_socket *bound)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	evutil_socket_t		 fd;

	fd = evhttp_bound_socket_get_fd(bound);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		httpd_fatal("getsockname: %s", strerror(errno));
	if (ss.ss_family == AF_INET)
		return (ntohs(((struct sockaddr_in *)&ss)->sin_port));
	if (ss.ss_family == AF_INET6)
		return (ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
	httpd_fatal("bound to an unknown address family");
	return (0);
}

int
main(int argc, char **argv)
{
	struct evhttp_bound_socket	*bound;
	struct event			*sigterm, *sigint;
	struct httpd_pending		*p;
	struct httpd_bomb		*b;
	const char			*portfile = NULL, *logfile = NULL;
	const char			*addr = "127.0.0.1";
	struct stat			 st;
	unsigned int			 port;
	size_t				 i;
	int				 ch;

	while ((ch = getopt(argc, argv, "a:d:l:p:")) != -1) {
		switch (ch) {
		case 'a':
			addr = optarg;
			break;
		case 'd':
			httpd_docroot = optarg;
			break;
		case 'l':
			logfile = optarg;
			break;
		case 'p':
			portfile = optarg;
			break;
		default:
			httpd_usage();
		}
	}
	if (optind != argc || httpd_docroot == NULL || *httpd_docroot == '\0')
		httpd_usage();
	if (stat(httpd_docroot, &st) == -1)
		httpd_fatal("%s: %s", httpd_docroot, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		httpd_fatal("%s: not a directory", httpd_docroot);

	/* A client hanging up mid-body must not kill us. */
	signal(SIGPIPE, SIG_IGN);

	for (i = 0; i < sizeof httpd_filler; i++)
		httpd_filler[i] = (i % 64 == 63) ? '\n' : "filler "[i % 64 % 7];

	if (logfile != NULL && (httpd_log = fopen(logfile, "a")) == NULL)
		httpd_fatal("%s: %s", logfile, strerror(errno));

	if ((httpd_base = event_base_new()) == NULL ||
	    event_base_priority_init(httpd_base, HTTPD_PRIORITIES) == -1)
		httpd_fatal("event_base_new failed");
	if ((httpd_http = evhttp_new(httpd_base)) == NULL)
		httpd_fatal("evhttp_new failed");
	/* Accept every method so every request is logged; we refuse later. */
	evhttp_set_allowed_methods(httpd_http, EVHTTP_REQ_GET |
	    EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
	    EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_timeout(httpd_http, HTTPD_TIMEOUT);
	evhttp_set_max_body_size(httpd_http, 1024 * 1024);
	evhttp_set_default_content_type(httpd_http, HTTPD_TEXT_TYPE);
	evhttp_set_gencb(httpd_http, httpd_request_cb, NULL);

	errno = 0;
	if ((bound = evhttp_bind_socket_with_handle(httpd_http, addr,
	    0)) == NULL)
		httpd_fatal("cannot bind %s: %s", addr,
		    errno != 0 ? strerror(errno) : "failed");
	port = httpd_bound_port(bound);

	/* Before the port is out: a test may signal as soon as it reads it. */
	sigterm = evsignal_new(httpd_base, SIGTERM, httpd_signal_cb, NULL);
	sigint = evsignal_new(httpd_base, SIGINT, httpd_signal_cb, NULL);
	if (sigterm == NULL || sigint == NULL ||
	    evsignal_add(sigterm, NULL) == -1 ||
	    evsignal_add(sigint, NULL) == -1)
		httpd_fatal("cannot catch signals");
	if (portfile != NULL)
		httpd_write_port(portfile, port);

	if (event_base_dispatch(httpd_base) == -1)
		httpd_fatal("event_base_dispatch failed");

	/* Closing every connection runs httpd_close_cb for what is pending. */
	evhttp_free(httpd_http);
	while ((p = TAILQ_FIRST(&httpd_pendings)) != NULL) {
		if (evhttp_request_get_connection(p->req) == NULL)
			evhttp_request_free(p->req);
		httpd_pending_free(p);
	}
	while ((b = httpd_bombs) != NULL) {
		httpd_bombs = b->next;
		free(b->data);
		free(b);
	}
	event_free(sigterm);
	event_free(sigint);
	event_base_free(httpd_base);
	libevent_global_shutdown();
	if (httpd_log != NULL)
		fclose(httpd_log);
	return (0);
}
