/* dnswire.c -- DNS message codec: names, parsing, building with compression, EDNS(0). */
#include <string.h>

#include "dnswire.h"

#define PTR_MAX_JUMPS	64	/* a name has at most 127 labels; legal chains are short */

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
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint8_t
lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int
dnswire_header_read(const uint8_t *msg, size_t len, struct dnswire_header *h)
{
	int	i;

	if (len < DNS_HEADER_LEN)
		return -1;
	h->id = get16(msg);
	h->flags = get16(msg + 2);
	for (i = 0; i < 4; i++)
		h->count[i] = get16(msg + 4 + 2 * i);
	return DNS_HEADER_LEN;
}

void
dnswire_header_write(uint8_t *msg, const struct dnswire_header *h)
{
	int	i;

	put16(msg, h->id);
	put16(msg + 2, h->flags);
	for (i = 0; i < 4; i++)
		put16(msg + 4 + 2 * i, h->count[i]);
}

/*
 * Names.
 */

/* Decode one escape after a backslash at *pp; returns the byte or -1. */
static int
name_unescape(const char **pp)
{
	const char	*p = *pp;
	int		 v;

	if (*p == '\0')
		return -1;
	if (*p < '0' || *p > '9') {
		*pp = p + 1;
		return (uint8_t)*p;
	}
	if (p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9')
		return -1;
	v = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	if (v > 255)
		return -1;
	*pp = p + 3;
	return v;
}

int
dnswire_name_from_text(const char *text, uint8_t out[static DNS_NAME_MAX])
{
	const char	*p = text;
	size_t		 lstart = 0, pos = 1;
	int		 c;

	if (strcmp(text, ".") == 0 || *text == '\0') {
		out[0] = 0;
		return 1;
	}
	while (*p != '\0') {
		if (*p == '.') {
			if (pos - lstart - 1 == 0)
				return -1;	/* empty label */
			out[lstart] = (uint8_t)(pos - lstart - 1);
			lstart = pos++;
			p++;
			if (*p == '\0') {
				out[lstart] = 0;
				return (int)pos;
			}
			continue;
		}
		if (*p == '\\') {
			p++;
			if ((c = name_unescape(&p)) == -1)
				return -1;
		} else
			c = (uint8_t)*p++;
		if (pos - lstart - 1 >= DNS_LABEL_MAX || pos >= DNS_NAME_MAX - 1)
			return -1;
		out[pos++] = (uint8_t)c;
	}
	out[lstart] = (uint8_t)(pos - lstart - 1);
	if (pos >= DNS_NAME_MAX)
		return -1;
	out[pos++] = 0;
	return (int)pos;
}

/* Whether dig escapes c with a plain backslash inside a name. */
static int
name_special(uint8_t c)
{
	return c == '.' || c == '(' || c == ')' || c == ';' || c == '\\' ||
	    c == '"' || c == '@' || c == '$';
}

int
dnswire_name_to_text(const uint8_t *wire, char *out, size_t outlen, int trailing_dot)
{
	size_t		 o = 0, need;
	const uint8_t	*p = wire;
	uint8_t		 c;
	int		 i;

	if (*p == 0) {
		if (outlen < 2)
			return -1;
		out[0] = '.';
		out[1] = '\0';
		return 1;
	}
	while (*p != 0) {
		for (i = 1; i <= *p; i++) {
			c = p[i];
			need = name_special(c) ? 2 : (c < 0x21 || c > 0x7e) ? 4 : 1;
			if (o + need >= outlen)
				return -1;
			if (need == 1)
				out[o++] = (char)c;
			else if (need == 2) {
				out[o++] = '\\';
				out[o++] = (char)c;
			} else {
				out[o++] = '\\';
				out[o++] = (char)('0' + c / 100);
				out[o++] = (char)('0' + c / 10 % 10);
				out[o++] = (char)('0' + c % 10);
			}
		}
		p += *p + 1;
		if (*p != 0 || trailing_dot) {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = '.';
		}
	}
	out[o] = '\0';
	return (int)o;
}

int
dnswire_name_unpack(const uint8_t *msg, size_t msglen, size_t off,
    uint8_t out[static DNS_NAME_MAX], size_t *outlen)
{
	size_t	pos = off, seg = off, o = 0, ptr;
	int	consumed = -1, jumps = 0;
	uint8_t	c;

	for (;;) {
		if (pos >= msglen)
			return -1;
		c = msg[pos];
		if ((c & 0xc0) == 0xc0) {
			if (pos + 1 >= msglen)
				return -1;
			ptr = (size_t)(c & 0x3f) << 8 | msg[pos + 1];
			if (consumed == -1)
				consumed = (int)(pos + 2 - off);
			/* Only backwards, before this run of labels, never into
			 * the header: each jump lowers seg, so this ends. */
			if (ptr < DNS_HEADER_LEN || ptr >= seg || ++jumps > PTR_MAX_JUMPS)
				return -1;
			pos = seg = ptr;
			continue;
		}
		if (c & 0xc0)
			return -1;	/* extended label types (RFC 6891 obsoleted them) */
		if (c == 0) {
			out[o++] = 0;
			if (consumed == -1)
				consumed = (int)(pos + 1 - off);
			*outlen = o;
			return consumed;
		}
		if (pos + 1 + c > msglen || o + 1 + c + 1 > DNS_NAME_MAX)
			return -1;
		memcpy(out + o, msg + pos, 1 + (size_t)c);
		o += 1 + (size_t)c;
		pos += 1 + (size_t)c;
	}
}

size_t
dnswire_name_len(const uint8_t *name)
{
	const uint8_t	*p = name;

	while (*p != 0)
		p += *p + 1;
	return (size_t)(p - name) + 1;
}

int
dnswire_name_labels(const uint8_t *name)
{
	int	n = 0;

	while (*name != 0) {
		name += *name + 1;
		n++;
	}
	return n;
}

int
dnswire_name_equal(const uint8_t *a, const uint8_t *b)
{
	size_t	len = dnswire_name_len(a), i;

	if (len != dnswire_name_len(b))
		return 0;
	for (i = 0; i < len; i++)
		if (lower(a[i]) != lower(b[i]))
			return 0;
	return 1;
}

void
dnswire_name_lower(uint8_t *name)
{
	int	i;

	while (*name != 0) {
		for (i = 1; i <= *name; i++)
			name[i] = lower(name[i]);
		name += *name + 1;
	}
}

int
dnswire_name_is_subdomain(const uint8_t *name, const uint8_t *zone)
{
	int	skip = dnswire_name_labels(name) - dnswire_name_labels(zone);

	if (skip < 0)
		return 0;
	while (skip-- > 0)
		name += *name + 1;
	return dnswire_name_equal(name, zone);
}

/* Eight bytes in lower case at once: 0x20 is added to each byte from
 * 'A' to 'Z', and bytes with the high bit set stay as they are.  Inlined
 * even at -Os: it is a few instructions on the path of every query. */
static inline __attribute__((always_inline)) uint64_t
lower8(uint64_t w)
{
	uint64_t	b7 = w & 0x7f7f7f7f7f7f7f7fULL;
	uint64_t	ge_a = b7 + 0x3f3f3f3f3f3f3f3fULL;	/* bit 7 set from 'A' */
	uint64_t	gt_z = b7 + 0x2525252525252525ULL;	/* bit 7 set above 'Z' */

	return w | ((ge_a & ~gt_z & ~w & 0x8080808080808080ULL) >> 2);
}

/* One step of the multiply-xorshift hash of dnswire_name_hash. */
static inline __attribute__((always_inline)) uint64_t
hash_step(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

/* The last 1 to 7 bytes of a name as a word, byte k in bits 8k to 8k+7,
 * so that the hash does not depend on the byte order of the machine. */
static uint64_t
tail_word(const uint8_t *p, size_t n)
{
	uint64_t	w = 0;
	size_t		k;

	for (k = 0; k < n; k++)
		w |= (uint64_t)p[k] << (8 * k);
	return w;
}

/* The bytes of p from i to len (1 to 7 of them) as tail_word gives them.
 * A name of 8 bytes or more has 8 bytes before its end to load at once:
 * on a little-endian machine the shift leaves the same word. */
static inline __attribute__((always_inline)) uint64_t
tail_bytes(const uint8_t *p, size_t i, size_t len)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t	w;

	if (len >= 8) {
		memcpy(&w, p + len - 8, 8);
		return w >> (8 * (8 - (len - i)));
	}
#endif
	return tail_word(p + i, len - i);
}

/* A multiply-xorshift hash over eight bytes at a time: about a tenth of
 * the instructions of a byte-wise hash for a typical name. */
uint32_t
dnswire_name_hash(const uint8_t *name)
{
	size_t		len = dnswire_name_len(name), i;
	uint64_t	h = 0x9e3779b97f4a7c15ULL ^ len, w;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, name + i, 8);
		h = hash_step(h, lower8(w));
	}
	if (i < len)
		h = hash_step(h, lower8(tail_bytes(name, i, len)));
	return (uint32_t)(h ^ (h >> 29));
}

