/*
 * The configuration (SPEC "Configuration"), read with libinih.  inih calls
 * back per key; our reader hands it one line at a time, which is where line
 * numbers, section header positions and the line-length limit are kept, and
 * where leading white space is dropped so that indented keys (git-config
 * style) are keys rather than inih's continuation lines.  Loading stops at
 * the first error, reported as "file:line: key: problem".
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>

#include "mentiond.h"

#ifndef MENTIOND_CONF
#define MENTIOND_CONF	"/etc/mentiond/mentiond.conf"
#endif
#ifndef MENTIOND_DB
#define MENTIOND_DB	"/var/lib/mentiond/mentiond.db"
#endif

#define CONF_LINE_MAX	INI_MAX_LINE	/* inih's buffer, with the NUL */

enum conf_section {
	SECTION_NONE,
	SECTION_MAIN,
	SECTION_SOURCE,
	SECTION_RULE
};

/* A section header as the reader saw it: used to report empty sections. */
struct conf_header {
	int	line;
	int	used;
	int	main;		/* [mentiond]: may be empty */
};

/* A rules/sources glob and where it was given, for error messages. */
struct conf_include {
	char	*glob;		/* resolved against the file's directory */
	char	*key;
	int	 line;
};

struct conf_parse {
	struct conf		 *conf;
	FILE			 *fp;
	const char		 *file;
	char			 *dir;
	int			  main;		/* the main file */
	int			  line;
	int			  header_line;	/* latest [section] line */
	int			  section_line;	/* section being filled */
	enum conf_section	  section;
	struct rule		 *rule;
	struct source		 *source;
	uint64_t		  seen;		/* scalar keys given */
	struct conf_header	 *headers;
	size_t			  nheaders;
	struct conf_include	 *includes;
	size_t			  nincludes;
	int			  listen_line;	/* 0: listen not given */
	char			 *error;
};

const char *
conf_default_path(void)
{
	return (MENTIOND_CONF);
}

static void
conf_error(struct conf_parse *p, const char *key, const char *fmt, ...)
    printflike(3, 4);

/* Record the first error; later ones are consequences. */
static void
conf_error(struct conf_parse *p, const char *key, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (p->error != NULL)
		return;
	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (key != NULL)
		xasprintf(&p->error, "%s:%d: %s: %s", p->file, p->line, key,
		    msg);
	else
		xasprintf(&p->error, "%s:%d: %s", p->file, p->line, msg);
	free(msg);
}

/* Names of rules and sources: [A-Za-z0-9._-]+. */
int
conf_valid_name(const char *s)
{
	if (*s == '\0')
		return (0);
	for (; *s != '\0'; s++) {
		if (!isalnum((u_char)*s) && *s != '.' && *s != '_' &&
		    *s != '-')
			return (0);
	}
	return (1);
}

/* "30s", "15m", "2h", "1d", "1w"; a bare number is seconds. */
int
conf_duration(const char *s, int64_t *out)
{
	char		*end;
	long long	 v;
	int64_t		 mul = 1;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || errno != 0 || v < 0 || !isdigit((u_char)*s))
		return (-1);
	switch (*end) {
	case '\0':
		break;
	case 's':
		break;
	case 'm':
		mul = 60;
		break;
	case 'h':
		mul = 3600;
		break;
	case 'd':
		mul = 86400;
		break;
	case 'w':
		mul = 7 * 86400;
		break;
	default:
		return (-1);
	}
	if (*end != '\0' && end[1] != '\0')
		return (-1);
	if (v > INT64_MAX / mul)
		return (-1);
	*out = v * mul;
	return (0);
}

/* "512K", "8M", "1G"; a bare number is bytes. */
int
conf_size(const char *s, size_t *out)
{
	char			*end;
	unsigned long long	 v, mul = 1;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno != 0 || !isdigit((u_char)*s))
		return (-1);
	switch (toupper((u_char)*end)) {
	case '\0':
		break;
	case 'K':
		mul = 1024;
		break;
	case 'M':
		mul = 1024 * 1024;
		break;
	case 'G':
		mul = 1024 * 1024 * 1024;
		break;
	default:
		return (-1);
	}
	if (*end != '\0' && end[1] != '\0' &&
	    !((end[1] == 'B' || end[1] == 'b') && end[2] == '\0'))
		return (-1);
	if (v > SIZE_MAX / mul)
		return (-1);
	*out = (size_t)(v * mul);
	return (0);
}

