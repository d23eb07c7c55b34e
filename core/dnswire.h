/* dnswire.h -- DNS message codec: names, compression, resource records, EDNS(0). */
#ifndef EDGEBOX_DNSWIRE_H
#define EDGEBOX_DNSWIRE_H

#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

/*
 * Every function here works on caller-owned byte buffers: no sockets, no
 * globals, no allocation.  A name in wire form is an uncompressed sequence
 * of length-prefixed labels that ends with the zero-length root label, at
 * most DNS_NAME_MAX bytes.  Functions that take such a name assume it is
 * valid, as dnswire_name_from_text and dnswire_name_unpack produce it.
 */

#define DNS_HEADER_LEN		12
#define DNS_NAME_MAX		255	/* wire form, root label included */
#define DNS_LABEL_MAX		63
#define DNS_NAME_TEXT_MAX	1010	/* presentation form with \DDD escapes, NUL included */
#define DNS_UDP_MAX_PLAIN	512	/* UDP payload without EDNS(0) */
#define DNS_MSG_MAX		65535	/* TCP payload */
#define DNS_TYPE_TEXT_MAX	16	/* "TYPE65535", "CLASS65535", "RESERVED15" */

/* Record types. */
#define DNS_TYPE_A		1
#define DNS_TYPE_NS		2
#define DNS_TYPE_MD		3
#define DNS_TYPE_MF		4
#define DNS_TYPE_CNAME		5
#define DNS_TYPE_SOA		6
#define DNS_TYPE_MB		7
#define DNS_TYPE_MG		8
#define DNS_TYPE_MR		9
#define DNS_TYPE_NULL		10
#define DNS_TYPE_WKS		11
#define DNS_TYPE_PTR		12
#define DNS_TYPE_HINFO		13
#define DNS_TYPE_MINFO		14
#define DNS_TYPE_MX		15
#define DNS_TYPE_TXT		16
#define DNS_TYPE_RP		17
#define DNS_TYPE_AFSDB		18
#define DNS_TYPE_X25		19
#define DNS_TYPE_ISDN		20
#define DNS_TYPE_RT		21
#define DNS_TYPE_NSAP		22
#define DNS_TYPE_NSAP_PTR	23
#define DNS_TYPE_SIG		24
#define DNS_TYPE_KEY		25
#define DNS_TYPE_PX		26
#define DNS_TYPE_GPOS		27
#define DNS_TYPE_AAAA		28
#define DNS_TYPE_LOC		29
#define DNS_TYPE_NXT		30
#define DNS_TYPE_EID		31
#define DNS_TYPE_NIMLOC		32
#define DNS_TYPE_SRV		33
#define DNS_TYPE_ATMA		34
#define DNS_TYPE_NAPTR		35
#define DNS_TYPE_KX		36
#define DNS_TYPE_CERT		37
#define DNS_TYPE_A6		38
#define DNS_TYPE_DNAME		39
#define DNS_TYPE_SINK		40
#define DNS_TYPE_OPT		41
#define DNS_TYPE_APL		42
#define DNS_TYPE_DS		43
#define DNS_TYPE_SSHFP		44
#define DNS_TYPE_IPSECKEY	45
#define DNS_TYPE_RRSIG		46
#define DNS_TYPE_NSEC		47
#define DNS_TYPE_DNSKEY		48
#define DNS_TYPE_DHCID		49
#define DNS_TYPE_NSEC3		50
#define DNS_TYPE_NSEC3PARAM	51
#define DNS_TYPE_TLSA		52
#define DNS_TYPE_SMIMEA		53
#define DNS_TYPE_HIP		55
#define DNS_TYPE_NINFO		56
#define DNS_TYPE_RKEY		57
#define DNS_TYPE_TALINK		58
#define DNS_TYPE_CDS		59
#define DNS_TYPE_CDNSKEY	60
#define DNS_TYPE_OPENPGPKEY	61
#define DNS_TYPE_CSYNC		62
#define DNS_TYPE_ZONEMD		63
#define DNS_TYPE_SVCB		64
#define DNS_TYPE_HTTPS		65
#define DNS_TYPE_DSYNC		66
#define DNS_TYPE_HHIT		67
#define DNS_TYPE_BRID		68
#define DNS_TYPE_SPF		99
#define DNS_TYPE_UINFO		100
#define DNS_TYPE_UID		101
#define DNS_TYPE_GID		102
#define DNS_TYPE_UNSPEC		103
#define DNS_TYPE_NID		104
#define DNS_TYPE_L32		105
#define DNS_TYPE_L64		106
#define DNS_TYPE_LP		107
#define DNS_TYPE_EUI48		108
#define DNS_TYPE_EUI64		109
#define DNS_TYPE_TKEY		249
#define DNS_TYPE_TSIG		250
#define DNS_TYPE_IXFR		251
#define DNS_TYPE_AXFR		252
#define DNS_TYPE_MAILB		253
#define DNS_TYPE_MAILA		254
#define DNS_TYPE_ANY		255
#define DNS_TYPE_URI		256
#define DNS_TYPE_CAA		257
#define DNS_TYPE_AVC		258
#define DNS_TYPE_DOA		259
#define DNS_TYPE_AMTRELAY	260
#define DNS_TYPE_RESINFO	261
#define DNS_TYPE_WALLET		262
#define DNS_TYPE_TA		32768
#define DNS_TYPE_DLV		32769

