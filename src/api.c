/*
 * The HTTP API, on the daemon's own loop (evhttp): /healthz and /metrics
 * answered at once from the loop's state; reports (exports, spikes, the
 * dashboard, ...) run as queries on threads and are streamed.  Read-only:
 * GET and HEAD only, and nothing here writes to the database.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "mentiond.h"

#define API_MAX_QUERIES	4		/* reports running at once */
#define API_TIMEOUT	60		/* seconds of silence on a connection */
#define API_MAX_HEADERS	8192		/* request line and headers */
#define API_MAX_BODY	1024		/* GET has none */
#define API_HOLD	65536		/* buffered before streaming starts */
#define API_HIGH_WATER	(256 * 1024)	/* unsent bytes before pausing */

/* A report request in flight. */
struct api_req {
	struct api		*api;
	struct evhttp_request	*req;
	struct evhttp_connection *evcon;
	struct query		*q;
	struct evbuffer		*held;		/* before the reply started */
	const char		*type;		/* Content-Type */
	const char		*path;
	int			 started;
	int			 paused;
	struct api_req		*prev;
	struct api_req		*next;
};

struct api {
	struct event_base	*base;
	struct evhttp		*http;
	struct conf		*conf;		/* a reference */
	struct sched		*sched;
	char			*dbpath;
	struct api_req		*reqs;
	size_t			 nreqs;
};

/* Where each report is served, and what the path fixes. */
static const struct api_route {
	const char		*path;
	enum report_kind	 kind;
	int			 out;		/* -1: the report's own */
	int			 export_format;	/* -1: long, wide or ratio */
} api_routes[] = {
	{ "/", REPORT_DASHBOARD, -1, -1 },
	{ "/plot.svg", REPORT_PLOT, -1, -1 },
	{ "/v1/export.csv", REPORT_EXPORT, -1, -1 },
	{ "/v1/export.json", REPORT_EXPORT, -1, EXPORT_JSON },
	{ "/v1/cooccur.csv", REPORT_COOCCUR, -1, -1 },
	{ "/v1/coverage.csv", REPORT_COVERAGE, -1, -1 },
	{ "/v1/spikes.json", REPORT_SPIKES, REPORT_JSON, -1 },
	{ "/v1/spikes.csv", REPORT_SPIKES, REPORT_CSV, -1 },
	{ "/v1/top.json", REPORT_TOP, REPORT_JSON, -1 },
	{ "/v1/top.csv", REPORT_TOP, REPORT_CSV, -1 },
	{ "/v1/sources.json", REPORT_SOURCES, REPORT_JSON, -1 },
	{ "/v1/sources.csv", REPORT_SOURCES, REPORT_CSV, -1 },
	{ "/v1/rules.json", REPORT_RULES, REPORT_JSON, -1 },
	{ "/v1/rules.csv", REPORT_RULES, REPORT_CSV, -1 },
};

/*
 * Open the listening socket for listen = ADDR:PORT.  Done before the
 * daemon detaches, so that a port in use is an error at start.
 */
int
api_listen(const struct conf *conf, char **cause)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 len;
	char			*host;
	int			 port, loopback, fd, one = 1;

	if (conf_listen(conf->listen, &host, &port, &loopback) != 0) {
		xasprintf(cause, "listen: \"%s\" is not ADDRESS:PORT",
		    conf->listen);
		return (-1);
	}
	memset(&ss, 0, sizeof ss);
	if (strchr(host, ':') != NULL) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, host, &sin6->sin6_addr);
		len = sizeof *sin6;
	} else {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, host, &sin->sin_addr);
		len = sizeof *sin;
	}
	free(host);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1) {
		xasprintf(cause, "listen %s: socket: %s", conf->listen,
		    strerror(errno));
		return (-1);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, 128) == -1) {
		xasprintf(cause, "listen %s: %s", conf->listen,
		    strerror(errno));
		close(fd);
		return (-1);
	}
	return (fd);
}

/* Headers every response carries. */
static void
api_headers(struct evhttp_request *req, const char *type)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	if (strncmp(type, "text/html", 9) == 0)
		evhttp_add_header(h, "Content-Security-Policy",
		    "default-src 'none'; style-src 'unsafe-inline'; "
		    "img-src 'self'; form-action 'self'; "
		    "frame-ancestors 'none'");
}

