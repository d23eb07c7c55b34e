/* hostq.h -- state shared by the parts of hostq, the lookup tool used like BIND's host. */
#ifndef EDGEBOX_HOSTQ_H
#define EDGEBOX_HOSTQ_H

#include <stddef.h>
#include <stdint.h>

#include "dnswire.h"
#include "netaddr.h"

#define HOSTQ_MAXNS		3	/* nameserver lines read, as in glibc and BIND */
#define HOSTQ_MAXSEARCH		8
#define HOSTQ_TIMEOUT_UDP	5	/* seconds, host's defaults */
#define HOSTQ_TIMEOUT_TCP	10
#define HOSTQ_WAIT_FOREVER	-1
#define HOSTQ_SOA_SERVERS_MAX	64	/* -C addresses over all NS names; more are left out */
#define HOSTQ_NS_ADDRS_MAX	20	/* -C addresses per NS name (DIG_MAX_ADDRESSES in BIND) */

struct hostq_server {
	struct netaddr	addr;
	char		name[256];	/* as given, for the "Name:" line */
};

struct hostq {
	/* Options. */
	int		verbose;	/* -v, -d, -a: dig-style output */
	int		default_lookups; /* A, then AAAA and MX */
	int		recurse;
	int		tcp;		/* -T, or implied by the type */
	int		tcp_set;	/* -T or -U given */
	int		servfail_stops;	/* -s */
	int		family;		/* AF_INET for -4, AF_INET6 for -6, else 0 */
	int		timeout;	/* seconds, 0 for the default, HOSTQ_WAIT_FOREVER */
	int		tries;		/* attempts per server */
	int		ndots;
	int		list_zone;	/* -l */
	int		list_almost_all; /* -A */
	int		list_any;	/* with -l: print every type */
	int		quiet;		/* exchange.c prints no diagnostic lines */
	int		compare_soa;	/* -C: "Nameserver ADDR:" before each line */
	uint32_t	ixfr_serial;	/* -t IXFR=N */
	uint16_t	port;
	uint16_t	qtype;
	uint16_t	qclass;

	/* Servers and search list. */
	struct hostq_server servers[HOSTQ_MAXNS];
	int		nservers;
	int		listed_server;	/* SERVER was on the command line */
	char		search[HOSTQ_MAXSEARCH][DNS_NAME_TEXT_MAX];
	int		nsearch;

	/* Run state, as host keeps it. */
	int		seen_error;	/* -1 nothing printed yet, 1 an error printed */
	int		printed_server;
};

/* One reply as received. */
struct hostq_reply {
	uint8_t		msg[DNS_MSG_MAX];
	size_t		len;
	const struct hostq_server *server;
	long		elapsed_ms;
};

/* hostq.c */

/* Fill names with the wire names to try, in order: the search list is
 * appended before the name as given when it has fewer than ndots dots,
 * after it otherwise.  names needs room for HOSTQ_MAXSEARCH + 1 names.
 * Returns how many. */
int	hostq_candidates(const struct hostq *, const char *text, int use_search,
	    uint8_t names[][DNS_NAME_MAX]);

/* Query the names of hostq_candidates in turn, each with its qtext (as
 * output_name writes it) in qtext, until one gets no NXDOMAIN or the last
 * one is asked.  Returns the index of that name with its reply in reply,
 * or -1 when the name is invalid or no server replied. */
int	hostq_query_candidates(struct hostq *, const char *text, int use_search,
	    uint16_t qtype, struct hostq_reply *reply, uint8_t names[][DNS_NAME_MAX],
	    char qtext[static DNS_NAME_TEXT_MAX]);

/* Parse a number as musl's atoi does: white space, a sign, digits, and
 * wrapping around past INT_MAX.  hostq was the only user of musl's atoi,
 * which is larger. */
int	hostq_atoi(const char *);

/* Whether host, after an NXDOMAIN for text, would still search the list of
 * resolv.conf (text has ndots dots or more, a final dot counted): then it
 * prints the verbose "Received" line once more. */
int	hostq_searched(const struct hostq *, const char *text, int use_search);

/* compare.c */

/* hostq -C: ask the servers of the NS records of text for its SOA record
 * and print each answer as host 9.18 does. */
void	compare_soa(struct hostq *, const char *text, int use_search);

/* resolvconf.c */

/* Read nameserver, search, domain and options (ndots, timeout) lines from
 * path; a missing file leaves the defaults.  Servers are read only when
 * want_servers. */
void	resolvconf_read(struct hostq *, const char *path, int want_servers);

/* exchange.c */

/* Send the query to the servers in turn with host's retry rules, over UDP
 * (TCP after a truncated reply) or TCP, printing host's error lines unless
 * h->quiet is set.
 * Returns 0 with the reply filled, or -1 when no server could be reached. */
int	exchange_query(struct hostq *, const char *qtext, const uint8_t *qname,
	    uint16_t qtype, struct hostq_reply *);

/* Send one query to all servers at once and call each for every reply, in
 * the order they arrive, until each returns -1.  Servers that fail get
 * host's error lines.  Returns the number of replies. */
int	exchange_parallel(struct hostq *, const struct hostq_server *servers, int nservers,
	    const char *qtext, const uint8_t *qname, uint16_t qtype, struct hostq_reply *,
	    int (*each)(struct hostq *, const struct hostq_reply *));

/* Transfer a zone over TCP, calling each for every message until it
 * returns 0 (done) or -1 (failed).  Returns 0, or -1 when the transfer
 * failed or no server could be reached. */
int	exchange_axfr(struct hostq *, const char *qtext, const uint8_t *qname,
	    int (*each)(struct hostq *, const struct hostq_reply *, void *), void *arg);

/* output.c */

/* Print a reply as host does; nxtext is the name printed for NXDOMAIN.
 * Returns the rcode, or -1 for a malformed reply (dumped as a bad packet). */
int	output_message(struct hostq *, const struct hostq_reply *, const char *nxtext);

/* Print a malformed reply as host's bad packet, without its records.
 * Returns 0 for a reply that output_message can print, or -1. */
int	output_check(struct hostq *, const struct hostq_reply *);

/* The "Received N bytes from ..." line of verbose mode. */
void	output_received(const struct hostq *, const struct hostq_reply *);

/* The "Using domain server:" block, once per run. */
void	output_server(struct hostq *, const struct hostq_server *);

/* Print ";; Got bad packet: why" and a hex dump of msg. */
void	output_bad_packet(const char *why, const uint8_t *msg, size_t len);

/* Format a wire name as host prints it: no trailing dot except for the root. */
void	output_name(const uint8_t *name, char *buf, size_t len);

/* sweep.c */

/* hostq --sweep: look up every name and address of the hosts file at path
 * on each server ("ADDR" or "ADDR#PORT"; 127.0.0.1 when none) and print
 * the problems found.  Returns the exit status: 0 clean, 1 problems, 2 for
 * a bad server argument or an unreadable file. */
int	sweep_run(struct hostq *, const char *path, int nservers, char **servers);

#endif