/* Classes. */
#define DNS_CLASS_IN		1
#define DNS_CLASS_CH		3
#define DNS_CLASS_HS		4
#define DNS_CLASS_NONE		254
#define DNS_CLASS_ANY		255

/* Response codes; values above 15 need the EDNS(0) extended rcode. */
#define DNS_RCODE_NOERROR	0
#define DNS_RCODE_FORMERR	1
#define DNS_RCODE_SERVFAIL	2
#define DNS_RCODE_NXDOMAIN	3
#define DNS_RCODE_NOTIMP	4
#define DNS_RCODE_REFUSED	5
#define DNS_RCODE_YXDOMAIN	6
#define DNS_RCODE_YXRRSET	7
#define DNS_RCODE_NXRRSET	8
#define DNS_RCODE_NOTAUTH	9
#define DNS_RCODE_NOTZONE	10
#define DNS_RCODE_BADVERS	16

/* Opcodes. */
#define DNS_OPCODE_QUERY	0
#define DNS_OPCODE_IQUERY	1
#define DNS_OPCODE_STATUS	2
#define DNS_OPCODE_NOTIFY	4
#define DNS_OPCODE_UPDATE	5

/* Bits of the 16-bit flags word (header bytes 2 and 3). */
#define DNS_FLAG_QR		0x8000
#define DNS_FLAG_AA		0x0400
#define DNS_FLAG_TC		0x0200
#define DNS_FLAG_RD		0x0100
#define DNS_FLAG_RA		0x0080
#define DNS_FLAG_Z		0x0040
#define DNS_FLAG_AD		0x0020
#define DNS_FLAG_CD		0x0010
#define DNS_FLAGS_OPCODE(f)	(((f) >> 11) & 0xf)
#define DNS_FLAGS_RCODE(f)	((f) & 0xf)
#define DNS_OPCODE_FLAGS(op)	((uint16_t)(((op) & 0xf) << 11))

/* EDNS(0) flag bit in the OPT TTL field (low 16 bits). */
#define DNS_EDNS_DO		0x8000

/* Sections, in message order. */
#define DNS_SECTION_QUESTION	0
#define DNS_SECTION_ANSWER	1
#define DNS_SECTION_AUTHORITY	2
#define DNS_SECTION_ADDITIONAL	3
#define DNS_SECTION_END		4

struct dnswire_header {
	uint16_t	id;
	uint16_t	flags;
	uint16_t	count[4];	/* indexed by DNS_SECTION_*: qd, an, ns, ar */
};

/* Read the 12-byte header.  Returns DNS_HEADER_LEN or -1 when msg is shorter. */
int	dnswire_header_read(const uint8_t *msg, size_t len, struct dnswire_header *);

/* Write the 12-byte header into msg, which must hold DNS_HEADER_LEN bytes. */
void	dnswire_header_write(uint8_t *msg, const struct dnswire_header *);

/*
 * Names.
 */

/* Convert presentation text ("www.example.com", with or without the final
 * dot, "\." and "\DDD" escapes; "." or "" for the root) to wire form.
 * Returns the wire length, or -1 for an empty label, a label over 63
 * bytes, a name over 255 bytes or a bad escape. */
int	dnswire_name_from_text(const char *text, uint8_t out[static DNS_NAME_MAX]);

/* Convert a wire name to presentation text the way dig and host print it:
 * ". ( ) ; \ \" @ $" are escaped with a backslash, bytes outside 0x21-0x7e
 * as \DDD.  With trailing_dot the text ends in "."; the root is always ".".
 * Returns the text length without the NUL, or -1 when out is too small. */
int	dnswire_name_to_text(const uint8_t *wire, char *out, size_t outlen, int trailing_dot);

