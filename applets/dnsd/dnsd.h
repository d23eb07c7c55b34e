/* dnsd.h -- interfaces between the parts of the dnsd applet. */
#ifndef EDGEBOX_DNSD_H
#define EDGEBOX_DNSD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conf.h"
#include "netaddr.h"
#include "sock.h"

#define DNSD_NAME_MAX		256	/* text form of a name without the final dot, plus NUL */
#define DNSD_PATH_MAX		256
#define DNSD_SERVERS_MAX	32
#define DNSD_LISTEN_MAX		16
#define DNSD_FILES_MAX		16	/* addn-hosts= files or directories */
#define DNSD_CACHE_DEFAULT	150	/* dnsmasq's default cache-size */
#define DNSD_CACHE_MAX		10000
/* dns-forward-max: dnsmasq's default of 150 refuses queries in a burst of
 * cache misses, so dnsd takes 1024; a slot costs memory only once used. */
#define DNSD_FORWARD_DEFAULT	1024
#define DNSD_FORWARD_MAX	4000	/* queries in flight; each needs a loop timer */
#define DNSD_EDNS_SIZE		1232	/* advertised EDNS(0) payload size (DNS flag day 2020) */
#define DNSD_DEFAULT_CONF	"/etc/edgebox/dnsd.conf"
#define DNSD_DEFAULT_PIDFILE	"/run/dnsd.pid"
#define DNSD_HOSTS		"/etc/hosts"
#define DNSD_DEFAULT_USER	"dnsd"	/* the Alpine package creates it */
#define DNSD_FALLBACK_USER	"nobody"	/* dnsmasq's default user */

/* The routing of the names under a server= or local= domain. */
enum dnsd_route {
	ROUTE_FORWARD,		/* send to this upstream */
	ROUTE_LOCAL,		/* answer only from local data: NXDOMAIN otherwise */
	ROUTE_DEFAULT		/* /domain/#: use the servers without a domain */
};

/* The file and line of a config entry, for dnsd --explain.  file is 1 +
 * an index in dnsd_conf.origin_files, and 0 means none, so that a zeroed
 * entry has no origin; line 0 means none. */
struct dnsd_origin {
	int	file;
	int	line;
};

struct dnsd_server {
	struct dnsd_origin	origin;
	enum dnsd_route	route;
	int		unqualified;		/* server=//IP: names without a dot */
	char		domain[DNSD_NAME_MAX];	/* lower case; "" matches every name */
	struct netaddr	addr;
	uint16_t	port;
};

/* address=/domain/[IP]: every name in or under domain answers with addr. */
#define DNSD_ADDRESS_MAX	64
struct dnsd_address {
	struct dnsd_origin	origin;
	char		domain[DNSD_NAME_MAX];
	struct netaddr	addr;		/* AF_UNSPEC: NXDOMAIN for the domain */
	int		any;		/* '#': 0.0.0.0 and :: */
};

/* A record from the config (host-record, cname, mx-host, srv-host,
 * txt-record, ptr-record), with names in text form. */
struct dnsd_confrec {
	struct dnsd_origin	 origin;
	char		*owner;
	uint16_t	 type;
	uint32_t	 ttl;		/* UINT32_MAX: use local-ttl */
	struct netaddr	 addr;		/* A, AAAA */
	char		*target;	/* CNAME, MX, SRV, PTR target */
	uint16_t	 pref;		/* MX preference or SRV priority */
	uint16_t	 weight;	/* SRV */
	uint16_t	 port;		/* SRV */
	char		*text;		/* TXT: the character-strings in wire form */
	size_t		 textlen;
};

#define DNSD_REBIND_OK_MAX	32	/* rebind-domain-ok= domains */

/* domain=DOMAIN,RANGE: with expand-hosts, hosts names whose address is in
 * the range (a CIDR subnet or START,END) get this domain, as in dnsmasq. */
#define DNSD_SUBDOMAINS_MAX	16
struct dnsd_subdomain {
	char		domain[DNSD_NAME_MAX];
	struct netaddr	lo, hi;		/* first and last address of the range */
};

/*
 * The scalars and short strings come first and the large tables last, so
 * that a config that uses a few entries of some tables touches few pages
 * of this 49 KiB struct (load_conf takes it from calloc).
 */
