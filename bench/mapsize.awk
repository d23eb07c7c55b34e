# Sum the input sections (.text, .rodata, .data) of a GNU ld map file per
# object file, libc.a members by member name, and print "bytes object" lines.
# Usage: awk -f bench/mapsize.awk build/edgebox.map | sort -rn | head
# ld puts a long section name on a line of its own, with the address, size
# and object on the next line.
/^Linker script and memory map/ { inmap = 1; next }
!inmap { next }
/^ \.(text|rodata|data)[^ ]*$/ { pending = 1; next }
pending && /^ +0x[0-9a-f]+ +0x[0-9a-f]+ / { add($2, $3); pending = 0; next }
/^ \.(text|rodata|data)[^ ]* +0x[0-9a-f]+ +0x[0-9a-f]+ / { add($3, $4) }
{ pending = 0 }

# hex("0x1f"): the value of a hexadecimal number (mawk has no strtonum).
function hex(s,   i, n) {
	n = 0
	s = tolower(substr(s, 3))
	for (i = 1; i <= length(s); i++)
		n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return n
}

function add(h, obj) {
	sub(/.*\(/, "", obj)
	sub(/\)$/, "", obj)
	sub(/^.*obj\//, "", obj)
	size[obj] += hex(h)
}

END {
	for (o in size)
		if (size[o] > 0)
			printf "%8d %s\n", size[o], o
}
