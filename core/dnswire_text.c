/* dnswire_text.c -- DNS RDATA, types, classes and rcodes as dig and host print them. */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dnswire.h"

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

/*
 * Presentation text.
 */

/* Output text; with buf NULL only the length is counted. */
struct text {
	char	*buf;
	size_t	 cap;
	size_t	 len;
	int	 err;
};

static void
text_putc(struct text *t, char c)
{
	if (t->buf == NULL) {
		t->len++;
		return;
	}
	if (t->len + 1 >= t->cap) {
		t->err = 1;
		return;
	}
	t->buf[t->len++] = c;
	t->buf[t->len] = '\0';
}

static void
text_puts(struct text *t, const char *s)
{
	while (*s != '\0')
		text_putc(t, *s++);
}

/* v in decimal, zero-padded to at least width digits. */
static void
text_number(struct text *t, unsigned long v, int width)
{
	char	digits[24];
	int	n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 || n < width);
	while (n > 0)
		text_putc(t, digits[--n]);
}

static void
text_uint(struct text *t, unsigned long v)
{
	text_number(t, v, 1);
}

/* Base64 or hex text is split into words of this many characters, as BIND
 * prints it on one line (its 60-column width less 2, rounded down to a
 * multiple of 4). */
#define TEXT_WORD	56

/* Digits of base32hex (RFC 4648), whose first 16 are those of hex. */
#define BASE32HEX_DIGITS	"0123456789ABCDEFGHIJKLMNOPQRSTUV"
#define LOWER_HEX_DIGITS	"0123456789abcdef"

#define HEX_SPLIT	1	/* in words of TEXT_WORD characters */
#define HEX_LOWER	2	/* with lower-case digits */
#define HEX_DASHES	4	/* with '-' between the bytes */

/* Bytes in hex, as how (HEX_* flags) says. */
static void
text_hex(struct text *t, const uint8_t *p, size_t len, int how)
{
	const char	*digits = how & HEX_LOWER ? LOWER_HEX_DIGITS : BASE32HEX_DIGITS;
	size_t		 i;

	for (i = 0; i < len; i++) {
		if (i > 0 && (how & HEX_DASHES))
			text_putc(t, '-');
		if (i > 0 && (how & HEX_SPLIT) && (i * 2) % TEXT_WORD == 0)
			text_putc(t, ' ');
		text_putc(t, digits[p[i] >> 4]);
		text_putc(t, digits[p[i] & 0xf]);
	}
}

static void
text_base64(struct text *t, const uint8_t *p, size_t len, int split)
{
	static const char	digits[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t			i, out = 0;
	uint32_t		v;
	int			j;

	for (i = 0; i < len; i += 3) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		for (j = 0; j < 4; j++) {
			if (split && out > 0 && out % TEXT_WORD == 0)
				text_putc(t, ' ');
			if ((size_t)j > len - i)	/* past the last octet */
				text_putc(t, '=');
			else
				text_putc(t, digits[(v >> (18 - 6 * j)) & 0x3f]);
			out++;
		}
	}
}

/* Base32 with the extended hex alphabet (RFC 4648), as NSEC3 uses it. */
static void
text_base32hex(struct text *t, const uint8_t *p, size_t len)
{
	static const char	digits[] = BASE32HEX_DIGITS;
	uint32_t		acc = 0;
	size_t			i;
	int			bits = 0;

	for (i = 0; i < len; i++) {
		acc = (acc << 8 | p[i]) & 0xffff;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			text_putc(t, digits[(acc >> bits) & 0x1f]);
		}
	}
	if (bits > 0)
		text_putc(t, digits[(acc << (5 - bits)) & 0x1f]);
}

/* Bytes with BIND's escapes but no quotes: \DDD outside 0x20-0x7e and a
 * backslash before '"' and '\'.  An item of a comma-separated list (list
 * set) has ',' and '\' escaped once more first, as RFC 9460 requires. */
static void
text_escaped(struct text *t, const uint8_t *p, size_t len, int list)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] >= 0x7f) {
			text_putc(t, '\\');
			text_number(t, p[i], 3);
			continue;
		}
		if (list && (p[i] == ',' || p[i] == '\\')) {
			text_putc(t, '\\');
			text_putc(t, '\\');
		}
		if (p[i] == '"' || p[i] == '\\')
			text_putc(t, '\\');
		text_putc(t, (char)p[i]);
	}
}

/* A character-string in double quotes with BIND's escapes. */
static void
text_quoted(struct text *t, const uint8_t *p, size_t len)
{
	text_putc(t, '"');
	text_escaped(t, p, len, 0);
	text_putc(t, '"');
}

static void
text_ipv4(struct text *t, const uint8_t *p)
{
	int	i;

	for (i = 0; i < 4; i++) {
		if (i > 0)
			text_putc(t, '.');
		text_uint(t, p[i]);
	}
}

/* A 16-bit group of an IPv6 address or a locator in hex, without leading zeros. */
static void
text_hex16(struct text *t, unsigned int group)
{
	const char	*digits = LOWER_HEX_DIGITS;
	int		 shift, lead = 0;

	for (shift = 12; shift >= 0; shift -= 4) {
		if (((group >> shift) & 0xf) == 0 && !lead && shift > 0)
			continue;
		lead = 1;
		text_putc(t, digits[(group >> shift) & 0xf]);
	}
}

/* An IPv6 address in RFC 5952 form; like BIND's and glibc's inet_ntop, the
 * last 32 bits of ::a.b.c.d and ::ffff:a.b.c.d are written dotted. */
static void
text_ipv6(struct text *t, const uint8_t *p)
{
	unsigned int	w[8];
	int		i, best = -1, bestlen = 0, cur = -1, curlen = 0;

	for (i = 0; i < 8; i++) {
		w[i] = (unsigned int)p[2 * i] << 8 | p[2 * i + 1];
		if (w[i] == 0) {
			if (cur == -1)
				cur = i, curlen = 0;
			if (++curlen > bestlen)
				best = cur, bestlen = curlen;
		} else
			cur = -1;
	}
	if (bestlen < 2)
		best = -1;
	for (i = 0; i < 8; i++) {
		if (i == best) {
			text_putc(t, ':');
			if (best + bestlen == 8)
				text_putc(t, ':');
			i += bestlen - 1;
			continue;
		}
		if (i > 0)
			text_putc(t, ':');
		if (i == 6 && best == 0 && (bestlen == 6 || (bestlen == 5 && w[5] == 0xffff))) {
			text_ipv4(t, p + 12);
			return;
		}
		text_hex16(t, w[i]);
	}
}

