/* output.c -- hostq's printing of replies in host's short and verbose (dig-like) forms. */
#include <stdio.h>
#include <string.h>

#include "hostq.h"

/* Columns of dig's and host's verbose record lines, with 8-column tabs. */
#define COL_TTL		24
#define COL_CLASS	32
#define COL_TYPE	40
#define COL_RDATA	48
#define TAB_WIDTH	8

#define RDATA_TEXT_MAX	(4 * DNS_MSG_MAX)

/* host's words for the types from 1 to 29 that it names in the short
 * form, one NUL-terminated string per type, empty for the others. */
static const char descriptions[] =
    "has address\0name server\0\0\0is an alias for\0\0\0\0\0\0"		/* 1-10 */
    "has well known services\0domain name pointer\0host information\0\0"	/* 11-14 */
    "mail is handled by\0descriptive text\0\0\0x25 address\0ISDN address\0"	/* 15-20 */
    "\0\0\0has signature\0has key\0\0\0has IPv6 address\0location";		/* 21-29 */

static const char *
output_description(uint16_t type, char *buf, size_t len)
{
	char		 name[DNS_TYPE_TEXT_MAX];
	const char	*d = descriptions;
	unsigned int	 i;

	if (type >= 1 && type <= 29) {
		for (i = 1; i < type; i++)
			d += strlen(d) + 1;
		if (*d != '\0')
			return d;
	}
	snprintf(buf, len, "has %s record", dnswire_type_name(type, name));
	return buf;
}

void
output_name(const uint8_t *name, char *buf, size_t len)
{
	if (dnswire_name_to_text(name, buf, len, 0) == -1)
		snprintf(buf, len, "?");
}

/* Pad from column *col to column to with tabs and spaces, at least one
 * character, the way BIND aligns its master-file output. */
static void
output_indent(size_t *col, size_t to)
{
	size_t	ntabs;

	if (to < *col + 1)
		to = *col + 1;
	ntabs = to / TAB_WIDTH - *col / TAB_WIDTH;
	if (ntabs > 0)
		*col = (to / TAB_WIDTH) * TAB_WIDTH;
	while (ntabs-- > 0)
		fputc('\t', stdout);
	while (*col < to) {
		fputc(' ', stdout);
		(*col)++;
	}
}

static void
output_field(size_t *col, const char *text)
{
	fputs(text, stdout);
	*col += strlen(text);
}

void
output_server(struct hostq *h, const struct hostq_server *s)
{
	char	addr[NETADDR_STRLEN];

	if (!h->listed_server || h->printed_server)
		return;
	printf("Using domain server:\nName: %s\nAddress: %s#%u\nAliases: \n\n", s->name,
	    netaddr_format(&s->addr, addr), h->port);
	h->printed_server = 1;
}

void
output_received(const struct hostq *h, const struct hostq_reply *r)
{
	char	addr[NETADDR_STRLEN];

	if (h->verbose)
		printf("Received %zu bytes from %s#%u in %ld ms\n", r->len,
		    netaddr_format(&r->server->addr, addr), h->port, r->elapsed_ms);
}

void
output_bad_packet(const char *why, const uint8_t *msg, size_t len)
{
	size_t	row, i;

	printf(";; Got bad packet: %s\n%zu bytes\n", why, len);
	for (row = 0; row < len; row += 16) {
		for (i = row; i < row + 16; i++)
			if (i < len)
				printf("%02x ", msg[i]);
			else
				fputs("   ", stdout);
		fputs("         ", stdout);
		for (i = row; i < row + 16 && i < len; i++)
			fputc(msg[i] >= '!' && msg[i] <= '}' ? msg[i] : '.', stdout);	/* host's range */
		fputc('\n', stdout);
	}
}

/* With -C, host names the server before each short-form line. */
static void
output_identify(const struct hostq *h, const struct hostq_reply *r)
{
	char	addr[NETADDR_STRLEN];

	if (h->compare_soa)
		printf("Nameserver %s:\n\t", netaddr_format(&r->server->addr, addr));
}

