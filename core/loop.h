/* loop.h -- event loop on poll(2): file descriptors, monotonic timers, signals. */
#ifndef EDGEBOX_LOOP_H
#define EDGEBOX_LOOP_H

#include <poll.h>
#include <stdint.h>

typedef void	(*loop_fd_cb)(int fd, short revents, void *arg);
typedef void	(*loop_timer_cb)(void *arg);
typedef void	(*loop_signal_cb)(int signo, void *arg);

#define LOOP_MAX_FDS	256
#define LOOP_MAX_TIMERS	4096

/* Reset the loop (one per process).  Returns 0 or -1. */
int	loop_init(void);

/* Watch fd for events (POLLIN, POLLOUT).  Returns 0, or -1 when the table
 * is full or fd is already watched. */
int	loop_add_fd(int fd, short events, loop_fd_cb, void *arg);
void	loop_set_events(int fd, short events);
void	loop_del_fd(int fd);

/* Call cb once after delay seconds (CLOCK_MONOTONIC).  Returns an id > 0,
 * or 0 when the table is full.  Cancelling an id that fired is harmless. */
uint64_t loop_add_timer(double delay, loop_timer_cb, void *arg);
void	loop_cancel_timer(uint64_t id);

/* Deliver signo through the loop instead of an async handler. Returns 0 or -1. */
int	loop_add_signal(int signo, loop_signal_cb, void *arg);

/* Seconds on CLOCK_MONOTONIC. */
double	loop_now(void);

/* Return loop_now() as read when poll last returned, or 0 before the first
 * wake-up.  Callbacks that need no finer clock use it instead of reading
 * the clock once per packet. */
double	loop_wake_time(void);

/* Run until loop_stop() or until deadline seconds have passed (deadline <= 0:
 * no limit).  Returns 0, or -1 if poll failed for another reason than EINTR. */
int	loop_run(double deadline);
void	loop_stop(void);

/* Close the signal pipe and forget every fd and timer. */
void	loop_close(void);

#endif
