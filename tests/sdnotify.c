/*
 * tests/sdnotify.c: a NOTIFY_SOCKET owned by a test, as systemd would
 * provide: binds an AF_UNIX datagram socket at PATH and appends each
 * message to OUT as one line (newlines inside a message become '|'),
 * flushed at once, until SIGTERM.
 *
 *	sdnotify PATH OUT
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t	sdnotify_stop;

static void
sdnotify_sig(int sig)
{
	(void)sig;
	sdnotify_stop = 1;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un	 sun;
	struct sigaction	 sa;
	FILE			*out;
	char			 msg[4096];
	ssize_t			 n, i;
	int			 fd;

	if (argc != 3) {
		fprintf(stderr, "usage: sdnotify PATH OUT\n");
		return (2);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sdnotify_sig;	/* no SA_RESTART: recv returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if ((out = fopen(argv[2], "a")) == NULL) {
		fprintf(stderr, "sdnotify: %s: %s\n", argv[2], strerror(errno));
		return (1);
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(argv[1]) >= sizeof sun.sun_path) {
		fprintf(stderr, "sdnotify: %s: path too long\n", argv[1]);
		return (1);
	}
	strcpy(sun.sun_path, argv[1]);
	unlink(argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		fprintf(stderr, "sdnotify: %s: %s\n", argv[1], strerror(errno));
		return (1);
	}
	while (!sdnotify_stop) {
		if ((n = recv(fd, msg, sizeof msg - 1, 0)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < n; i++) {
			if (msg[i] == '\n')
				msg[i] = '|';
		}
		msg[n] = '\0';
		fprintf(out, "%s\n", msg);
		fflush(out);
	}
	unlink(argv[1]);
	return (0);
}