static int
conf_bool(const char *s, int *out)
{
	if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "true") == 0 ||
	    strcasecmp(s, "on") == 0 || strcmp(s, "1") == 0)
		*out = 1;
	else if (strcasecmp(s, "no") == 0 || strcasecmp(s, "false") == 0 ||
	    strcasecmp(s, "off") == 0 || strcmp(s, "0") == 0)
		*out = 0;
	else
		return (-1);
	return (0);
}

static int
conf_int(const char *s, long long min, long long max, long long *out)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || v < min || v > max)
		return (-1);
	*out = v;
	return (0);
}

/* A path relative to dir unless it is absolute. */
char *
conf_resolve(const char *dir, const char *path)
{
	char	*s;

	if (path[0] == '/' || dir == NULL || *dir == '\0')
		return (xstrdup(path));
	xasprintf(&s, "%s/%s", dir, path);
	return (s);
}

/*
 * Like conf_resolve, but absolute even when the config was named by a
 * relative path: a detached daemon changes directory to /.
 */
static char *
conf_absolute(const char *dir, const char *path)
{
	char	*rel, *abs, cwd[PATH_MAX];

	rel = conf_resolve(dir, path);
	if (rel[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		return (rel);
	xasprintf(&abs, "%s/%s", cwd, rel);
	free(rel);
	return (abs);
}

static char *
conf_dirname(const char *path)
{
	char	*copy, *d;

	copy = xstrdup(path);
	d = xstrdup(dirname(copy));
	free(copy);
	return (d);
}

/* A scalar key may be given once per section. */
static int
conf_once(struct conf_parse *p, const char *key, int bit)
{
	if (p->seen & (1ULL << bit)) {
		conf_error(p, key, "given twice in this section");
		return (-1);
	}
	p->seen |= 1ULL << bit;
	return (0);
}

static void
conf_set(char **dst, const char *value)
{
	free(*dst);
	*dst = xstrdup(value);
}

/*
 * listen = ADDRESS:PORT: a numeric IPv4 address, [IPv6], or localhost.
 * Names other than localhost are refused: what a name resolves to can
 * change, and whether the API is exposed must not.
 */
int
conf_listen(const char *value, char **host, int *port, int *loopback)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;
	const char	*colon;
	char		*h, *end;
	long		 v;

	if (*value == '[') {
		if ((colon = strstr(value, "]:")) == NULL)
			return (-1);
		h = xstrndup(value + 1, (size_t)(colon - value - 1));
		colon++;
		if (inet_pton(AF_INET6, h, &a6) != 1) {
			free(h);
			return (-1);
		}
		*loopback = IN6_IS_ADDR_LOOPBACK(&a6);
	} else {
		if ((colon = strrchr(value, ':')) == NULL)
			return (-1);
		h = xstrndup(value, (size_t)(colon - value));
		if (strcmp(h, "localhost") == 0) {
			free(h);
			h = xstrdup("127.0.0.1");
		}
		if (inet_pton(AF_INET, h, &a4) != 1) {
			free(h);
			return (-1);
		}
		*loopback = (ntohl(a4.s_addr) >> 24) == 127;
	}
	errno = 0;
	v = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || v < 1 || v > 65535) {
		free(h);
		return (-1);
	}
	*host = h;
	*port = (int)v;
	return (0);
}

/* The API may face the network only behind a token. */
static int
conf_listen_check(struct conf *c, const char *path, int line, char **cause)
{
	char	*host;
	int	 port, loopback;

	if (c->listen == NULL || *c->listen == '\0' || c->api_token != NULL)
		return (0);
	if (conf_listen(c->listen, &host, &port, &loopback) != 0)
		return (0);	/* said already */
	free(host);
	if (loopback)
		return (0);
	xasprintf(cause, "%s:%d: listen: %s is not a loopback address; set "
	    "api_token to serve the API beyond this machine", path, line,
	    c->listen);
	return (-1);
}

