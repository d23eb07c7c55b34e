/* query.c -- dnsd's answers: local names, address= and local= domains, the cache. */
#include <stdio.h>
#include <string.h>

#include "dnsd.h"
#include "dnswire.h"
#include "log.h"
#include "version.h"

#define OPT_LEN		11	/* an OPT record without options */

static uint16_t	get16(const uint8_t *);
static void	put16(uint8_t *, uint16_t);
static void	put32(uint8_t *, uint32_t);
static size_t	put_opt(uint8_t *, size_t, uint16_t, uint16_t);
static size_t	relay_cached(const struct query *, const struct cache_entry *, uint32_t,
		    uint8_t *, size_t);
#define CNAME_HOPS	8	/* local CNAME chains followed at most */

/* Synthetic SOA timers, in seconds.  dnsd serves no zone transfers, so
 * only the minimum (the negative TTL, RFC 2308) matters to clients. */
#define SOA_REFRESH	1200
#define SOA_RETRY	180
#define SOA_EXPIRE	1209600

static size_t
reply_limit(const struct query *q, const struct dnsd_conf *c)
{
	size_t	limit;

	if (q->tcp)
		return DNS_MSG_MAX;
	if (!q->edns)
		return DNS_UDP_MAX_PLAIN;
	limit = q->edns_size < DNS_UDP_MAX_PLAIN ? DNS_UDP_MAX_PLAIN : q->edns_size;
	if (limit > (size_t)c->edns_packet_max)
		limit = (size_t)c->edns_packet_max;
	return limit;
}

static uint32_t
cap_ttl(uint32_t ttl, uint32_t max)
{
	return max > 0 && ttl > max ? max : ttl;
}

/* RFC 2181 8: a TTL with the most significant bit set counts as 0. */
static uint32_t
wire_ttl(uint32_t ttl)
{
	return ttl & 0x80000000u ? 0 : ttl;
}

/* A relayed record's TTL: the upstream's, less the age of the cached
 * copy, capped by max (0: none). */
static uint32_t
aged_ttl(uint32_t ttl, uint32_t age, uint32_t max)
{
	ttl = wire_ttl(ttl);
	return cap_ttl(ttl > age ? ttl - age : 0, max);
}

/* The TTL of local data: local-ttl, capped by max-ttl. */
static uint32_t
local_ttl(const struct dnsd_state *st)
{
	return cap_ttl((uint32_t)st->conf->local_ttl, (uint32_t)st->conf->max_ttl);
}

/* The flags of a reply: QR, the query's opcode and RD, RA, rcode. */
static uint16_t
reply_flags(const struct query *q, unsigned int rcode)
{
	return (uint16_t)(DNS_FLAG_QR | (q->flags & (0xf << 11)) | (q->flags & DNS_FLAG_RD) |
	    DNS_FLAG_RA | (rcode & 0xf));
}

static void
add_opt(struct dnswire_builder *b, const struct query *q)
{
	if (q->edns)
		(void)dnswire_builder_opt(b, q->adv_size, 0, 0, 0, NULL, 0);
}

/* Add a character-string (at most 255 bytes) to the RDATA being built. */
static void
add_string(struct dnswire_builder *b, const char *text)
{
	uint8_t	len = (uint8_t)strnlen(text, 255);

	(void)dnswire_builder_rdata_bytes(b, &len, 1);
	(void)dnswire_builder_rdata_bytes(b, text, len);
}

const struct query *
query_from_wait(const struct query_wait *w, const uint8_t *name, struct query *q)
{
	q->wait = *w;
	/* Without a question, name is the root (namelen 0 or 1). */
	memcpy(q->name, name, q->namelen > 0 ? q->namelen : 1);
	memcpy(q->lname, name, q->namelen > 0 ? q->namelen : 1);
	dnswire_name_lower(q->lname);
	return q;
}

/* An extended rcode (above 15, such as BADVERS) puts its upper bits in
 * the OPT record, which only a query with EDNS gets (RFC 6891 6.1.3). */
size_t
query_error(const struct query *q, unsigned int rcode, uint8_t *out, size_t cap)
{
	struct dnswire_builder	b;

	if (dnswire_builder_init(&b, out, cap, 0) == -1)
		return 0;
	dnswire_builder_header(&b, q->id, reply_flags(q, rcode));
	if (q->has_question)
		(void)dnswire_builder_question(&b, q->name, q->qtype, q->qclass);
	if (q->edns)
		(void)dnswire_builder_opt(&b, q->adv_size, (uint8_t)(rcode >> 4), 0, 0, NULL, 0);
	return dnswire_builder_finish(&b);
}

int
query_any_synthesized(const struct query *q)
{
	return q->qtype == DNS_TYPE_ANY && q->qclass == DNS_CLASS_IN && !q->dnssec_ok &&
	    !(q->flags & DNS_FLAG_CD);
}

size_t
query_any_reply(const struct dnsd_state *st, const struct query *q, uint8_t *out, size_t cap)
{
	struct dnswire_builder	b;

	if (dnswire_builder_init(&b, out, cap, q->limit) == -1)
		return 0;
	dnswire_builder_header(&b, q->id, reply_flags(q, DNS_RCODE_NOERROR));
	(void)dnswire_builder_question(&b, q->name, q->qtype, q->qclass);
	b.reserve = q->edns ? OPT_LEN : 0;
	if (dnswire_builder_rr_begin(&b, DNS_SECTION_ANSWER, q->name, DNS_TYPE_HINFO,
	    DNS_CLASS_IN, cap_ttl(QUERY_ANY_TTL, (uint32_t)st->conf->max_ttl)) == 0) {
		/* CPU "RFC8482", OS empty (RFC 8482 4.2). */
		add_string(&b, "RFC8482");
		add_string(&b, "");
		(void)dnswire_builder_rr_end(&b);
	}
	add_opt(&b, q);
	return dnswire_builder_finish(&b);
}

/*
 * Read the question of a query at msg[off]: its name as sent, in lower
 * case, its length and its hash (dnswire_name_hash), then type and class.
 * The labels are checked first, then the name is copied, lowered and
 * hashed in one pass.
 * The first name of a message has nothing before it to point to, so a
 * compression pointer is malformed here, as dnswire_name_unpack also
 * finds.  Returns the offset after the question or 0 when it is
 * malformed.
 */
static size_t
read_question(const uint8_t *msg, size_t len, size_t off, struct query *q)
{
	size_t	end = off, n;
	uint8_t	c;

	for (;;) {
		if (end >= len)
			return 0;
		c = msg[end];
		if (c & 0xc0)
			return 0;
		end += 1 + (size_t)c;
		if (end - off > DNS_NAME_MAX)
			return 0;
		if (c == 0)
			break;
	}
	if (end + 4 > len)
		return 0;
	n = end - off;
	q->namelen = (uint16_t)n;
	q->hash = dnswire_name_copy_lower(msg + off, n, q->name, q->lname);
	q->qtype = (uint16_t)(msg[end] << 8 | msg[end + 1]);
	q->qclass = (uint16_t)(msg[end + 2] << 8 | msg[end + 3]);
	return end + 4;
}

/* Find the OPT record among the records after the question, with the
 * rules of dnswire_edns_find.  Returns 1 (found), 0 (none) or -1. */
static int
find_edns(struct dnswire_parser *p, struct dnswire_edns *e)
{
	struct dnswire_rr	rr;
	int			r, found = 0;

	while ((r = dnswire_parse_rr(p, &rr)) == 1) {
		if (rr.type != DNS_TYPE_OPT)
			continue;
		if (found || rr.section != DNS_SECTION_ADDITIONAL ||
		    dnswire_edns_from_rr(p->msg, p->len, &rr, e) == -1)
			return -1;
		found = 1;
	}
	return r == -1 ? -1 : found;
}

enum query_verdict
query_parse(struct dnsd_state *st, const uint8_t *msg, size_t len, int tcp,
    struct query *q, uint8_t *out, size_t cap, size_t *outlen)
{
	struct dnswire_parser	p;
	struct dnswire_edns	edns;
	size_t			end;
	int			r;

