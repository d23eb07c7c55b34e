/* lookup.h -- host name to address lookups, with the rules of musl 1.2.3's getaddrinfo. */
#ifndef EDGEBOX_LOOKUP_H
#define EDGEBOX_LOOKUP_H

#include <stdint.h>

#include "netaddr.h"

/* Maximum number of addresses one lookup finds (MAXADDRS in musl). */
#define LOOKUP_MAX_ADDRS	48

/* The files and the nameserver port of a lookup; tests use their own. */
struct lookup_conf {
	const char	*hosts;		/* "/etc/hosts" */
	const char	*resolv_conf;	/* "/etc/resolv.conf" */
	uint16_t	 port;		/* 53 */
};

extern const struct lookup_conf lookup_system_conf;

/*
 * Look up the addresses of name as musl 1.2.3's getaddrinfo does with
 * AI_* flags 0.  A numeric address comes first, else every matching line
 * of the hosts file.  Else A and AAAA queries (only one under AF_INET or
 * AF_INET6) go to the nameservers of resolv.conf through its search list.
 * Addresses of both families come in the order of RFC 6724 as musl sorts
 * them, and an IPv4-mapped IPv6 address is returned as IPv4.  family is
 * AF_UNSPEC, AF_INET or AF_INET6.  Blocks up to resolv.conf's timeout
 * (5 s by default) per name tried.
 * Returns the number of addresses stored in addrs (1 to max), or an
 * EAI_* code of <netdb.h> for gai_strerror: EAI_NONAME (no such name,
 * no address of that family, an invalid name), EAI_AGAIN (no reply) or
 * EAI_SYSTEM (a file or socket error).
 */
int	lookup_addrs(const char *name, int family, const struct lookup_conf *,
	    struct netaddr *addrs, int max);

/* Return a random DNS query ID, from the clock when getrandom fails. */
uint16_t lookup_query_id(void);

/* Return the monotonic clock in milliseconds. */
long	lookup_now_ms(void);

/*
 * For the fuzz harness (tests/fuzz/fuzz_lookup.c): the readers of outside
 * input that lookup_addrs uses.  lookup_read_hosts reads the hosts file as
 * the lookup of name does and returns the same result.  lookup_read_resolv
 * reads resolv.conf and returns 0, or -1 when it cannot be opened.
 * lookup_read_answers adds the addresses of a DNS reply of len bytes to
 * addrs[*n...].  The static build (EDGEBOX_STATIC) leaves them out.
 */
#define LOOKUP_MAXNS		3	/* nameserver lines used, as MAXNS in musl */
#define LOOKUP_LINE_MAX		256	/* longer resolv.conf lines are skipped */

/* One address found, with what the sort needs. */
struct lookup_addr {
	struct netaddr	addr;
	unsigned int	scope;		/* IPv6 zone index, 0 for none */
	int		key;		/* sort key, larger first */
};

/* Settings of resolv.conf, with musl's defaults. */
struct lookup_resolv {
	struct lookup_addr ns[LOOKUP_MAXNS];
	int		nns;
	unsigned int	ndots;
	unsigned int	attempts;
	unsigned int	timeout;	/* seconds */
	char		search[LOOKUP_LINE_MAX];	/* the last search or domain line */
};

int	lookup_read_hosts(const char *path, const char *name, int family,
	    struct lookup_addr addrs[static LOOKUP_MAX_ADDRS]);
int	lookup_read_resolv(const char *path, struct lookup_resolv *rc);
void	lookup_read_answers(const uint8_t *msg, int len,
	    struct lookup_addr addrs[static LOOKUP_MAX_ADDRS], int *n);

#endif