static void
conf_main_key(struct conf_parse *p, const char *key, const char *value)
{
	struct conf	*c = p->conf;
	long long	 v;

	if (strcmp(key, "rules") == 0 || strcmp(key, "sources") == 0) {
		p->includes = xreallocarray(p->includes, p->nincludes + 1,
		    sizeof *p->includes);
		p->includes[p->nincludes].glob = conf_resolve(p->dir, value);
		p->includes[p->nincludes].key = xstrdup(key);
		p->includes[p->nincludes].line = p->line;
		p->nincludes++;
		return;
	}
	if (strcmp(key, "database") == 0) {
		if (conf_once(p, key, 0) == 0) {
			free(c->database);
			c->database = conf_absolute(p->dir, value);
		}
	} else if (strcmp(key, "user_agent") == 0) {
		if (conf_once(p, key, 1) == 0)
			conf_set(&c->user_agent, value);
	} else if (strcmp(key, "max_connections") == 0) {
		if (conf_once(p, key, 2) == 0) {
			if (conf_int(value, 1, 10000, &v) != 0)
				conf_error(p, key, "\"%s\" is not a number "
				    "from 1 to 10000", value);
			c->max_connections = (int)v;
		}
	} else if (strcmp(key, "max_host_connections") == 0) {
		if (conf_once(p, key, 3) == 0) {
			if (conf_int(value, 1, 1000, &v) != 0)
				conf_error(p, key, "\"%s\" is not a number "
				    "from 1 to 1000", value);
			c->max_host_connections = (int)v;
		}
	} else if (strcmp(key, "timeout") == 0) {
		if (conf_once(p, key, 4) == 0 &&
		    (conf_duration(value, &c->timeout) != 0 || c->timeout == 0))
			conf_error(p, key, "\"%s\" is not a duration (30s, 15m, "
			    "2h, 1d)", value);
	} else if (strcmp(key, "connect_timeout") == 0) {
		if (conf_once(p, key, 5) == 0 &&
		    (conf_duration(value, &c->connect_timeout) != 0 ||
		    c->connect_timeout == 0))
			conf_error(p, key, "\"%s\" is not a duration (30s, 15m, "
			    "2h, 1d)", value);
	} else if (strcmp(key, "max_body") == 0) {
		if (conf_once(p, key, 6) == 0 &&
		    (conf_size(value, &c->max_body) != 0 || c->max_body == 0))
			conf_error(p, key, "\"%s\" is not a size (512K, 8M)",
			    value);
	} else if (strcmp(key, "listen") == 0) {
		if (conf_once(p, key, 7) == 0) {
			char	*host;
			int	 port, loopback;

			if (*value != '\0' && conf_listen(value, &host, &port,
			    &loopback) != 0)
				conf_error(p, key, "\"%s\" is not ADDRESS:PORT "
				    "(127.0.0.1:8470, [::1]:8470), or empty for "
				    "off", value);
			else if (*value != '\0')
				free(host);
			conf_set(&c->listen, value);
			p->listen_line = p->line;
		}
	} else if (strcmp(key, "api_token") == 0) {
		if (conf_once(p, key, 13) == 0) {
			if (strlen(value) < 16 || strspn(value,
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789-._~+/=") != strlen(value))
				conf_error(p, key, "needs 16 or more letters, "
				    "digits or -._~+/= (openssl rand -hex 24 "
				    "makes one)");
			else
				conf_set(&c->api_token, value);
		}
	} else if (strcmp(key, "text_retention") == 0) {
		if (conf_once(p, key, 8) == 0 &&
		    conf_duration(value, &c->text_retention) != 0)
			conf_error(p, key, "\"%s\" is not a duration (30s, 15m, "
			    "2h, 1d)", value);
	} else if (strcmp(key, "match_limit") == 0) {
		if (conf_once(p, key, 9) == 0) {
			if (conf_int(value, 1000, 1000000000, &v) != 0)
				conf_error(p, key, "\"%s\" is not a number "
				    "from 1000 to 1000000000", value);
			c->match_limit = (uint32_t)v;
		}
	} else if (strcmp(key, "jit") == 0) {
		if (conf_once(p, key, 12) == 0 && conf_bool(value, &c->jit) != 0)
			conf_error(p, key, "\"%s\" is not yes or no", value);
	} else if (strcmp(key, "workers") == 0) {
		if (conf_once(p, key, 11) == 0) {
			if (strcmp(value, "auto") == 0)
				c->workers = -1;
			else if (conf_int(value, 0, 64, &v) != 0)
				conf_error(p, key, "\"%s\" is not auto or a "
				    "number from 0 to 64", value);
			else
				c->workers = (int)v;
		}
	} else if (strcmp(key, "interval") == 0) {
		if (conf_once(p, key, 10) == 0 &&
		    (conf_duration(value, &c->default_interval) != 0 ||
		    c->default_interval < 1))
			conf_error(p, key, "\"%s\" is not a duration of at "
			    "least 1s", value);
	} else
		conf_error(p, key, "unknown key in [mentiond]");
}

/*
 * file:// URLs name local files; "file:rel/path" (no slashes) is relative
 * to the config file and is made absolute here.
 */
static int
conf_url(struct conf_parse *p, const char *value, char **out)
{
	char	*path;

	if (strncasecmp(value, "http://", 7) == 0 ||
	    strncasecmp(value, "https://", 8) == 0) {
		if (strlen(value) <= (value[4] == ':' ? 7 : 8)) {
			conf_error(p, "url", "\"%s\" has no host", value);
			return (-1);
		}
		*out = xstrdup(value);
		return (0);
	}
	if (strncasecmp(value, "file://", 7) == 0) {
		if (value[7] != '/') {
			conf_error(p, "url", "\"%s\": a file URL needs an "
			    "absolute path (file:///path) or file:relative/path",
			    value);
			return (-1);
		}
		*out = xstrdup(value);
		return (0);
	}
	if (strncasecmp(value, "file:", 5) == 0 && value[5] != '\0') {
		path = conf_resolve(p->dir, value + 5);
		if (path[0] == '/')
			xasprintf(out, "file://%s", path);
		else {
			char	cwd[PATH_MAX];

			if (getcwd(cwd, sizeof cwd) == NULL)
				fatal("getcwd");
			xasprintf(out, "file://%s/%s", cwd, path);
		}
		free(path);
		return (0);
	}
	conf_error(p, "url", "\"%s\" is not an http, https or file URL", value);
	return (-1);
}

static void
conf_source_key(struct conf_parse *p, const char *key, const char *value)
{
	struct source	*s = p->source;
	char		*copy, *tok, *save, *t;
	size_t		 len;

	if (strcmp(key, "url") == 0) {
		if (conf_once(p, key, 0) == 0) {
			free(s->url);
			s->url = NULL;
			conf_url(p, value, &s->url);
		}
	} else if (strcmp(key, "interval") == 0) {
		if (conf_once(p, key, 1) == 0 &&
		    (conf_duration(value, &s->interval) != 0 ||
		    s->interval < 1))
			conf_error(p, key, "\"%s\" is not a duration of at "
			    "least 1s", value);
	} else if (strcmp(key, "tags") == 0) {
		copy = xstrdup(value);
		for (tok = strtok_r(copy, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save)) {
			while (isspace((u_char)*tok))
				tok++;
			len = strlen(tok);
			while (len > 0 && isspace((u_char)tok[len - 1]))
				len--;
			if (len == 0)
				continue;
			t = xstrndup(tok, len);
			s->tags = xreallocarray(s->tags, s->ntags + 1,
			    sizeof *s->tags);
			s->tags[s->ntags++] = t;
		}
		free(copy);
	} else if (strcmp(key, "enabled") == 0) {
		if (conf_once(p, key, 2) == 0 &&
		    conf_bool(value, &s->enabled) != 0)
			conf_error(p, key, "\"%s\" is not yes or no", value);
	} else
		conf_error(p, key, "unknown key in [source \"%s\"]", s->name);
}

static void
conf_pattern(char ***list, int **lines, size_t *n, const char *v, int line)
{
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	*lines = xreallocarray(*lines, *n + 1, sizeof **lines);
	(*list)[*n] = xstrdup(v);
	(*lines)[*n] = line;
	(*n)++;
}

static void
conf_rule_key(struct conf_parse *p, const char *key, const char *value)
{
	struct rule	*r = p->rule;

	if (strcmp(key, "match") == 0)
		conf_pattern(&r->match, &r->match_line, &r->nmatch, value,
		    p->line);
	else if (strcmp(key, "exclude") == 0)
		conf_pattern(&r->exclude, &r->exclude_line, &r->nexclude,
		    value, p->line);
	else if (strcmp(key, "kind") == 0) {
		if (conf_once(p, key, 0) == 0)
			conf_set(&r->kind, value);
	} else if (strcmp(key, "label") == 0) {
		if (conf_once(p, key, 1) == 0)
			conf_set(&r->label, value);
	} else
		conf_error(p, key, "unknown key in [rule \"%s\"]", r->name);
}

struct rule *
conf_rule(struct conf *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->nrules; i++) {
		if (strcmp(c->rules[i]->name, name) == 0)
			return (c->rules[i]);
	}
	return (NULL);
}

struct source *
conf_source(struct conf *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->nsources; i++) {
		if (strcmp(c->sources[i]->name, name) == 0)
			return (c->sources[i]);
	}
	return (NULL);
}