static void
api_reply(struct evhttp_request *req, int status, const char *type,
    struct evbuffer *body)
{
	api_headers(req, type);
	metrics_http(status);
	evhttp_send_reply(req, status, NULL, body);
}

/* A JSON error naming the parameter at fault (or none). */
static void
api_error(struct evhttp_request *req, int status, const char *param,
    const char *fmt, ...)
{
	struct evbuffer	*body;
	struct buf	 b;
	va_list		 ap;
	char		*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	buf_init(&b);
	buf_adds(&b, "{\"error\":");
	json_string(&b, msg);
	if (param != NULL) {
		buf_adds(&b, ",\"parameter\":");
		json_string(&b, param);
	}
	buf_adds(&b, "}\n");
	body = evbuffer_new();
	evbuffer_add(body, b.data, b.len);
	api_reply(req, status, "application/json", body);
	evbuffer_free(body);
	buf_free(&b);
	free(msg);
}

/* Constant time, so the token cannot be guessed a byte at a time. */
static int
api_authorized(struct api *api, struct evhttp_request *req)
{
	const char	*h, *tok = api->conf->api_token;
	size_t		 i, n;
	unsigned char	 diff = 0;

	if (tok == NULL)
		return (1);
	h = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Authorization");
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return (0);
	h += 7;
	n = strlen(tok);
	if (strlen(h) != n)
		return (0);
	for (i = 0; i < n; i++)
		diff |= (unsigned char)h[i] ^ (unsigned char)tok[i];
	return (diff == 0);
}

static void
api_healthz(struct api *api, struct evhttp_request *req)
{
	struct sched_health	 h;
	struct evbuffer		*body;
	struct buf		 b;
	char			 when[32];
	int			 ok;

	sched_health(api->sched, &h);
	ok = h.store_error == NULL && access(api->dbpath, W_OK) == 0;
	buf_init(&b);
	buf_printf(&b, "{\"status\":\"%s\",\"sources\":%zu,\"failing\":%zu,"
	    "\"database\":", ok ? "ok" : "error", h.sources, h.failing);
	if (h.store_error != NULL) {
		buf_adds(&b, "{\"writable\":false,\"error\":");
		json_string(&b, h.store_error);
		buf_adds(&b, "}");
	} else
		buf_printf(&b, "{\"writable\":%s}", ok ? "true" : "false");
	buf_adds(&b, ",\"last_success\":");
	if (h.last_success != 0) {
		date_iso(h.last_success, when, sizeof when);
		buf_printf(&b, "\"%s\"", when);
	} else
		buf_adds(&b, "null");
	buf_adds(&b, "}\n");
	body = evbuffer_new();
	evbuffer_add(body, b.data, b.len);
	api_reply(req, ok ? 200 : 503, "application/json", body);
	evbuffer_free(body);
	buf_free(&b);
}

static void
api_metrics(struct api *api, struct evhttp_request *req)
{
	struct sched_health	 h;
	struct evbuffer		*body;
	struct buf		 b;

	sched_health(api->sched, &h);
	buf_init(&b);
	metrics_write(&b, api->conf, &h, store_size(api->dbpath));
	body = evbuffer_new();
	evbuffer_add(body, b.data, b.len);
	api_reply(req, 200, "text/plain; version=0.0.4; charset=utf-8", body);
	evbuffer_free(body);
	buf_free(&b);
}

static void
api_req_free(struct api_req *ar)
{
	struct api	*api = ar->api;

	if (ar->evcon != NULL)
		evhttp_connection_set_closecb(ar->evcon, NULL, NULL);
	if (ar->q != NULL)
		query_free(ar->q);
	if (ar->held != NULL)
		evbuffer_free(ar->held);
	if (ar->prev != NULL)
		ar->prev->next = ar->next;
	else
		api->reqs = ar->next;
	if (ar->next != NULL)
		ar->next->prev = ar->prev;
	api->nreqs--;
	free(ar);
}

/* The client has drained what was sent: read on. */
static void
api_drained_cb(struct evhttp_connection *evcon, void *arg)
{
	struct api_req	*ar = arg;

	(void)evcon;
	if (ar->paused) {
		ar->paused = 0;
		query_resume(ar->q);
	}
}