uint32_t
dnswire_name_copy_lower(const uint8_t *src, size_t len, uint8_t *name, uint8_t *lname)
{
	uint64_t	h = 0x9e3779b97f4a7c15ULL ^ len, w;
	size_t		i, k;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, src + i, 8);
		memcpy(name + i, &w, 8);
		w = lower8(w);
		memcpy(lname + i, &w, 8);
		h = hash_step(h, w);
	}
	if (i < len && len >= 8) {
		/* The last 8 bytes again, overlapping what the loop wrote with
		 * the same values. */
		memcpy(&w, src + len - 8, 8);
		memcpy(name + len - 8, &w, 8);
		w = lower8(w);
		memcpy(lname + len - 8, &w, 8);
		h = hash_step(h, lower8(tail_bytes(src, i, len)));
	} else if (i < len) {
		w = lower8(tail_word(src + i, len - i));
		for (k = 0; i + k < len; k++) {
			name[i + k] = src[i + k];
			lname[i + k] = (uint8_t)(w >> (8 * k));
		}
		h = hash_step(h, w);
	}
	return (uint32_t)(h ^ (h >> 29));
}

int
dnswire_name_reverse(const struct netaddr *addr, uint8_t out[static DNS_NAME_MAX])
{
	char	text[80];

	if (netaddr_reverse_name(addr, text, sizeof(text)) == -1)
		return -1;
	return dnswire_name_from_text(text, out);
}