/*
 * Mnemonics.  A table names consecutive values in ranges: pairs of the
 * first value and the count, ending with a count of 0, and one
 * NUL-terminated name for each value in order, empty for a value without
 * one.
 */
static const uint16_t	type_ranges[] = { 1, 68, 99, 11, 249, 14, 32768, 2, 0, 0 };
static const char	type_names[] =
	"A\0NS\0MD\0MF\0CNAME\0SOA\0MB\0MG\0MR\0NULL\0WKS\0PTR\0HINFO\0MINFO\0MX\0TXT\0"
	"RP\0AFSDB\0X25\0ISDN\0RT\0NSAP\0NSAP-PTR\0SIG\0KEY\0PX\0GPOS\0AAAA\0LOC\0NXT\0"
	"EID\0NIMLOC\0SRV\0ATMA\0NAPTR\0KX\0CERT\0A6\0DNAME\0SINK\0OPT\0APL\0DS\0SSHFP\0"
	"IPSECKEY\0RRSIG\0NSEC\0DNSKEY\0DHCID\0NSEC3\0NSEC3PARAM\0TLSA\0SMIMEA\0\0HIP\0"
	"NINFO\0RKEY\0TALINK\0CDS\0CDNSKEY\0OPENPGPKEY\0CSYNC\0ZONEMD\0SVCB\0HTTPS\0"
	"DSYNC\0HHIT\0BRID\0"
	"SPF\0UINFO\0UID\0GID\0UNSPEC\0NID\0L32\0L64\0LP\0EUI48\0EUI64\0"
	"TKEY\0TSIG\0IXFR\0AXFR\0MAILB\0MAILA\0ANY\0URI\0CAA\0AVC\0DOA\0AMTRELAY\0"
	"RESINFO\0WALLET\0"
	"TA\0DLV";

/* The RDATA fields of each type (render_fields) in the order of
 * type_names; an empty string prints the generic form of RFC 3597.  A new
 * type needs its entry here, in type_names and in type_ranges alike. */
static const char	type_fields[] =
	"A\0n\0n\0n\0n\0nn44444\0n\0n\0n\0\0w\0n\0ss\0nn\0" "2n\0S\0"		/* A - TXT */
	"nn\0" "2n\0s\0sos\0" "2n\0N\0n\0T114tt2nB\0" "211KY\0" "2nn\0sss\0" "6\0l\0nP\0"	/* RP - NXT */
	"H\0H\0" "222n\0m\0" "22sssn\0" "2n\0c2eY\0a\0n\0" "111oB\0\0p\0" "21D\0" "1F\0"	/* EID - SSHFP */
	"g\0T114tt2nB\0nW\0" "211KY\0Y\0" "112xZM\0" "112x\0" "111X\0" "111X\0\0h\0"	/* IPSECKEY - HIP */
	"S\0" "211KY\0nn\0" "21D\0" "211KY\0Y\0" "42M\0" "41z\0" "2nV\0" "2nV\0"		/* NINFO - HTTPS */
	"Ty2n\0Y\0Y\0"							/* DSYNC - BRID */
	"S\0\0\0\0\0" "2L\0" "2A\0" "2L\0" "2n\0E\0E\0"			/* SPF - EUI64 */
	"n442k\0\0\0\0\0\0\0" "22Q\0C\0S\0" "441sB\0g\0S\0S\0"		/* TKEY - WALLET */
	"21D\0" "21D";							/* TA, DLV */

static const uint16_t	class_ranges[] = { 1, 4, 254, 2, 0, 0 };
static const char	class_names[] = "IN\0\0CH\0HS\0NONE\0ANY";

static const uint16_t	rcode_ranges[] = { 0, 24, 0, 0 };
static const char	rcode_names[] =
	"NOERROR\0FORMERR\0SERVFAIL\0NXDOMAIN\0NOTIMP\0REFUSED\0YXDOMAIN\0YXRRSET\0"
	"NXRRSET\0NOTAUTH\0NOTZONE\0\0\0\0\0\0BADVERS\0BADKEY\0BADTIME\0BADMODE\0"
	"BADNAME\0BADALG\0BADTRUNC\0BADCOOKIE";

static const uint16_t	opcode_ranges[] = { 0, 6, 0, 0 };
static const char	opcode_names[] = "QUERY\0IQUERY\0STATUS\0\0NOTIFY\0UPDATE";

/* String n of a run of NUL-terminated strings. */
static const char *
nth_string(const char *s, unsigned int n)
{
	while (n-- > 0)
		s += strlen(s) + 1;
	return s;
}

/* The position of value in a table, or -1. */
static int
mnemonic_index(const uint16_t *ranges, unsigned int value)
{
	unsigned int	index = 0;

	for (; ranges[1] != 0; ranges += 2) {
		if (value >= ranges[0] && value - ranges[0] < ranges[1])
			return (int)(index + value - ranges[0]);
		index += ranges[1];
	}
	return -1;
}

/* The name of value, else prefix and the number in buf. */
static const char *
mnemonic_name(const uint16_t *ranges, const char *names, unsigned int value,
    const char *prefix, char buf[static DNS_TYPE_TEXT_MAX])
{
	struct text	t;
	const char	*name;
	int		 i = mnemonic_index(ranges, value);

	if (i >= 0 && *(name = nth_string(names, (unsigned int)i)) != '\0')
		return name;
	t.buf = buf;
	t.cap = DNS_TYPE_TEXT_MAX;
	t.len = 0;
	t.err = 0;
	buf[0] = '\0';
	text_puts(&t, prefix);
	text_uint(&t, value);
	return buf;
}