	/* Every field but the bulk of the names, which are written before
	 * they are read: cheaper than clearing the whole struct. */
	q->id = q->flags = 0;
	q->name[0] = q->lname[0] = 0;
	q->namelen = 1;
	q->hash = 0;
	q->qtype = q->qclass = 0;
	q->has_question = q->edns = q->dnssec_ok = 0;
	q->edns_size = q->adv_size = 0;
	q->max_ttl = 0;
	q->limit = 0;
	memset(&q->from, 0, sizeof(q->from));
	q->tcp = tcp;
	/* The header is read here rather than by dnswire_parser_init: the
	 * parser is needed only when records follow the question. */
	if (len < DNS_HEADER_LEN) {
		st->stats.malformed++;
		return QUERY_DROP;
	}
	q->id = get16(msg);
	q->flags = get16(msg + 2);
	if (q->flags & DNS_FLAG_QR) {
		st->stats.dropped++;
		return QUERY_DROP;
	}
	q->limit = tcp ? DNS_MSG_MAX : DNS_UDP_MAX_PLAIN;
	if (DNS_FLAGS_OPCODE(q->flags) != DNS_OPCODE_QUERY) {
		*outlen = query_error(q, DNS_RCODE_NOTIMP, out, cap);
		return QUERY_REPLY;
	}
	if (get16(msg + 4) != 1 ||
	    (end = read_question(msg, len, DNS_HEADER_LEN, q)) == 0) {
		q->name[0] = q->lname[0] = 0;
		q->namelen = 1;
		q->qtype = q->qclass = 0;
		st->stats.malformed++;
		*outlen = query_error(q, DNS_RCODE_FORMERR, out, cap);
		return QUERY_REPLY;
	}
	q->has_question = 1;
	/* Look for an OPT record only when records follow the question. */
	r = 0;
	if ((msg[6] | msg[7] | msg[8] | msg[9] | msg[10] | msg[11]) != 0) {
		if (dnswire_parser_init(&p, msg, len) == -1) {
			st->stats.malformed++;
			return QUERY_DROP;
		}
		p.off = end;
		p.remaining = 0;
		if ((r = find_edns(&p, &edns)) == -1) {
			st->stats.malformed++;
			*outlen = query_error(q, DNS_RCODE_FORMERR, out, cap);
			return QUERY_REPLY;
		}
	}
	if (r == 1) {
		q->edns = 1;
		q->adv_size = (uint16_t)st->conf->edns_packet_max;
		q->edns_size = edns.udp_size;
		q->dnssec_ok = (edns.flags & DNS_EDNS_DO) != 0;
		/* RFC 6891 6.1.3: an EDNS version we do not speak gets
		 * BADVERS, with our OPT saying version 0. */
		if (edns.version != 0) {
			*outlen = query_error(q, DNS_RCODE_BADVERS, out, cap);
			return QUERY_REPLY;
		}
	}
	q->limit = reply_limit(q, st->conf);
	q->max_ttl = (uint32_t)st->conf->max_ttl;
	return QUERY_FORWARD;
}

/* The name (a suffix of qname) of the zone dnsd speaks for: the longest
 * local= domain containing qname, else domain= when it contains qname,
 * else qname itself. */
static const uint8_t *
zone_of(const struct dnsd_state *st, const uint8_t *qname)
{
	const uint8_t	*best = NULL;
	int		 i, labels, bestlabels = -1;
	uint8_t		 dom[DNS_NAME_MAX];

	for (i = 0; i < st->conf->nservers; i++) {
		if (st->conf->servers[i].route != ROUTE_LOCAL ||
		    !dnswire_name_is_subdomain(qname, st->server_dom[i]))
			continue;
		labels = dnswire_name_labels(st->server_dom[i]);
		if (labels > bestlabels) {
			best = st->server_dom[i];
			bestlabels = labels;
		}
	}
	if (best == NULL && st->conf->domain[0] != '\0' &&
	    dnswire_name_from_text(st->conf->domain, dom) != -1 &&
	    dnswire_name_is_subdomain(qname, dom))
		bestlabels = dnswire_name_labels(dom);
	if (best == NULL && bestlabels < 0)
		return qname;
	/* Point into qname itself so the builder compresses the owner. */
	labels = dnswire_name_labels(qname) - bestlabels;
	while (labels-- > 0)
		qname += *qname + 1;
	return qname;
}

/* Add the SOA that makes a negative answer cacheable (RFC 2308 3). */
static void
add_soa(struct dnsd_state *st, struct dnswire_builder *b, const struct query *q)
{
	const uint8_t		*zone = zone_of(st, q->name);
	uint8_t			 rname[DNS_NAME_MAX];
	struct dnswire_soa	 soa;
	size_t			 zlen = dnswire_name_len(zone);
	uint32_t		 ttl = local_ttl(st);

	/* hostmaster.ZONE, or the zone itself when that is too long. */
	if (zlen + 11 <= DNS_NAME_MAX) {
		rname[0] = 10;
		memcpy(rname + 1, "hostmaster", 10);
		memcpy(rname + 11, zone, zlen);
	} else
		memcpy(rname, zone, zlen);
	memset(&soa, 0, sizeof(soa));
	soa.mname = zone;
	soa.rname = rname;
	soa.serial = 1;
	soa.refresh = SOA_REFRESH;
	soa.retry = SOA_RETRY;
	soa.expire = SOA_EXPIRE;
	soa.minimum = ttl;
	(void)dnswire_builder_soa(b, DNS_SECTION_AUTHORITY, zone, ttl, &soa);
}

static uint32_t
rr_ttl(const struct dnsd_state *st, const struct records_rr *rr)
{
	uint32_t	ttl;

	ttl = rr->ttl == RECORDS_LOCAL_TTL ? (uint32_t)st->conf->local_ttl : rr->ttl;
	return cap_ttl(ttl, (uint32_t)st->conf->max_ttl);
}

/* Add one local record under owner; returns 0 or -1 when it did not fit. */
static int
add_rr(struct dnsd_state *st, struct dnswire_builder *b, const uint8_t *owner,
    const struct records_rr *rr)
{
	const uint8_t	*data = records_data(&st->records, rr->data);
	uint32_t	 ttl = rr_ttl(st, rr);

	switch (rr->type) {
	case DNS_TYPE_A:
		return dnswire_builder_a(b, DNS_SECTION_ANSWER, owner, ttl,
		    records_data(&st->records, rr->data));
	case DNS_TYPE_AAAA:
		return dnswire_builder_aaaa(b, DNS_SECTION_ANSWER, owner, ttl,
		    records_data(&st->records, rr->data));
	case DNS_TYPE_CNAME:
	case DNS_TYPE_PTR:
		return dnswire_builder_name_rr(b, DNS_SECTION_ANSWER, owner, rr->type, ttl, data);
	case DNS_TYPE_MX:
		/* The preference precedes the target (see struct records_rr). */
		return dnswire_builder_mx(b, DNS_SECTION_ANSWER, owner, ttl, get16(data),
		    data + 2);
	case DNS_TYPE_SRV:
		return dnswire_builder_srv(b, DNS_SECTION_ANSWER, owner, ttl, get16(data),
		    get16(data + 2), get16(data + 4), data + 6);
	case DNS_TYPE_TXT:
		/* The data already contains the character-strings in wire form. */
		if (dnswire_builder_rr_begin(b, DNS_SECTION_ANSWER, owner, DNS_TYPE_TXT,
		    DNS_CLASS_IN, ttl) == -1)
			return -1;
		(void)dnswire_builder_rdata_bytes(b, data, rr->datalen);
		return dnswire_builder_rr_end(b);
	default:
		return 0;
	}
}

/*
 * The one RRset an ANY query for a local name gets (RFC 8482 4.1): the
 * CNAME when the name has one, else its A records, else its AAAA
 * records, else the records of its first type in the table.
 */
