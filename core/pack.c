/*
 * pack.c -- a build tool: compresses the loadable segments of the linked,
 * stripped edgebox binary behind its first one (see pack.h).
 *
 *	pack IN OUT
 *
 * IN must be a little-endian static ELF executable whose first loadable
 * segment starts at file offset 0, holds the program headers and the
 * entry point, and shares no page with the others (core/layout.ld and the
 * linker's page alignment see to that).  Its unpacker (core/unpack.c)
 * must be in that segment too, which the link ensures by leaving it out of
 * layout.ld's lists.  OUT gets the first segment unchanged, then one
 * read-only segment holding the others compressed.  The program headers
 * of the packed segments, PT_NOTE and PT_GNU_PROPERTY (which point into
 * them), and the section headers are left out.  Each stream is decoded
 * again and compared before OUT is written.
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
};

static const char	*progname = "pack";
static const char	*in_path;

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
		"edgebox_entry", "edgebox_unpack_entry", "pack_decode", "pack_checksum",
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

int
main(int argc, char **argv)
{
	struct image		 im;
	struct segment		*first = NULL, blob_seg, pack_seg;
	struct pack_header	 hdr;
	struct pack_entry	*entries;
	uint8_t			**streams, *blob, *check, *phdr;
	size_t			*lengths, blob_size, blob_off, pos;
	uint64_t		 align = 1, top = 0;
	unsigned		 i, n = 0, k, kept = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: %s IN OUT\n", progname);
		return 2;
	}
	in_path = argv[1];
	read_image(&im, argv[1]);
	read_sections(&im);

	for (i = 0; i < im.phnum; i++) {
		struct segment	*s = &im.segs[i];

		if (s->type != PT_LOAD)
			continue;
		if (first == NULL)
			first = s;
		else
			n++;
		if (s->align > align)
			align = s->align;
		if (s->vaddr + s->memsz > top)
			top = s->vaddr + s->memsz;
	}
	if (first == NULL || first->offset != 0 ||
	    im.phoff + (uint64_t)im.phnum * im.phentsize > first->filesz)
		fail("the first loadable segment does not start the file with the program headers");
	if (im.entry < first->vaddr || im.entry >= first->vaddr + first->filesz)
		fail("the entry point is not in the first loadable segment");
	if (n == 0)
		fail("nothing to pack: one loadable segment only");
	if (n > PACK_MAX_SEGMENTS)
		fail("too many loadable segments to pack");
	check_unpacker(&im, first);
	if (top + 2 * align > UINT32_MAX)
		fail("segments above 4 GiB");

	entries = calloc(n, sizeof(*entries));
	streams = calloc(n, sizeof(*streams));
	lengths = calloc(n, sizeof(*lengths));
	if (entries == NULL || streams == NULL || lengths == NULL)
		fail("out of memory");

	/* Compress each segment behind the first, checking the page rule. */
	blob_size = sizeof(hdr) + n * sizeof(*entries);
	{
		uint64_t	prev_end = first->vaddr + first->memsz;

		for (i = 0, k = 0; i < im.phnum; i++) {
			struct segment	*s = &im.segs[i];

			if (s->type != PT_LOAD || s == first)
				continue;
			if (s->vaddr / align <= (prev_end - 1) / align)
				fail("a segment shares a page with the one before it");
			if (s->filesz >= (1u << PACK_GAMMA_MAX))
				fail("a segment is too large to pack (16 MiB or more)");
			prev_end = s->vaddr + s->memsz;
			entries[k].vaddr = (uint32_t)s->vaddr;
			entries[k].memsz = (uint32_t)s->memsz;
			entries[k].filesz = (uint32_t)s->filesz;
			entries[k].flags = s->flags;
			segment_group(&im, s, entries[k].group);
			entries[k].checksum = pack_checksum(im.data + s->offset, s->filesz);
			if (s->filesz > 0 &&
			    (lengths[k] = pack_encode(im.data + s->offset, s->filesz, &streams[k])) == 0)
				fail("out of memory");
			entries[k].offset = (uint32_t)blob_size;
			entries[k].length = (uint32_t)lengths[k];
			blob_size += lengths[k];
			k++;
		}
	}

	hdr.magic = PACK_MAGIC;
	hdr.version = PACK_VERSION;
	hdr.count = n;
	hdr.size = (uint32_t)blob_size;
	if ((blob = calloc(1, blob_size)) == NULL)
		fail("out of memory");
	for (pos = 0; pos < 4; pos++)
		put(blob + 4 * pos, 4, ((const uint32_t *)&hdr)[pos]);
	for (k = 0; k < n; k++) {
		uint8_t		*e = blob + sizeof(hdr) + k * sizeof(*entries);

		put(e, 4, entries[k].vaddr);
		put(e + 4, 4, entries[k].memsz);
		put(e + 8, 4, entries[k].filesz);
		put(e + 12, 4, entries[k].flags);
		put(e + 16, 4, entries[k].offset);
		put(e + 20, 4, entries[k].length);
		put(e + 24, 4, entries[k].checksum);
		memcpy(e + 28, entries[k].group, sizeof(entries[k].group));
		if (lengths[k] > 0)
			memcpy(blob + entries[k].offset, streams[k], lengths[k]);
	}

	/* Decode every stream again before trusting it. */
	for (i = 0, k = 0; i < im.phnum; i++) {
		struct segment	*s = &im.segs[i];

		if (s->type != PT_LOAD || s == first)
			continue;
		if ((check = malloc(s->filesz + 1)) == NULL)
			fail("out of memory");
		if (pack_decode(blob + entries[k].offset, entries[k].length, check, s->filesz) !=
		    s->filesz || memcmp(check, im.data + s->offset, s->filesz) != 0)
			fail("a compressed segment does not decode to its contents (an encoder bug)");
		free(check);
		k++;
	}

	/*
	 * The packed segment goes right after the first in the file, at an
	 * address above every segment with the same offset within a page.
	 */
	blob_off = (size_t)((first->filesz + 3) & ~(uint64_t)3);
	memset(&blob_seg, 0, sizeof(blob_seg));
	blob_seg.type = PT_LOAD;
	blob_seg.flags = PF_R;
	blob_seg.offset = blob_off;
	blob_seg.vaddr = (top + 2 * align - 1) / align * align + blob_off % align;
	blob_seg.filesz = blob_seg.memsz = blob_size;
	blob_seg.align = align;
	pack_seg = blob_seg;
	pack_seg.type = PACK_PT_TYPE;
	pack_seg.align = 4;

	/* New program headers in place of the old: the kept ones, then ours. */
	phdr = im.data + im.phoff;
	write_phdr(&im, phdr + kept++ * im.phentsize, first);
	write_phdr(&im, phdr + kept++ * im.phentsize, &blob_seg);
	for (i = 0; i < im.phnum; i++) {
		struct segment	s = im.segs[i];

		if (s.type == PT_LOAD || s.type == PT_NOTE || s.type == PT_GNU_PROPERTY ||
		    s.type == PT_NULL)
			continue;
		write_phdr(&im, phdr + kept++ * im.phentsize, &s);
	}
	write_phdr(&im, phdr + kept++ * im.phentsize, &pack_seg);
	if (kept > im.phnum)
		fail("no room for the new program headers");
	memset(phdr + kept * im.phentsize, 0, (im.phnum - kept) * im.phentsize);
	put(im.data + (im.is64 ? 56 : 44), 2, kept);
	drop_section_headers(&im);

	write_output(argv[2], &im, first->filesz, blob_off, blob, blob_size);
	printf("pack: %s: %zu bytes -> %s: %zu bytes (%u segments packed)\n", argv[1],
	    im.size, argv[2], blob_off + blob_size, n);
	for (k = 0; k < n; k++)
		printf("pack:   %#10x %6u -> %6u bytes  %c%c%c %s\n", (unsigned)entries[k].vaddr,
		    (unsigned)entries[k].filesz, (unsigned)entries[k].length,
		    entries[k].flags & PF_R ? 'r' : '-', entries[k].flags & PF_W ? 'w' : '-',
		    entries[k].flags & PF_X ? 'x' : '-', entries[k].group);
	return 0;
}