/*
 * Parsing.
 */

int
dnswire_parser_init(struct dnswire_parser *p, const uint8_t *msg, size_t len)
{
	memset(p, 0, sizeof(*p));
	if (dnswire_header_read(msg, len, &p->hdr) == -1)
		return -1;
	p->msg = msg;
	p->len = len;
	p->off = DNS_HEADER_LEN;
	p->section = DNS_SECTION_QUESTION;
	p->remaining = p->hdr.count[DNS_SECTION_QUESTION];
	return 0;
}

/* Move past sections that have no records left. */
static void
parser_advance(struct dnswire_parser *p)
{
	while (p->remaining == 0 && p->section < DNS_SECTION_END) {
		p->section++;
		if (p->section < DNS_SECTION_END)
			p->remaining = p->hdr.count[p->section];
	}
}

int
dnswire_parse_question(struct dnswire_parser *p, struct dnswire_question *q)
{
	int	n;

	if (p->section != DNS_SECTION_QUESTION || p->remaining == 0)
		return 0;
	n = dnswire_name_unpack(p->msg, p->len, p->off, q->name, &q->namelen);
	if (n == -1 || p->off + (size_t)n + 4 > p->len)
		return -1;
	p->off += (size_t)n;
	q->qtype = get16(p->msg + p->off);
	q->qclass = get16(p->msg + p->off + 2);
	p->off += 4;
	p->remaining--;
	return 1;
}