static uint16_t
any_type(const struct records_rr *rr, uint32_t count)
{
	uint16_t	pick = rr[0].type;
	uint32_t	i;

	for (i = 0; i < count; i++) {
		if (rr[i].type == DNS_TYPE_CNAME)
			return DNS_TYPE_CNAME;
		if (rr[i].type == DNS_TYPE_A)
			pick = DNS_TYPE_A;
		else if (rr[i].type == DNS_TYPE_AAAA && pick != DNS_TYPE_A)
			pick = DNS_TYPE_AAAA;
	}
	return pick;
}

/* Add the records of name n that answer qtype, rotating round-robin sets;
 * ANY takes one RRset (any_type).  Returns how many were added; *cname
 * receives a CNAME target if the name has one and qtype is not CNAME or
 * ANY. */
static int
add_answers(struct dnsd_state *st, struct dnswire_builder *b, const uint8_t *owner,
    struct records_name *n, uint16_t qtype, const uint8_t **cname)
{
	const struct records_rr	*rr = &st->records.rrs[n->first];
	uint32_t		 i, start = 0, count = 0, first = 0, k;
	int			 added = 0;

	*cname = NULL;
	if (n->count == 0)
		return 0;
	if (qtype == DNS_TYPE_ANY)
		qtype = any_type(rr, n->count);
	for (i = 0; i < n->count; i++)
		if (rr[i].type == DNS_TYPE_CNAME && qtype != DNS_TYPE_CNAME) {
			if (add_rr(st, b, owner, &rr[i]) == 0)
				added++;
			*cname = records_data(&st->records, rr[i].data);
			return added;
		}
	for (i = 0; i < n->count; i++) {
		if (rr[i].type != qtype)
			continue;
		if (count == 0)
			first = i;
		count++;
	}
	if (count > 1) {
		start = n->rotate % count;
		n->rotate++;
	}
	for (k = 0; k < count; k++) {
		i = first + (start + k) % count;
		if (add_rr(st, b, owner, &rr[i]) == 0)
			added++;
	}
	return added;
}

/* Answer from the name table, where the query's name is n (NULL: not
 * there).  Returns 1 when the name is local (reply built), 0 when it is
 * not. */
static int
answer_local(struct dnsd_state *st, const struct query *q, struct records_name *n,
    struct dnswire_builder *b)
{
	const uint8_t		*owner = q->name, *cname;
	int			 hops, added = 0;

	if (n == NULL)
		return 0;
	for (hops = 0; n != NULL && hops < CNAME_HOPS; hops++) {
		added += add_answers(st, b, owner, n, q->qtype, &cname);
		if (cname == NULL)
			break;
		owner = cname;
		n = records_lookup(&st->records, cname);
	}
	if (added == 0)
		add_soa(st, b, q);
	return 1;
}

int
query_best_address(const struct dnsd_state *st, const uint8_t *name)
{
	int	i, labels, best = -1, server;

	for (i = 0; i < st->conf->naddresses; i++) {
		if (!dnswire_name_is_subdomain(name, st->address_dom[i]))
			continue;
		labels = dnswire_name_labels(st->address_dom[i]);
		if (best == -1 || labels > dnswire_name_labels(st->address_dom[best]))
			best = i;
	}
	/* As in dnsmasq the most specific domain decides, so a server= or
	 * local= for a domain below it overrides the address=. */
	if (best != -1 && st->server_domains > 0 &&
	    (server = query_best_server(st, name)) != -1 &&
	    dnswire_name_labels(st->server_dom[server]) >
	    dnswire_name_labels(st->address_dom[best]))
		return -1;
	return best;
}

/* address=/DOMAIN/[IP]: the most specific domain containing the name. */
static int
answer_address(struct dnsd_state *st, const struct query *q, struct dnswire_builder *b,
    unsigned int *rcode)
{
	const struct dnsd_address	*a;
	int				 i, best, added = 0;
	uint16_t			 qtype = q->qtype;
	static const uint8_t		 zero[16];

	if ((best = query_best_address(st, q->name)) == -1)
		return 0;
	/* ANY gets one RRset (RFC 8482 4.1): the A records when the domain
	 * has an IPv4 address, else the AAAA records. */
	if (qtype == DNS_TYPE_ANY) {
		qtype = DNS_TYPE_AAAA;
		for (i = 0; i < st->conf->naddresses; i++)
			if (dnswire_name_equal(st->address_dom[i], st->address_dom[best]) &&
			    (st->conf->addresses[i].any ||
			    st->conf->addresses[i].addr.family == AF_INET))
				qtype = DNS_TYPE_A;
	}
	for (i = 0; i < st->conf->naddresses; i++) {
		if (!dnswire_name_equal(st->address_dom[i], st->address_dom[best]))
			continue;
		a = &st->conf->addresses[i];
		if (a->addr.family == AF_UNSPEC && !a->any) {
			*rcode = DNS_RCODE_NXDOMAIN;
			add_soa(st, b, q);
			return 1;
		}
		if (qtype == DNS_TYPE_A && (a->any || a->addr.family == AF_INET))
			added += dnswire_builder_a(b, DNS_SECTION_ANSWER, q->name,
			    local_ttl(st), a->any ? zero : a->addr.u.bytes) == 0;
		if (qtype == DNS_TYPE_AAAA && (a->any || a->addr.family == AF_INET6))
			added += dnswire_builder_aaaa(b, DNS_SECTION_ANSWER, q->name,
			    local_ttl(st), a->any ? zero : a->addr.u.bytes) == 0;
	}
	if (added == 0)
		add_soa(st, b, q);
	return 1;
}

int
query_private_reverse(const uint8_t *name)
{
	/* dnsmasq's private ranges: RFC 1918, link-local, loopback, "this
	 * network", the three test nets, broadcast (and 172.16/12 below),
	 * each zone ended by a NUL, and an empty one last.  A digit after
	 * "\0" would continue the octal escape, hence a literal per zone. */
	static const char	zones[] =
	    "10.in-addr.arpa\0" "168.192.in-addr.arpa\0" "254.169.in-addr.arpa\0"
	    "127.in-addr.arpa\0" "0.in-addr.arpa\0" "2.0.192.in-addr.arpa\0"
	    "100.51.198.in-addr.arpa\0" "113.0.203.in-addr.arpa\0"
	    "255.255.255.255.in-addr.arpa\0"
	    "d.f.ip6.arpa\0" "8.e.f.ip6.arpa\0" "9.e.f.ip6.arpa\0" "a.e.f.ip6.arpa\0"
	    "b.e.f.ip6.arpa\0" "172.in-addr.arpa\0";
	uint8_t		 zone[DNS_NAME_MAX];
	const char	*p;
	int		 skip, v;

	for (p = zones; *p != '\0'; p += strlen(p) + 1)
		if (dnswire_name_from_text(p, zone) != -1 &&
		    dnswire_name_is_subdomain(name, zone))
			break;
	if (*p == '\0')
		return 0;
	if (strcmp(p, "172.in-addr.arpa") != 0)
		return 1;
	/* Under 172.in-addr.arpa, the label before it must be 16 to 31. */
	if ((skip = dnswire_name_labels(name) - 4) < 0)
		return 0;
	while (skip-- > 0)
		name += *name + 1;
	if (name[0] != 2 || name[1] < '0' || name[1] > '9' || name[2] < '0' || name[2] > '9')
		return 0;
	v = (name[1] - '0') * 10 + (name[2] - '0');
	return v >= 16 && v <= 31;
}

int
query_best_server(const struct dnsd_state *st, const uint8_t *name)
{
	int	i, labels, best = -1, bestlabels = -1;

	for (i = 0; i < st->conf->nservers; i++) {
		if (st->conf->servers[i].domain[0] == '\0' ||
		    !dnswire_name_is_subdomain(name, st->server_dom[i]))
			continue;
		labels = dnswire_name_labels(st->server_dom[i]);
		if (labels > bestlabels) {
			best = i;
			bestlabels = labels;
		}
	}
	return best;
}

/* Whether server i is one of the upstreams for a name whose best
 * matching server entry is best (-1: none); unqualified says the name
 * has no dot and server=//IP lines exist. */
