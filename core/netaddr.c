/* netaddr.c -- IPv4/IPv6 address parsing and formatting, prefixes and access lists. */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netaddr.h"

int
netaddr_parse(const char *s, struct netaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->u.v4) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a->u.v6) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	a->family = AF_UNSPEC;
	return -1;
}

/* chrony accepts "192.168.7" for 192.168.7.0/24: count the dotted parts. */
static int
parse_short_ipv4(const char *s, struct netaddr *a, int *prefixlen)
{
	unsigned long	part;
	uint32_t	addr = 0;
	char		*end;
	int		parts = 0;

	while (*s != '\0') {
		if (!isdigit((unsigned char)*s) || parts == 4)
			return -1;
		errno = 0;
		part = strtoul(s, &end, 10);
		if (errno != 0 || part > 255 || end == s)
			return -1;
		addr |= (uint32_t)part << (24 - 8 * parts);
		parts++;
		s = end;
		if (*s == '.') {
			s++;
			if (*s == '\0')
				return -1;
		} else if (*s != '\0')
			return -1;
	}
	if (parts == 0)
		return -1;
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->u.v4.s_addr = htonl(addr);
	*prefixlen = parts * 8;
	return 0;
}

int
netaddr_parse_cidr(const char *s, struct netaddr *a, int *prefixlen)
{
	char		 buf[NETADDR_STRLEN + 8];
	const char	*slash;
	char		*end;
	long		 len;
	size_t		 n;
	int		 max;

	slash = strchr(s, '/');
	n = slash ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= NETADDR_STRLEN)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (netaddr_parse(buf, a) == -1) {
		if (parse_short_ipv4(buf, a, prefixlen) == -1)
			return -1;
		if (slash == NULL)
			return 0;
	}
	max = a->family == AF_INET ? 32 : 128;
	if (slash == NULL) {
		*prefixlen = max;
		return 0;
	}
	if (!isdigit((unsigned char)slash[1]))
		return -1;
	errno = 0;
	len = strtol(slash + 1, &end, 10);
	if (errno != 0 || *end != '\0' || len < 0 || len > max)
		return -1;
	*prefixlen = (int)len;
	return 0;
}

int
netaddr_parse_port(const char *s, char sep, struct netaddr *a, uint16_t *port)
{
	char		 buf[NETADDR_STRLEN];
	const char	*p;
	char		*end;
	unsigned long	 v;
	size_t		 n;

	p = strchr(s, sep);
	n = p ? (size_t)(p - s) : strlen(s);
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (netaddr_parse(buf, a) == -1)
		return -1;
	if (p == NULL)
		return 0;
	if (!isdigit((unsigned char)p[1]))
		return -1;
	errno = 0;
	v = strtoul(p + 1, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

const char *
netaddr_format(const struct netaddr *a, char buf[static NETADDR_STRLEN])
{
	if (a->family == AF_UNSPEC ||
	    inet_ntop(a->family, &a->u, buf, NETADDR_STRLEN) == NULL)
		snprintf(buf, NETADDR_STRLEN, "?");
	return buf;
}

int
netaddr_equal(const struct netaddr *a, const struct netaddr *b)
{
	if (a->family != b->family)
		return 0;
	if (a->family == AF_INET)
		return a->u.v4.s_addr == b->u.v4.s_addr;
	if (a->family == AF_INET6)
		return memcmp(&a->u.v6, &b->u.v6, 16) == 0;
	return 1;
}

int
netaddr_in_prefix(const struct netaddr *net, int prefixlen, const struct netaddr *a)
{
	int	bytes, bits;

	if (net->family == AF_UNSPEC)
		return 1;
	if (net->family != a->family)
		return 0;
	bytes = prefixlen / 8;
	bits = prefixlen % 8;
	if (memcmp(net->u.bytes, a->u.bytes, bytes) != 0)
		return 0;
	if (bits == 0)
		return 1;
	return ((net->u.bytes[bytes] ^ a->u.bytes[bytes]) & (0xff00 >> bits)) == 0;
}

int
netaddr_is_loopback(const struct netaddr *a)
{
	if (a->family == AF_INET)
		return a->u.bytes[0] == 127;
	if (a->family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&a->u.v6);
	return 0;
}

int
netaddr_to_sockaddr(const struct netaddr *a, uint16_t port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr = a->u.v4;
		*len = sizeof(*sin);
		return 0;
	}
	if (a->family == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = a->u.v6;
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

int
netaddr_from_sockaddr(const struct sockaddr *sa, struct netaddr *a, uint16_t *port)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)sa;

	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		a->family = AF_INET;
		a->u.v4 = sin->sin_addr;
		if (port != NULL)
			*port = ntohs(sin->sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			a->family = AF_INET;
			memcpy(&a->u.v4, &sin6->sin6_addr.s6_addr[12], 4);
		} else {
			a->family = AF_INET6;
			a->u.v6 = sin6->sin6_addr;
		}
		if (port != NULL)
			*port = ntohs(sin6->sin6_port);
		return 0;
	}
	a->family = AF_UNSPEC;
	return -1;
}

