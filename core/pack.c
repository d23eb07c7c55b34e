/*
 * pack.c -- a build tool: compresses the loadable segments of the linked
 * edgebox binary (see pack.h).
 *
 *	pack [-f GROUP,...] IN OUT
 *
 * -f names the groups (pack.h; "shared" for the shared segments) to
 * compress with the FAST codec; the others get the SMALL one.
 * IN must be a little-endian static ELF executable.  Its first loadable
 * segment must start at file offset 0, contain the program headers and the
 * entry point, and share no page with the others, which core/layout.ld and
 * the linker's page alignment ensure.  The unpacker (core/unpack.c,
 * core/packdec.c) must be in that segment too: layout.ld's .text.boot puts
 * it there, and pack checks it with IN's symbols when IN has them.
 * OUT gets the first segment and the start-up constants behind it as they
 * are, then one read-only segment with the others compressed.  The program
 * headers of the packed segments, PT_NOTE and PT_GNU_PROPERTY (which point
 * into them), the symbols and the section headers are left out.  Each
 * stream is decoded again and compared before OUT is written.
 */
#include <sys/stat.h>

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pack.h"

struct segment {
	uint32_t	type, flags;
	uint64_t	offset, vaddr, filesz, memsz, align;
	int		keep;		/* stays as it is, not packed */
};

struct section {
	const char	*name;		/* NULL when out of the string table */
	uint32_t	 type, link;
	uint64_t	 addr, offset, size, flags, entsize;
};

struct image {
	uint8_t		*data;
	size_t		 size;
	int		 is64;
	uint64_t	 entry, phoff;
	unsigned	 phnum, phentsize;
	struct segment	*segs;
	unsigned	 nsections;
	struct section	*sections;
	uint64_t	 align;		/* the largest p_align of the loadable segments */
};

static const char	*progname = "pack";
static const char	*in_path;
static const char	*fast_groups = "";	/* -f: comma-separated, "shared" for "" */

static void
fail(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", progname, in_path, what);
	exit(1);
}

static uint64_t
get(const uint8_t *p, int bytes)
{
	uint64_t	v = 0;

	while (bytes-- > 0)
		v = v << 8 | p[bytes];
	return v;
}

