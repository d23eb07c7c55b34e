/*
 * unpack.c -- restores the compressed segments of a packed binary (see
 * pack.h) in the static build.
 *
 * The binary's entry point, edgebox_entry below, runs this code before
 * musl's _start.  The C library has not set up thread-local storage yet,
 * so errno does not work, and no constructor has run.  The data segment
 * is one of the packed ones, so nothing may read or write a global
 * variable before it is restored.  The code uses only raw system calls and
 * the first segment's code.
 *
 * Constants and data are decompressed at once.  Code segments are
 * decompressed when first run: their pages start inaccessible, and the
 * SIGSEGV handler below decompresses the segment that the fault hit and
 * returns, so the instruction runs again.  So each applet holds in memory
 * only the code it runs, as with the file mappings of an unpacked binary,
 * and unpack_release drops the start-up code after start.
 * Code that runs while SIGSEGV is blocked (musl's fork path) must stay in
 * the first segment (core/layout.ld): a fault with SIGSEGV blocked kills
 * the process.
 */
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pack.h"
#include "unpack.h"

#ifdef EDGEBOX_STATIC
#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#if UINTPTR_MAX > 0xffffffffu
typedef Elf64_Phdr	elf_phdr;
#else
typedef Elf32_Phdr	elf_phdr;
#endif

/* The kernel's struct sigaction (not the C library's) on x86_64, aarch64 and arm. */
struct kernel_sigaction {
	uintptr_t	handler;	/* SIG_DFL (0) or the function */
	unsigned long	flags;
	void		(*restorer)(void);
	unsigned	mask[2];
};

static long
raw_syscall(long n, long a, long b, long c, long d, long e, long f)
{
#if defined(__x86_64__)
	register long	r10 __asm__("r10") = d;
	register long	r8 __asm__("r8") = e;
	register long	r9 __asm__("r9") = f;
	long		ret;

	__asm__ volatile ("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10),
	    "r"(r8), "r"(r9) : "rcx", "r11", "memory");
	return ret;
#elif defined(__aarch64__)
	register long	x8 __asm__("x8") = n;
	register long	x0 __asm__("x0") = a;
	register long	x1 __asm__("x1") = b;
	register long	x2 __asm__("x2") = c;
	register long	x3 __asm__("x3") = d;
	register long	x4 __asm__("x4") = e;
	register long	x5 __asm__("x5") = f;

	__asm__ volatile ("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4),
	    "r"(x5) : "memory", "cc");
	return x0;
#elif defined(__arm__)
	register long	r7 __asm__("r7") = n;
	register long	r0 __asm__("r0") = a;
	register long	r1 __asm__("r1") = b;
	register long	r2 __asm__("r2") = c;
	register long	r3 __asm__("r3") = d;
	register long	r4 __asm__("r4") = e;
	register long	r5 __asm__("r5") = f;

	__asm__ volatile ("svc 0" : "+r"(r0) : "r"(r7), "r"(r1), "r"(r2), "r"(r3), "r"(r4),
	    "r"(r5) : "memory", "cc");
	return r0;
#else
#error "no raw system calls for this architecture: add them or build with STATIC=0"
#endif
}

#ifdef SYS_mmap2
#define SYS_MMAP	SYS_mmap2
#else
#define SYS_MMAP	SYS_mmap
#endif

#if defined(__x86_64__)
/* x86_64 needs a restorer: the rt_sigreturn call that a handler returns into. */
void	edgebox_unpack_restore(void);
__asm__(".text\n"
    ".type edgebox_unpack_restore,@function\n"
    "edgebox_unpack_restore:\n"
    "\tmov $15, %eax\n"
    "\tsyscall\n");
#define RESTORER_FLAG	0x04000000ul	/* SA_RESTORER */
#else
/* The kernel's own return code (the vDSO's or the signal page's) serves. */
#define edgebox_unpack_restore	((void (*)(void))0)
#define RESTORER_FLAG	0ul
#endif

/*
 * The packed segment's header and entries, copied out of it: reading them
 * there would map its pages into the process again.
 */