/* Read the possibly compressed name at msg[off] into out (uncompressed).
 * A pointer must point before the run of labels it ends, and not into the
 * header, so every chain ends; jumps are capped as well.  Returns the bytes the name occupies at off (up to and
 * including the first pointer) and sets *outlen, or -1 when malformed. */
int	dnswire_name_unpack(const uint8_t *msg, size_t msglen, size_t off,
	    uint8_t out[static DNS_NAME_MAX], size_t *outlen);

/* Length in bytes of a wire name, root label included. */
size_t	dnswire_name_len(const uint8_t *name);

/* Number of labels, not counting the root (0 for the root). */
int	dnswire_name_labels(const uint8_t *name);

/* Whether two wire names are equal, ASCII case ignored.  Returns 1 or 0. */
int	dnswire_name_equal(const uint8_t *a, const uint8_t *b);

/* Lower-case the ASCII letters of a wire name in place. */
void	dnswire_name_lower(uint8_t *name);

/* Whether name equals zone or lies below it, case ignored.  Returns 1 or 0. */
int	dnswire_name_is_subdomain(const uint8_t *name, const uint8_t *zone);

/* Case-insensitive hash of a wire name (multiply-xorshift over the
 * lowered bytes, eight at a time). */
uint32_t dnswire_name_hash(const uint8_t *name);

/* Copy the len bytes of a checked wire name at src to name as they are
 * and to lname in lower case, in one pass.  Returns dnswire_name_hash of
 * the name. */
uint32_t dnswire_name_copy_lower(const uint8_t *src, size_t len, uint8_t *name,
	    uint8_t *lname);

/* Write the wire name of the reverse lookup for addr: under in-addr.arpa
 * for IPv4, nibbles under ip6.arpa for IPv6.  Returns the length or -1. */
int	dnswire_name_reverse(const struct netaddr *addr, uint8_t out[static DNS_NAME_MAX]);

/*
 * Parsing.  Initialise with the message, then read the questions, then the
 * resource records of answer, authority and additional in order.  Every
 * read is bounds-checked against len; a count in the header that promises
 * more records than the message holds is an error.
 */
struct dnswire_parser {
	const uint8_t		*msg;
	size_t			 len;
	size_t			 off;		/* next unread byte */
	struct dnswire_header	 hdr;
	int			 section;	/* DNS_SECTION_* being read */
	unsigned int		 remaining;	/* records left in that section */
};

struct dnswire_question {
	uint8_t		name[DNS_NAME_MAX];
	size_t		namelen;
	uint16_t	qtype;
	uint16_t	qclass;
};

struct dnswire_rr {
	uint8_t		name[DNS_NAME_MAX];	/* owner, uncompressed */
	size_t		namelen;
	size_t		nameoff;	/* offset of the owner name in the message */
	int		section;	/* DNS_SECTION_ANSWER .. ADDITIONAL */
	uint16_t	type;
	uint16_t	rclass;		/* for OPT: the UDP payload size */
	uint32_t	ttl;		/* for OPT: extended rcode, version, flags */
	uint16_t	rdlength;
	size_t		rdoff;		/* offset of the RDATA in the message */
};

/* Read the header of msg.  Returns 0, or -1 when len < DNS_HEADER_LEN. */
int	dnswire_parser_init(struct dnswire_parser *, const uint8_t *msg, size_t len);

/* Read the next question.  Returns 1, 0 when no question is left, or -1
 * when malformed. */
int	dnswire_parse_question(struct dnswire_parser *, struct dnswire_question *);

/* Read the next resource record, skipping unread questions first; rr->section
 * is the section it came from.  RDATA must end within the message.  Returns 1,
 * 0 at the end of the additional section, or -1 when malformed. */
int	dnswire_parse_rr(struct dnswire_parser *, struct dnswire_rr *);

/* Unpack a name inside the RDATA of rr starting at msg[off]; the name must
 * start and (as far as it is stored there) end inside the RDATA.  Returns
 * the bytes consumed at off, or -1. */
int	dnswire_rdata_name(const uint8_t *msg, size_t msglen, const struct dnswire_rr *rr,
	    size_t off, uint8_t out[static DNS_NAME_MAX], size_t *outlen);

/* The EDNS(0) OPT pseudo-record. */
struct dnswire_edns {
	uint16_t	udp_size;	/* requestor's payload size (not clamped) */
	uint8_t		ext_rcode;	/* upper 8 bits of the 12-bit rcode */
	uint8_t		version;
	uint16_t	flags;		/* DNS_EDNS_DO and the reserved Z bits */
	size_t		optoff;		/* options in the message */
	uint16_t	optlen;
};