int
netaddr_reverse_name(const struct netaddr *a, char *buf, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	const uint8_t		*b = a->u.bytes;
	size_t			 off = 0;
	int			 i, n;

	if (a->family == AF_INET) {
		n = snprintf(buf, len, "%u.%u.%u.%u.in-addr.arpa", b[3], b[2], b[1], b[0]);
		return n < 0 || (size_t)n >= len ? -1 : 0;
	}
	if (a->family != AF_INET6 || len < 64 + sizeof("ip6.arpa"))
		return -1;
	for (i = 15; i >= 0; i--) {
		buf[off++] = hex[b[i] & 0xf];
		buf[off++] = '.';
		buf[off++] = hex[b[i] >> 4];
		buf[off++] = '.';
	}
	memcpy(buf + off, "ip6.arpa", sizeof("ip6.arpa"));
	return 0;
}

/* Compute the mask of a prefix and the network masked with it, as 32-bit
 * words in the byte order of the address. */
static void
prefix_words(const struct netaddr *net, int prefixlen, uint32_t mask[4], uint32_t key[4])
{
	uint8_t	bytes[16];
	int	i, bits;

	memset(bytes, 0, sizeof(bytes));
	for (i = 0; i < 16; i++) {
		bits = prefixlen - 8 * i;
		if (bits >= 8)
			bytes[i] = 0xff;
		else if (bits > 0)
			bytes[i] = (uint8_t)(0xff00 >> bits);
	}
	memcpy(mask, bytes, sizeof(bytes));
	memcpy(key, net->u.bytes, sizeof(bytes));
	for (i = 0; i < 4; i++)
		key[i] &= mask[i];
}

int
acl_add(struct acl *acl, const struct netaddr *net, int prefixlen, int allow, int clear_inside)
{
	struct acl_rule	*r;
	struct netaddr	 any;
	int		 i, j;

	if (net == NULL) {
		memset(&any, 0, sizeof(any));
		any.family = AF_UNSPEC;
		net = &any;
		prefixlen = 0;
	}
	if (clear_inside) {
		for (i = j = 0; i < acl->count; i++) {
			r = &acl->rules[i];
			if (r->prefixlen >= prefixlen &&
			    (net->family == AF_UNSPEC ||
			    (r->net.family == net->family &&
			    netaddr_in_prefix(net, prefixlen, &r->net))))
				continue;
			acl->rules[j++] = *r;
		}
		acl->count = j;
	}
	if (acl->count == ACL_MAX)
		return -1;
	r = &acl->rules[acl->count++];
	r->net = *net;
	r->prefixlen = prefixlen;
	r->allow = allow;
	prefix_words(net, prefixlen, r->mask, r->key);
	return 0;
}

int
acl_allows(const struct acl *acl, const struct netaddr *a)
{
	const struct acl_rule	*r, *best = NULL;
	uint32_t		 words[4];
	int			 i, w, nwords = a->family == AF_INET ? 1 : 4;

	memcpy(words, a->u.bytes, sizeof(words));
	for (i = 0; i < acl->count; i++) {
		r = &acl->rules[i];
		if (r->net.family != AF_UNSPEC) {
			if (r->net.family != a->family)
				continue;
			for (w = 0; w < nwords; w++)
				if ((words[w] & r->mask[w]) != r->key[w])
					break;
			if (w < nwords)
				continue;
		}
		if (best == NULL || r->prefixlen >= best->prefixlen)
			best = r;
	}
	return best != NULL && best->allow;
}