struct dnsd_conf {
	int		nservers;
	int		naddresses;
	int		nlisten;
	int		ninterfaces;
	int		nexcept_interfaces;
	int		bind_interfaces;
	uint16_t	port;
	int		nsubdomains;
	int		expand_hosts;
	int		no_hosts;
	int		naddn_hosts;
	int		nhostsdirs;
	int		no_resolv;
	int		no_poll;
	int		resolv_first;	/* servers[] index of the first from resolv-file, -1 */

	struct dnsd_confrec	*records;
	int			 nrecords;

	/* The files the config was read from, for the origins of entries. */
	char			**origin_files;
	int			 norigin_files;
	struct dnsd_origin	 domain_needed_at, bogus_priv_at;

	long		cache_size;
	int		no_negcache;
	long		neg_ttl;	/* -1: unset */
	long		local_ttl;
	long		max_ttl;	/* 0: none; caps TTLs sent to clients */
	long		min_cache_ttl;	/* 0: none; at most 3600 as in dnsmasq */
	long		max_cache_ttl;	/* 0: none */
	long		edns_packet_max;
	long		forward_max;	/* dns-forward-max: queries waiting for upstreams */

	int		user_set;	/* user= was given, so no fallback */
	int		log_queries;
	int		domain_needed;
	int		bogus_priv;
	int		strict_order;
	int		all_servers;
	int		local_service;	/* only clients on local subnets */
	int		log_facility;	/* syslog facility; -1: stderr */
	int		stop_dns_rebind;
	int		rebind_localhost_ok;
	int		nrebind_ok;

	/* Modes, usually set on the command line. */
	int		test_only;
	int		foreground;	/* -k */
	int		debug;		/* -d */
	int		help;
	int		version;

	char		user[64];
	char		group[64];
	struct netaddr	listen[DNSD_LISTEN_MAX];
	char		interfaces[DNSD_LISTEN_MAX][32];
	/* except-interface=: never listen there, whatever else names it. */
	char		except_interfaces[DNSD_LISTEN_MAX][32];
	/* From -C, or DNSD_DEFAULT_CONF. */
	char		conf_file[DNSD_PATH_MAX];
	char		domain[DNSD_NAME_MAX];	/* domain=, lower case, "" when unset */
	char		resolv_file[DNSD_PATH_MAX];
	char		pid_file[DNSD_PATH_MAX];
	char		log_file[DNSD_PATH_MAX];	/* log-facility=PATH, "" when unset */

	struct dnsd_server	servers[DNSD_SERVERS_MAX];
	char		addn_hosts[DNSD_FILES_MAX][DNSD_PATH_MAX];
	char		hostsdirs[DNSD_FILES_MAX][DNSD_PATH_MAX];	/* polled for changes */
	struct dnsd_subdomain	subdomains[DNSD_SUBDOMAINS_MAX];
	struct dnsd_address	addresses[DNSD_ADDRESS_MAX];
	char		rebind_ok[DNSD_REBIND_OK_MAX][DNSD_NAME_MAX];	/* lower case */
};

/* dnsconf.c: options and the directive table */

/* Fill conf with dnsmasq's defaults. */
void	dnsconf_defaults(struct dnsd_conf *);

/* dnsconf_defaults for a conf that is all zero bytes already (from
 * calloc).  Only the fields whose default is not zero are written, so the
 * pages of the unused tables are never touched. */
void	dnsconf_defaults_zeroed(struct dnsd_conf *);

/* Free what the config's handlers allocated (records, origin files);
 * conf stays usable. */
void	dnsconf_free(struct dnsd_conf *);

/* The file and line of an origin as "FILE:LINE" (or FILE alone, or
 * "built in").  The text lives until the next call. */
const char *dnsconf_origin_text(const struct dnsd_conf *, struct dnsd_origin);

/* Make the table of every dnsmasq option, sorted by name, for conf_init.
 * Stores its length in *n and returns it, to be freed by the caller, or
 * NULL when out of memory. */
struct conf_directive *dnsconf_table_new(size_t *n);

/* Format a message and pass it to sink, or to log_warnx when sink is
 * NULL.  Messages longer than 1279 bytes are cut short. */