int
dnswire_parse_rr(struct dnswire_parser *p, struct dnswire_rr *rr)
{
	struct dnswire_question	q;
	const uint8_t		*f;
	int			 n;

	while (p->section == DNS_SECTION_QUESTION && p->remaining > 0)
		if (dnswire_parse_question(p, &q) == -1)
			return -1;
	parser_advance(p);
	if (p->section == DNS_SECTION_END)
		return 0;
	n = dnswire_name_unpack(p->msg, p->len, p->off, rr->name, &rr->namelen);
	if (n == -1 || p->off + (size_t)n + 10 > p->len)
		return -1;
	rr->nameoff = p->off;
	rr->section = p->section;
	f = p->msg + p->off + (size_t)n;
	rr->type = get16(f);
	rr->rclass = get16(f + 2);
	rr->ttl = get32(f + 4);
	rr->rdlength = get16(f + 8);
	rr->rdoff = p->off + (size_t)n + 10;
	if (rr->rdoff + rr->rdlength > p->len)
		return -1;
	p->off = rr->rdoff + rr->rdlength;
	p->remaining--;
	return 1;
}

int
dnswire_rdata_name(const uint8_t *msg, size_t msglen, const struct dnswire_rr *rr,
    size_t off, uint8_t out[static DNS_NAME_MAX], size_t *outlen)
{
	size_t	end = rr->rdoff + rr->rdlength;

	if (end > msglen || off < rr->rdoff || off >= end)
		return -1;
	return dnswire_name_unpack(msg, end, off, out, outlen);
}

int
dnswire_edns_from_rr(const uint8_t *msg, size_t msglen, const struct dnswire_rr *rr,
    struct dnswire_edns *e)
{
	size_t		pos = 0, dataoff;
	uint16_t	code, datalen;
	int		r;

	if (rr->type != DNS_TYPE_OPT || rr->namelen != 1 ||
	    rr->rdoff + rr->rdlength > msglen)
		return -1;
	e->udp_size = rr->rclass;
	e->ext_rcode = rr->ttl >> 24;
	e->version = (rr->ttl >> 16) & 0xff;
	e->flags = rr->ttl & 0xffff;
	e->optoff = rr->rdoff;
	e->optlen = rr->rdlength;
	while ((r = dnswire_edns_option(msg, e, &pos, &code, &dataoff, &datalen)) == 1)
		;
	return r;
}

int
dnswire_edns_find(const uint8_t *msg, size_t msglen, struct dnswire_edns *e)
{
	struct dnswire_parser	p;
	struct dnswire_rr	rr;
	int			r, found = 0;

	if (dnswire_parser_init(&p, msg, msglen) == -1)
		return -1;
	while ((r = dnswire_parse_rr(&p, &rr)) == 1) {
		if (rr.type != DNS_TYPE_OPT)
			continue;
		if (found || rr.section != DNS_SECTION_ADDITIONAL ||
		    dnswire_edns_from_rr(msg, msglen, &rr, e) == -1)
			return -1;
		found = 1;
	}
	return r == -1 ? -1 : found;
}

int
dnswire_edns_option(const uint8_t *msg, const struct dnswire_edns *e, size_t *pos,
    uint16_t *code, size_t *dataoff, uint16_t *datalen)
{
	const uint8_t	*o;

	if (*pos >= e->optlen)
		return 0;
	if (*pos + 4 > e->optlen)
		return -1;
	o = msg + e->optoff + *pos;
	*code = get16(o);
	*datalen = get16(o + 2);
	if (*pos + 4 + *datalen > e->optlen)
		return -1;
	*dataoff = e->optoff + *pos + 4;
	*pos += 4 + (size_t)*datalen;
	return 1;
}

unsigned int
dnswire_rcode(const struct dnswire_header *h, const struct dnswire_edns *e)
{
	unsigned int	rcode = DNS_FLAGS_RCODE(h->flags);

	if (e != NULL)
		rcode |= (unsigned int)e->ext_rcode << 4;
	return rcode;
}

/*
 * Building.
 */