/* Send what is held as the start of a chunked reply. */
static void
api_stream(struct api_req *ar)
{
	struct bufferevent	*bev;

	if (!ar->started) {
		api_headers(ar->req, ar->type);
		metrics_http(200);
		evhttp_send_reply_start(ar->req, 200, "OK");
		ar->started = 1;
	}
	evhttp_send_reply_chunk_with_cb(ar->req, ar->held, api_drained_cb, ar);
	bev = evhttp_connection_get_bufferevent(ar->evcon);
	if (evbuffer_get_length(bufferevent_get_output(bev)) > API_HIGH_WATER &&
	    !ar->paused) {
		ar->paused = 1;
		query_pause(ar->q);
	}
}

static void
api_data_cb(struct query *q, void *arg, const void *data, size_t len)
{
	struct api_req	*ar = arg;

	(void)q;
	evbuffer_add(ar->held, data, len);
	if (ar->started || evbuffer_get_length(ar->held) >= API_HOLD)
		api_stream(ar);
}

static void
api_done_cb(struct query *q, void *arg, int rc, char *cause)
{
	struct api_req		*ar = arg;
	struct evhttp_connection *evcon = ar->evcon;
	const char		*param;

	(void)q;
	if (rc == 0 && !ar->started)
		api_reply(ar->req, 200, ar->type, ar->held);
	else if (rc == 0)
		evhttp_send_reply_end(ar->req);
	else if (!ar->started) {
		param = rc == -2 ? report_cause_param(cause) : NULL;
		if (rc != -2)
			log_warnx("API %s: %s", ar->path, cause != NULL ?
			    cause : "failed");
		api_error(ar->req, rc == -2 ? 400 : 500, param, "%s",
		    cause != NULL ? cause : "failed");
	} else {
		/* Cut short: closing says so; a last chunk would not. */
		log_warnx("API %s: %s; response cut short", ar->path,
		    cause != NULL ? cause : "failed");
		evhttp_connection_set_closecb(evcon, NULL, NULL);
		ar->evcon = NULL;
		evhttp_connection_free(evcon);
	}
	free(cause);
	api_req_free(ar);
}

/* The client went away mid-reply: libevent left the request to us. */
static void
api_close_cb(struct evhttp_connection *evcon, void *arg)
{
	struct api_req		*ar = arg;
	struct evhttp_request	*req = ar->req;

	(void)evcon;
	ar->evcon = NULL;
	api_req_free(ar);
	if (evhttp_request_get_connection(req) == NULL)
		evhttp_request_free(req);
}

/* Parse a route's query string into r; 0, or -1 after replying 400. */
static int
api_params(struct evhttp_request *req, const struct api_route *rt,
    struct report *r)
{
	struct evkeyvalq	 kv;
	struct evkeyval		*e;
	const char		*q, *param;
	char			*cause = NULL;
	int			 rc;

	TAILQ_INIT(&kv);
	q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	if (q != NULL && evhttp_parse_query_str(q, &kv) != 0) {
		api_error(req, 400, NULL, "the query string is malformed");
		return (-1);
	}
	TAILQ_FOREACH(e, &kv, next) {
		/* Empty fields come from the dashboard's form: unset. */
		if (rt->kind == REPORT_DASHBOARD && *e->value == '\0')
			continue;
		if (strcmp(e->key, "format") == 0 && (rt->out != -1 ||
		    rt->export_format != -1 || strcmp(e->value, "json") ==
		    0)) {
			api_error(req, 400, "format", "format: this path "
			    "serves one format; use %s", rt->kind ==
			    REPORT_EXPORT ? "/v1/export.csv (long, wide, "
			    "ratio) or /v1/export.json" : "the .csv or .json "
			    "path");
			evhttp_clear_headers(&kv);
			return (-1);
		}
		rc = report_option(r, e->key, e->value, &cause);
		if (rc == 1) {
			api_error(req, 400, e->key, "unknown parameter \"%s\" "
			    "for %s", e->key, rt->path);
			evhttp_clear_headers(&kv);
			return (-1);
		}
		if (rc != 0) {
			api_error(req, 400, e->key, "%s: %s", e->key, cause);
			free(cause);
			evhttp_clear_headers(&kv);
			return (-1);
		}
	}
	evhttp_clear_headers(&kv);
	if (rt->out != -1)
		r->out = rt->out;
	if (rt->export_format != -1)
		r->o.format = rt->export_format;
	if (report_check(r, &param, &cause) != 0) {
		api_error(req, 400, param, "%s", cause);
		free(cause);
		return (-1);
	}
	return (0);
}

