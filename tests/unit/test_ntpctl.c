/* test_ntpctl.c -- ntpctl's output, byte for byte, for every command in text, -c and -j against a fake ntpd with fixed replies. */
#include "testutil.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applets.h"
#include "ctl.h"
#include "ntpwire.h"

/*
 * The expected output.  After a change that is meant to alter ntpctl's
 * output, write a new file with NTPCTL_EXPECTED_WRITE=1 and review its diff.
 */
#define EXPECTED_PATH	"tests/unit/ntpctl-expected.txt"

/* Socket names, relative to the test's own temporary directory. */
#define SYNCED_SOCKET	"synced.sock"	/* a synchronised ntpd with three sources */
#define UNSYNCED_SOCKET	"unsynced.sock"	/* an unsynchronised ntpd of an older version */

static void
fill_source(struct ctl_source *s, uint32_t index)
{
	switch (index) {
	case 0:
		strcpy(s->name, "127.0.0.1");
		strcpy(s->host, "ntp.example");
		strcpy(s->line_host, "ntp.example");
		s->state = CTL_STATE_SELECTED;
		s->stratum = 2;
		s->poll = 6;
		s->reach = 0377;
		s->samples = 8;
		s->runs = 5;
		s->has_sample = 1;
		s->last_rx_ago = 12.4;
		s->adj_offset = 1.2e-5;
		s->meas_offset = -3.4e-3;
		s->error = 2.5e-2;
		s->span = 3000;
		s->freq_ppm = 1.234;
		s->freq_skew_ppm = 0.05;
		s->offset = -1e-6;
		s->stddev = 2e-5;
		s->next_poll = 33.6;
		s->delay = 0.0002;
		break;
	case 1:
		/* A pool source without a sample yet. */
		strcpy(s->name, "::1");
		strcpy(s->host, "::1");
		strcpy(s->line_host, "pool.example");
		s->state = CTL_STATE_UNUSABLE;
		s->poll = 10;
		s->reach = 1;
		s->meas_offset = NAN;
		s->freq_ppm = INFINITY;
		s->span = NAN;		/* an interval that is not a number */
		s->next_poll = 2.5;
		s->pool = 1;
		break;
	default:
		/* Names longer than the columns, values in seconds and days. */
		strcpy(s->name, "fd00:1234:5678:9abc:def0:1234:5678:9abc");
		strcpy(s->host, "a-long-host-name-cut-to-the-column.example.org");
		strcpy(s->line_host, "a-long-host-name-cut-to-the-column.example.org");
		s->state = CTL_STATE_FALSETICKER;
		s->stratum = 15;
		s->poll = -2;
		s->reach = 0125;
		s->samples = 64;
		s->runs = 1;
		s->has_sample = 1;
		s->last_rx_ago = 400000;
		s->adj_offset = -12.5;
		s->meas_offset = 20000.4;
		s->error = 0.9999999;
		s->span = 4e8;
		s->freq_ppm = -500.0625;
		s->freq_skew_ppm = 12345.5;
		s->offset = 1.5;
		s->stddev = 0.0004;
		s->next_poll = 0;
		s->delay = 0.123456;
		break;
	}
}

/* Fill the fake ntpd's reply to req.  With synced set, that ntpd is
 * synchronised and has three sources; without, it has none. */