/* Parse a name of the table (any case) or PREFIXnnn with nnn in 0-65535. */
static int
mnemonic_value(const uint16_t *ranges, const char *names, const char *s,
    const char *prefix, uint16_t *value)
{
	size_t		plen = strlen(prefix);
	unsigned long	v = 0;
	unsigned int	i;

	for (; ranges[1] != 0; ranges += 2)
		for (i = 0; i < ranges[1]; i++, names += strlen(names) + 1)
			if (*names != '\0' && strcasecmp(names, s) == 0) {
				*value = (uint16_t)(ranges[0] + i);
				return 0;
			}
	if (strncasecmp(s, prefix, plen) != 0 || s[plen] == '\0')
		return -1;
	for (s += plen; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || (v = v * 10 + (unsigned long)(*s - '0')) > 65535)
			return -1;
	}
	*value = (uint16_t)v;
	return 0;
}

/* The name of value in a table, else prefix and the number. */
static void
text_mnemonic(struct text *t, const uint16_t *ranges, const char *names, unsigned int value,
    const char *prefix)
{
	char	buf[DNS_TYPE_TEXT_MAX];

	text_puts(t, mnemonic_name(ranges, names, value, prefix, buf));
}

/* A cursor over the RDATA of one record; err is set by any read past it. */
struct rdata {
	const uint8_t		*msg;
	size_t			 msglen;
	const struct dnswire_rr	*rr;
	size_t			 pos;
	size_t			 end;
	int			 err;
	int			 short_read;	/* err because the RDATA ended early */
	int			 extra;		/* err because bytes were left over */
	const char		*why;		/* BIND's reason for err, when it has its own */
};

static const uint8_t *
rd_bytes(struct rdata *r, size_t n)
{
	const uint8_t	*p;

	if (!r->err && r->pos + n > r->end)
		r->short_read = 1;
	if (r->err || r->pos + n > r->end) {
		r->err = 1;
		return NULL;
	}
	p = r->msg + r->pos;
	r->pos += n;
	return p;
}

static unsigned int
rd_u8(struct rdata *r)
{
	const uint8_t	*p = rd_bytes(r, 1);

	return p == NULL ? 0 : p[0];
}

static unsigned int
rd_u16(struct rdata *r)
{
	const uint8_t	*p = rd_bytes(r, 2);

	return p == NULL ? 0 : get16(p);
}

static unsigned long
rd_u32(struct rdata *r)
{
	const uint8_t	*p = rd_bytes(r, 4);

	return p == NULL ? 0 : get32(p);
}

static size_t
rd_left(const struct rdata *r)
{
	return r->err ? 0 : r->end - r->pos;
}

/* Require at least one more octet: none left is a read past the end. */
static void
rd_need(struct rdata *r)
{
	if (rd_left(r) == 0)
		rd_bytes(r, 1);
}

/*
 * Set BIND's reason for the name at r->pos that could not be read: a label
 * type other than a length or a pointer, a pointer that does not point
 * before the name part it ends, or the RDATA ending inside the name.
 */
static void
rd_name_fail(struct rdata *r)
{
	size_t		pos = r->pos, start = r->pos, target;
	unsigned int	hops = 0;
	uint8_t		c;

	r->err = 1;
	while (pos < r->end) {
		c = r->msg[pos];
		if ((c & 0xc0) == 0x40 || (c & 0xc0) == 0x80) {
			r->why = "bad label type";
			return;
		}
		if ((c & 0xc0) == 0xc0) {
			if (pos + 1 >= r->end)
				break;
			target = (size_t)(c & 0x3f) << 8 | r->msg[pos + 1];
			if (target >= start || ++hops > DNS_NAME_MAX) {
				r->why = "bad compression pointer";
				return;
			}
			pos = start = target;
			continue;
		}
		if (c == 0)
			return;		/* the name itself is too long */
		pos += 1 + (size_t)c;
	}
	r->short_read = 1;
}

static void
rd_name(struct rdata *r, struct text *t)
{
	uint8_t	name[DNS_NAME_MAX];
	char	buf[DNS_NAME_TEXT_MAX];
	size_t	len;
	int	n;

	if (r->err)
		return;
	n = dnswire_rdata_name(r->msg, r->msglen, r->rr, r->pos, name, &len);
	if (n == -1 || dnswire_name_to_text(name, buf, sizeof(buf), 1) == -1) {
		rd_name_fail(r);
		return;
	}
	r->pos += (size_t)n;
	text_puts(t, buf);
}

static void
rd_string(struct rdata *r, struct text *t)
{
	unsigned int	 len = rd_u8(r);
	const uint8_t	*p = rd_bytes(r, len);

	if (p != NULL)
		text_quoted(t, p, len);
}

static void
rd_rest_hex(struct rdata *r, struct text *t)
{
	size_t	len = rd_left(r);

	text_hex(t, rd_bytes(r, len), len, HEX_SPLIT);
}

static void
rd_rest_base64(struct rdata *r, struct text *t)
{
	size_t	len = rd_left(r);

	text_base64(t, rd_bytes(r, len), len, 1);
}

#define BITS_NUMBER	0	/* as a number */
#define BITS_TYPE	1	/* as a type mnemonic */
#define BITS_NXT	2	/* as a type mnemonic, a type without one as a number */

/* Print a space and each value whose bit is set in the bitmap: base plus
 * the bit number, counted from the top bit of the first octet, in the
 * form how (BITS_*). */
static void
text_bits(struct text *t, const uint8_t *bits, size_t len, unsigned int base, int how)
{
	char		 buf[DNS_TYPE_TEXT_MAX];
	const char	*name = "";
	unsigned int	 value, b;
	size_t		 i;

	for (i = 0; i < len; i++)
		for (b = 0; b < 8; b++) {
			if (!(bits[i] & (0x80 >> b)))
				continue;
			value = base + (unsigned int)(i * 8 + b);
			text_putc(t, ' ');
			if (how != BITS_NUMBER)
				name = dnswire_type_name((uint16_t)value, buf);
			/* dnswire_type_name returns buf only for a type without
			 * a mnemonic. */
			if (how == BITS_NUMBER || (how == BITS_NXT && name == buf))
				text_uint(t, value);
			else
				text_puts(t, name);
		}
}

/* NSEC and NSEC3 type bitmaps (RFC 4034 section 4.1.2). */
static void
rd_typebitmap(struct rdata *r, struct text *t)
{
	const uint8_t		*bits;
	unsigned int		 window, len;
	int			 last = -1;

	while (rd_left(r) > 0) {
		window = rd_u8(r);
		len = rd_u8(r);
		/* Windows ascend, and trailing zero octets are left out.  BIND
		 * reports a window longer than the rest as FORMERR too. */
		if (len == 0 || len > 32 || (int)window <= last || len > rd_left(r) ||
		    (bits = rd_bytes(r, len)) == NULL || bits[len - 1] == 0) {
			r->err = 1;
			return;
		}
		last = (int)window;
		text_bits(t, bits, len, window << 8, BITS_TYPE);
	}
}