/* Print the owner name, the TTL unless ttl is NULL, the class and the type
 * in dig's columns.  Returns the column reached. */
static size_t
output_columns(const uint8_t *owner, const char *ttl, uint16_t rclass, uint16_t type)
{
	char	name[DNS_NAME_TEXT_MAX], buf[DNS_TYPE_TEXT_MAX];
	size_t	col = 0;

	dnswire_name_to_text(owner, name, sizeof(name), 1);
	output_field(&col, name);
	if (ttl != NULL) {
		output_indent(&col, COL_TTL);
		output_field(&col, ttl);
	}
	output_indent(&col, COL_CLASS);
	output_field(&col, dnswire_class_name(rclass, buf));
	output_indent(&col, COL_TYPE);
	output_field(&col, dnswire_type_name(type, buf));
	return col;
}

/* One record: in host's short form, or verbose in dig's layout (owner,
 * TTL, class, type, RDATA). */
static int
output_rr(const struct hostq *h, const struct hostq_reply *r, const struct dnswire_rr *rr)
{
	static char	rdata[RDATA_TEXT_MAX];
	char		name[DNS_NAME_TEXT_MAX], num[16], desc[64];
	size_t		col;

	if (dnswire_rdata_to_text(r->msg, r->len, rr, rdata, sizeof(rdata)) == -1)
		return -1;
	if (!h->verbose) {
		output_name(rr->name, name, sizeof(name));
		output_identify(h, r);
		printf("%s %s %s\n", name, output_description(rr->type, desc, sizeof(desc)),
		    rdata);
		return 0;
	}
	snprintf(num, sizeof(num), "%lu", (unsigned long)rr->ttl);
	col = output_columns(rr->name, num, rr->rclass, rr->type);
	output_indent(&col, COL_RDATA);
	printf("%s\n", rdata);
	return 0;
}

/* Whether -A leaves the record out. */
static int
output_skipped(const struct hostq *h, uint16_t type)
{
	return h->list_almost_all && (type == DNS_TYPE_RRSIG || type == DNS_TYPE_NSEC ||
	    type == DNS_TYPE_NSEC3);
}

/* Whether -l prints a record of this type. */
static int
output_axfr_wanted(const struct hostq *h, uint16_t type)
{
	if (h->list_any)
		return !output_skipped(h, type);
	return type == DNS_TYPE_A || type == DNS_TYPE_AAAA || type == DNS_TYPE_NS ||
	    type == DNS_TYPE_PTR;
}

static void
output_question_verbose(const struct dnswire_question *q)
{
	/* The ';' is not counted in the columns. */
	fputc(';', stdout);
	output_columns(q->name, NULL, q->qclass, q->qtype);
	fputc('\n', stdout);
}

static void
output_header(const struct dnswire_header *hdr, const struct dnswire_edns *edns,
    unsigned int rcode)
{
	/* The flag bits, and their names two letters each in the same order. */
	static const uint16_t	flags[] = {
		DNS_FLAG_QR, DNS_FLAG_AA, DNS_FLAG_TC, DNS_FLAG_RD, DNS_FLAG_RA, DNS_FLAG_AD,
		DNS_FLAG_CD,
	};
	static const char	names[] = "qraatcrdraadcd";
	char	buf1[DNS_TYPE_TEXT_MAX], buf2[DNS_TYPE_TEXT_MAX];
	size_t	i;
	int	first = 1;

	printf(";; ->>HEADER<<- opcode: %s, status: %s, id: %u\n",
	    dnswire_opcode_name(DNS_FLAGS_OPCODE(hdr->flags), buf1),
	    dnswire_rcode_name(rcode, buf2), hdr->id);
	fputs(";; flags: ", stdout);
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (hdr->flags & flags[i]) {
			printf("%s%.2s", first ? "" : " ", names + 2 * i);
			first = 0;
		}
	printf("; QUERY: %u, ANSWER: %u, AUTHORITY: %u, ADDITIONAL: %u\n",
	    hdr->count[0], hdr->count[1], hdr->count[2], hdr->count[3]);
	/* XXX: the EDNS line follows older host releases; 9.18 was not seen
	 * printing it because host sends no OPT and dnsmasq adds none. */
	if (edns != NULL)
		printf(";; EDNS: version: %u, udp=%u\n", edns->version, edns->udp_size);
}