static void
put(uint8_t *p, int bytes, uint64_t v)
{
	int	i;

	for (i = 0; i < bytes; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static void
read_image(struct image *im, const char *path)
{
	FILE		*f;
	long		 n;
	unsigned	 i;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		fail(strerror(errno));
	im->size = (size_t)n;
	if ((im->data = malloc(im->size + 1)) == NULL ||
	    fread(im->data, 1, im->size, f) != im->size)
		fail("cannot read the file");
	fclose(f);

	if (im->size < EI_NIDENT || memcmp(im->data, ELFMAG, SELFMAG) != 0)
		fail("not an ELF file");
	if (im->data[EI_DATA] != ELFDATA2LSB)
		fail("not a little-endian ELF file");
	im->is64 = im->data[EI_CLASS] == ELFCLASS64;
	if (im->size < (im->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
		fail("truncated ELF header");
	if (get(im->data + 16, 2) != ET_EXEC)
		fail("not a position-dependent executable (ET_EXEC): link it with -static -no-pie");
	if (im->is64) {
		im->entry = get(im->data + 24, 8);
		im->phoff = get(im->data + 32, 8);
		im->phentsize = (unsigned)get(im->data + 54, 2);
		im->phnum = (unsigned)get(im->data + 56, 2);
	} else {
		im->entry = get(im->data + 24, 4);
		im->phoff = get(im->data + 28, 4);
		im->phentsize = (unsigned)get(im->data + 42, 2);
		im->phnum = (unsigned)get(im->data + 44, 2);
	}
	if (im->phentsize != (im->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)) ||
	    im->phoff > im->size || im->phnum > (im->size - im->phoff) / im->phentsize)
		fail("invalid program header table");
	if ((im->segs = calloc(im->phnum, sizeof(*im->segs))) == NULL)
		fail("out of memory");
	for (i = 0; i < im->phnum; i++) {
		const uint8_t	*p = im->data + im->phoff + (size_t)i * im->phentsize;
		struct segment	*s = &im->segs[i];

		s->type = (uint32_t)get(p, 4);
		if (im->is64) {
			s->flags = (uint32_t)get(p + 4, 4);
			s->offset = get(p + 8, 8);
			s->vaddr = get(p + 16, 8);
			s->filesz = get(p + 32, 8);
			s->memsz = get(p + 40, 8);
			s->align = get(p + 48, 8);
		} else {
			s->offset = get(p + 4, 4);
			s->vaddr = get(p + 8, 4);
			s->filesz = get(p + 16, 4);
			s->memsz = get(p + 20, 4);
			s->flags = (uint32_t)get(p + 24, 4);
			s->align = get(p + 28, 4);
		}
		if (s->type == PT_LOAD && (s->offset > im->size || s->filesz > im->size - s->offset ||
		    s->filesz > s->memsz))
			fail("a loadable segment lies outside the file");
	}
}

/* Whether group (with "" named "shared") is in the comma-separated list. */
static int
in_list(const char *list, const char *group)
{
	const char	*name = group[0] != '\0' ? group : "shared";
	size_t		 n = strlen(name);

	while (*list != '\0') {
		if (strncmp(list, name, n) == 0 && (list[n] == ',' || list[n] == '\0'))
			return 1;
		list += strcspn(list, ",");
		list += *list == ',';
	}
	return 0;
}

/* The section headers, if any, for the segments' group names. */
static void
read_sections(struct image *im)
{
	uint64_t	shoff, stroff = 0, strsize = 0;
	unsigned	shentsize, shnum, shstrndx, i;
	int		w = im->is64 ? 8 : 4;

	shoff = get(im->data + (im->is64 ? 40 : 32), w);
	shentsize = (unsigned)get(im->data + (im->is64 ? 58 : 46), 2);
	shnum = (unsigned)get(im->data + (im->is64 ? 60 : 48), 2);
	shstrndx = (unsigned)get(im->data + (im->is64 ? 62 : 50), 2);
	if (shoff == 0 || shnum == 0 || shstrndx >= shnum || shoff > im->size ||
	    shentsize < (unsigned)(im->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)) ||
	    shnum > (im->size - shoff) / shentsize)
		return;
	{
		const uint8_t	*p = im->data + shoff + (size_t)shstrndx * shentsize;

		stroff = get(p + 8 + 2 * w, w);
		strsize = get(p + 8 + 3 * w, w);
	}
	if (stroff > im->size || strsize > im->size - stroff || strsize == 0 ||
	    im->data[stroff + strsize - 1] != '\0')
		return;
	if ((im->sections = calloc(shnum, sizeof(*im->sections))) == NULL)
		fail("out of memory");
	for (i = 0; i < shnum; i++) {
		const uint8_t	*p = im->data + shoff + (size_t)i * shentsize;
		struct section	*sec = &im->sections[i];
		uint64_t	 name = get(p, 4);

		sec->name = name < strsize ? (const char *)im->data + stroff + name : NULL;
		sec->type = (uint32_t)get(p + 4, 4);
		sec->flags = get(p + 8, w);
		sec->addr = get(p + 8 + w, w);
		sec->offset = get(p + 8 + 2 * w, w);
		sec->size = get(p + 8 + 3 * w, w);
		sec->link = (uint32_t)get(p + 8 + 4 * w, 4);
		sec->entsize = get(p + 16 + 6 * w, w);
	}
	im->nsections = shnum;
}

/*
 * The unpacker runs before any packed segment is restored, so its code
 * must lie in the first segment: check the symbols of the linked binary,
 * when it still has them.
 */
static void
check_unpacker(const struct image *im, const struct segment *first)
{
	static const char	*const needed[] = {
		"edgebox_entry", "edgebox_unpack_entry", "pack_decode", "pack_decode_fast",
		"pack_checksum", "memset",
	};
	const struct section	*symtab = NULL, *strtab;
	unsigned		 found = 0, i, j;
	uint64_t		 n, symsize = im->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);

	for (i = 0; i < im->nsections; i++)
		if (im->sections[i].type == SHT_SYMTAB)
			symtab = &im->sections[i];
	if (symtab == NULL)
		return;
	if (symtab->link >= im->nsections || symtab->offset > im->size ||
	    symtab->size > im->size - symtab->offset)
		fail("invalid symbol table");
	strtab = &im->sections[symtab->link];
	if (strtab->offset > im->size || strtab->size > im->size - strtab->offset)
		fail("invalid symbol table");
	for (n = 0; n + symsize <= symtab->size; n += symsize) {
		const uint8_t	*p = im->data + symtab->offset + n;
		uint64_t	 name = get(p, 4);
		uint64_t	 value = get(p + (im->is64 ? 8 : 4), im->is64 ? 8 : 4);
		const char	*s;

		if (name >= strtab->size)
			continue;
		s = (const char *)im->data + strtab->offset + name;
		for (j = 0; j < sizeof(needed) / sizeof(needed[0]); j++) {
			if (strncmp(s, needed[j], strtab->size - name) != 0)
				continue;
			if (value < first->vaddr || value >= first->vaddr + first->filesz) {
				fprintf(stderr, "%s: %s: %s is outside the first segment; keep its "
				    "object out of core/layout.ld\n", progname, in_path, needed[j]);
				exit(1);
			}
			found |= 1u << j;
		}
	}
	if (found != (1u << (sizeof(needed) / sizeof(needed[0]))) - 1)
		fail("the unpacker is missing: link core/unpack.o and core/packdec.o");
}

/*
 * The group of segment s: the suffix of its largest section's name after
 * ".text." or ".rodata.", or "" (a shared segment, or no section headers).
 */
static void
segment_group(const struct image *im, const struct segment *s, char group[8])
{
	const struct section	*best = NULL;
	const char		*suffix = "";
	unsigned		 i;

	for (i = 0; i < im->nsections; i++) {
		const struct section	*sec = &im->sections[i];

		if ((sec->flags & SHF_ALLOC) && sec->addr >= s->vaddr &&
		    sec->addr + sec->size <= s->vaddr + s->memsz &&
		    (best == NULL || sec->size > best->size))
			best = sec;
	}
	if (best != NULL && strncmp(best->name, ".text.", 6) == 0)
		suffix = best->name + 6;
	else if (best != NULL && strncmp(best->name, ".rodata.", 8) == 0)
		suffix = best->name + 8;
	if (strlen(suffix) >= 8)
		fail("a section's group name is longer than 7 characters");
	memset(group, 0, 8);
	memcpy(group, suffix, strlen(suffix));
}

static void
write_phdr(const struct image *im, uint8_t *p, const struct segment *s)
{
	memset(p, 0, im->phentsize);
	put(p, 4, s->type);
	if (im->is64) {
		put(p + 4, 4, s->flags);
		put(p + 8, 8, s->offset);
		put(p + 16, 8, s->vaddr);
		put(p + 24, 8, s->vaddr);
		put(p + 32, 8, s->filesz);
		put(p + 40, 8, s->memsz);
		put(p + 48, 8, s->align);
	} else {
		put(p + 4, 4, s->offset);
		put(p + 8, 4, s->vaddr);
		put(p + 12, 4, s->vaddr);
		put(p + 16, 4, s->filesz);
		put(p + 20, 4, s->memsz);
		put(p + 24, 4, s->flags);
		put(p + 28, 4, s->align);
	}
}

/* Clear the section header fields: the sections of the packed segments are gone. */
static void
drop_section_headers(const struct image *im)
{
	if (im->is64) {
		put(im->data + 40, 8, 0);
		put(im->data + 60, 2, 0);
		put(im->data + 62, 2, 0);
	} else {
		put(im->data + 32, 4, 0);
		put(im->data + 48, 2, 0);
		put(im->data + 50, 2, 0);
	}
}

/*
 * Write the first segment, padding up to blob_off and the packed segment
 * to OUT, with the input's permissions.  A temporary file renamed over
 * OUT at the end leaves no half-written binary behind on failure.
 */
static void
write_output(const char *out, const struct image *im, size_t first_size, size_t blob_off,
    const uint8_t *blob, size_t blob_size)
{
	struct stat	 st;
	char		*tmp;
	FILE		*f;
	size_t		 pos;
	int		 ok;

	if (stat(in_path, &st) != 0)
		fail(strerror(errno));
	if ((tmp = malloc(strlen(out) + 5)) == NULL)
		fail("out of memory");
	strcpy(tmp, out);
	strcat(tmp, ".tmp");
	if ((f = fopen(tmp, "wb")) == NULL) {
		fprintf(stderr, "%s: %s: %s\n", progname, tmp, strerror(errno));
		exit(1);
	}
	ok = fwrite(im->data, 1, first_size, f) == first_size;
	for (pos = first_size; pos < blob_off; pos++)
		ok = ok && putc(0, f) != EOF;
	ok = ok && fwrite(blob, 1, blob_size, f) == blob_size;
	ok = ok && fchmod(fileno(f), st.st_mode & 07777) == 0;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, out) != 0) {
		fprintf(stderr, "%s: %s: cannot write: %s\n", progname, tmp, strerror(errno));
		unlink(tmp);
		exit(1);
	}
	free(tmp);
}