static void
fill_reply(const struct ctl_request *req, struct ctl_reply *rep, int synced)
{
	struct ctl_tracking	*t = &rep->u.tracking;
	struct ctl_client	*c = &rep->u.client;
	struct ctl_step		*st = &rep->u.step;

	switch (req->type) {
	case CTL_TRACKING:
		t->stratum = 3;
		t->reftime_sec = 1700000000;
		t->reftime_nsec = 123456789;
		t->rms_offset = 1e-5;
		t->freq_ppm = -12.345;
		t->resid_freq_ppm = 0.01;
		t->skew_ppm = 0.2;
		t->root_delay = 0.0012;
		t->root_dispersion = 0.00034;
		t->update_interval = 64.2;
		if (synced) {
			t->refid = 0x7f000001;
			t->leap = NTPWIRE_LEAP_NONE;
			strcpy(t->refname, "127.0.0.1");
			strcpy(t->refhost, "ntp.example");
			t->system_time = -1.5e-6;
			t->last_offset = 2.25e-6;
		} else {
			t->leap = NTPWIRE_LEAP_UNSYNC;
			t->system_time = 0.0123;
			t->last_offset = NAN;
			t->root_delay = INFINITY;
		}
		break;
	case CTL_SOURCE:
		rep->count = synced ? 3 : 0;
		if (req->index >= rep->count)
			rep->status = CTL_ERR_INDEX;
		else
			fill_source(&rep->u.source, req->index);
		break;
	case CTL_UNRESOLVED:
		rep->count = 1;
		if (!synced) {
			rep->status = CTL_ERR_TYPE;
		} else if (req->index >= rep->count) {
			rep->status = CTL_ERR_INDEX;
		} else {
			strcpy(rep->u.source.line_host, "unresolved.example");
			rep->u.source.state = CTL_STATE_UNUSABLE;
			rep->u.source.pool = 1;
			rep->u.source.next_poll = 5;
			rep->u.source.poll = 4;
		}
		break;
	case CTL_SERVERSTATS:
		rep->u.serverstats.requests = 9223372036854775813ull;
		rep->u.serverstats.rejected = 3;
		rep->u.serverstats.malformed = 22;
		rep->u.serverstats.replies = 1000;
		rep->u.serverstats.cmd_requests = 17;
		rep->u.serverstats.cmd_dropped = 1;
		rep->u.serverstats.limited = 5;
		break;
	case CTL_ACTIVITY:
		rep->u.activity.online = 3;
		rep->u.activity.offline = 1;
		rep->u.activity.burst_online = 0;
		rep->u.activity.burst_offline = 2;
		rep->u.activity.unresolved = synced ? 4 : -1;
		break;
	case CTL_CLIENT:
		rep->count = 2;
		if (req->index >= rep->count) {
			rep->status = CTL_ERR_INDEX;
		} else if (req->index == 0) {
			strcpy(c->name, "192.0.2.1");
			c->ntp_hits = 12;
			c->ntp_drops = 2;
			c->ntp_interval = 6;
			c->ntp_limited_interval = -3;
			c->ntp_last_ago = 100000;
			c->cmd_interval = CTL_NO_INTERVAL;
			c->cmd_last_ago = CTL_NEVER;
		} else {
			strcpy(c->name, "2001:db8::1:2:3:4:5");
			c->ntp_hits = 1;
			c->ntp_interval = CTL_NO_INTERVAL;
			c->ntp_limited_interval = CTL_NO_INTERVAL;
			c->ntp_last_ago = 4000000000u;
			c->cmd_hits = 4294967295u;
			c->cmd_drops = 7;
			c->cmd_interval = 0;
			c->cmd_last_ago = 3;
		}
		break;
	case CTL_STEP:
		rep->count = 2;
		if (!synced) {
			rep->status = CTL_ERR_TYPE;
		} else if (req->index >= rep->count) {
			rep->status = CTL_ERR_INDEX;
		} else {
			st->old_sec = 1700000000 + 86400 * (int64_t)req->index;
			st->old_nsec = 5000;
			st->offset = req->index ? -0.25 : 123.456789;
			st->new_sec = st->old_sec + 123;
			st->new_nsec = 461789000;
			st->ago = req->index ? 50000 : 5;
			st->total = 40;
			strcpy(st->reason, req->index ? "makestep" : "initstepslew");
			strcpy(st->source, req->index ? "" : "127.0.0.1");
		}
		break;
	case CTL_MAKESTEP:
		rep->status = synced ? CTL_OK : CTL_ERR_FAILED;
		break;
	case CTL_BURST:
		if (strcmp(req->target, "nosuch") == 0)
			rep->status = CTL_ERR_NOSOURCE;
		else if (strcmp(req->target, "bad") == 0)
			rep->status = CTL_ERR_ARG;
		break;
	case CTL_ONLINE:
		break;
	case CTL_OFFLINE:
		rep->status = 99;	/* a status this ntpctl does not know */
		break;
	default:
		rep->status = CTL_ERR_TYPE;
		break;
	}
}