static const struct pack_header	*packed;
static struct pack_entry	 entries[PACK_MAX_SEGMENTS];
static unsigned			 nentries;
static uint32_t			 packed_size;
static uintptr_t		 page_size;
static uint32_t			 absent;	/* bit i: entry i's pages hold nothing */
/*
 * Set for a daemon (unpack_groups) and once start-up code is released:
 * from then on the packed segment's pages are dropped after each restore.
 * Short-lived commands never drop them, because that costs more time than
 * it saves memory.
 */
static int			 long_running;

static const struct pack_entry *
entry(const struct pack_header *h, unsigned i)
{
	return (const struct pack_entry *)(h + 1) + i;
}

static void
die(const char *msg, size_t len)
{
	(void)raw_syscall(SYS_write, 2, (long)msg, (long)len, 0, 0, 0);
	(void)raw_syscall(SYS_exit_group, 127, 0, 0, 0, 0, 0);
	for (;;)
		;
}

static uintptr_t
page_down(uintptr_t a, uintptr_t page)
{
	return a & ~(page - 1);
}

static uintptr_t
page_up(uintptr_t a, uintptr_t page)
{
	return (a + page - 1) & ~(page - 1);
}

/*
 * Make the instruction cache see the code just written to [lo, hi).
 * libgcc's __clear_cache does the same, but it lies in a packed segment.
 */
static void
sync_icache(uintptr_t lo, uintptr_t hi)
{
#if defined(__aarch64__)
	uint64_t	ctr;
	uintptr_t	a, dline, iline;

	/* Clean each data cache line to the point of unification, then invalidate the
	 * instruction cache lines; CTR_EL0 gives the smallest line sizes. */
	__asm__ volatile ("mrs %0, ctr_el0" : "=r"(ctr));
	dline = (uintptr_t)4 << (ctr >> 16 & 15);
	iline = (uintptr_t)4 << (ctr & 15);
	for (a = lo & ~(dline - 1); a < hi; a += dline)
		__asm__ volatile ("dc cvau, %0" : : "r"(a) : "memory");
	__asm__ volatile ("dsb ish" : : : "memory");
	for (a = lo & ~(iline - 1); a < hi; a += iline)
		__asm__ volatile ("ic ivau, %0" : : "r"(a) : "memory");
	__asm__ volatile ("dsb ish\n\tisb" : : : "memory");
#elif defined(__arm__)
	/* The kernel's ARM-private cacheflush call (__ARM_NR_cacheflush). */
	(void)raw_syscall(0x0f0002, (long)lo, (long)hi, 0, 0, 0, 0);
#else
	/* x86 keeps the instruction cache coherent with stores. */
	(void)lo;
	(void)hi;
#endif
}

/* Map fresh pages over entry e with the given protection. */
static long
map_fresh(const struct pack_entry *e, uintptr_t page, int prot)
{
	uintptr_t	lo = page_down(e->vaddr, page), hi = page_up(e->vaddr + e->memsz, page);
	long		flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

	/* Pages about to be written in full are faulted in by one call. */
	if (prot == PROT_NONE)
		flags |= MAP_NORESERVE;
	else if (e->filesz == e->memsz)
		flags |= MAP_POPULATE;
	return raw_syscall(SYS_MMAP, (long)lo, (long)(hi - lo), prot, flags, -1, 0);
}

/*
 * Decompress entry e of the packed segment h (of the given size) into fresh
 * pages and give them their protection.
 */
