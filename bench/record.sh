# record.sh -- sourced by the benchmarks to write their report into a file.

# record FILE BEGIN END TITLE REPORT: replace the lines between the markers
# BEGIN and END of FILE with REPORT, adding a section TITLE when missing.
record()
{
	[ -f "$1" ] || printf '# Benchmarks\n' >"$1"
	if ! grep -qx "$2" "$1"; then
		printf '\n## %s\n\n%s\n%s\n' "$4" "$2" "$3" >>"$1"
	fi
	awk -v begin="$2" -v end="$3" -v report="$5" '
		$0 == begin { print; while ((getline line < report) > 0) print line; skip = 1; next }
		$0 == end { skip = 0 }
		!skip { print }' "$1" >"$1.new" && mv "$1.new" "$1"
}
