# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by the start-*.sh scripts: start a daemon for the tests and wait until it answers.

# start_daemon NAME LOG WAIT_S PROBE CMD...: runs CMD detached with its output appended to
# LOG, then polls the PROBE function until it succeeds (0), the daemon exits, or WAIT_S
# seconds pass (1, with the end of LOG on stderr).
start_daemon() {
	local name=$1 log=$2 wait=$3 probe=$4 pid
	shift 4
	printf 'start-%s: starting %s (log: %s)\n' "$name" "$name" "$log" >&2
	# setsid and closed descriptors: the daemon must outlive its starter and hold none of
	# the caller's pipes (make, tests/run.sh, bats' fd 3), or their readers wait for an end
	# of file that never comes.
	(
		for fd in /proc/self/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] && eval "exec $fd>&-"
		done 2>/dev/null
		exec setsid "$@" </dev/null >>"$log" 2>&1
	) &
	pid=$!
	for _ in $(seq $((wait * 10))); do
		if "$probe"; then
			printf 'start-%s: %s is up (pid %s)\n' "$name" "$name" "$pid" >&2
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		printf 'start-%s: %s (pid %s) did not answer within %ss; last lines of %s:\n' \
			"$name" "$name" "$pid" "$wait" "$log" >&2
	else
		printf 'start-%s: %s exited; last lines of %s:\n' "$name" "$name" "$log" >&2
	fi
	tail -n 20 "$log" >&2
	return 1
}