static void
restore(const struct pack_header *h, uint32_t size, const struct pack_entry *e, uintptr_t page)
{
	static const char	msg[] = "edgebox: a packed segment is corrupt or cannot be "
	    "mapped; reinstall the package\n";
	uintptr_t		lo = page_down(e->vaddr, page), hi = page_up(e->vaddr + e->memsz, page);
	int			prot = PROT_READ;

	if (map_fresh(e, page, PROT_READ | PROT_WRITE) != (long)lo ||
	    e->offset > size || e->length > size - e->offset ||
	    (e->codec == PACK_CODEC_FAST ? pack_decode_fast : pack_decode)((const uint8_t *)h +
	    e->offset, e->length, (uint8_t *)(uintptr_t)e->vaddr, e->filesz) != e->filesz ||
	    pack_checksum((const uint8_t *)(uintptr_t)e->vaddr, e->filesz) != e->checksum)
		die(msg, sizeof(msg) - 1);
	if (e->flags & PF_W)
		prot |= PROT_WRITE;
	if (e->flags & PF_X) {
		prot |= PROT_EXEC;
		sync_icache(lo, hi);
	}
	if (raw_syscall(SYS_mprotect, (long)lo, (long)(hi - lo), prot, 0, 0, 0) != 0)
		die(msg, sizeof(msg) - 1);
}

/*
 * Drop the packed segment's pages from this process: they stay in the
 * page cache, and the next decompression reads them in again.
 */
static void
release_streams(const struct pack_header *h, uint32_t size, uintptr_t page)
{
	uintptr_t	lo = page_down((uintptr_t)h, page), hi = page_up((uintptr_t)h + size, page);

	(void)raw_syscall(SYS_madvise, (long)lo, (long)(hi - lo), MADV_DONTNEED, 0, 0, 0);
}

static void
set_fault_handler(uintptr_t handler, unsigned long flags)
{
	struct kernel_sigaction	sa;

	sa.handler = handler;
	sa.flags = flags | RESTORER_FLAG;
	sa.restorer = edgebox_unpack_restore;
	sa.mask[0] = sa.mask[1] = 0;
	(void)raw_syscall(SYS_rt_sigaction, SIGSEGV, (long)&sa, 0, sizeof(sa.mask), 0, 0);
}

/*
 * Decompress the absent segment that the fault hit and return, so that
 * the instruction runs again.  For any other fault, restore SIGSEGV's
 * default action, which the same instruction then triggers.
 */
static void
on_fault(int signo, siginfo_t *si, void *context)
{
	uintptr_t	a = (uintptr_t)si->si_addr;
	unsigned	i;

	(void)signo;
	(void)context;
	/* si_addr is only an address for a fault: kill(2) and sigqueue(3) set si_code <= 0. */
	for (i = 0; si->si_code > 0 && i < nentries; i++) {
		const struct pack_entry	*e = &entries[i];

		if ((absent & 1u << i) && a >= e->vaddr && a - e->vaddr < e->memsz) {
			restore(packed, packed_size, e, page_size);
			if (long_running)
				release_streams(packed, packed_size, page_size);
			absent &= ~(1u << i);
			return;
		}
	}
	set_fault_handler(0, 0);
	/* A SIGSEGV that kill(2) sent does not come again by itself: send it again. */
	if (si->si_code <= 0)
		(void)raw_syscall(SYS_kill, raw_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0), SIGSEGV,
		    0, 0, 0, 0);
}

/* The packed segment, as the program headers in the auxiliary vector describe it. */
struct packed_segment {
	const struct pack_header	*header;
	uint32_t			 size;		/* p_filesz of its header */
	uint64_t			 file_end;	/* p_offset + p_filesz */
	uintptr_t			 kept_end;	/* the end of the segments kept as they are */
	const char			*path;		/* AT_EXECFN */
};