/* An RRSIG time as YYYYMMDDHHMMSS (UTC); secs may be before 1970. */
static void
text_time(struct text *t, long long secs)
{
	time_t		tt = (time_t)secs;
	struct tm	tm;

	gmtime_r(&tt, &tm);
	text_number(t, (unsigned long)tm.tm_year + 1900, 4);
	text_number(t, (unsigned long)tm.tm_mon + 1, 2);
	text_number(t, (unsigned long)tm.tm_mday, 2);
	text_number(t, (unsigned long)tm.tm_hour, 2);
	text_number(t, (unsigned long)tm.tm_min, 2);
	text_number(t, (unsigned long)tm.tm_sec, 2);
}

static void
rd_u8_text(struct rdata *r, struct text *t)
{
	text_uint(t, rd_u8(r));
}

/*
 * An RRSIG or SIG time: a 32-bit count of seconds that BIND reads with
 * serial number arithmetic (RFC 1982) around the current time, so a value
 * more than 68 years from now is printed in the other direction.
 */
static void
text_sigtime(struct text *t, unsigned long value)
{
	struct timespec	ts;
	long long	now;
	uint32_t	ahead;

	/* clock_gettime in place of time(), which only this file would link. */
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (long long)ts.tv_sec;
	ahead = (uint32_t)value - (uint32_t)now;
	if ((int32_t)ahead > 0)
		text_time(t, now + ahead);
	else
		text_time(t, now - (long long)(uint32_t)((uint32_t)now - (uint32_t)value));
}

/* The salt of NSEC3 and NSEC3PARAM in hex, "-" when empty; with hash set,
 * the hashed owner name of NSEC3 in base32hex. */
static void
render_nsec3_part(struct rdata *r, struct text *t, int hash)
{
	unsigned int	 len = rd_u8(r);
	const uint8_t	*p = rd_bytes(r, len);

	if (hash) {
		if (p != NULL)
			text_base32hex(t, p, len);
	} else if (len == 0)
		text_putc(t, '-');
	else if (p != NULL)
		text_hex(t, p, len, 0);
}

static void
render_caa(struct rdata *r, struct text *t)
{
	unsigned int	 taglen;
	const uint8_t	*tag;
	size_t		 i, len;

	rd_u8_text(r, t);
	text_putc(t, ' ');
	taglen = rd_u8(r);
	if (!r->err && taglen > rd_left(r)) {
		r->err = 1;	/* BIND reports a tag past the end as FORMERR */
		return;
	}
	if ((tag = rd_bytes(r, taglen)) == NULL)
		return;
	/* BIND rejects an empty tag and one that is not letters and digits. */
	if (taglen == 0)
		r->err = 1;
	for (i = 0; i < taglen; i++) {
		if (!isalnum(tag[i]))
			r->err = 1;
		text_putc(t, (char)tag[i]);
	}
	text_putc(t, ' ');
	len = rd_left(r);
	text_quoted(t, rd_bytes(r, len), len);
}

static void
render_unknown(struct rdata *r, struct text *t)
{
	size_t	len = rd_left(r);

	text_puts(t, "\\# ");
	text_uint(t, (unsigned long)len);
	if (len > 0) {
		text_putc(t, ' ');
		rd_rest_hex(r, t);
	}
}

/* DNSSEC algorithm mnemonics (RFC 8624 and the IANA registry), as CERT
 * records print them, and the certificate types of CERT (RFC 4398). */
static const uint16_t	secalg_ranges[] = { 1, 16, 252, 3, 0, 0 };
static const char	secalg_names[] =
	"RSAMD5\0DH\0DSA\0\0RSASHA1\0NSEC3DSA\0NSEC3RSASHA1\0RSASHA256\0\0RSASHA512\0\0"
	"ECCGOST\0ECDSAP256SHA256\0ECDSAP384SHA384\0ED25519\0ED448\0"
	"INDIRECT\0PRIVATEDNS\0PRIVATEOID";
static const uint16_t	certtype_ranges[] = { 1, 8, 253, 2, 0, 0 };
static const char	certtype_names[] =
	"PKIX\0SPKI\0PGP\0IPKIX\0ISPKI\0IPGP\0ACPKIX\0IACPKIX\0URI\0OID";

/* WKS (RFC 1035): address, protocol number, the ports whose bits are set. */
static void
render_wks(struct rdata *r, struct text *t)
{
	const uint8_t	*addr = rd_bytes(r, 4);
	const uint8_t	*bits;
	size_t		 len;

	if (addr == NULL)
		return;
	text_ipv4(t, addr);
	text_putc(t, ' ');
	rd_u8_text(r, t);
	len = rd_left(r);
	if ((bits = rd_bytes(r, len)) != NULL)
		text_bits(t, bits, len, 0, BITS_NUMBER);
}

/* A length in cm as meters with two decimals and "m".  With trim set, a
 * whole number of meters from 1 m up is printed without the decimals. */
static void
text_meters(struct text *t, unsigned long cm, int trim)
{
	text_uint(t, cm / 100);
	if (!trim || cm < 100 || cm % 100 != 0) {
		text_putc(t, '.');
		text_number(t, cm % 100, 2);
	}
	text_putc(t, 'm');
}

/* One LOC size or precision byte: mantissa and power of ten, in cm. */
static int
loc_size(unsigned int v, struct text *t)
{
	unsigned long	cm;
	unsigned int	mant = v >> 4, exp = v & 0xf, i;

	if (mant > 9 || exp > 9)
		return -1;
	for (cm = mant, i = 0; i < exp; i++)
		cm *= 10;
	text_putc(t, ' ');
	text_meters(t, cm, 1);
	return 0;
}

/* A LOC latitude or longitude: degrees, minutes, seconds with thousandths,
 * and the hemisphere letter. */