/*
 * Mark the segments that stay as they are: the first, and the start-up
 * constants (group "init", not executable) when they follow it in the
 * file.  Those are released after start and must be read back from the
 * file, because configuration defaults point into them and a system call
 * that reads an absent page fails instead of faulting.  Returns the end of
 * the kept bytes in the file; sets *npacked to the number of others.
 */
static uint64_t
choose_kept(struct image *im, unsigned *npacked)
{
	struct segment	*first = NULL, *prev = NULL;
	uint64_t	 kept_end = 0;
	unsigned	 i;
	char		 group[8];

	*npacked = 0;
	for (i = 0; i < im->phnum; i++) {
		struct segment	*s = &im->segs[i];

		if (s->type != PT_LOAD)
			continue;
		if (prev != NULL && s->vaddr / im->align <= (prev->vaddr + prev->memsz - 1) / im->align)
			fail("a segment shares a page with the one before it");
		prev = s;
		segment_group(im, s, group);
		if (first == NULL) {
			first = s;
			s->keep = 1;
		} else if (kept_end == s->offset && !(s->flags & PF_X) &&
		    strcmp(group, "init") == 0) {
			s->keep = 1;
		} else {
			(*npacked)++;
			continue;
		}
		kept_end = s->offset + s->filesz;
	}
	if (first == NULL || first->offset != 0 ||
	    im->phoff + (uint64_t)im->phnum * im->phentsize > first->filesz)
		fail("the first loadable segment does not start the file with the program headers");
	if (im->entry < first->vaddr || im->entry >= first->vaddr + first->filesz)
		fail("the entry point is not in the first loadable segment");
	if (*npacked == 0)
		fail("nothing to pack: every loadable segment stays");
	if (*npacked > PACK_MAX_SEGMENTS)
		fail("too many loadable segments to pack");
	check_unpacker(im, first);
	return kept_end;
}

