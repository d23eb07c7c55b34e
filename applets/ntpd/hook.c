/* hook.c -- runs the executables of the hook folder on clock events and keeps the synchronised marker file. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "log.h"
#include "loop.h"
#include "ntpd.h"
#include "ntpwire.h"

#define HOOK_QUEUE		32	/* hook runs waiting; more are dropped */
#define HOOK_TIMEOUT		10.0	/* seconds before a hook is killed */
#define HOOK_REAP_INTERVAL	0.05	/* seconds between checks for a finished hook */
#define HOOK_ENV_MAX		8
#define HOOK_FD_MAX		1024	/* descriptors closed in the child */
#define HOOK_TEXT		64

/* One run of one hook for one event: hooks run one at a time, in order. */
struct hook_job {
	char		event[8];
	char		source[HOOK_TEXT];
	char		reason[HOOK_TEXT];
	struct timespec	old_time;
	struct timespec	new_time;
	double		offset;
	char		name[NTPD_NAME_MAX];	/* file name in the hook folder */
};

static char		dir[PATH_MAX];
static char		marker[PATH_MAX];
static struct hook_job	queue[HOOK_QUEUE];
static int		qhead, qlen;
static pid_t		child;		/* the running hook, 0 when none */
static double		deadline;	/* monotonic time it is killed */
static uint64_t		reap_timer;
static int		marker_made;

static void	on_reap(void *);

void
hook_init(const char *hookdir, const char *syncfile)
{
	if (syncfile == NULL)
		syncfile = "";
	/* A reload that names another marker file moves the marker. */
	if (marker_made && strcmp(syncfile, marker) != 0) {
		hook_set_synced(0, NULL);
		snprintf(marker, sizeof(marker), "%s", syncfile);
		hook_set_synced(1, ntpd_ref.refname);
	}
	snprintf(dir, sizeof(dir), "%s", hookdir != NULL ? hookdir : "");
	snprintf(marker, sizeof(marker), "%s", syncfile);
}

int
hook_running(void)
{
	return (child > 0) + qlen;
}

static void
format_time(char *buf, size_t len, const struct timespec *ts)
{
	snprintf(buf, len, "%lld.%09ld", (long long)ts->tv_sec, ts->tv_nsec);
}

/* In the child: exec path with the job's event in a clean environment. */
static void
exec_hook(const char *path, const struct hook_job *job)
{
	/* The variables after PATH, each EDGEBOX_NAME=VALUE: the names with a
	 * '\0' after each, in the order of values. */
	static const char	names[] = "EVENT\0OLD_TIME\0NEW_TIME\0OFFSET\0SOURCE\0REASON";
	char			vars[HOOK_ENV_MAX][HOOK_TEXT + 32], old[40], new[40];
	char			offset[sizeof(vars[0])];
	const char		*values[] = { job->event, old, new, offset, job->source,
				    job->reason };
	const char		*name = names;
	char			*envp[HOOK_ENV_MAX + 1], *argv[3];
	int			fd, n;

	format_time(old, sizeof(old), &job->old_time);
	format_time(new, sizeof(new), &job->new_time);
	snprintf(offset, sizeof(offset), "%+.9f", job->offset);
	envp[0] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	for (n = 0; n < (int)(sizeof(values) / sizeof(values[0])); n++) {
		snprintf(vars[n], sizeof(vars[0]), "EDGEBOX_%s=%s", name, values[n]);
		envp[n + 1] = vars[n];
		name += strlen(name) + 1;
	}
	envp[n + 1] = NULL;
	argv[0] = (char *)(uintptr_t)path;
	argv[1] = (char *)(uintptr_t)job->event;
	argv[2] = NULL;
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, STDIN_FILENO);
		if (fd > STDIN_FILENO)
			close(fd);
	}
	for (fd = STDERR_FILENO + 1; fd < HOOK_FD_MAX; fd++)
		close(fd);
	signal(SIGPIPE, SIG_DFL);
	execve(path, argv, envp);
	_exit(127);
}