static void
loc_angle(unsigned long v, const char *pos_neg, struct text *t)
{
	unsigned long	ms;
	char		hemi;

	if (v > 0x80000000UL) {
		ms = v - 0x80000000UL;
		hemi = pos_neg[0];
	} else {
		ms = 0x80000000UL - v;
		hemi = pos_neg[1];
	}
	text_uint(t, ms / 3600000);
	text_putc(t, ' ');
	text_uint(t, ms / 60000 % 60);
	text_putc(t, ' ');
	text_uint(t, ms / 1000 % 60);
	text_putc(t, '.');
	text_number(t, ms % 1000, 3);
	text_putc(t, ' ');
	text_putc(t, hemi);
}

/* LOC (RFC 1876), version 0 only. */
static void
render_loc(struct rdata *r, struct text *t)
{
	unsigned int	size, hp, vp;
	unsigned long	lat, lon, alt;

	/* BIND prints a LOC of another version than 0, of any length, in the
	 * generic form. */
	if (rd_left(r) > 0 && r->msg[r->pos] != 0) {
		render_unknown(r, t);
		return;
	}
	rd_u8(r);	/* the version, 0 */
	size = rd_u8(r);
	hp = rd_u8(r);
	vp = rd_u8(r);
	lat = rd_u32(r);
	lon = rd_u32(r);
	alt = rd_u32(r);
	if (r->err)
		return;
	loc_angle(lat, "NS", t);
	text_putc(t, ' ');
	loc_angle(lon, "EW", t);
	text_putc(t, ' ');
	/* Altitude is in cm above a base 100000 m below the WGS 84 spheroid. */
	if (alt < 10000000UL) {
		text_putc(t, '-');
		alt = 10000000UL - alt;
	} else
		alt -= 10000000UL;
	text_meters(t, alt, 0);
	if (loc_size(size, t) == -1 || loc_size(hp, t) == -1 || loc_size(vp, t) == -1)
		r->err = 1;
}

static const uint16_t	svckey_ranges[] = { 0, 7, 0, 0 };
static const char	svckey_names[] =
	"mandatory\0alpn\0no-default-alpn\0port\0ipv4hint\0ech\0ipv6hint";

static void
text_svckey(struct text *t, unsigned int key)
{
	text_mnemonic(t, svckey_ranges, svckey_names, key, "key");
}

/* The value of one SvcParam (RFC 9460 section 7), after "key=". */
static void
render_svcvalue(struct text *t, unsigned int key, const uint8_t *v, size_t len,
    struct rdata *r)
{
	size_t	i, n;

	switch (key) {
	case 0:		/* mandatory: key names */
		for (i = 0; i + 1 < len; i += 2) {
			if (i > 0)
				text_putc(t, ',');
			text_svckey(t, get16(v + i));
		}
		if (len % 2 != 0)
			r->err = 1;
		return;
	case 1:		/* alpn: length-prefixed protocol ids */
		text_putc(t, '"');
		for (i = 0; i < len; i += 1 + n) {
			n = v[i];
			if (i + 1 + n > len) {
				r->err = 1;
				return;
			}
			if (i > 0)
				text_putc(t, ',');
			text_escaped(t, v + i + 1, n, 1);
		}
		text_putc(t, '"');
		return;
	case 3:		/* port */
		if (len != 2)
			r->err = 1;
		else
			text_uint(t, get16(v));
		return;
	case 4:		/* ipv4hint */
	case 6:		/* ipv6hint */
		n = key == 4 ? 4 : 16;
		if (len == 0 || len % n != 0) {
			r->err = 1;
			return;
		}
		for (i = 0; i < len; i += n) {
			if (i > 0)
				text_putc(t, ',');
			if (key == 4)
				text_ipv4(t, v + i);
			else
				text_ipv6(t, v + i);
		}
		return;
	case 5:		/* ech: base64 */
		text_base64(t, v, len, 0);
		return;
	}
	text_quoted(t, v, len);
}

/* The key=value pairs of SVCB and HTTPS (RFC 9460), each after a space. */
static void
render_svcparams(struct rdata *r, struct text *t)
{
	const uint8_t	*v;
	unsigned int	 key, len;

	while (rd_left(r) > 0) {
		key = rd_u16(r);
		len = rd_u16(r);
		if ((v = rd_bytes(r, len)) == NULL)
			return;
		text_putc(t, ' ');
		text_svckey(t, key);
		if (len == 0 && key != 1)
			continue;
		text_putc(t, '=');
		render_svcvalue(t, key, v, len, r);
	}
}

/* The 64-bit locator or node id of NID and L64 (RFC 6742): four groups of
 * hex digits without leading zeros. */
static void
render_locator64(struct rdata *r, struct text *t)
{
	const uint8_t	*p = rd_bytes(r, 8);
	int		 i;

	if (p == NULL)
		return;
	for (i = 0; i < 4; i++) {
		if (i > 0)
			text_putc(t, ':');
		text_hex16(t, get16(p + 2 * i));
	}
}

/* EUI48 and EUI64 (RFC 7043): hex bytes joined by '-'. */
static void
render_eui(struct rdata *r, struct text *t)
{
	size_t	len = r->rr->type == DNS_TYPE_EUI48 ? 6 : 8;

	if (rd_left(r) != len) {
		r->err = 1;
		return;
	}
	text_hex(t, rd_bytes(r, len), len, HEX_LOWER | HEX_DASHES);
}

/* A6 (RFC 2874): prefix length, address suffix, prefix name. */
static void
render_a6(struct rdata *r, struct text *t)
{
	uint8_t		 addr[16];
	unsigned int	 plen = rd_u8(r);
	size_t		 n;
	const uint8_t	*p;

	if (plen > 128) {
		r->err = 1;
		r->why = "out of range";
		return;
	}
	if (r->err)
		return;
	text_uint(t, plen);
	if (plen < 128) {
		n = (128 - plen + 7) / 8;
		if ((p = rd_bytes(r, n)) == NULL)
			return;
		memset(addr, 0, sizeof(addr));
		memcpy(addr + 16 - n, p, n);
		text_putc(t, ' ');
		text_ipv6(t, addr);
	}
	if (plen > 0) {
		text_putc(t, ' ');
		rd_name(r, t);
	}
}