/* A new [kind "name"] section begins: check the name, create its object. */
static void
conf_section_start(struct conf_parse *p, const char *section)
{
	struct conf	*c = p->conf;
	char		 kind[32], name[256];
	const char	*q, *e;
	size_t		 klen, i;
	int		 saved = p->line;

	p->line = p->header_line;
	p->section_line = p->header_line;
	p->seen = 0;
	p->rule = NULL;
	p->source = NULL;
	p->section = SECTION_NONE;
	for (i = 0; i < p->nheaders; i++) {
		if (p->headers[i].line == p->header_line)
			p->headers[i].used = 1;
	}

	while (isspace((u_char)*section))
		section++;
	for (klen = 0; isalpha((u_char)section[klen]); klen++)
		;
	if (klen == 0 || klen >= sizeof kind) {
		conf_error(p, NULL, "bad section header [%s]", section);
		goto out;
	}
	memcpy(kind, section, klen);
	kind[klen] = '\0';
	q = section + klen;
	while (isspace((u_char)*q))
		q++;
	if (strcmp(kind, "mentiond") == 0 && *q == '\0') {
		if (!p->main)
			conf_error(p, NULL, "[mentiond] may only stand in the "
			    "main file, %s", c->path);
		p->section = SECTION_MAIN;
		goto out;
	}
	if (strcmp(kind, "source") != 0 && strcmp(kind, "rule") != 0) {
		conf_error(p, NULL, "unknown section [%s] (expected "
		    "[mentiond], [source \"name\"] or [rule \"name\"])",
		    section);
		goto out;
	}
	if (*q == '"') {
		q++;
		if ((e = strchr(q, '"')) == NULL || e[1] != '\0') {
			conf_error(p, NULL, "bad section header [%s]: "
			    "unterminated name", section);
			goto out;
		}
	} else {
		for (e = q; *e != '\0' && !isspace((u_char)*e); e++)
			;
		if (*e != '\0') {
			conf_error(p, NULL, "bad section header [%s]", section);
			goto out;
		}
	}
	if ((size_t)(e - q) >= sizeof name) {
		conf_error(p, NULL, "%s name too long", kind);
		goto out;
	}
	memcpy(name, q, e - q);
	name[e - q] = '\0';
	if (!conf_valid_name(name)) {
		conf_error(p, NULL, "bad %s name \"%s\": names are letters, "
		    "digits, '.', '_' and '-'", kind, name);
		goto out;
	}
	if (strcmp(kind, "rule") == 0) {
		struct rule	*old;

		if ((old = conf_rule(c, name)) != NULL) {
			conf_error(p, NULL, "duplicate rule \"%s\" (first "
			    "defined at %s:%d)", name, old->file, old->line);
			goto out;
		}
		p->rule = rule_new(name, p->file, p->line);
		c->rules = xreallocarray(c->rules, c->nrules + 1,
		    sizeof *c->rules);
		c->rules[c->nrules++] = p->rule;
		p->section = SECTION_RULE;
	} else {
		struct source	*old;

		if ((old = conf_source(c, name)) != NULL) {
			conf_error(p, NULL, "duplicate source \"%s\" (first "
			    "defined at %s:%d)", name, old->file, old->line);
			goto out;
		}
		p->source = xcalloc(1, sizeof *p->source);
		p->source->name = xstrdup(name);
		p->source->file = xstrdup(p->file);
		p->source->line = p->line;
		p->source->enabled = 1;
		p->source->interval = -1;	/* the default, once known */
		c->sources = xreallocarray(c->sources, c->nsources + 1,
		    sizeof *c->sources);
		c->sources[c->nsources++] = p->source;
		p->section = SECTION_SOURCE;
	}
out:
	p->line = saved;
}