/*
 * Compress each segment that is not kept into the packed segment's
 * contents (header, entries, streams), decode each stream again to check
 * it, and return the contents; *size gets their length.
 */
static uint8_t *
pack_segments(const struct image *im, unsigned n, size_t *size)
{
	struct pack_entry	*entries;
	uint8_t			**streams, *blob, *check;
	size_t			 blob_size;
	unsigned		 i, k;

	entries = calloc(n, sizeof(*entries));
	streams = calloc(n, sizeof(*streams));
	if (entries == NULL || streams == NULL)
		fail("out of memory");
	blob_size = sizeof(struct pack_header) + n * sizeof(*entries);
	for (i = 0, k = 0; i < im->phnum; i++) {
		const struct segment	*s = &im->segs[i];
		size_t			 length = 0;

		if (s->type != PT_LOAD || s->keep)
			continue;
		if (s->filesz >= (1u << PACK_GAMMA_MAX))
			fail("a segment is too large to pack (16 MiB or more)");
		entries[k].vaddr = (uint32_t)s->vaddr;
		entries[k].memsz = (uint32_t)s->memsz;
		entries[k].filesz = (uint32_t)s->filesz;
		entries[k].flags = s->flags;
		segment_group(im, s, entries[k].group);
		entries[k].checksum = pack_checksum(im->data + s->offset, s->filesz);
		entries[k].codec = in_list(fast_groups, entries[k].group) ? PACK_CODEC_FAST :
		    PACK_CODEC_SMALL;
		if (s->filesz > 0 && (length = (entries[k].codec == PACK_CODEC_FAST ?
		    pack_encode_fast : pack_encode)(im->data + s->offset, s->filesz, &streams[k])) == 0)
			fail("out of memory");
		if ((check = malloc(s->filesz + 1)) == NULL)
			fail("out of memory");
		if ((entries[k].codec == PACK_CODEC_FAST ? pack_decode_fast : pack_decode)(streams[k],
		    length, check, s->filesz) != s->filesz ||
		    memcmp(check, im->data + s->offset, s->filesz) != 0)
			fail("a compressed segment does not decode to its contents (an encoder bug)");
		free(check);
		entries[k].length = (uint32_t)length;
		blob_size += length;
		k++;
	}
	/*
	 * The streams of constants and data, which every start restores,
	 * come first, right after the table.  The kernel maps a file's pages
	 * into a process in 64 KiB runs around each fault, so these streams
	 * share one run with the table instead of adding runs to a daemon's
	 * peak memory.  The code streams follow.
	 */
	blob_size = sizeof(struct pack_header) + n * sizeof(*entries);
	for (int code = 0; code <= 1; code++)
		for (k = 0; k < n; k++)
			if (((entries[k].flags & PF_X) != 0) == code) {
				entries[k].offset = (uint32_t)blob_size;
				blob_size += entries[k].length;
			}

	if ((blob = calloc(1, blob_size)) == NULL)
		fail("out of memory");
	put(blob, 4, PACK_MAGIC);
	put(blob + 4, 4, PACK_VERSION);
	put(blob + 8, 4, n);
	put(blob + 12, 4, blob_size);
	for (k = 0; k < n; k++) {
		uint8_t	*e = blob + sizeof(struct pack_header) + k * sizeof(*entries);

		put(e, 4, entries[k].vaddr);
		put(e + 4, 4, entries[k].memsz);
		put(e + 8, 4, entries[k].filesz);
		put(e + 12, 4, entries[k].flags);
		put(e + 16, 4, entries[k].offset);
		put(e + 20, 4, entries[k].length);
		put(e + 24, 4, entries[k].checksum);
		put(e + 28, 4, entries[k].codec);
		memcpy(e + 32, entries[k].group, sizeof(entries[k].group));
		if (entries[k].length > 0)
			memcpy(blob + entries[k].offset, streams[k], entries[k].length);
		printf("pack:   %#10x %6u -> %6u bytes  %c%c%c %-5s %s\n", (unsigned)entries[k].vaddr,
		    (unsigned)entries[k].filesz, (unsigned)entries[k].length,
		    entries[k].flags & PF_R ? 'r' : '-', entries[k].flags & PF_W ? 'w' : '-',
		    entries[k].flags & PF_X ? 'x' : '-',
		    entries[k].codec == PACK_CODEC_FAST ? "fast" : "small",
		    entries[k].group[0] != '\0' ? entries[k].group : "shared");
		free(streams[k]);
	}
	put(blob + 16, 4, pack_checksum(blob + sizeof(struct pack_header),
	    n * sizeof(struct pack_entry)));
	free(streams);
	free(entries);
	*size = blob_size;
	return blob;
}