/* ATMA: an E.164 number as "+digits", an AESA address in hex. */
static void
render_atma(struct rdata *r, struct text *t)
{
	unsigned int	 format = rd_u8(r);
	size_t		 len = rd_left(r), i;
	const uint8_t	*p = rd_bytes(r, len);

	if (p == NULL || len == 0) {
		r->err = 1;
		return;
	}
	if (format == 0) {
		text_hex(t, p, len, HEX_LOWER);
		return;
	}
	if (format != 1) {
		/* BIND prints an ATMA of another format in the generic form. */
		r->pos = r->end - len - 1;
		render_unknown(r, t);
		return;
	}
	text_putc(t, '+');
	for (i = 0; i < len; i++) {
		if (!isdigit(p[i]))
			r->err = 1;	/* an E.164 number has digits only */
		text_putc(t, (char)p[i]);
	}
}

/* The gateway or relay of IPSECKEY (RFC 4025) and AMTRELAY (RFC 8777):
 * none ("."), an IPv4 or IPv6 address, or an uncompressed name. */
static void
render_gateway(struct rdata *r, struct text *t)
{
	int		 amtrelay = r->rr->type == DNS_TYPE_AMTRELAY;
	unsigned int	 gwtype;
	const uint8_t	*p;
	size_t		 len;

	/* BIND prints an AMTRELAY with another relay type generically. */
	if (amtrelay && r->end - r->pos >= 2 && (r->msg[r->pos + 1] & 0x7f) > 3) {
		render_unknown(r, t);
		return;
	}
	rd_u8_text(r, t);		/* precedence */
	text_putc(t, ' ');
	gwtype = rd_u8(r);
	if (amtrelay) {
		text_uint(t, gwtype >> 7);	/* the discovery-optional bit */
		text_putc(t, ' ');
		gwtype &= 0x7f;
	} else if (gwtype > 3 && rd_left(r) > 0) {
		r->err = 1;
		r->why = "not implemented";	/* BIND's word for the gateway type */
		return;
	}
	text_uint(t, gwtype);
	if (!amtrelay) {
		text_putc(t, ' ');
		rd_u8_text(r, t);	/* algorithm */
	}
	text_putc(t, ' ');
	if (gwtype == 0) {
		text_putc(t, '.');
	} else if (gwtype == 3) {
		rd_name(r, t);
	} else if (gwtype == 1 || gwtype == 2) {
		len = gwtype == 1 ? 4 : 16;
		/* BIND reports an AMTRELAY address of another length as FORMERR. */
		if (amtrelay && rd_left(r) != len)
			r->err = 1;
		if ((p = rd_bytes(r, len)) == NULL)
			return;
		if (len == 4)
			text_ipv4(t, p);
		else
			text_ipv6(t, p);
	} else
		r->err = 1;
	if (!amtrelay && rd_left(r) > 0) {
		text_putc(t, ' ');
		rd_rest_base64(r, t);
	}
}

/* APL (RFC 3123): items "[!]family:address/prefix" for IPv4 and IPv6.
 * Returns whether an item has another address family. */
static int
apl_items(struct rdata *r, struct text *t)
{
	uint8_t		 addr[16];
	const uint8_t	*p;
	unsigned int	 family, prefix, n;
	int		 first = 1, other = 0;

	while (rd_left(r) > 0) {
		family = rd_u16(r);
		prefix = rd_u8(r);
		n = rd_u8(r);
		if ((p = rd_bytes(r, n & 0x7f)) == NULL)
			break;
		/* Read on past an item of another family to the item that
		 * breaks the record, as BIND does. */
		if (family != 1 && family != 2) {
			other = 1;
			r->err = (n & 0x7f) > 0 && p[(n & 0x7f) - 1] == 0;
			continue;
		}
		/* RFC 3123 leaves trailing zero octets out of the address. */
		if ((n & 0x7f) > (family == 1 ? 4u : 16u) ||
		    prefix > (family == 1 ? 32u : 128u) || ((n & 0x7f) > 0 && p[(n & 0x7f) - 1] == 0)) {
			r->err = 1;
			break;
		}
		memset(addr, 0, sizeof(addr));
		memcpy(addr, p, n & 0x7f);
		if (!first)
			text_putc(t, ' ');
		first = 0;
		if (n & 0x80)
			text_putc(t, '!');
		text_uint(t, family);
		text_putc(t, ':');
		if (family == 1)
			text_ipv4(t, addr);
		else
			text_ipv6(t, addr);
		text_putc(t, '/');
		text_uint(t, prefix);
	}
	return other;
}

/* BIND prints a well-formed APL record with an item of another family
 * than 1 (IPv4) and 2 (IPv6) in the generic form.  A dry run over a copy
 * of the cursor finds such a record. */
static void
render_apl(struct rdata *r, struct text *t)
{
	struct rdata	scan = *r;
	struct text	count;

	memset(&count, 0, sizeof(count));
	if (apl_items(&scan, &count) && !scan.err)
		render_unknown(r, t);
	else
		apl_items(r, t);
}

/*
 * A digest type and a non-empty digest in hex.  BIND rejects a digest of a
 * known type that does not have the length of its type.  The known types
 * are 1, 2 and 4 of DS (RFC 4509, 5933, 6605) or, with fingerprint set,
 * 1 and 2 of SSHFP (RFC 4255, 6594), which are the same hashes as DS's.
 */
static void
render_digest(struct rdata *r, struct text *t, int fingerprint)
{
	static const uint8_t	digest_lens[] = { 0, 20, 32, 0, 48 };
	unsigned int		type = rd_u8(r);
	size_t			want, left = rd_left(r);

	want = type < (fingerprint ? 3u : sizeof(digest_lens)) ? digest_lens[type] : 0;
	text_uint(t, type);
	text_putc(t, ' ');
	if (fingerprint && left > 0 && want != 0 && left != want)
		r->err = 1;	/* BIND reports a short SSHFP fingerprint as FORMERR */
	else if (left == 0 || left < want)
		r->short_read = r->err = 1;
	else if (want != 0 && left > want)
		r->extra = r->err = 1;
	rd_rest_hex(r, t);
}

/* The bitmap of types 1 to 127 of an NXT record (RFC 2535), after its name.
 * host 9.18.49 rejects it as a "bad bitmap" when it is longer than 16
 * octets, ends in a zero octet or has the bit of type 0 set. */