static void
api_request_cb(struct evhttp_request *req, void *arg)
{
	struct api		*api = arg;
	const struct api_route	*rt = NULL;
	struct api_req		*ar;
	struct report		 r;
	const char		*path;
	char			*cause = NULL;
	size_t			 i;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET &&
	    evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		api_error(req, 405, NULL, "the API is read-only: GET or HEAD");
		return;
	}
	if (!api_authorized(api, req)) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Bearer realm=\"mentiond\"");
		api_error(req, 401, NULL, "this API needs "
		    "\"Authorization: Bearer\" and the api_token");
		return;
	}
	path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	if (path == NULL || *path == '\0')
		path = "/";
	if (strcmp(path, "/healthz") == 0) {
		api_healthz(api, req);
		return;
	}
	if (strcmp(path, "/metrics") == 0) {
		api_metrics(api, req);
		return;
	}
	for (i = 0; i < nitems(api_routes); i++) {
		if (strcmp(api_routes[i].path, path) == 0)
			rt = &api_routes[i];
	}
	if (rt == NULL) {
		api_error(req, 404, NULL, "no such path; see mentiond(8) for "
		    "the API");
		return;
	}
	report_init(&r, rt->kind);
	if (api_params(req, rt, &r) != 0) {
		report_clear(&r);
		return;
	}
	if (api->nreqs >= API_MAX_QUERIES) {
		report_clear(&r);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Retry-After", "1");
		api_error(req, 503, NULL, "%d reports are running; try again",
		    API_MAX_QUERIES);
		return;
	}

	ar = xcalloc(1, sizeof *ar);
	ar->api = api;
	ar->req = req;
	ar->evcon = evhttp_request_get_connection(req);
	ar->held = evbuffer_new();
	ar->type = report_content_type(&r);
	ar->path = rt->path;
	ar->next = api->reqs;
	if (api->reqs != NULL)
		api->reqs->prev = ar;
	api->reqs = ar;
	api->nreqs++;
	ar->q = query_start(api->base, api->dbpath, api->conf, &r, api_data_cb,
	    api_done_cb, ar, &cause);
	if (ar->q == NULL) {
		log_warnx("API %s: %s", rt->path, cause);
		api_error(req, 500, NULL, "%s", cause);
		free(cause);
		report_clear(&r);
		api_req_free(ar);
		return;
	}
	evhttp_connection_set_closecb(ar->evcon, api_close_cb, ar);
}

/* Serve on fd (from api_listen) with the loop's base. */
struct api *
api_new(struct event_base *base, int fd, struct conf *conf,
    struct sched *sched)
{
	struct api	*api;

	api = xcalloc(1, sizeof *api);
	api->base = base;
	api->conf = conf_ref(conf);
	api->sched = sched;
	api->dbpath = xstrdup(conf->database);
	if ((api->http = evhttp_new(base)) == NULL)
		fatalx("evhttp_new failed");
	/* Any method reaches api_request_cb, which answers 405 but to these. */
	evhttp_set_allowed_methods(api->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_max_headers_size(api->http, API_MAX_HEADERS);
	evhttp_set_max_body_size(api->http, API_MAX_BODY);
	evhttp_set_timeout(api->http, API_TIMEOUT);
	evhttp_set_gencb(api->http, api_request_cb, api);
	if (evhttp_accept_socket(api->http, fd) != 0)
		fatalx("evhttp_accept_socket failed");
	log_info("HTTP API on %s%s", conf->listen, conf->api_token != NULL ?
	    " (token required)" : "");
	return (api);
}

/* New rules and token; the listener stays (a new address needs a restart). */
void
api_reload(struct api *api, struct conf *conf)
{
	if (strcmp(conf->listen, api->conf->listen) != 0)
		log_warnx("reload: listen changed to \"%s\"; a restart is "
		    "needed for that, still serving %s", conf->listen,
		    api->conf->listen);
	conf_unref(api->conf);
	api->conf = conf_ref(conf);
}

/* Stop serving: reports in flight are cut off, their threads stopped. */
void
api_free(struct api *api)
{
	if (api == NULL)
		return;
	while (api->reqs != NULL)
		api_req_free(api->reqs);
	evhttp_free(api->http);	/* and the connections, requests with them */
	if (query_drain(1500) != 0)
		log_warnx("API queries still running at exit");
	conf_unref(api->conf);
	free(api->dbpath);
	free(api);
}