static int
serves(const struct dnsd_state *st, int i, int best, int unqualified)
{
	const struct dnsd_server	*sv = &st->conf->servers[i];

	if (sv->route != ROUTE_FORWARD)
		return 0;
	if (best != -1 && st->conf->servers[best].route == ROUTE_FORWARD)
		return !sv->unqualified &&
		    dnswire_name_equal(st->server_dom[i], st->server_dom[best]);
	if (unqualified)
		return sv->unqualified;
	return sv->domain[0] == '\0' && !sv->unqualified;
}

static int
has_unqualified(const struct dnsd_state *st)
{
	int	i;

	for (i = 0; i < st->conf->nservers; i++)
		if (st->conf->servers[i].unqualified)
			return 1;
	return 0;
}

static int
failed_lately(const struct dnsd_state *st, int i, double now)
{
	return st->server_failed[i] > 0 && now - st->server_failed[i] < SERVER_PENALTY;
}

int
query_route(const struct dnsd_state *st, const uint8_t *name, int *idx, int max,
    double now)
{
	int	i, pass, n = 0, best = query_best_server(st, name), unqualified, fast = -1;

	if (best != -1 && st->conf->servers[best].route == ROUTE_LOCAL)
		return 0;
	unqualified = best == -1 && dnswire_name_labels(name) <= 1 && has_unqualified(st);
	/* Fastest first: the server that answered last, in good standing. */
	if (!st->conf->strict_order && !st->conf->all_servers && st->fastest >= 0 &&
	    st->fastest < st->conf->nservers && max > 0 &&
	    serves(st, st->fastest, best, unqualified) && !failed_lately(st, st->fastest, now))
		idx[n++] = fast = st->fastest;
	/* Pass 0 takes the servers in good standing, pass 1 the others. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < st->conf->nservers && n < max; i++) {
			if (i == fast || !serves(st, i, best, unqualified))
				continue;
			if (!st->conf->strict_order && failed_lately(st, i, now) != pass)
				continue;
			if (st->conf->strict_order && pass == 1)
				continue;
			idx[n++] = i;
		}
	return n;
}

int
query_may_forward(const struct dnsd_state *st, const struct netaddr *a)
{
	int	i;

	if (netaddr_is_loopback(a))
		return 1;
	for (i = 0; i < st->nsubnets; i++)
		if (st->subnets[i].net.family == a->family &&
		    netaddr_in_prefix(&st->subnets[i].net, st->subnets[i].prefixlen, a))
			return 1;
	return 0;
}

/* Start a reply to q with the question; AA for local data. */
static void
begin_reply(struct dnsd_state *st, const struct query *q, struct dnswire_builder *b,
    uint8_t *out, size_t cap)
{
	dnswire_builder_init(b, out, cap, q->limit);
	dnswire_builder_header(b, q->id, (uint16_t)(reply_flags(q, 0) | DNS_FLAG_AA));
	(void)dnswire_builder_question(b, q->name, q->qtype, q->qclass);
	b->reserve = q->edns ? OPT_LEN : 0;
}

static size_t
finish_reply(struct dnsd_state *st, const struct query *q, struct dnswire_builder *b,
    unsigned int rcode)
{
	uint16_t	flags = (uint16_t)(reply_flags(q, rcode) | DNS_FLAG_AA);

	/* A record that did not fit was an answer: tell the client to retry
	 * over TCP (RFC 2181 9). */
	if (b->truncated)
		flags |= DNS_FLAG_TC;
	dnswire_builder_header(b, q->id, flags);
	add_opt(b, q);
	return dnswire_builder_finish(b);
}

/*
 * The common case without the builder: an A or AAAA query in class IN for
 * a local name that has such addresses and no CNAME.  The reply is the
 * header, the question as the client sent it, the addresses with the
 * owner compressed to the question (offset 12) and the OPT record: the
 * bytes the builder writes for the same answer.  Returns 1 with the reply
 * built, 0 to take the general path.
 */
static int
answer_fast(struct dnsd_state *st, const struct query *q, struct records_name *n,
    uint8_t *out, size_t cap, size_t *outlen)
{
	const struct records_rr	*rr;
	size_t			 namelen, len, rdlen, need;
	uint32_t		 i, first = 0, count = 0, start = 0, k;
	uint16_t		 flags;

	if (q->qclass != DNS_CLASS_IN || (q->qtype != DNS_TYPE_A && q->qtype != DNS_TYPE_AAAA) ||
	    n == NULL)
		return 0;
	rr = &st->records.rrs[n->first];
	for (i = 0; i < n->count; i++) {
		if (rr[i].type == DNS_TYPE_CNAME)
			return 0;
		if (rr[i].type != q->qtype)
			continue;
		if (count++ == 0)
			first = i;
	}
	if (count == 0)
		return 0;
	rdlen = q->qtype == DNS_TYPE_A ? 4 : 16;
	namelen = q->namelen;
	need = DNS_HEADER_LEN + namelen + 4 + count * (12 + rdlen) + (q->edns ? OPT_LEN : 0);
	if (need > q->limit || need > cap)
		return 0;
	if (count > 1) {
		start = n->rotate % count;
		n->rotate++;
	}
	flags = (uint16_t)(reply_flags(q, DNS_RCODE_NOERROR) | DNS_FLAG_AA);
	put16(out, q->id);
	put16(out + 2, flags);
	put16(out + 4, 1);
	put16(out + 6, (uint16_t)count);
	put16(out + 8, 0);
	put16(out + 10, q->edns ? 1 : 0);
	memcpy(out + DNS_HEADER_LEN, q->name, namelen);
	len = DNS_HEADER_LEN + namelen;
	put16(out + len, q->qtype);
	put16(out + len + 2, q->qclass);
	len += 4;
	for (k = 0; k < count; k++) {
		i = first + (start + k) % count;
		out[len] = 0xc0;
		out[len + 1] = DNS_HEADER_LEN;
		put16(out + len + 2, q->qtype);
		put16(out + len + 4, DNS_CLASS_IN);
		put32(out + len + 6, rr_ttl(st, &rr[i]));
		put16(out + len + 10, (uint16_t)rdlen);
		memcpy(out + len + 12, st->records.pool + rr[i].data, rdlen);
		len += 12 + rdlen;
	}
	if (q->edns)
		len += put_opt(out, len, q->adv_size, 0);
	*outlen = len;
	return 1;
}

/* Whether local data or the config answers q: a local name, an address=
 * domain, a local= domain, or a name that bogus-priv or domain-needed
 * keeps here.  Saves starting a reply for every forwarded query. */
static int
config_applies(const struct dnsd_state *st, const struct query *q,
    const struct records_name *n)
{
	int	best;

	if (n != NULL)
		return 1;
	if (st->conf->naddresses > 0 && query_best_address(st, q->name) != -1)
		return 1;
	best = st->server_domains > 0 ? query_best_server(st, q->name) : -1;
	return (best != -1 && st->conf->servers[best].route == ROUTE_LOCAL) ||
	    (st->conf->bogus_priv && query_private_reverse(q->name)) ||
	    (st->conf->domain_needed && dnswire_name_labels(q->name) <= 1);
}

/* The local part of query_answer: returns 1 with the reply built. */
static int
answer_from_config(struct dnsd_state *st, const struct query *q, uint8_t *out, size_t cap,
    size_t *outlen)
{
	struct dnswire_builder	 b;
	struct records_name	*n;
	unsigned int		 rcode = DNS_RCODE_NOERROR;
	int			 best;

	n = records_find(&st->records, q->lname, q->namelen, q->hash);
	if (answer_fast(st, q, n, out, cap, outlen))
		return 1;
	if (!config_applies(st, q, n))
		return 0;
	begin_reply(st, q, &b, out, cap);
	if (answer_local(st, q, n, &b) || answer_address(st, q, &b, &rcode)) {
		*outlen = finish_reply(st, q, &b, rcode);
		return 1;
	}
	best = query_best_server(st, q->name);
	if ((best != -1 && st->conf->servers[best].route == ROUTE_LOCAL) ||
	    (st->conf->bogus_priv && query_private_reverse(q->name)) ||
	    (st->conf->domain_needed && dnswire_name_labels(q->name) <= 1)) {
		add_soa(st, &b, q);
		*outlen = finish_reply(st, q, &b, DNS_RCODE_NXDOMAIN);
		return 1;
	}
	return 0;
}

/* Format the address of a full reverse name (in-addr.arpa or ip6.arpa)
 * in buf.  Returns buf, or NULL for any other name.  The labels are read
 * without checks: only a name that is the canonical reverse name of the
 * address read passes the comparison at the end. */
static const char *
reverse_address(const uint8_t *name, char buf[static NETADDR_STRLEN])
{
	struct netaddr	a;
	uint8_t		rev[DNS_NAME_MAX];
	const uint8_t	*p = name;
	unsigned int	v;
	int		i, k;

	memset(&a, 0, sizeof(a));
	a.family = dnswire_name_labels(name) == 6 ? AF_INET : AF_INET6;
	for (i = 0; i < (a.family == AF_INET ? 4 : 32); i++) {
		if (p[0] == 0)
			return NULL;
		v = 0;
		for (k = 1; k <= p[0]; k++)
			if (a.family == AF_INET)
				v = v * 10 + (unsigned int)(p[k] - '0');
			else
				v = p[k] <= '9' ? (unsigned int)(p[k] - '0') :
				    (unsigned int)((p[k] | 0x20) - 'a' + 10);
		if (a.family == AF_INET)
			a.u.bytes[3 - i] = (uint8_t)v;
		else
			a.u.bytes[15 - i / 2] |= (uint8_t)(i % 2 ? v << 4 : v & 0xf);
		p += p[0] + 1;
	}
	if (dnswire_name_reverse(&a, rev) == -1 || !dnswire_name_equal(rev, name))
		return NULL;
	return netaddr_format(&a, buf);
}

/* Return where a local answer record comes from: its hosts file, or
 * "config". */
static const char *
local_source(const struct dnsd_state *st, const uint8_t *owner, uint16_t type)
{
	const struct records_name	*n = records_lookup(&st->records, owner);
	uint32_t			 i;

	for (i = 0; n != NULL && i < n->count; i++)
		if (st->records.rrs[n->first + i].type == type)
			return records_source(&st->records, n->first + i);
	return "config";
}

void
query_log_reply(const struct dnsd_state *st, const char *source, const uint8_t *msg,
    size_t len)
{
	struct dnswire_parser	p;
	struct dnswire_question	qu;
	struct dnswire_rr	rr;
	char			name[DNS_NAME_TEXT_MAX], value[DNS_NAME_TEXT_MAX];
	char			type[DNS_TYPE_TEXT_MAX], addr[NETADDR_STRLEN];
	const char		*src, *owner;
	unsigned int		rcode;
	size_t			n;
	int			answers = 0;

	if (dnswire_parser_init(&p, msg, len) == -1 || p.hdr.count[DNS_SECTION_QUESTION] != 1 ||
	    dnswire_parse_question(&p, &qu) != 1 ||
	    dnswire_name_to_text(qu.name, name, sizeof(name), 0) == -1)
		return;
	rcode = DNS_FLAGS_RCODE(p.hdr.flags);
	if (rcode != DNS_RCODE_NOERROR && rcode != DNS_RCODE_NXDOMAIN) {
		log_info("%s error is %s", source != NULL ? source : "config",
		    dnswire_rcode_name(rcode, type));
		return;
	}
	while (dnswire_parse_rr(&p, &rr) == 1) {
		if (rr.section != DNS_SECTION_ANSWER)
			continue;
		answers++;
		src = source != NULL ? source : local_source(st, rr.name, rr.type);
		owner = NULL;
		if (rr.type == DNS_TYPE_PTR)
			owner = reverse_address(rr.name, addr);
		if (dnswire_name_to_text(rr.name, name, sizeof(name), 0) == -1)
			continue;
		if (rr.type == DNS_TYPE_A || rr.type == DNS_TYPE_AAAA ||
		    rr.type == DNS_TYPE_PTR) {
			if (dnswire_rdata_to_text(msg, len, &rr, value, sizeof(value)) < 0)
				continue;
			/* The text form of a PTR target ends in a dot, which
			 * dnsmasq leaves out. */
			n = strlen(value);
			if (rr.type == DNS_TYPE_PTR && n > 1 && value[n - 1] == '.')
				value[n - 1] = '\0';
		} else
			snprintf(value, sizeof(value), "<%s>", dnswire_type_name(rr.type, type));
		log_info("%s %s is %s", src, owner != NULL ? owner : name, value);
	}
	if (answers > 0)
		return;
	log_info("%s %s is %s", source != NULL ? source : "config", name,
	    rcode == DNS_RCODE_NXDOMAIN ? "NXDOMAIN" : qu.qtype == DNS_TYPE_A ? "NODATA-IPv4" :
	    qu.qtype == DNS_TYPE_AAAA ? "NODATA-IPv6" : "NODATA");
}

/* The first labels of the CHAOS TXT names, in the order of answer_chaos,
 * each ended by a NUL, and an empty one last. */
static const char chaos_names[] =
    "cachesize\0insertions\0evictions\0misses\0hits\0auth\0servers\0version\0";

/* The index in chaos_names of the lower-case name LABEL.bind, or -1. */
static int
chaos_index(const struct query *q)
{
	const uint8_t	*label = q->lname + 1;
	const char	*p = chaos_names;
	size_t		 len = q->lname[0];
	int		 i;

	if (q->namelen != 1 + len + 6 || memcmp(label + len, "\4bind", 6) != 0)
		return -1;
	for (i = 0; *p != '\0'; i++, p += strlen(p) + 1)
		if (strlen(p) == len && memcmp(p, label, len) == 0)
			return i;
	return -1;
}

/*
 * Class CHAOS: the TXT names of dnsmasq's statistics (cachesize.bind,
 * insertions.bind, evictions.bind, misses.bind, hits.bind, auth.bind,
 * servers.bind) and version.bind, with TTL 0 as dnsmasq sends them.
 * servers.bind has one string "ADDR#PORT SENT FAILED" per upstream.  Any
 * other CHAOS query gets NOTIMP, as from dnsmasq.  Returns 1 with the
 * reply built, or 0 for a query of another class.
 */
static int
answer_chaos(struct dnsd_state *st, const struct query *q, uint8_t *out, size_t cap,
    size_t *outlen)
{
	const struct dnsd_server	*sv;
	struct dnswire_builder		 b;
	unsigned long			 v = 0;
	char				 text[NETADDR_STRLEN + 64];
	int				 i, k;

	if (q->qclass != DNS_CLASS_CH)
		return 0;
	if (q->qtype != DNS_TYPE_TXT || (i = chaos_index(q)) == -1) {
		*outlen = query_error(q, DNS_RCODE_NOTIMP, out, cap);
		return 1;
	}
	if (dnswire_builder_init(&b, out, cap, 0) == -1)
		return 0;
	dnswire_builder_header(&b, q->id,
	    (uint16_t)(reply_flags(q, DNS_RCODE_NOERROR) | DNS_FLAG_AA));
	(void)dnswire_builder_question(&b, q->name, q->qtype, q->qclass);
	(void)dnswire_builder_rr_begin(&b, DNS_SECTION_ANSWER, q->name, DNS_TYPE_TXT,
	    DNS_CLASS_CH, 0);
	if (i == 0)
		v = st->cache.size;
	else if (i == 1)
		v = st->cache.inserts;
	else if (i == 2)
		v = st->cache.evictions;
	else if (i == 3)
		v = st->cache.misses;
	else if (i == 4)
		v = st->cache.hits + st->stats.local;	/* dnsmasq's hits include local data */
	if (i == 6) {
		for (k = 0; k < st->conf->nservers; k++) {
			sv = &st->conf->servers[k];
			if (sv->route != ROUTE_FORWARD)
				continue;
			netaddr_format(&sv->addr, text);
			snprintf(text + strlen(text), sizeof(text) - strlen(text), "#%u %lu %lu",
			    sv->port, st->server_queries[k], st->server_failures[k]);
			add_string(&b, text);
		}
	} else if (i == 7)
		add_string(&b, "edgebox-" EDGEBOX_VERSION);
	else {
		snprintf(text, sizeof(text), "%lu", v);
		add_string(&b, text);
	}
	(void)dnswire_builder_rr_end(&b);
	add_opt(&b, q);
	*outlen = dnswire_builder_finish(&b);
	return 1;
}

enum query_verdict
query_answer(struct dnsd_state *st, const struct query *q, uint8_t *out, size_t cap,
    size_t *outlen, double now)
{
	const struct cache_entry	*e;
	uint32_t			 age;

	if (answer_chaos(st, q, out, cap, outlen)) {
		st->stats.local++;
		return QUERY_REPLY;
	}
	if (q->qtype == DNS_TYPE_AXFR || q->qtype == DNS_TYPE_IXFR) {
		st->stats.refused++;
		*outlen = query_error(q, DNS_RCODE_REFUSED, out, cap);
		return QUERY_REPLY;
	}
	if (q->qclass == DNS_CLASS_IN || q->qclass == DNS_CLASS_ANY) {
		if (answer_from_config(st, q, out, cap, outlen)) {
			st->stats.local++;
			return QUERY_REPLY;
		}
	}
	/* DNSSEC queries (DO or CD) are always forwarded: the cache holds
	 * replies to queries without them. */
	if (q->dnssec_ok || (q->flags & DNS_FLAG_CD))
		return QUERY_FORWARD;
	e = cache_lookup_query(&st->cache, q, now, out, cap);
	if (e != NULL) {
		/* Stored and looked up at wake-up times, so never negative;
		 * checked because a negative double has no uint32_t value. */
		age = now > e->stored ? (uint32_t)(now - e->stored) : 0;
		*outlen = 0;
		if (e->ttls != NULL && e->msg == out)
			*outlen = relay_cached(q, e, age, out, cap);
		if (*outlen == 0)
			*outlen = query_relay(q, e->msg, e->len, 1, age, out, cap);
		if (*outlen > 0)
			return QUERY_REPLY;
	}
	return QUERY_FORWARD;
}

/* Read and write the big-endian fields of a message. */
static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Append an OPT record without options at out[at]: root owner, type OPT,
 * our payload size, no extended rcode, version 0, no flags.  The caller
 * counts it in ARCOUNT.  Returns its length. */
static size_t
put_opt(uint8_t *out, size_t at, uint16_t size, uint16_t flags)
{
	out[at] = 0;
	put16(out + at + 1, DNS_TYPE_OPT);
	put16(out + at + 3, size);
	put32(out + at + 5, flags);
	put16(out + at + 9, 0);
	return OPT_LEN;
}

/*
 * Lower the TTLs of the records of msg (already past the question) by
 * age, cap them at max_ttl (0: none) and count in kept[] those that end
 * within limit.  Stops at an OPT
 * or TSIG record, which the relay replaces or drops.  Returns the offset
 * after the last record kept, or 0 when msg is malformed; *dropped_answer
 * is set when an answer or authority record did not fit.
 */
static size_t
keep_records(struct dnswire_parser *p, uint8_t *msg, size_t limit, uint32_t age,
    uint32_t max_ttl, uint16_t kept[DNS_SECTION_END], int *dropped_answer)
{
	struct dnswire_rr	rr;
	size_t			cut = p->off, end;
	uint32_t		ttl;
	int			r, full = 0;

	while ((r = dnswire_parse_rr(p, &rr)) == 1) {
		if (rr.type == DNS_TYPE_OPT || rr.type == DNS_TYPE_TSIG)
			break;
		end = rr.rdoff + rr.rdlength;
		if (full || end > limit) {
			full = 1;
			if (rr.section != DNS_SECTION_ADDITIONAL)
				*dropped_answer = 1;
			continue;
		}
		ttl = get32(msg + rr.rdoff - 6);
		put32(msg + rr.rdoff - 6, aged_ttl(ttl, age, max_ttl));
		kept[rr.section]++;
		cut = end;
	}
	return r == -1 ? 0 : cut;
}

/* The offset after the name at msg[off] (a pointer ends it), or 0 when
 * it runs past len.  It does not follow pointers: for messages whose
 * names were checked when they were first parsed. */
static size_t
skip_name(const uint8_t *msg, size_t len, size_t off)
{
	uint8_t	c;

	for (;;) {
		if (off >= len)
			return 0;
		c = msg[off];
		if ((c & 0xc0) == 0xc0)
			return off + 2 <= len ? off + 2 : 0;
		if (c & 0xc0)
			return 0;
		if (c == 0)
			return off + 1;
		off += 1 + (size_t)c;
	}
}

/* Offsets of the TTL fields of the records keep_cached keeps. */
struct ttl_offsets {
	uint16_t	off[CACHE_TTLS_MAX];
	size_t		n;		/* may exceed CACHE_TTLS_MAX: then off is partial */
};

/*
 * keep_records for a cached reply, which was fully parsed when it was
 * stored: the records are walked without unpacking their names.  Starts
 * at off, after the question; the same result as keep_records.  With ttls
 * it also collects the offsets of the TTL fields it rewrote.
 */
static size_t
keep_cached(uint8_t *msg, size_t len, size_t off, const uint16_t count[DNS_SECTION_END],
    size_t limit, uint32_t age, uint32_t max_ttl, uint16_t kept[DNS_SECTION_END],
    int *dropped_answer, struct ttl_offsets *ttls)
{
	size_t		cut = off, rdoff, end;
	uint32_t	ttl;
	uint16_t	type, n;
	int		sec, full = 0;

	for (sec = DNS_SECTION_ANSWER; sec < DNS_SECTION_END; sec++)
		for (n = 0; n < count[sec]; n++) {
			if ((off = skip_name(msg, len, off)) == 0 || off + 10 > len)
				return 0;
			type = (uint16_t)(msg[off] << 8 | msg[off + 1]);
			rdoff = off + 10;
			end = rdoff + (size_t)(msg[off + 8] << 8 | msg[off + 9]);
			if (end > len)
				return 0;
			if (type == DNS_TYPE_OPT || type == DNS_TYPE_TSIG)
				return cut;
			off = end;
			if (full || end > limit) {
				full = 1;
				if (sec != DNS_SECTION_ADDITIONAL)
					*dropped_answer = 1;
				continue;
			}
			ttl = get32(msg + rdoff - 6);
			put32(msg + rdoff - 6, aged_ttl(ttl, age, max_ttl));
			if (ttls != NULL && ttls->n++ < CACHE_TTLS_MAX)
				ttls->off[ttls->n - 1] = (uint16_t)(rdoff - 6);
			kept[sec]++;
			cut = end;
		}
	return cut;
}

/*
 * Whether every name of a relayed message still reads: the owner names,
 * and the names inside the RDATA of the types that may be compressed
 * (RFC 3597 4).  An upstream name may point into bytes that the relay
 * dropped (a cut, the upstream's OPT) or rewrote (a TTL).
 */
static int
relay_reads(const uint8_t *msg, size_t len)
{
	struct dnswire_parser	p;
	struct dnswire_question	qu;
	struct dnswire_rr	rr;
	int			r;

	if (dnswire_parser_init(&p, msg, len) == -1)
		return 0;
	while ((r = dnswire_parse_question(&p, &qu)) == 1)
		;
	if (r == -1)
		return 0;
	while ((r = dnswire_parse_rr(&p, &rr)) == 1) {
		switch (rr.type) {
		case DNS_TYPE_NS:
		case DNS_TYPE_CNAME:
		case DNS_TYPE_SOA:
		case DNS_TYPE_PTR:
		case DNS_TYPE_MX:
			if (dnswire_rdata_check(msg, len, &rr) != NULL)
				return 0;
			break;
		default:
			break;
		}
	}
	return r == 0;
}

/* Compute the flags of a relayed reply from the upstream's flags. */
static uint16_t
relay_flags(const struct query *q, uint16_t up, int dropped_answer, int cached)
{
	uint16_t	flags;

	/* RD and CD come from the query (RFC 4035 3.2.2 for CD). */
	flags = (uint16_t)((up & ~(DNS_FLAG_RD | DNS_FLAG_TC | DNS_FLAG_AD | DNS_FLAG_CD |
	    DNS_FLAG_Z)) | (q->flags & (DNS_FLAG_RD | DNS_FLAG_CD)) | DNS_FLAG_RA);
	if (dropped_answer || (up & DNS_FLAG_TC))
		flags |= DNS_FLAG_TC;
	/* An answer from the cache is no longer the authority's own. */
	if (cached)
		flags &= (uint16_t)~DNS_FLAG_AA;
	return flags;
}

/*
 * The reply is edited in place, record by record.  Well-formed compression
 * pointers only point backwards, so names stay valid when the message is
 * cut at a record boundary or bytes change without moving (ID, flags, the
 * question name in the client's case, TTLs).  A reply whose names point
 * into the bytes that change is not relayed: relay_reads checks the copy.
 */
size_t
query_relay(const struct query *q, const uint8_t *up, size_t uplen, int cached,
    uint32_t age, uint8_t *out, size_t cap)
{
	struct dnswire_parser	 p;
	struct dnswire_question	 qu;
	struct dnswire_header	 h;
	uint16_t		 kept[DNS_SECTION_END] = { 1, 0, 0, 0 };
	size_t			 limit = q->limit < cap ? q->limit : cap, cut, namelen;
	int			 dropped_answer = 0;

	if (uplen > cap || uplen < DNS_HEADER_LEN)
		return 0;
	/* A cache hit may have been copied to out already. */
	if (up != out)
		memcpy(out, up, uplen);
	namelen = dnswire_name_len(q->name);
	if (q->edns)
		limit -= OPT_LEN;
	if (cached) {
		if (dnswire_header_read(out, uplen, &p.hdr) == -1 ||
		    p.hdr.count[DNS_SECTION_QUESTION] != 1 ||
		    skip_name(out, uplen, DNS_HEADER_LEN) != DNS_HEADER_LEN + namelen ||
		    DNS_HEADER_LEN + namelen + 4 > uplen)
			return 0;
		memcpy(out + DNS_HEADER_LEN, q->name, namelen);
		cut = keep_cached(out, uplen, DNS_HEADER_LEN + namelen + 4, p.hdr.count, limit,
		    age, q->max_ttl, kept, &dropped_answer, NULL);
		if (cut == 0)
			return 0;
	} else {
		if (dnswire_parser_init(&p, out, uplen) == -1 ||
		    dnswire_parse_question(&p, &qu) != 1 || qu.namelen != namelen)
			return 0;
		/* The question is the first name, never compressed, at offset 12. */
		memcpy(out + DNS_HEADER_LEN, q->name, namelen);
		if ((cut = keep_records(&p, out, limit, age, q->max_ttl, kept,
		    &dropped_answer)) == 0)
			return 0;
	}

	h = p.hdr;
	h.id = q->id;
	h.flags = relay_flags(q, p.hdr.flags, dropped_answer, cached);
	memcpy(h.count, kept, sizeof(h.count));
	if (q->edns) {
		/* RFC 3225 3: the DO bit of the query is copied to the reply. */
		cut += put_opt(out, cut, q->adv_size, q->dnssec_ok ? DNS_EDNS_DO : 0);
		h.count[DNS_SECTION_ADDITIONAL]++;
	}
	dnswire_header_write(out, &h);
	return relay_reads(out, cut) ? cut : 0;
}

/*
 * query_relay for a cache hit that query_cache_store stored with its TTL
 * offsets, copied to out with the question in the client's case.  Such an
 * entry holds only the records the relay keeps, and its names read the
 * same whatever the ID, flags and TTLs, so the bytes equal query_relay's
 * without a walk over the records.  Returns the length, or 0 without
 * touching out when the reply does not fit whole: query_relay cuts it.
 */
static size_t
relay_cached(const struct query *q, const struct cache_entry *e, uint32_t age, uint8_t *out,
    size_t cap)
{
	size_t		limit = q->limit < cap ? q->limit : cap, len = e->len, i;
	uint32_t	ttl;
	uint8_t		*field;

	if (len + (q->edns ? OPT_LEN : 0) > limit)
		return 0;
	put16(out, q->id);
	put16(out + 2, relay_flags(q, get16(out + 2), 0, 1));
	for (i = 0; i < e->nttls; i++) {
		field = out + get16(e->ttls + 2 * i);
		ttl = get32(field);
		put32(field, aged_ttl(ttl, age, q->max_ttl));
	}
	if (q->edns) {
		/* RFC 3225 3: the DO bit of the query is copied to the reply. */
		len += put_opt(out, len, q->adv_size, q->dnssec_ok ? DNS_EDNS_DO : 0);
		put16(out + 10, (uint16_t)(get16(out + 10) + 1));
	}
	return len;
}

/* Mark the label starts of the name at msg[off] in starts (a bit per
 * offset).  It passes when its compression pointer, if any, points to a
 * label start marked before; *end receives the offset after the name. */
static int
mark_name(const uint8_t *msg, size_t len, size_t off, uint8_t *starts, size_t *end)
{
	size_t	target;
	uint8_t	c;

	for (;;) {
		if (off >= len)
			return 0;
		c = msg[off];
		if ((c & 0xc0) == 0xc0) {
			if (off + 2 > len)
				return 0;
			target = (size_t)(c & 0x3f) << 8 | msg[off + 1];
			if (target >= len || !(starts[target / 8] & (1u << target % 8)))
				return 0;
			*end = off + 2;
			return 1;
		}
		if (c & 0xc0)
			return 0;
		starts[off / 8] |= (uint8_t)(1u << off % 8);
		if (c == 0) {
			*end = off + 1;
			return 1;
		}
		off += 1 + (size_t)c;
	}
}

/*
 * Whether every compression pointer among the names relay_reads reads
 * (the question, the owners and the RDATA names of NS, CNAME, SOA, PTR
 * and MX) points to a label start of a name before it.  Reading such
 * names touches only name bytes, never the header or a TTL field, so
 * whether relay_reads passes cannot depend on the ID, flags or TTLs.
 * msg has one question.
 */
static int
names_fixed(const uint8_t *msg, size_t len)
{
	uint8_t		starts[(CACHE_MSG_MAX + 7) / 8];
	size_t		off, rdoff, end;
	unsigned int	n, records;

	if (len > CACHE_MSG_MAX || len < DNS_HEADER_LEN)
		return 0;
	memset(starts, 0, sizeof(starts));
	records = (unsigned int)get16(msg + 6) + get16(msg + 8) + get16(msg + 10);
	if (!mark_name(msg, len, DNS_HEADER_LEN, starts, &end))
		return 0;
	off = end + 4;
	for (n = 0; n < records; n++) {
		if (!mark_name(msg, len, off, starts, &end) || end + 10 > len)
			return 0;
		rdoff = end + 10;
		off = rdoff + get16(msg + end + 8);
		switch (get16(msg + end)) {
		case DNS_TYPE_NS:
		case DNS_TYPE_CNAME:
		case DNS_TYPE_PTR:
			if (!mark_name(msg, len, rdoff, starts, &end))
				return 0;
			break;
		case DNS_TYPE_MX:
			if (!mark_name(msg, len, rdoff + 2, starts, &end))
				return 0;
			break;
		case DNS_TYPE_SOA:
			if (!mark_name(msg, len, rdoff, starts, &end) ||
			    !mark_name(msg, len, end, starts, &end))
				return 0;
			break;
		default:
			break;
		}
	}
	return 1;
}

int
query_cache_store(struct dnsd_state *st, const struct query *q, const uint8_t *msg,
    size_t len, uint32_t ttl, double now)
{
	uint8_t			form[CACHE_MSG_MAX];
	struct dnswire_header	h;
	struct ttl_offsets	ttls;
	uint16_t		kept[DNS_SECTION_END] = { 1, 0, 0, 0 };
	size_t			cut = 0, question = DNS_HEADER_LEN + q->namelen;
	int			dropped_answer = 0, fast;

	/* The form is what the relay of the whole reply keeps: its records
	 * up to an OPT or TSIG record.  A reply the cached relay would reject
	 * is stored as it came and rejected at each hit, as before. */
	if (len <= CACHE_MSG_MAX && dnswire_header_read(msg, len, &h) != -1 &&
	    h.count[DNS_SECTION_QUESTION] == 1 && question + 4 <= len &&
	    skip_name(msg, len, DNS_HEADER_LEN) == question) {
		memcpy(form, msg, len);
		ttls.n = 0;
		/* The stored TTLs are capped by max-cache-ttl, so that a hit
		 * shows the time left in the cache, as from dnsmasq. */
		cut = keep_cached(form, len, question + 4, h.count, SIZE_MAX, 0,
		    (uint32_t)st->conf->max_cache_ttl, kept, &dropped_answer, &ttls);
	}
	if (cut == 0)
		return cache_store(&st->cache, q->lname, q->qtype, q->qclass, msg, len, ttl, now);
	memcpy(h.count, kept, sizeof(h.count));
	dnswire_header_write(form, &h);
	fast = ttls.n <= CACHE_TTLS_MAX && relay_reads(form, cut) && names_fixed(form, cut);
	return cache_store_ttls(&st->cache, q->lname, q->qtype, q->qclass, form, cut,
	    fast ? ttls.off : NULL, fast ? ttls.n : 0, ttl, now);
}

/* Apply min-cache-ttl and max-cache-ttl to a TTL; 0 stays 0 (not cached). */
static uint32_t
cache_bounds(const struct dnsd_state *st, uint32_t ttl)
{
	if (ttl == 0)
		return 0;
	if (st->conf->min_cache_ttl > 0 && ttl < (uint32_t)st->conf->min_cache_ttl)
		ttl = (uint32_t)st->conf->min_cache_ttl;
	return cap_ttl(ttl, (uint32_t)st->conf->max_cache_ttl);
}

uint32_t
query_cache_ttl(const struct dnsd_state *st, const uint8_t *msg, size_t len)
{
	struct dnswire_parser	p;
	struct dnswire_rr	rr;
	unsigned int		rcode;
	uint32_t		ttl = UINT32_MAX, neg = UINT32_MAX, min;
	int			answers = 0, r;

	if (dnswire_parser_init(&p, msg, len) == -1 || (p.hdr.flags & DNS_FLAG_TC))
		return 0;
	rcode = DNS_FLAGS_RCODE(p.hdr.flags);
	if (rcode != DNS_RCODE_NOERROR && rcode != DNS_RCODE_NXDOMAIN)
		return 0;
	while ((r = dnswire_parse_rr(&p, &rr)) == 1) {
		if (rr.type == DNS_TYPE_OPT || rr.section == DNS_SECTION_ADDITIONAL)
			continue;
		if (rr.section == DNS_SECTION_ANSWER) {
			answers++;
			if (wire_ttl(rr.ttl) < ttl)
				ttl = wire_ttl(rr.ttl);
		} else if (rr.type == DNS_TYPE_SOA && rr.rdlength >= 22) {
			/* RFC 2308 5: the lower of the SOA's TTL and its MINIMUM. */
			min = wire_ttl(get32(msg + rr.rdoff + rr.rdlength - 4));
			neg = wire_ttl(rr.ttl) < min ? wire_ttl(rr.ttl) : min;
		}
	}
	if (r == -1)
		return 0;
	if (rcode == DNS_RCODE_NOERROR && answers > 0)
		return cache_bounds(st, ttl == UINT32_MAX ? 0 : ttl);
	if (st->conf->no_negcache)
		return 0;
	if (neg != UINT32_MAX)
		return cache_bounds(st, neg);
	return cache_bounds(st, st->conf->neg_ttl > 0 ? (uint32_t)st->conf->neg_ttl : 0);
}

int
query_setup(struct dnsd_state *st)
{
	int	i;

	st->server_domains = 0;
	for (i = 0; i < st->conf->nservers; i++) {
		if (dnswire_name_from_text(st->conf->servers[i].domain, st->server_dom[i]) == -1)
			return -1;
		if (st->conf->servers[i].domain[0] != '\0')
			st->server_domains++;
	}
	for (i = 0; i < st->conf->naddresses; i++)
		if (dnswire_name_from_text(st->conf->addresses[i].domain,
		    st->address_dom[i]) == -1)
			return -1;
	for (i = 0; i < st->conf->nrebind_ok; i++)
		if (dnswire_name_from_text(st->conf->rebind_ok[i], st->rebind_dom[i]) == -1)
			return -1;
	return 0;
}

/* Whether an IPv4 address (4 bytes) is in a range stop-dns-rebind keeps
 * out of upstream answers. */
static int
private_v4(const uint8_t *a, int localhost_ok)
{
	static const struct {
		uint8_t	net[4];
		uint8_t	len;
	} ranges[] = {
		{ { 10, 0, 0, 0 }, 8 },		/* RFC 1918 */
		{ { 172, 16, 0, 0 }, 12 },
		{ { 192, 168, 0, 0 }, 16 },
		{ { 100, 64, 0, 0 }, 10 },	/* RFC 6598 shared space */
		{ { 169, 254, 0, 0 }, 16 },	/* RFC 3927 link-local */
		{ { 192, 0, 2, 0 }, 24 },	/* RFC 5737 test nets */
		{ { 198, 51, 100, 0 }, 24 },
		{ { 203, 0, 113, 0 }, 24 },
		{ { 255, 255, 255, 255 }, 32 },
	};
	uint32_t	x = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
	uint32_t	n, mask;
	size_t		i;

	if (!localhost_ok && (a[0] == 127 || a[0] == 0))
		return 1;
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		n = (uint32_t)ranges[i].net[0] << 24 | (uint32_t)ranges[i].net[1] << 16 |
		    (uint32_t)ranges[i].net[2] << 8 | ranges[i].net[3];
		mask = ranges[i].len == 32 ? UINT32_MAX : ~(UINT32_MAX >> ranges[i].len);
		if ((x & mask) == n)
			return 1;
	}
	return 0;
}