/*
 * Replace the program headers: the kept loadable segments, the packed
 * segment, the other headers but PT_NOTE and PT_GNU_PROPERTY (which point
 * into packed segments), and the header that locates the packed segment.
 */
static void
rewrite_headers(struct image *im, const struct segment *blob_seg)
{
	struct segment	*out;
	uint8_t		*phdr = im->data + im->phoff;
	unsigned	 i, count = 0;

	if ((out = calloc(im->phnum + 2, sizeof(*out))) == NULL)
		fail("out of memory");
	for (i = 0; i < im->phnum; i++) {
		const struct segment	*s = &im->segs[i];

		if ((s->type == PT_LOAD && !s->keep) || s->type == PT_NOTE ||
		    s->type == PT_GNU_PROPERTY || s->type == PT_NULL)
			continue;
		out[count++] = *s;
		/* The packed segment, highest of all, follows the last kept one. */
		if (s->type == PT_LOAD && (i + 1 == im->phnum || im->segs[i + 1].type != PT_LOAD ||
		    !im->segs[i + 1].keep))
			out[count++] = *blob_seg;
	}
	out[count] = *blob_seg;
	out[count].type = PACK_PT_TYPE;
	out[count++].align = 4;
	if (count > im->phnum)
		fail("no room for the new program headers");
	for (i = 0; i < count; i++)
		write_phdr(im, phdr + i * im->phentsize, &out[i]);
	memset(phdr + count * im->phentsize, 0, (im->phnum - count) * im->phentsize);
	put(im->data + (im->is64 ? 56 : 44), 2, count);
	drop_section_headers(im);
	free(out);
}