int
dnswire_builder_init(struct dnswire_builder *b, uint8_t *buf, size_t cap, size_t limit)
{
	memset(b, 0, sizeof(*b));
	if (cap < DNS_HEADER_LEN)
		return -1;
	if (cap > DNS_MSG_MAX)
		cap = DNS_MSG_MAX;
	if (limit == 0 || limit > cap)
		limit = cap;
	b->buf = buf;
	b->cap = cap;
	b->limit = limit;
	b->len = DNS_HEADER_LEN;
	b->section = DNS_SECTION_QUESTION;
	memset(buf, 0, DNS_HEADER_LEN);
	return 0;
}

void
dnswire_builder_header(struct dnswire_builder *b, uint16_t id, uint16_t flags)
{
	b->hdr.id = id;
	b->hdr.flags = flags;
}

/* Last byte offset (exclusive) that records may fill. */
static size_t
builder_end(const struct dnswire_builder *b)
{
	return b->reserve >= b->limit ? 0 : b->limit - b->reserve;
}

static int
builder_put(struct dnswire_builder *b, const void *data, size_t len)
{
	if (b->rr_overflow || b->len + len > builder_end(b)) {
		b->rr_overflow = 1;
		return -1;
	}
	memcpy(b->buf + b->len, data, len);
	b->len += len;
	return 0;
}

/* Whether the name written at buf[off] (with our own valid pointers)
 * equals the wire name suffix, case ignored. */
static int
builder_match(const struct dnswire_builder *b, size_t off, const uint8_t *suffix)
{
	const uint8_t	*p;
	int		 i;

	for (;;) {
		/* A suffix of the name being written is followed by bytes
		 * not written yet: it matches nothing. */
		if (off >= b->len)
			return 0;
		p = b->buf + off;
		if ((*p & 0xc0) == 0xc0) {
			off = (size_t)(*p & 0x3f) << 8 | p[1];
			continue;
		}
		if (*p != *suffix)
			return 0;
		if (*p == 0)
			return 1;
		for (i = 1; i <= *p; i++)
			if (lower(p[i]) != lower(suffix[i]))
				return 0;
		off += 1 + (size_t)*p;
		suffix += 1 + *suffix;
	}
}

static int
builder_put_name(struct dnswire_builder *b, const uint8_t *name, int compress)
{
	uint8_t	ptr[2];
	int	i;

	while (*name != 0) {
		if (compress)
			for (i = 0; i < b->ncomp; i++) {
				if (!builder_match(b, b->comp[i], name))
					continue;
				ptr[0] = 0xc0 | b->comp[i] >> 8;
				ptr[1] = b->comp[i] & 0xff;
				return builder_put(b, ptr, 2);
			}
		if (b->ncomp < DNSWIRE_COMPRESS_MAX && b->len < 0x4000 && !b->rr_overflow)
			b->comp[b->ncomp++] = (uint16_t)b->len;
		if (builder_put(b, name, 1 + (size_t)*name) == -1)
			return -1;
		name += 1 + *name;
	}
	return builder_put(b, name, 1);
}

int
dnswire_builder_question(struct dnswire_builder *b, const uint8_t *name,
    uint16_t qtype, uint16_t qclass)
{
	uint8_t	f[4];
	size_t	start = b->len;
	int	ncomp = b->ncomp;

	if (b->section != DNS_SECTION_QUESTION || b->rr_open ||
	    b->hdr.count[DNS_SECTION_QUESTION] == 0xffff)
		return -1;
	put16(f, qtype);
	put16(f + 2, qclass);
	b->rr_overflow = 0;
	if (builder_put_name(b, name, 1) == -1 || builder_put(b, f, 4) == -1) {
		b->len = start;
		b->ncomp = ncomp;
		b->rr_overflow = 0;
		b->truncated = 1;
		return -1;
	}
	b->hdr.count[DNS_SECTION_QUESTION]++;
	return 0;
}

static void
builder_rollback(struct dnswire_builder *b)
{
	b->len = b->rr_start;
	b->ncomp = b->ncomp_saved;
	b->rr_open = 0;
	b->rr_overflow = 0;
	b->truncated = 1;
}