/* Start the job at the head of the queue when no hook runs. */
static void
start_next(void)
{
	struct hook_job	*job;
	char		 path[PATH_MAX];
	sigset_t	 all, old;

	while (child == 0 && qlen > 0) {
		job = &queue[qhead];
		qhead = (qhead + 1) % HOOK_QUEUE;
		qlen--;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, job->name) >= sizeof(path))
			continue;
		/*
		 * The child starts with every signal blocked, so no handler of
		 * ours runs there, but SIGSEGV and SIGBUS: a packed binary
		 * restores its code from a SIGSEGV handler (core/unpack.c), and a
		 * fault with them blocked would kill the process.
		 */
		sigfillset(&all);
		sigdelset(&all, SIGSEGV);
		sigdelset(&all, SIGBUS);
		sigprocmask(SIG_SETMASK, &all, &old);
		child = fork();
		if (child == 0) {
			sigemptyset(&all);
			sigprocmask(SIG_SETMASK, &all, NULL);
			exec_hook(path, job);
		}
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (child == -1) {
			log_warn("cannot start hook %s", path);
			child = 0;
			continue;
		}
		deadline = loop_now() + HOOK_TIMEOUT;
		log_debug("hook %s started for event %s", job->name, job->event);
	}
}

/* Wait for the running hook, killing it when past its time. */
static void
reap(void)
{
	pid_t	rc;
	int	status;

	if (child > 0 && loop_now() > deadline) {
		log_warnx("hook process %ld ran longer than %.0f seconds; killed", (long)child,
		    HOOK_TIMEOUT);
		kill(child, SIGKILL);
		deadline = HUGE_VAL;
	}
	if (child > 0) {
		rc = waitpid(child, &status, WNOHANG);
		if (rc == 0 || (rc == -1 && errno == EINTR))
			return;
		if (rc > 0 && WIFEXITED(status) && WEXITSTATUS(status) != 0)
			log_info("hook process %ld exited with status %d", (long)child,
			    WEXITSTATUS(status));
		child = 0;
	}
	start_next();
}

static void
schedule_reap(void)
{
	if (reap_timer == 0 && hook_running() > 0)
		reap_timer = loop_add_timer(HOOK_REAP_INTERVAL, on_reap, NULL);
}

static void
on_reap(void *arg)
{
	(void)arg;
	reap_timer = 0;
	reap();
	schedule_reap();
}

static void
enqueue(const char *name, const struct hook_event *ev)
{
	struct hook_job	*job;

	if (qlen == HOOK_QUEUE) {
		log_warnx("hook %s skipped for event %s: %d hook runs are waiting", name,
		    ev->event, HOOK_QUEUE);
		return;
	}
	job = &queue[(qhead + qlen) % HOOK_QUEUE];
	qlen++;
	snprintf(job->name, sizeof(job->name), "%s", name);
	snprintf(job->event, sizeof(job->event), "%s", ev->event);
	snprintf(job->source, sizeof(job->source), "%s", ev->source != NULL ? ev->source : "");
	snprintf(job->reason, sizeof(job->reason), "%s", ev->reason != NULL ? ev->reason : "");
	job->old_time = ev->old_time;
	job->new_time = ev->new_time;
	job->offset = ev->offset;
}

/*
 * Start every executable regular file of the hook folder whose name does
 * not begin with '.', in strcmp order of the names (scandir's alphasort in
 * the C locale).  Each pass over the folder takes the least name after the
 * last one, so n files take n passes: no name list to allocate and sort,
 * and no scandir in the static binary.
 */