/* Start a fake ntpd on path in a child process and return its pid. */
static pid_t
start_server(const char *path, int synced)
{
	struct ctl_request	req;
	struct ctl_reply	rep;
	struct sockaddr_un	from;
	socklen_t		fromlen;
	struct pollfd		pfd;
	ssize_t			n;
	pid_t			pid;
	int			fd;

	fd = ctl_listen(path);
	assert_true(fd != -1);
	pid = fork();
	assert_true(pid != -1);
	if (pid > 0) {
		close(fd);
		return pid;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, -1) == -1)
			continue;
		fromlen = sizeof(from);
		n = recvfrom(fd, &req, sizeof(req), 0, (struct sockaddr *)&from, &fromlen);
		if (n == -1 || ctl_request_check(&req, (size_t)n) == -1)
			continue;
		ctl_reply_init(&rep, &req);
		fill_reply(&req, &rep, synced);
		(void)sendto(fd, &rep, sizeof(rep), 0, (struct sockaddr *)&from, fromlen);
	}
}

/* Append the contents of the file at path to out. */
static void
append_file(FILE *out, const char *path)
{
	char	buf[4096];
	size_t	n;
	FILE	*f = fopen(path, "r");

	assert_non_null(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, out);
	fclose(f);
}

/* Run ntpctl with the space-separated args in a child process and append
 * its stdout, stderr and exit status to out. */
static void
run_ntpctl(FILE *out, const char *args)
{
	char	copy[256], *argv[16], *word;
	int	argc = 0, status;
	pid_t	pid;

	snprintf(copy, sizeof(copy), "%s", args);
	argv[argc++] = "ntpctl";
	for (word = strtok(copy, " "); word != NULL; word = strtok(NULL, " "))
		argv[argc++] = word;
	argv[argc] = NULL;

	fflush(out);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		if (freopen("stdout.txt", "w", stdout) == NULL ||
		    freopen("stderr.txt", "w", stderr) == NULL)
			_exit(99);
		status = ntpctl_main(argc, argv);
		fflush(stdout);
		fflush(stderr);
		_exit(status);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	fprintf(out, "$ ntpctl %s\n", args);
	append_file(out, "stdout.txt");
	fprintf(out, "--- stderr\n");
	append_file(out, "stderr.txt");
	fprintf(out, "--- exit %d\n\n", WEXITSTATUS(status));
}

static const char *const report_commands[] = {
	"tracking", "sources", "sources -v", "sourcestats", "sourcestats -v",
	"serverstats", "activity", "clients", "clients -p 5", "steps"
};

/* Commands run once each.  getopt's own messages differ between C
 * libraries, so no case has an invalid option. */