static int
private_v6(const uint8_t *a, int localhost_ok)
{
	static const uint8_t	mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t	zero[15];

	if (memcmp(a, mapped, 12) == 0)
		return private_v4(a + 12, localhost_ok);
	if (!localhost_ok && memcmp(a, zero, 15) == 0 && a[15] <= 1)
		return 1;	/* :: and ::1 */
	return (a[0] & 0xfe) == 0xfc ||			/* fc00::/7 unique local */
	    (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||	/* fe80::/10 link-local */
	    (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0);	/* fec0::/10 site-local */
}

int
query_rebind(const struct dnsd_state *st, const struct query *q, const uint8_t *msg,
    size_t len)
{
	struct dnswire_parser	p;
	struct dnswire_rr	rr;
	int			i, lh = st->conf->rebind_localhost_ok;

	if (!st->conf->stop_dns_rebind)
		return 0;
	for (i = 0; i < st->conf->nrebind_ok; i++)
		if (dnswire_name_is_subdomain(q->name, st->rebind_dom[i]))
			return 0;
	if (dnswire_parser_init(&p, msg, len) == -1)
		return 0;
	while (dnswire_parse_rr(&p, &rr) == 1 && rr.section == DNS_SECTION_ANSWER) {
		if (rr.type == DNS_TYPE_A && rr.rdlength == 4 && private_v4(msg + rr.rdoff, lh))
			return 1;
		if (rr.type == DNS_TYPE_AAAA && rr.rdlength == 16 &&
		    private_v6(msg + rr.rdoff, lh))
			return 1;
	}
	return 0;
}