int
dnswire_builder_rr_begin(struct dnswire_builder *b, int section, const uint8_t *name,
    uint16_t type, uint16_t rclass, uint32_t ttl)
{
	uint8_t	f[10];

	if (b->rr_open || section < DNS_SECTION_ANSWER || section > DNS_SECTION_ADDITIONAL ||
	    section < b->section || b->hdr.count[section] == 0xffff)
		return -1;
	b->section = section;
	b->rr_start = b->len;
	b->ncomp_saved = b->ncomp;
	b->rr_overflow = 0;
	put16(f, type);
	put16(f + 2, rclass);
	put16(f + 4, ttl >> 16);
	put16(f + 6, ttl & 0xffff);
	put16(f + 8, 0);
	if (builder_put_name(b, name, 1) == -1 || builder_put(b, f, 10) == -1) {
		builder_rollback(b);
		return -1;
	}
	b->rr_rdlen_off = b->len - 2;
	b->rr_open = 1;
	return 0;
}

int
dnswire_builder_rdata_bytes(struct dnswire_builder *b, const void *data, size_t len)
{
	if (!b->rr_open)
		return -1;
	return builder_put(b, data, len);
}

int
dnswire_builder_rdata_u8(struct dnswire_builder *b, uint8_t v)
{
	return dnswire_builder_rdata_bytes(b, &v, 1);
}

int
dnswire_builder_rdata_u16(struct dnswire_builder *b, uint16_t v)
{
	uint8_t	f[2];

	put16(f, v);
	return dnswire_builder_rdata_bytes(b, f, 2);
}

int
dnswire_builder_rdata_u32(struct dnswire_builder *b, uint32_t v)
{
	uint8_t	f[4];

	put16(f, v >> 16);
	put16(f + 2, v & 0xffff);
	return dnswire_builder_rdata_bytes(b, f, 4);
}

int
dnswire_builder_rdata_name(struct dnswire_builder *b, const uint8_t *name, int compress)
{
	if (!b->rr_open)
		return -1;
	return builder_put_name(b, name, compress);
}

int
dnswire_builder_rr_end(struct dnswire_builder *b)
{
	size_t	rdlen;

	if (!b->rr_open)
		return -1;
	rdlen = b->len - b->rr_rdlen_off - 2;
	if (b->rr_overflow || rdlen > 0xffff) {
		builder_rollback(b);
		return -1;
	}
	put16(b->buf + b->rr_rdlen_off, (uint16_t)rdlen);
	b->hdr.count[b->section]++;
	b->rr_open = 0;
	return 0;
}

int
dnswire_builder_a(struct dnswire_builder *b, int section, const uint8_t *name,
    uint32_t ttl, const uint8_t addr[static 4])
{
	if (dnswire_builder_rr_begin(b, section, name, DNS_TYPE_A, DNS_CLASS_IN, ttl) == -1)
		return -1;
	dnswire_builder_rdata_bytes(b, addr, 4);
	return dnswire_builder_rr_end(b);
}

int
dnswire_builder_aaaa(struct dnswire_builder *b, int section, const uint8_t *name,
    uint32_t ttl, const uint8_t addr[static 16])
{
	if (dnswire_builder_rr_begin(b, section, name, DNS_TYPE_AAAA, DNS_CLASS_IN, ttl) == -1)
		return -1;
	dnswire_builder_rdata_bytes(b, addr, 16);
	return dnswire_builder_rr_end(b);
}

int
dnswire_builder_name_rr(struct dnswire_builder *b, int section, const uint8_t *name,
    uint16_t type, uint32_t ttl, const uint8_t *target)
{
	if (dnswire_builder_rr_begin(b, section, name, type, DNS_CLASS_IN, ttl) == -1)
		return -1;
	/* RFC 3597: only the well-known RFC 1035 types may be compressed. */
	dnswire_builder_rdata_name(b, target, type != DNS_TYPE_DNAME);
	return dnswire_builder_rr_end(b);
}

int
dnswire_builder_mx(struct dnswire_builder *b, int section, const uint8_t *name,
    uint32_t ttl, uint16_t preference, const uint8_t *exchange)
{
	if (dnswire_builder_rr_begin(b, section, name, DNS_TYPE_MX, DNS_CLASS_IN, ttl) == -1)
		return -1;
	dnswire_builder_rdata_u16(b, preference);
	dnswire_builder_rdata_name(b, exchange, 1);
	return dnswire_builder_rr_end(b);
}