static int
conf_handler_cb(void *arg, const char *section, const char *key,
    const char *value)
{
	struct conf_parse	*p = arg;

	if (p->error != NULL)
		return (1);
	if (p->header_line == 0) {
		conf_error(p, key, "key outside any section");
		return (1);
	}
	if (p->header_line != p->section_line)
		conf_section_start(p, section);
	if (p->error != NULL)
		return (1);
	switch (p->section) {
	case SECTION_MAIN:
		conf_main_key(p, key, value);
		break;
	case SECTION_SOURCE:
		conf_source_key(p, key, value);
		break;
	case SECTION_RULE:
		conf_rule_key(p, key, value);
		break;
	case SECTION_NONE:
		break;
	}
	return (1);
}

/* inih's line reader: count lines, note section headers, drop indentation. */
static char *
conf_reader_cb(char *str, int num, void *arg)
{
	struct conf_parse	*p = arg;
	size_t			 len, skip;

	if (p->error != NULL || fgets(str, num, p->fp) == NULL)
		return (NULL);
	p->line++;
	len = strlen(str);
	if (len == (size_t)num - 1 && str[len - 1] != '\n' && !feof(p->fp)) {
		conf_error(p, NULL, "line longer than %d bytes; split a long "
		    "pattern into several match lines", num - 2);
		return (NULL);
	}
	skip = 0;
	if (p->line == 1 && strncmp(str, "\xef\xbb\xbf", 3) == 0)
		skip = 3;	/* a UTF-8 byte-order mark */
	skip += strspn(str + skip, " \t");
	memmove(str, str + skip, len - skip + 1);
	if (str[0] == '[') {
		p->header_line = p->line;
		p->headers = xreallocarray(p->headers, p->nheaders + 1,
		    sizeof *p->headers);
		p->headers[p->nheaders].line = p->line;
		p->headers[p->nheaders].used = 0;
		p->headers[p->nheaders].main =
		    strncmp(str, "[mentiond]", 10) == 0;
		p->nheaders++;
	}
	return (str);
}