static const char *const section_names[] = { "QUESTION", "ANSWER", "AUTHORITY", "ADDITIONAL" };

/* BIND's reason for a message whose records cannot be read: a name at
 * msg[off] that uses a compression pointer, else the end of the data. */
static const char *
output_parse_error(const uint8_t *msg, size_t len, size_t off)
{
	uint8_t	name[DNS_NAME_MAX];
	size_t	namelen;

	if (dnswire_name_unpack(msg, len, off, name, &namelen) != -1)
		return "unexpected end of input";	/* the name is fine, the rest is cut */
	while (off < len && msg[off] != 0) {
		if ((msg[off] & 0xc0) != 0)
			return "bad compression pointer";
		off += 1 + (size_t)msg[off];
	}
	return "unexpected end of input";
}

/* Read every record and render its RDATA, as BIND does before it prints
 * anything.  Returns NULL, or the reason the message is rejected. */
static const char *
output_validate(const struct hostq_reply *r)
{
	struct dnswire_parser	p;
	struct dnswire_question	q;
	struct dnswire_rr	rr;
	const char		*why;
	int			res, seen = 0, total;

	if (dnswire_parser_init(&p, r->msg, r->len) == -1)
		return "unexpected end of input";
	total = p.hdr.count[DNS_SECTION_ANSWER] + p.hdr.count[DNS_SECTION_AUTHORITY] +
	    p.hdr.count[DNS_SECTION_ADDITIONAL];
	while ((res = dnswire_parse_question(&p, &q)) == 1)
		;
	if (res == -1)
		return output_parse_error(r->msg, r->len, p.off);
	while ((res = dnswire_parse_rr(&p, &rr)) == 1) {
		seen++;
		/* BIND's message parser rejects type 0, and a TSIG anywhere but
		 * as the last record (of class ANY) of the additional section. */
		if (rr.type == 0)
			return "FORMERR";
		if (rr.type == DNS_TYPE_TSIG && (rr.section != DNS_SECTION_ADDITIONAL ||
		    seen != total || rr.rclass != DNS_CLASS_ANY))
			return "TSIG in wrong location";
		if (rr.type != DNS_TYPE_OPT &&
		    (why = dnswire_rdata_check(r->msg, r->len, &rr)) != NULL)
			return why;
	}
	if (res == -1)
		return output_parse_error(r->msg, r->len, p.off);
	return NULL;
}

/* Print the records; a section heading before the first of each in
 * verbose mode.  Returns 0, or -1 when a record is malformed. */