static int
find_packed(char **envp, struct packed_segment *ps, uintptr_t *page)
{
	const unsigned long	*aux;
	const elf_phdr		*ph = NULL, *pack = NULL;
	unsigned long		 phnum = 0, phent = sizeof(elf_phdr), i;

	while (*envp != NULL)
		envp++;
	ps->path = NULL;
	for (aux = (const unsigned long *)(envp + 1); aux[0] != AT_NULL; aux += 2) {
		if (aux[0] == AT_PHDR)
			ph = (const elf_phdr *)aux[1];
		else if (aux[0] == AT_PHNUM)
			phnum = aux[1];
		else if (aux[0] == AT_PHENT)
			phent = aux[1];
		else if (aux[0] == AT_PAGESZ)
			*page = aux[1];
		else if (aux[0] == AT_EXECFN)
			ps->path = (const char *)aux[1];
	}
	for (i = 0; ph != NULL && i < phnum; i++) {
		const elf_phdr	*p = (const elf_phdr *)((const char *)ph + i * phent);

		if (p->p_type == PACK_PT_TYPE)
			pack = p;
	}
	if (pack == NULL)
		return 0;
	ps->header = (const struct pack_header *)(uintptr_t)pack->p_vaddr;
	ps->size = (uint32_t)pack->p_filesz;
	ps->file_end = (uint64_t)pack->p_offset + pack->p_filesz;
	ps->kept_end = 0;
	for (i = 0; i < phnum; i++) {
		const elf_phdr	*p = (const elf_phdr *)((const char *)ph + i * phent);

		if (p->p_type == PT_LOAD && p->p_vaddr != pack->p_vaddr &&
		    p->p_vaddr + p->p_memsz > ps->kept_end)
			ps->kept_end = p->p_vaddr + p->p_memsz;
	}
	return 1;
}

/*
 * Whether the executable's file still contains the whole packed segment:
 * a read past the end of a truncated file raises SIGBUS, not a message.
 * When the size cannot be read, the check passes.
 */
static int
file_complete(const struct packed_segment *ps)
{
	uint64_t	buf[32];	/* struct statx, 256 bytes; stx_size at byte 40 */

	if (ps->path == NULL ||
	    raw_syscall(SYS_statx, AT_FDCWD, (long)ps->path, 0, 0x200 /* STATX_SIZE */,
	    (long)buf, 0) != 0)
		return 1;
	return buf[5] >= ps->file_end;
}

/*
 * Whether the header and the entries make sense: entries that checksum
 * right, lie between the kept segments and the packed one in ascending
 * order, and keep their contents within their size.
 */
static int
table_valid(const struct packed_segment *ps)
{
	const struct pack_header	*h = ps->header;
	uintptr_t			 floor = ps->kept_end;
	unsigned			 i;

	if (h->magic != PACK_MAGIC || h->version != PACK_VERSION || h->count == 0 ||
	    h->count > PACK_MAX_SEGMENTS || h->size != ps->size ||
	    sizeof(*h) + h->count * sizeof(struct pack_entry) > h->size ||
	    pack_checksum((const uint8_t *)(h + 1), h->count * sizeof(struct pack_entry)) !=
	    h->checksum)
		return 0;
	for (i = 0; i < h->count; i++) {
		const struct pack_entry	*e = entry(h, i);

		if (e->vaddr < floor || e->filesz > e->memsz ||
		    e->memsz > (uintptr_t)h - e->vaddr)
			return 0;
		floor = e->vaddr + e->memsz;
	}
	return 1;
}

/* Whether segments of this group are restored at start: shared data and init. */
static int
shared_group(const char *group)
{
	return group[0] == '\0' ||
	    (group[0] == 'i' && group[1] == 'n' && group[2] == 'i' && group[3] == 't' &&
	    group[4] == '\0');
}

static void
unpack_start(char **envp)
{
	static const char		 msg[] = "edgebox: the packed segments are truncated, "
	    "corrupt or of another version; reinstall the package\n";
	const struct pack_header	*h;
	struct packed_segment		 ps;
	uintptr_t			 page = 4096;
	uint32_t			 lazy = 0;
	unsigned			 i;

	if (!find_packed(envp, &ps, &page))
		return;
	if (!file_complete(&ps) || !table_valid(&ps))
		die(msg, sizeof(msg) - 1);
	h = ps.header;
	for (i = 0; i < h->count; i++) {
		const struct pack_entry	*e = entry(h, i);

		if ((e->flags & PF_X) || !shared_group(e->group)) {
			if (map_fresh(e, page, PROT_NONE) < 0)
				die(msg, sizeof(msg) - 1);
			lazy |= 1u << i;
		} else {
			restore(h, h->size, e, page);
		}
	}
	release_streams(h, h->size, page);
	/* The data segment is back: globals may be written from here on. */
	packed = h;
	packed_size = h->size;
	nentries = h->count;
	for (i = 0; i < nentries; i++)
		entries[i] = *entry(h, i);
	page_size = page;
	absent = lazy;
	set_fault_handler((uintptr_t)on_fault, SA_SIGINFO);
}

