/* fork.c -- fork(2) without musl's multi-threading locks, for the static build. */
#include <unistd.h>

#ifdef EDGEBOX_STATIC
/*
 * Create a child process as fork(2) does.  musl's fork also runs the
 * pthread_atfork handlers and, when threads exist, takes and resets the
 * locks they may hold (malloc, stdio, atexit, the dynamic linker).
 * edgebox starts no threads and registers no handlers, so _Fork, the
 * system call alone, does the same here in about 1 KB less code.
 */
pid_t
fork(void)
{
	return _Fork();
}
#endif
