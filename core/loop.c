/* loop.c -- event loop on poll(2): file descriptors, timers on CLOCK_MONOTONIC, signals. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

struct fd_entry {
	loop_fd_cb	 cb;
	void		*arg;
};

/* A timer slot; ids carry the slot index in the low 16 bits and a
 * generation above, so a stale id never cancels a reused slot. */
struct timer {
	uint64_t	 id;
	double		 when;
	loop_timer_cb	 cb;
	void		*arg;
	int		 heap_index;	/* -1 when free */
};

struct sig_entry {
	loop_signal_cb	 cb;
	void		*arg;
};

static struct pollfd	 pfds[LOOP_MAX_FDS];
static struct fd_entry	 fds[LOOP_MAX_FDS];
static int		 nfds;
static int		 fds_dirty;	/* entries with fd -1 wait for compaction */

static struct timer	 timers[LOOP_MAX_TIMERS];
static int		 heap[LOOP_MAX_TIMERS];	/* slot indexes, earliest first */
static int		 nheap;
static int		 nslots;	/* slots ever used; the rest are untouched */
static uint64_t		 generation;

static struct sig_entry	 sigs[NSIG];
static int		 sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t stopped;
static double		 wake;		/* loop_now() when poll last returned */

double
loop_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

double
loop_wake_time(void)
{
	return wake;
}

int
loop_init(void)
{
	loop_close();
	stopped = 0;
	return 0;
}

void
loop_close(void)
{
	int	i;

	for (i = 1; i < NSIG; i++)
		if (sigs[i].cb != NULL)
			signal(i, SIG_DFL);
	memset(sigs, 0, sizeof(sigs));
	if (sig_pipe[0] != -1) {
		close(sig_pipe[0]);
		close(sig_pipe[1]);
		sig_pipe[0] = sig_pipe[1] = -1;
	}
	nfds = 0;
	fds_dirty = 0;
	nheap = 0;
	/* Slots past nslots are set up on first use, so their pages stay
	 * untouched until a program needs that many timers. */
	for (i = 0; i < nslots; i++)
		timers[i].heap_index = -1;
	nslots = 0;
}

int
loop_add_fd(int fd, short events, loop_fd_cb cb, void *arg)
{
	int	i;

	for (i = 0; i < nfds; i++)
		if (pfds[i].fd == fd)
			return -1;
	if (nfds == LOOP_MAX_FDS)
		return -1;
	pfds[nfds].fd = fd;
	pfds[nfds].events = events;
	pfds[nfds].revents = 0;
	fds[nfds].cb = cb;
	fds[nfds].arg = arg;
	nfds++;
	return 0;
}

void
loop_set_events(int fd, short events)
{
	int	i;

	for (i = 0; i < nfds; i++)
		if (pfds[i].fd == fd)
			pfds[i].events = events;
}

void
loop_del_fd(int fd)
{
	int	i;

	for (i = 0; i < nfds; i++)
		if (pfds[i].fd == fd) {
			pfds[i].fd = -1;	/* poll ignores negative fds */
			pfds[i].revents = 0;
			fds_dirty = 1;
		}
}

static void
compact_fds(void)
{
	int	i, j;

	for (i = j = 0; i < nfds; i++) {
		if (pfds[i].fd < 0)
			continue;
		pfds[j] = pfds[i];
		fds[j] = fds[i];
		j++;
	}
	nfds = j;
	fds_dirty = 0;
}

static void
heap_swap(int a, int b)
{
	int	t = heap[a];

	heap[a] = heap[b];
	heap[b] = t;
	timers[heap[a]].heap_index = a;
	timers[heap[b]].heap_index = b;
}