static int
output_records(const struct hostq *h, const struct hostq_reply *r)
{
	struct dnswire_parser	p;
	struct dnswire_question	q;
	struct dnswire_rr	rr;
	int			res, section = DNS_SECTION_QUESTION;

	dnswire_parser_init(&p, r->msg, r->len);
	while ((res = dnswire_parse_question(&p, &q)) == 1) {
		if (!h->verbose)
			continue;
		if (section == DNS_SECTION_QUESTION) {
			printf("\n;; QUESTION SECTION:\n");
			section = -1;
		}
		/* host filters the question by type too, leaving a bare ';'. */
		if (h->qtype == DNS_TYPE_AXFR && !output_axfr_wanted(h, q.qtype))
			fputc(';', stdout);
		else
			output_question_verbose(&q);
	}
	if (res == -1)
		return -1;
	section = DNS_SECTION_QUESTION;
	while ((res = dnswire_parse_rr(&p, &rr)) == 1) {
		if (rr.type == DNS_TYPE_OPT || rr.type == DNS_TYPE_TSIG)
			continue;
		if (rr.section != DNS_SECTION_ANSWER && !h->verbose)
			continue;
		if (output_skipped(h, rr.type))
			continue;
		if (h->qtype == DNS_TYPE_AXFR && !output_axfr_wanted(h, rr.type))
			continue;
		if (h->verbose && rr.section != section) {
			printf("\n;; %s SECTION:\n", section_names[rr.section]);
			section = rr.section;
		}
		if (output_rr(h, r, &rr) == -1)
			return -1;
	}
	return res;
}

/* The answer count of the header. */
static int
output_answer_count(const struct hostq_reply *r)
{
	struct dnswire_header	hdr;

	dnswire_header_read(r->msg, r->len, &hdr);
	return hdr.count[DNS_SECTION_ANSWER];
}

/* Read the header, question and EDNS of a reply, or print it as a bad
 * packet.  Returns 0, or -1 for a malformed reply. */
static int
output_parse(struct hostq *h, const struct hostq_reply *r, struct dnswire_parser *p,
    struct dnswire_question *q, struct dnswire_edns *edns, int *has_edns)
{
	const char	*bad;

	dnswire_parser_init(p, r->msg, r->len);
	if ((bad = output_validate(r)) == NULL && dnswire_parse_question(p, q) != 1)
		bad = "unexpected end of input";	/* XXX: BIND may accept no question */
	if (bad == NULL && (*has_edns = dnswire_edns_find(r->msg, r->len, edns)) == -1)
		bad = "FORMERR";
	if (bad != NULL) {
		output_bad_packet(bad, r->msg, r->len);
		h->seen_error = 1;
		return -1;
	}
	return 0;
}

int
output_check(struct hostq *h, const struct hostq_reply *r)
{
	struct dnswire_parser	p;
	struct dnswire_question	q;
	struct dnswire_edns	edns;
	int			has_edns;

	return output_parse(h, r, &p, &q, &edns, &has_edns);
}

int
output_message(struct hostq *h, const struct hostq_reply *r, const char *nxtext)
{
	struct dnswire_parser	p;
	struct dnswire_question	q;
	struct dnswire_edns	edns;
	char			name[DNS_NAME_TEXT_MAX], buf[DNS_TYPE_TEXT_MAX];
	unsigned int		rcode;
	int			has_edns = 0, force_error;

	if (output_parse(h, r, &p, &q, &edns, &has_edns) == -1)
		return -1;
	rcode = dnswire_rcode(&p.hdr, has_edns ? &edns : NULL);

	/* host keeps an error seen by an earlier lookup. */
	force_error = h->seen_error == 1;
	h->seen_error = 1;
	output_server(h, r->server);
	output_name(q.name, name, sizeof(name));
	if (rcode != DNS_RCODE_NOERROR) {
		output_identify(h, r);
		printf("%s%s not found: %u(%s)\n", h->compare_soa ? "" : "Host ",
		    rcode == DNS_RCODE_NXDOMAIN ? nxtext : name, rcode,
		    dnswire_rcode_name(rcode, buf));
		return (int)rcode;
	}
	if (h->verbose)
		output_header(&p.hdr, has_edns ? &edns : NULL, rcode);
	if (output_records(h, r) == -1) {
		/* output_validate rendered every record already. */
		h->seen_error = 1;
		return -1;
	}
	if (h->verbose)
		fputc('\n', stdout);
	if (!h->verbose && !h->default_lookups && output_answer_count(r) == 0)
		printf("%s has no %s record\n", name, dnswire_type_name(q.qtype, buf));
	h->seen_error = force_error;
	return (int)rcode;
}