void
hook_run(const struct hook_event *ev)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 sb;
	char		 path[PATH_MAX], last[NAME_MAX + 1] = "", next[NAME_MAX + 1];

	if (dir[0] == '\0')
		return;
	if ((d = opendir(dir)) == NULL) {
		/* A hook folder that is not there yet has no hooks. */
		if (errno != ENOENT)
			log_warn("cannot read hook folder %s", dir);
		return;
	}
	for (;;) {
		next[0] = '\0';
		rewinddir(d);
		errno = 0;
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.' && strcmp(de->d_name, last) > 0 &&
			    (next[0] == '\0' || strcmp(de->d_name, next) < 0))
				strcpy(next, de->d_name);
		if (errno != 0) {
			log_warn("cannot read hook folder %s", dir);
			break;
		}
		if (next[0] == '\0')
			break;
		strcpy(last, next);
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, next) < sizeof(path) &&
		    stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, X_OK) == 0)
			enqueue(next, ev);
	}
	closedir(d);
	reap();
	schedule_reap();
}

/* The last CTL_STEPS_MAX clock steps, a ring that step_total indexes. */
static struct step_record {
	struct timespec	old;
	double		offset;
	double		mono;		/* clock_mono() when it was recorded */
	char		source[CTL_NAME_MAX];
	char		reason[CTL_NAME_MAX];
} steps[CTL_STEPS_MAX];
static uint32_t	step_total;

void
hook_record_step(const struct timespec *old, double offset, const char *source,
    const char *reason)
{
	struct step_record	*r = &steps[step_total % CTL_STEPS_MAX];

	r->old = *old;
	r->offset = offset;
	r->mono = clock_mono();
	snprintf(r->source, sizeof(r->source), "%s", source != NULL ? source : "");
	snprintf(r->reason, sizeof(r->reason), "%s", reason != NULL ? reason : "");
	step_total++;
}

int
hook_get_step(int index, struct ctl_step *row, int *count)
{
	const struct step_record	*r;
	struct timespec			 new_time;
	uint32_t			 kept, first;

	kept = step_total < CTL_STEPS_MAX ? step_total : CTL_STEPS_MAX;
	*count = (int)kept;
	if (index < 0 || (uint32_t)index >= kept)
		return -1;
	first = step_total - kept;
	r = &steps[(first + (uint32_t)index) % CTL_STEPS_MAX];
	memset(row, 0, sizeof(*row));
	new_time = r->old;
	ntpwire_timespec_add(&new_time, r->offset);
	row->old_sec = r->old.tv_sec;
	row->old_nsec = r->old.tv_nsec;
	row->new_sec = new_time.tv_sec;
	row->new_nsec = new_time.tv_nsec;
	row->offset = r->offset;
	row->ago = clock_mono() - r->mono;
	row->total = step_total;
	memcpy(row->source, r->source, sizeof(row->source));
	memcpy(row->reason, r->reason, sizeof(row->reason));
	return 0;
}

void
hook_notify(const char *event, const struct timespec *old, double offset, const char *source,
    const char *reason)
{
	struct hook_event	ev;

	ev.event = event;
	ev.old_time = *old;
	ev.new_time = *old;
	ntpwire_timespec_add(&ev.new_time, offset);
	ev.offset = offset;
	ev.source = source;
	ev.reason = reason;
	log_debug("clock event %s (%s, offset %+.6f s)", event, reason, offset);
	if (strcmp(event, "step") == 0)
		hook_record_step(old, offset, source, reason);
	hook_run(&ev);
}

void
hook_set_synced(int synced, const char *source)
{
	FILE	*f;

	if (marker[0] == '\0' || synced == marker_made)
		return;
	marker_made = synced;
	if (!synced) {
		if (unlink(marker) == -1 && errno != ENOENT)
			log_warn("cannot remove %s", marker);
		return;
	}
	if ((f = fopen(marker, "w")) == NULL) {
		log_warn("cannot create %s", marker);
		return;
	}
	fprintf(f, "%s\n", source != NULL ? source : "");
	fclose(f);
}

void
hook_stop(void)
{
	hook_set_synced(0, NULL);
	if (reap_timer != 0)
		loop_cancel_timer(reap_timer);
	reap_timer = 0;
	/* Hooks still running are left to finish on their own. */
	reap();
}