static const char *const other_commands[] = {
	"-n -h " SYNCED_SOCKET " tracking",
	"-n -h " SYNCED_SOCKET " sources",
	"-n -h " SYNCED_SOCKET " sourcestats",
	"-h " SYNCED_SOCKET " -s all",
	"-h " SYNCED_SOCKET " -s peers",
	"-h " SYNCED_SOCKET " -s p",
	"-h " SYNCED_SOCKET " -s status",
	"-h " SYNCED_SOCKET " -s Sensors",
	"-h " SYNCED_SOCKET " -s sensors",
	"-h " SYNCED_SOCKET " -s x",
	"-h " SYNCED_SOCKET " makestep",
	"-h " SYNCED_SOCKET " makestep 0.5 3",
	"-h " SYNCED_SOCKET " makestep 0.5 -2",
	"-h " SYNCED_SOCKET " makestep x 1",
	"-h " SYNCED_SOCKET " makestep 1",
	"-h " SYNCED_SOCKET " burst",
	"-h " SYNCED_SOCKET " burst 4/8",
	"-h " SYNCED_SOCKET " burst 4/0",
	"-h " SYNCED_SOCKET " burst 4/8 nosuch",
	"-h " SYNCED_SOCKET " burst 4/8 bad",
	"-h " SYNCED_SOCKET " burst 4/8 a b",
	"-h " SYNCED_SOCKET " online",
	"-h " SYNCED_SOCKET " online 10.0.0.0/8",
	"-h " SYNCED_SOCKET " offline",
	"-h " SYNCED_SOCKET " offline "
	    "a-name-of-sixty-four-characters-is-one-too-long-for-a-target.org",
	"-h " SYNCED_SOCKET " clients -p x",
	"-h " SYNCED_SOCKET " clients -q 1",
	"-h " SYNCED_SOCKET " waitsync 1",
	"-h " SYNCED_SOCKET " waitsync 1 0.000001",
	"-h " SYNCED_SOCKET " waitsync 1 0 0.1",
	"-h " SYNCED_SOCKET " waitsync x",
	"-h " SYNCED_SOCKET " waitsync 1 0 0 0.01",
	"-h " SYNCED_SOCKET " tracking extra",
	"-h " SYNCED_SOCKET " sources x",
	"-h " SYNCED_SOCKET " sourcestats -v x",
	"-h " SYNCED_SOCKET " steps 1",
	"-h " SYNCED_SOCKET " waitsync 1 0 0 1 5",
	"-h " SYNCED_SOCKET " trackingx",
	"-h " SYNCED_SOCKET " unknown",
	"-h " SYNCED_SOCKET " -c -j tracking",
	"-h " SYNCED_SOCKET " -c -s all",
	"-h " SYNCED_SOCKET,
	"--help",
	"-h " UNSYNCED_SOCKET " tracking",
	"-h " UNSYNCED_SOCKET " -c tracking",
	"-h " UNSYNCED_SOCKET " -j tracking",
	"-h " UNSYNCED_SOCKET " sources",
	"-h " UNSYNCED_SOCKET " -j sources",
	"-h " UNSYNCED_SOCKET " activity",
	"-h " UNSYNCED_SOCKET " steps",
	"-h " UNSYNCED_SOCKET " makestep",
	"-h " UNSYNCED_SOCKET " waitsync 1",
	"-h " UNSYNCED_SOCKET " -s all",
	"-h " UNSYNCED_SOCKET " -s peers",
	"-h " UNSYNCED_SOCKET " -s status",
	"-h missing.sock tracking",
};

/* Read the whole file at path into a new string, or return NULL. */
static char *
read_text(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*text;
	long	len;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return text;
}

static void
test_output_unchanged(void **state)
{
	static const char *const	modes[] = { "", "-c ", "-j " };
	char				dir[] = "/tmp/test_ntpctl.XXXXXX", cwd[4096];
	char				args[128], expected_path[4200], *expected, *actual;
	const char			*write_path = getenv("NTPCTL_EXPECTED_WRITE");
	pid_t				synced, unsynced;
	size_t				i, m;
	FILE				*out;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(expected_path, sizeof(expected_path), "%s/%s", cwd, EXPECTED_PATH);
	expected = read_text(expected_path);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chdir(dir), 0);
	synced = start_server(SYNCED_SOCKET, 1);
	unsynced = start_server(UNSYNCED_SOCKET, 0);

	out = fopen("actual.txt", "w");
	assert_non_null(out);
	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		for (i = 0; i < sizeof(report_commands) / sizeof(report_commands[0]); i++) {
			snprintf(args, sizeof(args), "%s-h %s %s", modes[m], SYNCED_SOCKET,
			    report_commands[i]);
			run_ntpctl(out, args);
		}
	}
	for (i = 0; i < sizeof(other_commands) / sizeof(other_commands[0]); i++)
		run_ntpctl(out, other_commands[i]);
	fclose(out);
	kill(synced, SIGTERM);
	kill(unsynced, SIGTERM);
	waitpid(synced, NULL, 0);
	waitpid(unsynced, NULL, 0);

	actual = read_text("actual.txt");
	assert_non_null(actual);
	if (write_path != NULL && strcmp(write_path, "1") == 0) {
		out = fopen(expected_path, "w");
		assert_non_null(out);
		fputs(actual, out);
		fclose(out);
	} else if (expected == NULL || strcmp(expected, actual) != 0) {
		/* Keep the directory for diff -u EXPECTED_PATH DIR/actual.txt. */
		fprintf(stderr, "ntpctl's output differs from %s: see %s/actual.txt\n",
		    EXPECTED_PATH, dir);
		fail();
	}
	unlink("actual.txt");
	unlink("stdout.txt");
	unlink("stderr.txt");
	unlink(SYNCED_SOCKET);
	unlink(UNSYNCED_SOCKET);
	assert_int_equal(chdir(cwd), 0);
	rmdir(dir);
	free(expected);
	free(actual);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_output_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
