#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# End-to-end: hostile workloads (quotes, backslashes, newlines, non-UTF-8 bytes, PATH_MAX-long
# paths and argv in labels, args and executable names) still give one valid, bounded JSON
# object per line, with the hostile text escaped, not lost.

load helpers

# No line may exceed this: records are at most 4 KiB (BH_RECORD_MAX) and escape to at most
# 6 bytes a byte; the test's labels add about 5 KiB.
LINE_MAX=65536

teardown() {
	bh_teardown
}

# Every line of the monitor's stdout: complete, one JSON object, valid UTF-8, bounded.
check_all_lines() {
	local out=$1 long
	[ -s "$out" ] || { echo "no output" >&2; return 1; }
	# The last line is complete: the output ends in a newline.
	[ "$(tail -c 1 "$out" | od -An -c | tr -d ' ')" = '\n' ] ||
		{ echo "the output does not end in a newline" >&2; return 1; }
	# jq refuses raw control bytes in strings and anything that is not JSON.
	jq -e -R 'fromjson | type == "object"' "$out" >/dev/null ||
		{ echo "a line is not one JSON object" >&2; return 1; }
	# jq replaces invalid UTF-8 silently: iconv does not.
	iconv -f UTF-8 -t UTF-8 "$out" >/dev/null ||
		{ echo "the output is not valid UTF-8" >&2; return 1; }
	long=$(LC_ALL=C awk -v max="$LINE_MAX" 'length($0) > max { print NR ": " length($0) }' "$out")
	[ -z "$long" ] || { echo "lines longer than $LINE_MAX bytes: $long" >&2; return 1; }
}

@test "hostile: labels, args and exe names with quotes, newlines, bad UTF-8, PATH_MAX" {
	bh_require docker
	local long4k script secret=bh-secret-$RANDOM$RANDOM line
	long4k=$(head -c 4000 /dev/zero | tr '\0' L)
	# Runs in the container's busybox sh; printf makes the bytes docker's JSON API would mangle.
	script='
		bad=$(printf "g\377h")
		nl=$(printf "e\nf")
		x=$(head -c 4000 /dev/zero | tr "\0" x)
		/bin/true "a\"b" "c\\d" "$nl" "$bad" "$x" 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17
		weird=$(printf "/tmp/q\"uo\\\\te\nnl\377")
		cp /bin/busybox "$weird" && "$weird"
		seg=$(head -c 250 /dev/zero | tr "\0" d)
		d=/tmp
		for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do d=$d/$seg; done
		mkdir -p "$d" && cp /bin/busybox "$d/true" && cd "$d" && ./true
		exit 0'
	# Only exec lines are needed: fewer lines to check when other workloads run on the node.
	bh_start --events exec
	# From a file: on the docker command line the secret would show up in its (host) exec's argv.
	printf 'BH_SECRET=%s\n' "$secret" >"$BATS_TEST_TMPDIR/env"
	ctr_run --env-file "$BATS_TEST_TMPDIR/env" \
		--label 'bh.quote=say "hi" \ back' \
		--label $'bh.newline=line1\nline2\r\t' \
		--label "bh.long=$long4k" \
		--label $'bh."key\n=v' \
		--label $'io.kubernetes.pod.name=pod"\nname' \
		"$IMAGE" sh -c "$script"

	# argv: each hostile argument escaped; the 4000-byte one and the argument count cut.
	line=$(wait_json ".type == \"event\" and .event == \"exec\" and $(ctr_filter) and
		.exec.filename == \"/bin/true\"")
	json_check "$line" '.exec.args[0:5] == ["/bin/true", "a\"b", "c\\d", "e\nf", "g\ufffdh"]'
	json_check "$line" '.exec.args[5] | test("^x+$") and length < 1024'
	json_check "$line" '.exec.argc == 23 and (.truncated | index(["args"]) != null)'
	# The container's labels and pod name, as docker stored them.
	json_check "$line" '.container.labels["bh.quote"] == "say \"hi\" \\ back"'
	json_check "$line" '.container.labels["bh.newline"] == "line1\nline2\r\t"'
	json_check "$line" '.container.labels["bh.\"key\n"] == "v"'
	json_check "$line" '.container.labels["bh.long"] | length == 4000'
	json_check "$line" '.container.pod.name == "pod\"\nname"'

	# An executable whose name holds a quote, a backslash, a newline and a non-UTF-8 byte.
	line=$(wait_json ".type == \"event\" and .event == \"exec\" and $(ctr_filter) and
		(.exec.filename | startswith(\"/tmp/q\"))")
	json_check "$line" '.exec.filename == "/tmp/q\"uo\\te\nnl\ufffd"'
	json_check "$line" '.process.exe == "/tmp/q\"uo\\te\nnl\ufffd"'

	# A path longer than the record's bounds: cut, flagged, still one valid line.
	line=$(wait_json ".type == \"event\" and .event == \"exec\" and $(ctr_filter) and
		.exec.filename == \"./true\"")
	# The kernel keeps the end of a path it cuts: the name, not the first directories.
	json_check "$line" '.process.exe | test("^/d+/true$") and length <= 256'
	json_check "$line" '.truncated | index(["exe"]) != null'

	bh_stop
	check_all_lines "$BH_OUT"
	# The container's environment is never printed.
	! grep -q -- "$secret" "$BH_OUT" || false
}