static void
render_nxt(struct rdata *r, struct text *t)
{
	const uint8_t	*bits;
	size_t		 len;

	len = rd_left(r);
	if ((bits = rd_bytes(r, len)) == NULL || len == 0)
		return;
	if ((bits[0] & 0x80) || len > 16 || bits[len - 1] == 0) {
		r->err = 1;
		r->why = "bad bitmap";
		return;
	}
	/* BIND prints a type without a mnemonic as a bare number. */
	text_bits(t, bits, len, 0, BITS_NXT);
}

/* The hash algorithm and digest of a ZONEMD record, after serial and
 * scheme.  BIND wants a digest of 12 octets at least, and of 48 and 64
 * octets for SHA-384 (1) and SHA-512 (2). */
static void
render_zonemd(struct rdata *r, struct text *t)
{
	unsigned int	hash = rd_u8(r);

	text_uint(t, hash);
	text_putc(t, ' ');
	if (rd_left(r) < 12)
		rd_bytes(r, 12);
	else if ((hash == 1 && rd_left(r) != 48) || (hash == 2 && rd_left(r) != 64))
		r->err = 1;
	rd_rest_hex(r, t);
}

/* A HIP record (RFC 5205): algorithm, HIT in hex, public key in base64,
 * both unsplit, then the rendezvous servers.  HIT and key must not be empty. */
static void
render_hip(struct rdata *r, struct text *t)
{
	unsigned int	 hitlen = rd_u8(r), alg = rd_u8(r), keylen = rd_u16(r);
	const uint8_t	*p;

	if (hitlen == 0 || keylen == 0)
		r->err = 1;
	text_uint(t, alg);
	text_putc(t, ' ');
	p = rd_bytes(r, hitlen);
	text_hex(t, p, p == NULL ? 0 : hitlen, 0);
	text_putc(t, ' ');
	p = rd_bytes(r, keylen);
	text_base64(t, p, p == NULL ? 0 : keylen, 0);
	while (rd_left(r) > 0) {
		text_putc(t, ' ');
		rd_name(r, t);
	}
}

/* The error field of TKEY: an rcode, or a TSIG error from 16 (BADSIG) to
 * 22 (BADTRUNC).  BIND prints any larger value as a number. */
static void
text_tsig_error(struct text *t, unsigned int error)
{
	char	buf[DNS_TYPE_TEXT_MAX];

	if (error == 16)
		text_puts(t, "BADSIG");
	else if (error <= 22)
		text_puts(t, dnswire_rcode_name(error, buf));
	else
		text_uint(t, error);
}

/* The end of a TKEY record, after algorithm, inception, expiration and
 * mode: the error, then the key and the other data, each as a size and
 * base64. */
static void
render_tkey(struct rdata *r, struct text *t)
{
	const uint8_t	*p;
	unsigned int	 len;
	int		 i;

	text_tsig_error(t, rd_u16(r));
	/* The key, then the other data, which is left out when empty. */
	for (i = 0; i < 2; i++) {
		text_putc(t, ' ');
		len = rd_u16(r);
		text_uint(t, len);
		if (i == 1 && len == 0)
			break;
		text_putc(t, ' ');
		p = rd_bytes(r, len);
		text_base64(t, p, p == NULL ? 0 : len, 1);
	}
}

/*
 * Render the fields of one RDATA format, a space between two, each named
 * by one character:
 *   n name, s character-string, 1 u8, 2 u16, 4 u32, A IPv4 address,
 *   6 IPv6 address, L 64-bit locator, T type mnemonic (u16), t RRSIG time
 *   (u32), D and F a DS digest or SSHFP fingerprint with its type;
 *   the rest of the RDATA: S as strings, H in hex, X in hex but not empty,
 *   B in base64, Y in base64 but not empty, Q as one quoted string, N as
 *   an NSAP;
 *   parts of one type: x NSEC3 salt, Z NSEC3 hash, y DSYNC scheme,
 *   z ZONEMD digest, k TKEY error and data, c CERT certificate type (u16),
 *   e CERT algorithm (u8);
 *   whole RDATA: a A6, C CAA, E EUI48 and EUI64, g IPSECKEY and
 *   AMTRELAY, h HIP, l LOC, m ATMA, p APL, w WKS;
 *   without a space before: M NSEC type bitmap, W the same but not empty,
 *   P NXT bitmap, V SVCB parameters, o end here when nothing is left, K
 *   check the flags of a key after flags, protocol and algorithm.
 * H, N and Y read past the end when the rest is empty, the way BIND
 * reports it.
 */