int
main(int argc, char **argv)
{
	struct image	 im;
	struct segment	 blob_seg;
	uint8_t		*blob;
	size_t		 blob_size, blob_off;
	uint64_t	 kept_end, top = 0;
	unsigned	 i, n;

	if (argc == 5 && strcmp(argv[1], "-f") == 0) {
		fast_groups = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: %s [-f GROUP,...] IN OUT\n", progname);
		return 2;
	}
	in_path = argv[1];
	memset(&im, 0, sizeof(im));
	im.align = 1;
	read_image(&im, argv[1]);
	read_sections(&im);
	for (i = 0; i < im.phnum; i++) {
		const struct segment	*s = &im.segs[i];

		if (s->type == PACK_PT_TYPE)
			fail("already packed: give the binary as linked (edgebox.elf)");
		if (s->type != PT_LOAD)
			continue;
		if (s->align > im.align)
			im.align = s->align;
		if (s->vaddr + s->memsz > top)
			top = s->vaddr + s->memsz;
	}
	if (top + 2 * im.align > UINT32_MAX)
		fail("segments above 4 GiB");
	kept_end = choose_kept(&im, &n);
	blob = pack_segments(&im, n, &blob_size);

	/*
	 * The packed segment goes right after the kept ones in the file, at an
	 * address above every segment with the same offset within a page.
	 */
	blob_off = (size_t)((kept_end + 3) & ~(uint64_t)3);
	memset(&blob_seg, 0, sizeof(blob_seg));
	blob_seg.type = PT_LOAD;
	blob_seg.flags = PF_R;
	blob_seg.offset = blob_off;
	blob_seg.vaddr = (top + 2 * im.align - 1) / im.align * im.align + blob_off % im.align;
	blob_seg.filesz = blob_seg.memsz = blob_size;
	blob_seg.align = im.align;
	rewrite_headers(&im, &blob_seg);

	write_output(argv[2], &im, (size_t)kept_end, blob_off, blob, blob_size);
	printf("pack: %s: %zu bytes -> %s: %zu bytes (%u segments packed)\n", argv[1],
	    im.size, argv[2], blob_off + blob_size, n);
	return 0;
}