void	dnsconf_report(conf_sink, void *arg, int is_error, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

/*
 * Read the -C files (or the default file when it exists), then the other
 * command-line options, which override them.  Messages go to sink (NULL:
 * the log).  Returns the number of errors.
 */
int	dnsconf_load(struct dnsd_conf *, int argc, char **argv, conf_sink, void *sinkarg);

/* Warn about options that have no effect together.  Returns the number
 * of errors, which is 0 for now: every such case is only a warning. */
int	dnsconf_check(struct dnsd_conf *, conf_sink, void *sinkarg);

/*
 * The user to switch to after binding: user= when given, else dnsd.  When
 * user= is not given and dnsd does not exist, warn through sink (NULL:
 * the log) and return nobody, the user dnsmasq switches to by default.
 * Returns NULL when dnsd keeps root (user=root or an empty user=).
 */
const char *dnsconf_run_user(const struct dnsd_conf *, conf_sink, void *sinkarg);

/* Add the nameserver lines of resolv-file as upstreams unless no-resolv
 * is set; call after the listen addresses are known.  Called again, it
 * replaces the servers an earlier call added.  Returns 0 or -1. */
int	dnsconf_read_resolv(struct dnsd_conf *);

/* records.c: the table of local names built from hosts files and config records */

/*
 * A local record, 12 bytes.  Its data in the pool is the address (A,
 * AAAA), the target name (CNAME, PTR) or the TXT character-strings.  An
 * MX starts with its preference and an SRV with its priority, weight and
 * port (2 bytes each in network byte order), and the target name follows.
 */
struct records_rr {
	uint32_t	data;		/* pool offset */
	uint32_t	ttl;		/* RECORDS_LOCAL_TTL: the local-ttl */
	uint16_t	datalen;
	uint16_t	type;
};

/* A record as records_add collects it.  records_finish sorts these and
 * keeps only their struct records_rr, since names[] then gives owners. */
struct records_entry {
	struct records_rr	rr;
	uint32_t		owner;		/* pool offset of the owner, a lower-case
						 * wire name */
	uint32_t		seq;		/* order of addition, kept among equal owners */
	uint8_t			from_hosts;	/* PTR made from a hosts line, kept once
						 * per address */
	uint16_t		src;		/* records.sources index + 1, 0: the config */
};

#define RECORDS_LOCAL_TTL	UINT32_MAX

#define RECORDS_INDEX16	65536

/* One owner name and the span of its records in rrs[]; count 0 marks an
 * empty non-terminal (a name that exists only because names below it do).
 * A reply holds far fewer than 65535 records, and records_finish rejects a
 * name with more. */
struct records_name {
	uint32_t	owner;
	uint32_t	first;
	uint16_t	count;
	/* Round-robin start, advanced per answer of any type and taken
	 * modulo the count of the type asked.  It wraps at 65536, which
	 * repeats one start once in 65536 answers. */
	uint16_t	rotate;
};

struct records {
	struct records_rr	*rrs;		/* from records_finish, by owner */
	size_t			 nrrs;
	struct records_entry	*entries;	/* added, until records_finish */
	size_t			 nentries, capentries;
	/* For log-queries only (keep_sources set before the first add): the
	 * hosts file of each record, as 1 + an index in sources (0: the
	 * config), parallel to rrs. */
	int			 keep_sources;
	uint16_t		*srcs;
	char			**sources;
	size_t			 nsources;
	uint16_t		 cur_src;	/* the source of the records added now */
	uint8_t			*pool;
	size_t			 poollen, poolcap;
	struct records_name	*names;
	size_t			 nnames, capnames;
	/* Open addressing: names[] index + 1, 0 empty.  A table of up to
	 * RECORDS_INDEX16 slots holds at most half as many names, so its
	 * entries take 16 bits (uint16_t), a larger one's 32 (uint32_t). */
	void			*index;
	size_t			 nindex;	/* a power of two */
};

/* Empty a table (also before first use). */
void	records_init(struct records *);
void	records_free(struct records *);

/* Add a record.  owner is a wire name (any case); data is the target wire
 * name for CNAME, PTR, MX, SRV, or the TXT character-strings in wire form.
 * The address of an A or AAAA record goes to the pool as its data.
 * Returns 0 or -1 (no memory). */
int	records_add(struct records *, const uint8_t *owner, uint16_t type,
	    const struct netaddr *addr, const uint8_t *data, size_t datalen,
	    uint16_t pref, uint16_t weight, uint16_t port, uint32_t ttl);

/* Add the A or AAAA record of a name given as text, and with ptr set a PTR
 * from the address to it.  Of several such PTRs for one address,
 * records_finish keeps the first added.  Returns 0 or -1. */
int	records_add_host(struct records *, const char *name, const struct netaddr *addr,
	    int ptr, uint32_t ttl);

/* Take the records added from now on as read from the hosts file path
 * (NULL: the config).  Returns 0 or -1 (no memory). */
int	records_set_source(struct records *, const char *path);

/* The source of rrs[i] as log-queries names it: its hosts file, or
 * "config". */
const char *records_source(const struct records *, size_t i);

/* Sort the records, drop duplicates and build the index; call once, after
 * the last add and before the first lookup.  Returns 0, or -1 with errno
 * ENOMEM, or EOVERFLOW when a name has more than 65535 records. */
int	records_finish(struct records *);

/* Find a name (wire form, case ignored).  Returns its entry or NULL. */
struct records_name *records_lookup(const struct records *, const uint8_t *name);

/* records_lookup for a lower-case name and its dnswire_name_hash. */
struct records_name *records_lookup_lower(const struct records *, const uint8_t *lname,
	    uint32_t hash);

/* records_lookup_lower for a name of len bytes, the final 0 included. */
struct records_name *records_find(const struct records *, const uint8_t *lname, size_t len,
	    uint32_t hash);

/* Return the bytes at a pool offset. */
const uint8_t *records_data(const struct records *, uint32_t off);

/* Whether a text name is a valid host name (letters, digits, '-', '_' and
 * dots; labels of 1 to 63 bytes; 253 bytes at most).  Returns 1 or 0. */
int	records_valid_name(const char *name);

/* Copy a text name in lower case without the final dot into out.
 * Returns 0, or -1 when it does not fit. */
int	records_canon(const char *name, char out[static DNSD_NAME_MAX]);

/* Copy src into dst of size len.  Returns 0, or -1 when it was cut short. */
int	records_strlcpy(char *dst, const char *src, size_t len);

/* hosts.c */

/* Read a hosts file into the table.  With a domain (expand-hosts) each
 * name without a dot is added a second time as NAME.DOMAIN, and the PTR
 * goes to the first name of the line, qualified.  Bad lines are reported
 * through sink as warnings ("FILE:LINE: ...") and skipped.  Returns the
 * number of addresses read, or -1 when the file cannot be opened. */
int	hosts_load(struct records *, const char *path, const char *domain,
	    conf_sink, void *sinkarg);

/* Read path as a hosts file, or every file in it when it is a directory
 * (in name order, skipping dot files and editor backups).  Returns the
 * number of addresses read or -1. */
int	hosts_load_path(struct records *, const char *path, const char *domain,
	    conf_sink, void *sinkarg);

/* Build the whole table from the config: the system hosts file (unless
 * no-hosts), addn-hosts, and the config records.  Returns 0 or -1. */
int	hosts_build(struct records *, const struct dnsd_conf *, const char *hostsfile,
	    conf_sink, void *sinkarg);

/* The expand-hosts domain for an address: the first domain=DOMAIN,RANGE
 * whose range holds it, else domain.  Returns it ("" when none). */
const char *hosts_domain_for(const struct dnsd_conf *, const struct netaddr *);

/* Whether a file in a hosts directory or a conf-dir= directory is skipped,
 * as dnsmasq skips them: dot files, "~" backups and "#...#" files. */
int	hosts_skip_name(const char *name);

/* A hook that dnsd --explain sets.  The hosts readers call it for each
 * name of a hosts line they add, with the file and line, the name as
 * written, the domain that expand-hosts adds (NULL or "": none), the
 * address, and whether the line's PTR points to the name. */
extern void	(*hosts_trace)(const char *path, int line, const char *name,
	    const char *domain, const struct netaddr *addr, int ptr);

/* explain.c: dnsd --explain NAME [TYPE] */

/* Print to stdout how the config c answers NAME and TYPE (NULL: A):
 * the answer dnsd would send and the rule (file and line) that decides
 * it, without starting the server.  hostsfile is the system hosts file.
 * Returns 0, or 1 when NAME or TYPE is invalid or the table cannot be
 * built. */
int	explain(struct dnsd_conf *c, const char *hostsfile, const char *name,
	    const char *type);

/* cache.c: fixed-size cache of upstream replies with LRU eviction */

#define CACHE_MSG_MAX	1232	/* larger replies are not cached */
#define CACHE_BLOCK	64	/* bytes per storage block */
/* Blocks one entry may need: its lower-case name and the reply.  A reply
 * whose question is that name is stored without it, so most entries take
 * namelen bytes less. */
#define CACHE_ENTRY_BLOCKS	((DNS_NAME_MAX + CACHE_MSG_MAX + CACHE_BLOCK - 1) / CACHE_BLOCK)

/* TTL offsets an entry keeps at most (see cache_store_ttls). */
#define CACHE_TTLS_MAX	64

/* A hit, as the lookups return it: the reply is copied out of the blocks
 * and stays valid until the next call on the cache or on its buffer. */
struct cache_entry {
	uint16_t	 len;
	double		 stored;		/* monotonic seconds */
	const uint8_t	*msg;
	/* The offsets of the reply's TTL fields from cache_store_ttls, two
	 * bytes each in network byte order, or NULL when the entry was
	 * stored without them. */
	const uint8_t	*ttls;
	uint16_t	 nttls;
};

/* A stored entry: its name and reply sit in a chain of blocks, so an
 * entry takes the memory of its bytes, not of the largest reply. */
struct cache_slot {
	uint32_t	hash;			/* dnswire_name_hash of the name */
	uint16_t	qtype;
	uint16_t	qclass;
	uint16_t	len;			/* of the reply; 0: a free slot */
	uint16_t	namelen;
	uint8_t		packed;			/* the reply is stored without its
						 * question name (see cache_store) */
	uint8_t		nttls;			/* TTL offsets after the reply, or
						 * CACHE_TTLS_NONE */
	uint8_t		one_block;		/* packed, and all in the first block */
	uint32_t	block;			/* first block */
	uint32_t	hnext;			/* hash chain, CACHE_NIL ends */
	uint32_t	lru_prev, lru_next;	/* most recent first */
	double		stored;
	double		expires;
};

#define CACHE_NIL	UINT32_MAX
#define CACHE_TTLS_NONE	UINT8_MAX

/*
 * The slot and block tables are allocated for the worst case at start-up
 * but set up only as far as they are used (nslots, nblocks_used), so an
 * idle or lightly used cache touches few pages.
 */
struct cache {
	struct cache_slot	*slots;
	size_t			 size;
	size_t			 used;
	size_t			 nslots;	/* slots set up so far */
	uint32_t		*buckets;
	size_t			 nbuckets;
	uint32_t		 lru_head, lru_tail;
	uint32_t		 free_head;	/* free slots, chained through hnext */
	uint8_t			*blocks;	/* nblocks * CACHE_BLOCK bytes */
	uint32_t		*bnext;		/* next block of a chain, or of the free list */
	size_t			 nblocks, nblocks_used, nblocks_free;
	uint32_t		 bfree;		/* free blocks below nblocks_used */
	struct cache_entry	 hit;
	uint8_t			 hitmsg[CACHE_MSG_MAX];
	uint8_t			 hitttls[2 * CACHE_TTLS_MAX];
	unsigned long		 hits, misses, inserts, evictions;
};

/* Allocate a cache of size entries (0 disables it).  Returns 0 or -1. */
int	cache_init(struct cache *, size_t size);
void	cache_free(struct cache *);

/* Drop every entry. */
void	cache_clear(struct cache *);

/* Find a live entry; expired ones are freed on the way.  Moves a hit to
 * the front of the LRU list.  Returns the entry or NULL. */
const struct cache_entry *cache_lookup(struct cache *, const uint8_t *qname,
	    uint16_t qtype, uint16_t qclass, double now);

/* cache_lookup for a lower-case name and its dnswire_name_hash. */
const struct cache_entry *cache_lookup_lower(struct cache *, const uint8_t *lname,
	    uint32_t hash, uint16_t qtype, uint16_t qclass, double now);

/*
 * cache_lookup for a parsed query (its lname, namelen, hash, qtype and
 * qclass) that copies the reply straight into out, with the question name
 * in the case of q->name when the reply's question is the key.  With cap
 * below CACHE_MSG_MAX the reply goes to the cache's own buffer instead, so
 * the caller must use the entry's msg.
 */
struct query;
const struct cache_entry *cache_lookup_query(struct cache *, const struct query *q,
	    double now, uint8_t *out, size_t cap);

/* Store a reply for ttl seconds, replacing an entry with the same key and
 * evicting the least recently used one when full.  Returns 0, or -1 when
 * the cache is disabled or the reply is too large. */
int	cache_store(struct cache *, const uint8_t *qname, uint16_t qtype,
	    uint16_t qclass, const uint8_t *msg, size_t len, uint32_t ttl, double now);

/* cache_store that also keeps nttls (at most CACHE_TTLS_MAX) offsets of
 * TTL fields in msg, which a hit returns.  They are kept only when the
 * reply's one question is the key name; ttls NULL keeps none. */
int	cache_store_ttls(struct cache *, const uint8_t *qname, uint16_t qtype,
	    uint16_t qclass, const uint8_t *msg, size_t len, const uint16_t *ttls,
	    size_t nttls, uint32_t ttl, double now);

/* Number of live (stored, maybe expired) entries. */
size_t	cache_count(const struct cache *);

/* Check the list and hash invariants.  Returns 0 or -1. */
int	cache_check(const struct cache *);


/* query.c: answers from local data and the cache */

/*
 * A client's query, parsed.  A forwarded query waits for its upstream as a
 * struct query_wait, all but the question name, which forward.c keeps in
 * 64 bytes when it fits.  The lower-case copy of the name is read only by
 * the lookups in the local names and the cache.  The fields are listed
 * once, here, for both structs.
 */
#define QUERY_WAIT_FIELDS \
	uint16_t	 id; \
	uint16_t	 flags;		/* client's flags word */ \
	uint16_t	 namelen;	/* bytes of name, the final 0 included */ \
	uint32_t	 hash;		/* dnswire_name_hash of the name */ \
	uint16_t	 qtype; \
	uint16_t	 qclass; \
	int		 has_question; \
	int		 edns;		/* the query carried an OPT record */ \
	int		 dnssec_ok;	/* its DO bit (RFC 3225) */ \
	uint16_t	 edns_size;	/* requestor's UDP payload size */ \
	uint16_t	 adv_size;	/* ours, sent in the reply's OPT */ \
	uint32_t	 max_ttl;	/* max-ttl, 0: none */ \
	size_t		 limit;		/* largest reply the client takes */ \
	int		 tcp; \
	struct netaddr	 from;

struct query_wait {
	QUERY_WAIT_FIELDS
};

struct query {
	union {
		struct query_wait	wait;
		struct {
			QUERY_WAIT_FIELDS
		};
	};
	uint8_t		name[255];	/* question name as sent (wire, case kept) */
	uint8_t		lname[255];	/* the same in lower case */
};

/* Make in q the struct query of a waiting query w whose question name is
 * name (w->namelen bytes).  Returns q. */
const struct query *query_from_wait(const struct query_wait *w, const uint8_t *name,
	    struct query *q);

/* The I/O layer's next step for a query. */
enum query_verdict {
	QUERY_DROP,		/* send nothing */
	QUERY_REPLY,		/* send the reply built in the output buffer */
	QUERY_FORWARD		/* ask an upstream; the reply comes later */
};

/* Counters dumped on SIGUSR1. */
struct dnsd_stats {
	unsigned long	queries;
	unsigned long	local;		/* answered from hosts and local records */
	unsigned long	forwarded;
	unsigned long	upstream_failures;	/* timeouts, errors, SERVFAIL/REFUSED from upstream */
	unsigned long	servfail;	/* SERVFAIL sent because no upstream answered */
	unsigned long	malformed;
	unsigned long	refused;
	unsigned long	tcp_connections;
	unsigned long	dropped;
	unsigned long	bad_replies;	/* upstream replies that matched no query */
	unsigned long	random_failures;	/* getrandom calls that failed */
};

/* A local subnet: forwarding is only for clients inside one. */
#define DNSD_SUBNETS_MAX	64
struct dnsd_subnet {
	struct netaddr	net;
	int		prefixlen;
};

/* Everything a running dnsd reads per query. */
struct dnsd_state {
	struct dnsd_conf	*conf;
	struct records		 records;
	struct cache		 cache;
	struct dnsd_stats	 stats;
	struct dnsd_subnet	 subnets[DNSD_SUBNETS_MAX];
	int			 nsubnets;
	/* Wire forms of conf->servers[].domain and conf->addresses[].domain. */
	uint8_t			 server_dom[DNSD_SERVERS_MAX][255];
	uint8_t			 address_dom[DNSD_ADDRESS_MAX][255];
	uint8_t			 rebind_dom[DNSD_REBIND_OK_MAX][255];
	/* conf->servers[] entries with a domain, counted by query_setup:
	 * without them no name needs the search for its server entry. */
	int			 server_domains;
	/* When each conf->servers[] entry last failed (monotonic s, 0: not
	 * lately); without strict-order such servers are tried last. */
	double			 server_failed[DNSD_SERVERS_MAX];
	/* Per conf->servers[] entry: queries sent, and tries that failed
	 * (timeout, send error, SERVFAIL or REFUSED), for SIGUSR1 and the
	 * CHAOS TXT name servers.bind.  Reset when the servers change. */
	unsigned long		 server_queries[DNSD_SERVERS_MAX];
	unsigned long		 server_failures[DNSD_SERVERS_MAX];
	/* Without strict-order and all-servers: the server that answered
	 * last, tried first (-1: none yet). */
	int			 fastest;
	const char		*hostsfile;
	/* local-service without listen-address or interface: dnsd listens on
	 * every address and answers only clients on the local subnets. */
	int			 local_only;
};

/* Parse a client's query.  Returns QUERY_DROP (too short or a response),
 * QUERY_REPLY with an error reply (FORMERR, NOTIMP) already built in out,
 * or QUERY_FORWARD meaning "parsed, go on" with q filled. */
enum query_verdict query_parse(struct dnsd_state *, const uint8_t *msg, size_t len,
	    int tcp, struct query *q, uint8_t *out, size_t cap, size_t *outlen);

/* Answer q from local data or the cache, or decide to forward.  On
 * QUERY_REPLY the reply is in out; QUERY_FORWARD leaves the choice of
 * upstreams to query_route. */
enum query_verdict query_answer(struct dnsd_state *, const struct query *,
	    uint8_t *out, size_t cap, size_t *outlen, double now);

/*
 * ANY for a name dnsd would forward (RFC 8482 4.2): whether q gets a
 * synthesized HINFO "RFC8482" "" instead of going upstream.  Queries with
 * the DO or CD bit are forwarded, since a validator cannot check a
 * synthesized record.  Returns 1 or 0.
 */
int	query_any_synthesized(const struct query *);

/* TTL of the synthesized HINFO: long enough that a client does not ask
 * ANY again soon (RFC 8482 4.2 leaves the value to the operator). */
#define QUERY_ANY_TTL	3600

/* Build the synthesized HINFO reply for an ANY query.  Returns its
 * length, or 0 when cap is too small. */
size_t	query_any_reply(const struct dnsd_state *, const struct query *, uint8_t *out,
	    size_t cap);

/* Build a reply with only the question and rcode.  Returns its length. */
size_t	query_error(const struct query *, unsigned int rcode, uint8_t *out, size_t cap);

/* Turn an upstream (or cached) reply into the reply for q.  It gets the
 * client's ID, question case and RD bit, TTLs lowered by age and our OPT
 * record.  It is cut to the client's size, with TC set when answers are
 * dropped, and a cached reply loses AA.  Returns the length, or 0 when up
 * is malformed. */
size_t	query_relay(const struct query *, const uint8_t *up, size_t uplen, int cached,
	    uint32_t age, uint8_t *out, size_t cap);

/*
 * Cache an upstream reply to q for ttl seconds, in the form a cache hit
 * relays fastest.  The reply is cut after the last record the relay keeps
 * (before an OPT or TSIG record).  When every name still reads after the
 * relay's edits, the entry keeps the offsets of its TTL fields.  Returns
 * as cache_store.
 */
int	query_cache_store(struct dnsd_state *, const struct query *q, const uint8_t *msg,
	    size_t len, uint32_t ttl, double now);

/* With stop-dns-rebind: whether an upstream reply for q carries an address
 * of a private range (RFC 1918, loopback unless rebind-localhost-ok,
 * link-local, CGNAT, the test nets; for IPv6 link-local, site-local, ULA
 * and mapped private IPv4) outside the rebind-domain-ok domains.  Such a
 * reply is answered with no records, as dnsmasq does.  Returns 1 or 0. */
int	query_rebind(const struct dnsd_state *, const struct query *, const uint8_t *msg,
	    size_t len);

/* The TTL to cache an upstream reply with (0: do not cache it). */
uint32_t query_cache_ttl(const struct dnsd_state *, const uint8_t *msg, size_t len);

/* Fill the wire forms of the configured domains.  Returns 0 or -1. */
int	query_setup(struct dnsd_state *);

/* Choose the upstreams for a name: fill idx with up to max server
 * indexes in the order to try.  That is config order, except that without
 * strict-order the servers that failed in the last SERVER_PENALTY seconds
 * go last, and without all-servers either the fastest server goes first.
 * Returns their number (0: none). */
#define SERVER_PENALTY	30.0
int	query_route(const struct dnsd_state *, const uint8_t *name, int *idx, int max,
	    double now);

/* The server entry with the longest domain containing name, or -1. */
int	query_best_server(const struct dnsd_state *, const uint8_t *name);

/* The address= entry with the longest domain containing name, or -1 when
 * none does or a server= or local= for a longer domain decides. */
int	query_best_address(const struct dnsd_state *, const uint8_t *name);

/* Whether name is a reverse name of a private IPv4 range (RFC 1918,
 * link-local, loopback, 0/8, the test nets, broadcast, as dnsmasq counts
 * them) or of a link-local or unique-local IPv6 range: bogus-priv answers
 * those with NXDOMAIN instead of forwarding them.  Returns 1 or 0. */
int	query_private_reverse(const uint8_t *name);

/* With log-queries: log the answer of reply msg as dnsmasq does, one
 * line per record, "SOURCE NAME is VALUE" ("reply" for upstream replies,
 * "cached" for the cache, else the config or hosts file), or the rcode
 * or NODATA when there is no answer. */
void	query_log_reply(const struct dnsd_state *, const char *source, const uint8_t *msg,
	    size_t len);

/* Whether a client may have its queries forwarded.  Returns 1 or 0. */
int	query_may_forward(const struct dnsd_state *, const struct netaddr *);

/* forward.c: queries sent upstream over UDP, with retries and failover */

#define FORWARD_TRIES	4	/* servers tried per query */
#define FORWARD_TIMEOUT	1.0	/* seconds to wait for all tries together */

/* The client of a forwarded query, which receives the reply. */
struct forward_client {
	int			fd;		/* UDP: the listening socket */
	struct sock_rxinfo	rx;		/* UDP: source and destination */
	int			conn;		/* TCP: connection slot, -1 for UDP */
	uint32_t		conn_gen;	/* TCP: the slot's generation */
};

/* Delivers a reply to a client (the I/O layer in dnsd.c). */
typedef void	(*forward_reply_cb)(const struct forward_client *, const uint8_t *, size_t);

/* Size the table from dns-forward-max and drop every query in flight;
 * call once at start-up.  Returns 0 or -1 (no memory). */
int	forward_init(struct dnsd_state *, forward_reply_cb);

/*
 * Adopt a new config (after SIGHUP or a changed resolv-file) without
 * dropping the queries in flight: they keep their servers and sockets and
 * still answer their clients.  The upstream sockets of servers that the
 * new config still names stay in its pools, the others close once their
 * queries finish.  Returns 0, or -1 when there is no memory for a larger
 * dns-forward-max (the old limit stays).
 */
int	forward_reconfigure(void);

/* Send q upstream to the servers idx[0..n), or attach it to a query in
 * flight for the same question, whose answer it then shares.  Returns 0,
 * or -1 when no slot is free (the caller answers REFUSED). */
int	forward_start(const struct query *, const struct forward_client *,
	    const int *idx, int n);

/* Drop every query in flight without a reply (at exit). */
void	forward_cancel_all(void);

/* Number of queries in flight. */
int	forward_pending(void);

/* The source of query IDs and port choices: getrandom(2).  Unit tests
 * replace it to make it fail. */
extern ssize_t	(*forward_getrandom)(void *, size_t, unsigned int);

#endif