/* Decode an OPT RR read by dnswire_parse_rr.  The owner must be the root
 * and every option must end inside the RDATA.  Returns 0 or -1. */
int	dnswire_edns_from_rr(const uint8_t *msg, size_t msglen, const struct dnswire_rr *,
	    struct dnswire_edns *);

/* Find and decode the OPT RR of a whole message.  Returns 1 when found, 0
 * when absent, -1 when the message is malformed, the OPT is not in the
 * additional section or there is more than one (FORMERR per RFC 6891). */
int	dnswire_edns_find(const uint8_t *msg, size_t msglen, struct dnswire_edns *);

/* Iterate the options of edns: *pos starts at 0.  Returns 1 with code,
 * data offset and length set, 0 after the last, -1 when one overruns. */
int	dnswire_edns_option(const uint8_t *msg, const struct dnswire_edns *, size_t *pos,
	    uint16_t *code, size_t *dataoff, uint16_t *datalen);

/* The full 12-bit rcode from the header and the OPT (edns may be NULL). */
unsigned int dnswire_rcode(const struct dnswire_header *, const struct dnswire_edns *);

/*
 * Building.  Initialise over a buffer, set the header, add the question,
 * then records in section order, then finish.  limit is the size the
 * message may reach (512 or the EDNS(0) size for UDP); a record that would
 * cross it is rolled back whole, `truncated` is set and the call returns
 * -1, and the message stays valid: the caller decides whether to set TC.
 * `reserve` bytes are kept free below limit for a later OPT record.
 */
#define DNSWIRE_COMPRESS_MAX	64	/* remembered name offsets */

struct dnswire_builder {
	uint8_t		*buf;
	size_t		 cap;
	size_t		 limit;		/* at most cap */
	size_t		 reserve;	/* kept free for dnswire_builder_opt */
	size_t		 len;
	struct dnswire_header hdr;
	int		 section;	/* section of the last record added */
	size_t		 rr_start;	/* record being built, for rollback */
	size_t		 rr_rdlen_off;	/* offset of its RDLENGTH field */
	int		 rr_open;
	int		 rr_overflow;	/* an RDATA write did not fit */
	int		 ncomp_saved;
	int		 truncated;	/* a record was rolled back */
	int		 ncomp;
	uint16_t	 comp[DNSWIRE_COMPRESS_MAX];	/* offsets of names written */
};

/* Start a message in buf.  limit 0 means cap; a limit over 65535 is
 * clamped.  Returns 0, or -1 when cap < DNS_HEADER_LEN. */
int	dnswire_builder_init(struct dnswire_builder *, uint8_t *buf, size_t cap, size_t limit);

/* Set the ID and the flags word (opcode, rcode and bits); callable any time
 * before dnswire_builder_finish. */
void	dnswire_builder_header(struct dnswire_builder *, uint16_t id, uint16_t flags);

/* Add a question; only before any record.  Returns 0 or -1 (no room). */
int	dnswire_builder_question(struct dnswire_builder *, const uint8_t *name,
	    uint16_t qtype, uint16_t qclass);

/* Open a record: owner (compressed), type, class, TTL; RDATA follows.
 * section must not go back to an earlier one.  Returns 0 or -1. */
int	dnswire_builder_rr_begin(struct dnswire_builder *, int section, const uint8_t *name,
	    uint16_t type, uint16_t rclass, uint32_t ttl);

/* Append RDATA to the open record.  A write past the space left marks the
 * record to be rolled back at rr_end.  Return 0 or -1. */
int	dnswire_builder_rdata_bytes(struct dnswire_builder *, const void *, size_t);
int	dnswire_builder_rdata_u8(struct dnswire_builder *, uint8_t);
int	dnswire_builder_rdata_u16(struct dnswire_builder *, uint16_t);
int	dnswire_builder_rdata_u32(struct dnswire_builder *, uint32_t);

/* Append a name to the RDATA, compressed when compress is set (only for
 * the types RFC 3597 allows: NS, CNAME, PTR, MX, SOA and the like). */
int	dnswire_builder_rdata_name(struct dnswire_builder *, const uint8_t *name, int compress);

/* Close the open record: fill RDLENGTH and count it.  When it crossed the
 * limit it is removed, `truncated` set, and -1 returned. */
int	dnswire_builder_rr_end(struct dnswire_builder *);

/* Whole records of class IN.  Each returns 0, or -1 when rolled back. */
int	dnswire_builder_a(struct dnswire_builder *, int section, const uint8_t *name,
	    uint32_t ttl, const uint8_t addr[static 4]);
