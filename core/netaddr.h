/* netaddr.h -- IPv4/IPv6 addresses, CIDR prefixes and access lists. */
#ifndef EDGEBOX_NETADDR_H
#define EDGEBOX_NETADDR_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdint.h>

#define NETADDR_STRLEN	46	/* INET6_ADDRSTRLEN */

struct netaddr {
	sa_family_t	family;		/* AF_INET, AF_INET6, or AF_UNSPEC when empty */
	union {
		struct in_addr	v4;
		struct in6_addr	v6;
		uint8_t		bytes[16];
	} u;
};

/* Parse a numeric IPv4 or IPv6 address (no names).  Returns 0 or -1. */
int	netaddr_parse(const char *, struct netaddr *);

/* Parse "ADDR", "ADDR/LEN" or an IPv4 prefix written short ("192.168.7",
 * as chrony accepts).  Without a length the prefix is the whole address.
 * Returns 0 or -1. */
int	netaddr_parse_cidr(const char *, struct netaddr *, int *prefixlen);

/* Parse "ADDR" followed by an optional port after separator sep ('#' in the
 * dnsmasq dialect).  The port stays unchanged when absent.  Returns 0 or -1. */
int	netaddr_parse_port(const char *, char sep, struct netaddr *, uint16_t *port);

/* Format into buf; returns buf. */
const char *netaddr_format(const struct netaddr *, char buf[static NETADDR_STRLEN]);

int	netaddr_equal(const struct netaddr *, const struct netaddr *);

/* Whether a lies inside net/prefixlen (same family required). */
int	netaddr_in_prefix(const struct netaddr *net, int prefixlen, const struct netaddr *a);

/* Whether the address is 127.0.0.0/8 or ::1. */
int	netaddr_is_loopback(const struct netaddr *);

/* Conversions to and from socket addresses.  from_sockaddr maps
 * IPv4-mapped IPv6 addresses to AF_INET.  Both return 0 or -1. */
int	netaddr_to_sockaddr(const struct netaddr *, uint16_t port,
	    struct sockaddr_storage *, socklen_t *);
int	netaddr_from_sockaddr(const struct sockaddr *, struct netaddr *, uint16_t *port);

/* Fill the reverse-lookup name ("11.7.168.192.in-addr.arpa", or the
 * nibble form under ip6.arpa) without a trailing dot.  Returns 0 or -1. */
int	netaddr_reverse_name(const struct netaddr *, char *buf, size_t len);

/*
 * Access list with chrony's semantics: the most specific matching rule
 * decides; among rules of equal prefix length the later one wins.  An
 * "all" rule (allow all / deny all) replaces every narrower rule inside it.
 * A list with no matching rule denies.
 */
#define ACL_MAX	64

struct acl_rule {
	struct netaddr	net;	/* AF_UNSPEC matches both families (prefix 0) */
	int		prefixlen;
	int		allow;
	/* The prefix as 32-bit words in the address's byte order, set by
	 * acl_add: an address matches when (address & mask) == key. */
	uint32_t	mask[4];
	uint32_t	key[4];
};

struct acl {
	struct acl_rule	rules[ACL_MAX];
	int		count;
};

/* Add a rule.  net may be NULL for "all addresses".  "all" (clear_inside)
 * removes earlier rules inside the new prefix.  Returns 0, or -1 when full. */
int	acl_add(struct acl *, const struct netaddr *net, int prefixlen, int allow,
	    int clear_inside);
int	acl_allows(const struct acl *, const struct netaddr *);

#endif