static void
heap_up(int i)
{
	while (i > 0 && timers[heap[(i - 1) / 2]].when > timers[heap[i]].when) {
		heap_swap(i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
heap_down(int i)
{
	int	l, r, m;

	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < nheap && timers[heap[l]].when < timers[heap[m]].when)
			m = l;
		if (r < nheap && timers[heap[r]].when < timers[heap[m]].when)
			m = r;
		if (m == i)
			return;
		heap_swap(i, m);
		i = m;
	}
}

static void
heap_remove(int i)
{
	int	slot = heap[i];

	nheap--;
	if (i != nheap) {
		heap[i] = heap[nheap];
		timers[heap[i]].heap_index = i;
		heap_down(i);
		heap_up(i);
	}
	timers[slot].heap_index = -1;
}

uint64_t
loop_add_timer(double delay, loop_timer_cb cb, void *arg)
{
	struct timer	*t;
	int		 slot;

	if (nheap == LOOP_MAX_TIMERS)
		return 0;
	/* A free slot exists because every used slot is in the heap. */
	for (slot = 0; slot < nslots && timers[slot].heap_index != -1; slot++)
		;
	if (slot == nslots)
		nslots++;
	t = &timers[slot];
	t->id = (++generation << 16) | (uint64_t)slot;
	t->when = loop_now() + (delay > 0 ? delay : 0);
	t->cb = cb;
	t->arg = arg;
	t->heap_index = nheap;
	heap[nheap++] = slot;
	heap_up(nheap - 1);
	return t->id;
}

void
loop_cancel_timer(uint64_t id)
{
	int	slot = (int)(id & 0xffff);

	if (id == 0 || slot >= nslots)
		return;
	if (timers[slot].id == id && timers[slot].heap_index != -1)
		heap_remove(timers[slot].heap_index);
}

static void
on_signal(int signo)
{
	int		saved_errno = errno;
	unsigned char	b = (unsigned char)signo;

	(void)write(sig_pipe[1], &b, 1);
	errno = saved_errno;
}

static void
read_signals(int fd, short revents, void *arg)
{
	unsigned char	buf[64];
	ssize_t		n, i;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			if (buf[i] < NSIG && sigs[buf[i]].cb != NULL)
				sigs[buf[i]].cb(buf[i], sigs[buf[i]].arg);
}

int
loop_add_signal(int signo, loop_signal_cb cb, void *arg)
{
	struct sigaction	sa;
	int			i;

	if (signo <= 0 || signo >= NSIG || signo > UCHAR_MAX)
		return -1;
	if (sig_pipe[0] == -1) {
		if (pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC) == -1)
			return -1;
		if (loop_add_fd(sig_pipe[0], POLLIN, read_signals, NULL) == -1) {
			for (i = 0; i < 2; i++) {
				close(sig_pipe[i]);
				sig_pipe[i] = -1;
			}
			return -1;
		}
	}
	sigs[signo].cb = cb;
	sigs[signo].arg = arg;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	return sigaction(signo, &sa, NULL);
}

void
loop_stop(void)
{
	stopped = 1;
}

/* Run the timers due at now.  One that falls due while the callbacks of
 * this wake-up run waits for the next one, which poll_timeout makes
 * immediate. */
static void
run_timers(double now)
{
	struct timer	*t;

	while (nheap > 0 && timers[heap[0]].when <= now) {
		t = &timers[heap[0]];
		heap_remove(0);
		t->cb(t->arg);	/* it may add or cancel timers */
		if (stopped)
			return;
	}
}

static int
poll_timeout(double end)
{
	double	now = loop_now(), next = -1;

	if (nheap > 0)
		next = timers[heap[0]].when;
	if (end > 0 && (next < 0 || end < next))
		next = end;
	if (next < 0)
		return -1;
	if (next <= now)
		return 0;
	/* Round up so a timer is never polled for a few microseconds early. */
	return (int)((next - now) * 1000.0) + 1;
}

int
loop_run(double deadline)
{
	double	end = deadline > 0 ? loop_now() + deadline : 0;
	int	i, n, count;

	stopped = 0;
	while (!stopped) {
		if (end > 0 && loop_now() >= end)
			break;
		if (fds_dirty)
			compact_fds();
		n = poll(pfds, (nfds_t)nfds, poll_timeout(end));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		wake = loop_now();
		count = nfds;
		for (i = 0; i < count && n > 0 && !stopped; i++) {
			if (pfds[i].fd < 0 || pfds[i].revents == 0)
				continue;
			n--;
			fds[i].cb(pfds[i].fd, pfds[i].revents, fds[i].arg);
		}
		if (!stopped)
			run_timers(wake);
	}
	return 0;
}