/*
 * The entry point (-Wl,-e,edgebox_entry): restore the segments, then go on
 * to musl's _start with the stack and registers as the kernel left them.
 * musl's _start_c reads main's address from the global offset table on
 * some architectures, which lies in the packed data segment, so this must
 * run before it.  sp points to argc, then argv, NULL, envp, NULL, auxv.
 */
void	edgebox_unpack_entry(long *sp);

void
edgebox_unpack_entry(long *sp)
{
	unpack_start((char **)(sp + 1) + sp[0] + 1);
}

#if defined(__x86_64__)
__asm__(".text\n"
    ".global edgebox_entry\n"
    ".type edgebox_entry,@function\n"
    "edgebox_entry:\n"
    "\tmov %rsp, %rbx\n"
    "\tmov %rsp, %rdi\n"
    "\tand $-16, %rsp\n"
    "\tcall edgebox_unpack_entry\n"
    "\tmov %rbx, %rsp\n"
    "\txor %edx, %edx\n"
    "\tjmp _start\n");
#elif defined(__aarch64__)
__asm__(".text\n"
    ".global edgebox_entry\n"
    ".type edgebox_entry,%function\n"
    "edgebox_entry:\n"
    "\tmov x19, sp\n"
    "\tmov x0, sp\n"
    "\tbl edgebox_unpack_entry\n"
    "\tmov sp, x19\n"
    "\tmov x0, #0\n"
    "\tb _start\n");
#elif defined(__arm__)
__asm__(".text\n"
    ".syntax unified\n"
    ".arm\n"
    ".global edgebox_entry\n"
    ".type edgebox_entry,%function\n"
    "edgebox_entry:\n"
    "\tmov r4, sp\n"
    "\tmov r0, sp\n"
    "\tbic r1, r0, #7\n"
    "\tmov sp, r1\n"
    "\tldr r12, =edgebox_unpack_entry\n"
    "\tblx r12\n"
    "\tmov sp, r4\n"
    "\tmov r0, #0\n"
    "\tldr r12, =_start\n"
    "\tbx r12\n"
    ".ltorg\n");
#endif

void
unpack_groups(const char *groups, int daemon)
{
	const char	*g, *end;
	unsigned	 i, n;

	if (packed == NULL)
		return;
	if (daemon)
		long_running = 1;
	for (g = groups; *g != '\0'; g = *end ? end + 1 : end) {
		for (end = g; *end != '\0' && *end != ' '; end++)
			;
		n = (unsigned)(end - g);
		for (i = 0; i < nentries; i++) {
			struct pack_entry	*e = &entries[i];

			if ((absent & 1u << i) && !(e->flags & PF_X) && n < sizeof(e->group) &&
			    strncmp(e->group, g, n) == 0 && e->group[n] == '\0') {
				restore(packed, packed_size, e, page_size);
				absent &= ~(1u << i);
			}
		}
	}
	if (long_running)
		release_streams(packed, packed_size, page_size);
}

int
unpack_release(const void *start, const void *end)
{
	uintptr_t	lo = (uintptr_t)start, hi = (uintptr_t)end;
	unsigned	i;
	int		found = 0;

	if (packed == NULL)
		return 0;
	for (i = 0; i < nentries; i++) {
		const struct pack_entry	*e = &entries[i];

		if (lo >= e->vaddr + e->memsz || hi <= e->vaddr)
			continue;
		found = 1;
		if ((e->flags & PF_X) && !(absent & 1u << i) &&
		    map_fresh(e, page_size, PROT_NONE) >= 0)
			absent |= 1u << i;
	}
	if (found) {
		release_streams(packed, packed_size, page_size);
		long_running = 1;
	}
	return found;
}

#else

void
unpack_groups(const char *groups, int daemon)
{
	(void)groups;
	(void)daemon;
}

int
unpack_release(const void *start, const void *end)
{
	(void)start;
	(void)end;
	return 0;
}

#endif