int
dnswire_builder_srv(struct dnswire_builder *b, int section, const uint8_t *name,
    uint32_t ttl, uint16_t priority, uint16_t weight, uint16_t port, const uint8_t *target)
{
	if (dnswire_builder_rr_begin(b, section, name, DNS_TYPE_SRV, DNS_CLASS_IN, ttl) == -1)
		return -1;
	dnswire_builder_rdata_u16(b, priority);
	dnswire_builder_rdata_u16(b, weight);
	dnswire_builder_rdata_u16(b, port);
	/* RFC 2782: the target is never compressed. */
	dnswire_builder_rdata_name(b, target, 0);
	return dnswire_builder_rr_end(b);
}

int
dnswire_builder_txt(struct dnswire_builder *b, int section, const uint8_t *name,
    uint32_t ttl, const char *const strings[], const size_t lengths[], size_t n)
{
	size_t	i, off, chunk;

	if (dnswire_builder_rr_begin(b, section, name, DNS_TYPE_TXT, DNS_CLASS_IN, ttl) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		off = 0;
		do {
			chunk = lengths[i] - off > 255 ? 255 : lengths[i] - off;
			dnswire_builder_rdata_u8(b, (uint8_t)chunk);
			dnswire_builder_rdata_bytes(b, strings[i] + off, chunk);
			off += chunk;
		} while (off < lengths[i]);
	}
	return dnswire_builder_rr_end(b);
}

int
dnswire_builder_soa(struct dnswire_builder *b, int section, const uint8_t *name,
    uint32_t ttl, const struct dnswire_soa *soa)
{
	if (dnswire_builder_rr_begin(b, section, name, DNS_TYPE_SOA, DNS_CLASS_IN, ttl) == -1)
		return -1;
	dnswire_builder_rdata_name(b, soa->mname, 1);
	dnswire_builder_rdata_name(b, soa->rname, 1);
	dnswire_builder_rdata_u32(b, soa->serial);
	dnswire_builder_rdata_u32(b, soa->refresh);
	dnswire_builder_rdata_u32(b, soa->retry);
	dnswire_builder_rdata_u32(b, soa->expire);
	dnswire_builder_rdata_u32(b, soa->minimum);
	return dnswire_builder_rr_end(b);
}

int
dnswire_builder_opt(struct dnswire_builder *b, uint16_t udp_size, uint8_t ext_rcode,
    uint8_t version, uint16_t flags, const uint8_t *options, size_t optlen)
{
	static const uint8_t	root[1] = { 0 };
	uint32_t		ttl;
	size_t			reserve = b->reserve;

	ttl = (uint32_t)ext_rcode << 24 | (uint32_t)version << 16 | flags;
	b->reserve = 0;
	if (dnswire_builder_rr_begin(b, DNS_SECTION_ADDITIONAL, root, DNS_TYPE_OPT,
	    udp_size, ttl) == -1) {
		b->reserve = reserve;
		return -1;
	}
	if (optlen > 0)
		dnswire_builder_rdata_bytes(b, options, optlen);
	if (dnswire_builder_rr_end(b) == -1) {
		b->reserve = reserve;
		return -1;
	}
	return 0;
}

size_t
dnswire_builder_finish(struct dnswire_builder *b)
{
	dnswire_header_write(b->buf, &b->hdr);
	return b->len;
}

int
dnswire_query(uint8_t *buf, size_t cap, uint16_t id, uint16_t flags,
    const uint8_t *name, uint16_t qtype, uint16_t qclass, uint16_t edns_size)
{
	struct dnswire_builder	b;

	if (dnswire_builder_init(&b, buf, cap, 0) == -1)
		return -1;
	dnswire_builder_header(&b, id, flags);
	if (dnswire_builder_question(&b, name, qtype, qclass) == -1)
		return -1;
	if (edns_size != 0 &&
	    dnswire_builder_opt(&b, edns_size, 0, 0, 0, NULL, 0) == -1)
		return -1;
	return (int)dnswire_builder_finish(&b);
}