int	dnswire_builder_aaaa(struct dnswire_builder *, int section, const uint8_t *name,
	    uint32_t ttl, const uint8_t addr[static 16]);
/* NS, CNAME, PTR or DNAME: one name as RDATA. */
int	dnswire_builder_name_rr(struct dnswire_builder *, int section, const uint8_t *name,
	    uint16_t type, uint32_t ttl, const uint8_t *target);
int	dnswire_builder_mx(struct dnswire_builder *, int section, const uint8_t *name,
	    uint32_t ttl, uint16_t preference, const uint8_t *exchange);
int	dnswire_builder_srv(struct dnswire_builder *, int section, const uint8_t *name,
	    uint32_t ttl, uint16_t priority, uint16_t weight, uint16_t port,
	    const uint8_t *target);
/* TXT from n strings; each longer than 255 bytes is split into several
 * character-strings. */
int	dnswire_builder_txt(struct dnswire_builder *, int section, const uint8_t *name,
	    uint32_t ttl, const char *const strings[], const size_t lengths[], size_t n);

struct dnswire_soa {
	const uint8_t	*mname;
	const uint8_t	*rname;
	uint32_t	 serial;
	uint32_t	 refresh;
	uint32_t	 retry;
	uint32_t	 expire;
	uint32_t	 minimum;
};
int	dnswire_builder_soa(struct dnswire_builder *, int section, const uint8_t *name,
	    uint32_t ttl, const struct dnswire_soa *);

/* Add the OPT record to the additional section, using the reserved space
 * first.  options holds ready-encoded options (code, length, data) or is
 * NULL.  Returns 0 or -1. */
int	dnswire_builder_opt(struct dnswire_builder *, uint16_t udp_size, uint8_t ext_rcode,
	    uint8_t version, uint16_t flags, const uint8_t *options, size_t optlen);

/* Write the header with the section counts.  Returns the message length. */
size_t	dnswire_builder_finish(struct dnswire_builder *);

/* Build a whole query in one call: header (id, flags, usually DNS_FLAG_RD),
 * one question, and an OPT record advertising edns_size when it is not 0.
 * Returns the message length or -1 when cap is too small. */
int	dnswire_query(uint8_t *buf, size_t cap, uint16_t id, uint16_t flags,
	    const uint8_t *name, uint16_t qtype, uint16_t qclass, uint16_t edns_size);

/*
 * Presentation text, as dig and host print it.
 */

/* Render the RDATA of rr in dig's format: names with the trailing dot, TXT
 * strings quoted, DNSKEY/RRSIG keys in base64, DS digests in hex, LOC,
 * SVCB/HTTPS parameters, and other types as "\# LEN HEX" (RFC 3597).  Returns the text length or -1 when
 * the RDATA is malformed or out is too small. */
int	dnswire_rdata_to_text(const uint8_t *msg, size_t msglen, const struct dnswire_rr *,
	    char *out, size_t outlen);

/* Check the RDATA of rr as dnswire_rdata_to_text reads it.  Returns NULL
 * when it renders, else BIND's reason: "unexpected end of input" when it
 * ends early, "extra input data" when bytes are left over, or "FORMERR". */
const char *dnswire_rdata_check(const uint8_t *msg, size_t msglen, const struct dnswire_rr *);

/* "A", "MX", ... or "TYPE123".  Returns buf. */
const char *dnswire_type_name(uint16_t type, char buf[static DNS_TYPE_TEXT_MAX]);

/* Parse a type mnemonic (any case) or "TYPEnnn".  Returns 0 or -1. */
int	dnswire_type_from_text(const char *, uint16_t *type);

/* "IN", "CH", "HS", "NONE", "ANY" or "CLASS123".  Returns buf. */
const char *dnswire_class_name(uint16_t rclass, char buf[static DNS_TYPE_TEXT_MAX]);

/* Parse a class mnemonic (any case) or "CLASSnnn".  Returns 0 or -1. */
int	dnswire_class_from_text(const char *, uint16_t *rclass);

/* "NOERROR", "NXDOMAIN", ..., "BADVERS", or "RESERVEDnn" as host prints
 * unassigned values.  Returns buf. */
const char *dnswire_rcode_name(unsigned int rcode, char buf[static DNS_TYPE_TEXT_MAX]);

/* "QUERY", "IQUERY", "STATUS", "NOTIFY", "UPDATE" or "RESERVEDnn".  Returns buf. */
const char *dnswire_opcode_name(unsigned int opcode, char buf[static DNS_TYPE_TEXT_MAX]);

#endif
