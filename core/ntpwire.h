/* ntpwire.h -- NTP packet codec and timestamp arithmetic (RFC 5905), pure functions. */
#ifndef EDGEBOX_NTPWIRE_H
#define EDGEBOX_NTPWIRE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define NTPWIRE_HEADER_LEN	48
#define NTPWIRE_EPOCH_OFFSET	2208988800u	/* seconds from 1900-01-01 to 1970-01-01 */
#define NTPWIRE_VERSION		4
#define NTPWIRE_MAX_STRATUM	16	/* stratum 16 means unsynchronised */

#define NTPWIRE_LEAP_NONE	0
#define NTPWIRE_LEAP_INSERT	1
#define NTPWIRE_LEAP_DELETE	2
#define NTPWIRE_LEAP_UNSYNC	3

#define NTPWIRE_MODE_SYMACTIVE	1
#define NTPWIRE_MODE_SYMPASSIVE	2
#define NTPWIRE_MODE_CLIENT	3
#define NTPWIRE_MODE_SERVER	4
#define NTPWIRE_MODE_BROADCAST	5
#define NTPWIRE_MODE_CONTROL	6
#define NTPWIRE_MODE_PRIVATE	7

/* Reference ID "RATE" of a kiss-o'-death packet asking to poll less often. */
#define NTPWIRE_KOD_RATE	0x52415445u
#define NTPWIRE_KOD_DENY	0x44454e59u
#define NTPWIRE_KOD_RSTR	0x52535452u
/* Reference ID 127.127.1.1 that chrony uses for its local reference. */
#define NTPWIRE_REFID_LOCAL	0x7f7f0101u

/* The 48-byte header in host byte order.  Timestamps are NTP 32.32 fixed
 * point; root delay and root dispersion are NTP short format (16.16). */
struct ntpwire_packet {
	uint8_t		leap;
	uint8_t		version;
	uint8_t		mode;
	uint8_t		stratum;
	int8_t		poll;
	int8_t		precision;
	uint32_t	rootdelay;
	uint32_t	rootdisp;
	uint32_t	refid;
	uint64_t	reftime;
	uint64_t	origin;
	uint64_t	receive;
	uint64_t	transmit;
};

/* Byte offsets in the encoded header, for code that patches one. */
#define NTPWIRE_OFFSET_POLL	2
#define NTPWIRE_OFFSET_ORIGIN	24
#define NTPWIRE_OFFSET_RECEIVE	32
#define NTPWIRE_OFFSET_TRANSMIT	40

/* Check the datagram in buf as ntpwire_decode does, reading only its first
 * byte and its length.  Returns its mode, or -1 when decode rejects it. */
int	ntpwire_check(const void *buf, size_t len);

/* Store a timestamp at p (8 bytes, network byte order). */
void	ntpwire_put_timestamp(void *p, uint64_t);

/*
 * Decode the header of the datagram in buf.  Rejects datagrams shorter
 * than the header, version 0 or above 4, mode 0, and a tail after the
 * header (extension fields, MAC) whose length is not a multiple of 4.
 * Returns the bytes consumed (48) or -1.
 */
int	ntpwire_decode(const void *buf, size_t len, struct ntpwire_packet *);

/* Encode the header into buf.  Returns the bytes written (48), or -1 when
 * len is too small. */
int	ntpwire_encode(const struct ntpwire_packet *, void *buf, size_t len);

/* Convert a Unix time to an NTP timestamp (the era number is dropped). */
uint64_t ntpwire_from_timespec(const struct timespec *);

/* Convert an NTP timestamp to the Unix time nearest to pivot (Unix
 * seconds), which picks the era: the result lies within 68 years of it. */
void	ntpwire_to_timespec(uint64_t, time_t pivot, struct timespec *);

/* Return a - b in seconds; correct while the two are less than 68 years apart. */
double	ntpwire_diff(uint64_t a, uint64_t b);

/* Convert between NTP short format (16.16 unsigned) and seconds; negative
 * values give 0 and values beyond the range saturate. */
double	ntpwire_short_to_double(uint32_t);
uint32_t ntpwire_short_from_double(double);

/*
 * Compute a client's offset (server clock minus local clock) and round-trip
 * delay from the four timestamps: t1 client transmit, t2 server receive,
 * t3 server transmit, t4 client receive.
 */
void	ntpwire_offset_delay(uint64_t t1, uint64_t t2, uint64_t t3, uint64_t t4,
	    double *offset, double *delay);

/* Return a - b in seconds for two Unix times. */
double	ntpwire_timespec_diff(const struct timespec *a, const struct timespec *b);

/* Add seconds (positive or negative) to a Unix time, keeping tv_nsec in range. */
void	ntpwire_timespec_add(struct timespec *, double seconds);

#endif