static void
render_fields(struct rdata *r, struct text *t, const char *fields)
{
	char		 buf[DNS_TYPE_TEXT_MAX];
	const char	*f;
	const uint8_t	*p;
	size_t		 len;

	for (f = fields; *f != '\0'; f++) {
		if (f != fields && strchr("KMWPVo", *f) == NULL)
			text_putc(t, ' ');
		/* Digits before the switch keep its jump table to the letters. */
		if (*f == '6') {
			if ((p = rd_bytes(r, 16)) != NULL)
				text_ipv6(t, p);
			continue;
		}
		if (*f == '1' || *f == '2' || *f == '4') {
			if (*f == '1')
				text_uint(t, rd_u8(r));
			else if (*f == '2')
				text_uint(t, rd_u16(r));
			else
				text_uint(t, rd_u32(r));
			continue;
		}
		switch (*f) {
		case 'n':
			rd_name(r, t);
			break;
		case 's':
			rd_string(r, t);
			break;
		case 'S':
			rd_string(r, t);
			while (rd_left(r) > 0) {
				text_putc(t, ' ');
				rd_string(r, t);
			}
			break;
		case 'H':
			rd_need(r);
			rd_rest_hex(r, t);
			break;
		case 'X':
			if (rd_left(r) == 0)
				r->err = 1;
			rd_rest_hex(r, t);
			break;
		case 'D':
			render_digest(r, t, 0);
			break;
		case 'F':
			render_digest(r, t, 1);
			break;
		case 'Y':
			rd_need(r);
			/* fall through */
		case 'B':
			rd_rest_base64(r, t);
			break;
		case 'Q':
			len = rd_left(r);
			text_quoted(t, rd_bytes(r, len), len);
			break;
		case 'A':
			if ((p = rd_bytes(r, 4)) != NULL)
				text_ipv4(t, p);
			break;
		case 'L':
			render_locator64(r, t);
			break;
		case 'N':
			rd_need(r);
			len = rd_left(r);
			text_puts(t, "0x");
			text_hex(t, rd_bytes(r, len), len, HEX_LOWER);
			break;
		case 'T':
			text_puts(t, dnswire_type_name((uint16_t)rd_u16(r), buf));
			break;
		case 't':
			text_sigtime(t, rd_u32(r));
			break;
		case 'x':
		case 'Z':
			render_nsec3_part(r, t, *f == 'Z');
			break;
		case 'y':
			len = rd_u8(r);
			if (len == 1)
				text_puts(t, "NOTIFY");
			else
				text_uint(t, len);
			break;
		case 'z':
			render_zonemd(r, t);
			break;
		case 'k':
			render_tkey(r, t);
			break;
		case 'a':
			render_a6(r, t);
			break;
		case 'C':
			render_caa(r, t);
			break;
		case 'c':
			text_mnemonic(t, certtype_ranges, certtype_names, rd_u16(r), "");
			break;
		case 'e':
			text_mnemonic(t, secalg_ranges, secalg_names, rd_u8(r), "");
			break;
		case 'E':
			render_eui(r, t);
			break;
		case 'g':
			render_gateway(r, t);
			break;
		case 'h':
			render_hip(r, t);
			break;
		case 'K':
			/* host 9.18.49 rejects an RKEY whose flags are not 0
			 * (FORMERR).  A KEY with both top bits of its flags set
			 * ("no key") ends before the key. */
			if (r->err)
				break;
			len = get16(r->msg + r->pos - 4);
			if (r->rr->type == DNS_TYPE_RKEY && len != 0)
				r->err = 1;
			if (r->rr->type == DNS_TYPE_KEY && (len & 0xc000) == 0xc000)
				return;
			break;
		case 'l':
			render_loc(r, t);
			break;
		case 'm':
			render_atma(r, t);
			break;
		case 'p':
			render_apl(r, t);
			break;
		case 'w':
			render_wks(r, t);
			break;
		case 'W':
			if (rd_left(r) == 0)
				r->err = 1;	/* BIND wants at least one window */
			/* fall through */
		case 'M':
			rd_typebitmap(r, t);
			break;
		case 'P':
			render_nxt(r, t);
			break;
		case 'V':
			render_svcparams(r, t);
			break;
		case 'o':
			if (rd_left(r) == 0)
				return;
			break;
		}
	}
}

static void
render_rdata(struct rdata *r, struct text *t, uint16_t type)
{
	int	i = mnemonic_index(type_ranges, type);
	const char *fields = i < 0 ? "" : nth_string(type_fields, (unsigned int)i);

	if (*fields != '\0')
		render_fields(r, t, fields);
	else
		render_unknown(r, t);
}

/* Render the RDATA of rr into t, which is set up by the caller. */
static void
render_rr(struct rdata *r, struct text *t, const uint8_t *msg, size_t msglen,
    const struct dnswire_rr *rr)
{
	memset(r, 0, sizeof(*r));
	r->msg = msg;
	r->msglen = msglen;
	r->rr = rr;
	r->pos = rr->rdoff;
	r->end = rr->rdoff + rr->rdlength;
	render_rdata(r, t, rr->type);
}

int
dnswire_rdata_to_text(const uint8_t *msg, size_t msglen, const struct dnswire_rr *rr,
    char *out, size_t outlen)
{
	struct rdata	r;
	struct text	t;

	if (outlen == 0 || rr->rdoff + rr->rdlength > msglen)
		return -1;
	out[0] = '\0';
	t.buf = out;
	t.cap = outlen;
	t.len = 0;
	t.err = 0;
	render_rr(&r, &t, msg, msglen, rr);
	/* Bytes left over mean the RDATA does not match its type. */
	if (r.err || t.err || r.pos != r.end)
		return -1;
	return (int)t.len;
}

/* Types whose RDATA of a wrong length BIND reports as FORMERR, not as an
 * unexpected end or extra data (seen with host 9.18.49). */
static int
length_is_formerr(uint16_t type)
{
	switch (type) {
	case DNS_TYPE_X25: case DNS_TYPE_NSEC3: case DNS_TYPE_NSEC3PARAM: case DNS_TYPE_HIP:
	case DNS_TYPE_NID: case DNS_TYPE_L32: case DNS_TYPE_L64:
		return 1;
	}
	return 0;
}

const char *
dnswire_rdata_check(const uint8_t *msg, size_t msglen, const struct dnswire_rr *rr)
{
	struct rdata	r;
	struct text	t;

	if (rr->rdoff + rr->rdlength > msglen)
		return "unexpected end of input";
	memset(&t, 0, sizeof(t));
	render_rr(&r, &t, msg, msglen, rr);
	if (r.why != NULL)
		return r.why;
	if (length_is_formerr(rr->type) && (r.err || r.pos != r.end))
		return "FORMERR";
	if (r.short_read)
		return "unexpected end of input";
	if (r.extra || (!r.err && r.pos != r.end))
		return "extra input data";
	return r.err ? "FORMERR" : NULL;
}

const char *
dnswire_type_name(uint16_t type, char buf[static DNS_TYPE_TEXT_MAX])
{
	return mnemonic_name(type_ranges, type_names, type, "TYPE", buf);
}

int
dnswire_type_from_text(const char *s, uint16_t *type)
{
	return mnemonic_value(type_ranges, type_names, s, "TYPE", type);
}

const char *
dnswire_class_name(uint16_t rclass, char buf[static DNS_TYPE_TEXT_MAX])
{
	return mnemonic_name(class_ranges, class_names, rclass, "CLASS", buf);
}

int
dnswire_class_from_text(const char *s, uint16_t *rclass)
{
	return mnemonic_value(class_ranges, class_names, s, "CLASS", rclass);
}

const char *
dnswire_rcode_name(unsigned int rcode, char buf[static DNS_TYPE_TEXT_MAX])
{
	/* host prints the unassigned values up to 15 as RESERVEDnn. */
	return mnemonic_name(rcode_ranges, rcode_names, rcode, rcode < 16 ? "RESERVED" : "",
	    buf);
}

const char *
dnswire_opcode_name(unsigned int opcode, char buf[static DNS_TYPE_TEXT_MAX])
{
	return mnemonic_name(opcode_ranges, opcode_names, opcode, "RESERVED", buf);
}