/* Parse one file into the configuration. */
static int
conf_file(struct conf_parse *p, const char *path, int main)
{
	size_t	i;
	int	rc;

	if ((p->fp = fopen(path, "r")) == NULL) {
		if (p->error == NULL)
			xasprintf(&p->error, "%s: %s", path, strerror(errno));
		return (-1);
	}
	p->file = path;
	p->dir = conf_dirname(path);
	p->main = main;
	p->line = 0;
	p->header_line = 0;
	p->section_line = 0;
	p->section = SECTION_NONE;
	free(p->headers);
	p->headers = NULL;
	p->nheaders = 0;

	rc = ini_parse_stream(conf_reader_cb, p, conf_handler_cb, p);
	if (rc > 0 && p->error == NULL) {
		p->line = rc;
		conf_error(p, NULL, "syntax error: expected \"key = value\", "
		    "[section], or a comment");
	}
	for (i = 0; i < p->nheaders && p->error == NULL; i++) {
		if (!p->headers[i].used && !p->headers[i].main) {
			p->line = p->headers[i].line;
			conf_error(p, NULL, "section has no keys");
		}
	}
	fclose(p->fp);
	p->fp = NULL;
	free(p->dir);
	p->dir = NULL;
	return (p->error != NULL ? -1 : 0);
}

/* A folder a glob cannot open: missing is "no match", anything else stops. */
static int
conf_glob_err(const char *path, int err)
{
	(void)path;
	errno = err;
	return (err != ENOENT && err != ENOTDIR);
}

static void
conf_includes_free(struct conf_parse *p)
{
	size_t	i;

	for (i = 0; i < p->nincludes; i++) {
		free(p->includes[i].glob);
		free(p->includes[i].key);
	}
	free(p->includes);
}

/* Has this file been read already (globs may overlap)? */
static int
conf_seen_file(char ***seen, size_t *nseen, const char *path)
{
	char	*real;
	size_t	 i;

	if ((real = realpath(path, NULL)) == NULL)
		real = xstrdup(path);
	for (i = 0; i < *nseen; i++) {
		if (strcmp((*seen)[i], real) == 0) {
			free(real);
			return (1);
		}
	}
	*seen = xreallocarray(*seen, *nseen + 1, sizeof **seen);
	(*seen)[(*nseen)++] = real;
	return (0);
}

static void
conf_defaults(struct conf *c)
{
	c->database = xstrdup(MENTIOND_DB);
	xasprintf(&c->user_agent, "mentiond/%s (+%s)", PACKAGE_VERSION,
	    PACKAGE_URL[0] != '\0' ? PACKAGE_URL : PACKAGE_BUGREPORT);
	c->max_connections = 64;
	c->max_host_connections = 4;
	c->timeout = 30;
	c->connect_timeout = 10;
	c->max_body = 8 * 1024 * 1024;
	c->listen = xstrdup("127.0.0.1:8470");
	c->text_retention = 90 * 86400;
	c->match_limit = 1000000;
	c->jit = 1;
	c->default_interval = 15 * 60;
	c->workers = -1;
	c->refs = 1;
}

/* Check what single keys cannot: required keys, and compile every rule. */
static int
conf_finish(struct conf *c, char **cause)
{
	struct source	*s;
	size_t		 i;

	for (i = 0; i < c->nsources; i++) {
		s = c->sources[i];
		if (s->url == NULL) {
			xasprintf(cause, "%s:%d: source \"%s\" has no url",
			    s->file, s->line, s->name);
			return (-1);
		}
		if (s->interval < 0)
			s->interval = c->default_interval;
	}
	for (i = 0; i < c->nrules; i++) {
		if (rule_compile(c->rules[i], c->jit, cause) != 0)
			return (-1);
	}
	c->prefilter = rule_set_new(c->rules, c->nrules);
	return (0);
}

/*
 * Load the main file at path and every file its rules/sources globs name.
 * On failure returns -1 with a cause naming file:line and key.
 */
int
conf_load(const char *path, struct conf **out, char **cause)
{
	struct conf_parse	 p;
	struct conf		*c;
	struct conf_include	*inc;
	glob_t			 g;
	char			**seen = NULL;
	size_t			 nseen = 0, i, j;
	int			 rc;

	c = xcalloc(1, sizeof *c);
	c->path = xstrdup(path);
	conf_defaults(c);

	memset(&p, 0, sizeof p);
	p.conf = c;
	conf_seen_file(&seen, &nseen, path);
	if (conf_file(&p, path, 1) != 0)
		goto fail;
	if (conf_listen_check(c, path, p.listen_line, &p.error) != 0)
		goto fail;

	for (i = 0; i < p.nincludes; i++) {
		inc = &p.includes[i];
		memset(&g, 0, sizeof g);
		errno = 0;
		rc = glob(inc->glob, 0, conf_glob_err, &g);
		if (rc == GLOB_NOMATCH || (rc == GLOB_ABORTED && errno == ENOENT)) {
			globfree(&g);
			if (strpbrk(inc->glob, "*?[") != NULL)
				continue;	/* an empty or absent rules.d */
			xasprintf(&p.error, "%s:%d: %s: %s: %s", path, inc->line,
			    inc->key, inc->glob, strerror(ENOENT));
			goto fail;
		}
		if (rc != 0) {
			globfree(&g);
			xasprintf(&p.error, "%s:%d: %s: %s: %s", path, inc->line,
			    inc->key, inc->glob, rc == GLOB_ABORTED && errno != 0 ?
			    strerror(errno) : "cannot read");
			goto fail;
		}
		for (j = 0; j < g.gl_pathc; j++) {
			if (conf_seen_file(&seen, &nseen, g.gl_pathv[j]))
				continue;
			if (conf_file(&p, g.gl_pathv[j], 0) != 0) {
				globfree(&g);
				goto fail;
			}
		}
		globfree(&g);
	}
	if (conf_finish(c, &p.error) != 0)
		goto fail;

	for (i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	conf_includes_free(&p);
	free(p.headers);
	*out = c;
	return (0);

fail:
	*cause = p.error;
	for (i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	conf_includes_free(&p);
	free(p.headers);
	conf_free(c);
	return (-1);
}

/* Jobs in flight keep the configuration they started with (rules, ids). */
struct conf *
conf_ref(struct conf *c)
{
	__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
	return (c);
}

/* Atomic: API queries let go of their configuration on their own threads. */
void
conf_unref(struct conf *c)
{
	if (c != NULL && __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) <= 0)
		conf_free(c);
}

void
conf_free(struct conf *c)
{
	struct source	*s;
	size_t		 i, j;

	if (c == NULL)
		return;
	for (i = 0; i < c->nrules; i++)
		rule_free(c->rules[i]);
	free(c->rules);
	rule_set_free(c->prefilter);
	for (i = 0; i < c->nsources; i++) {
		s = c->sources[i];
		free(s->name);
		free(s->url);
		for (j = 0; j < s->ntags; j++)
			free(s->tags[j]);
		free(s->tags);
		free(s->file);
		free(s);
	}
	free(c->sources);
	free(c->path);
	free(c->database);
	free(c->user_agent);
	free(c->listen);
	free(c->api_token);
	free(c);
}
