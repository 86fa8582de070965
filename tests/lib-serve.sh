# tests/lib-serve.sh - 'turnout serve' for the shell tests: started on a
# loopback port it picks itself (--listen 127.0.0.1:0), read from its
# "listening on" line, and stopped with SIGTERM. Source it after lib.sh:
#
#   . "$(dirname "$0")/lib.sh"
#   . "$TN_TOP/tests/lib-serve.sh"
#
# A server started at the top of a script serves every case after it; one
# started inside a case body (a subshell) must be stopped there. Every
# server still running is killed when the script exits, before the trash
# directory goes.

: "${TRASH:?source lib.sh before lib-serve.sh}"

# serve_start LOG [ARGS...]: starts 'turnout serve --listen 127.0.0.1:0
# ARGS' in the background with its stderr (the access log) in LOG, waits
# (30 s at most) for its address and sets SERVE_URL (http://127.0.0.1:PORT,
# or https) and SERVE_PID. Its exit status goes to LOG.status when it
# ends, so any shell can stop it (serve_stop). Fails, showing LOG, if it
# does not come up.
serve_start() {
	local log=$1 tenths=300
	shift &&
	: >"$log" &&
	rm -f "$log.pid" "$log.status" &&
	{ (
		"$TURNOUT" serve --listen 127.0.0.1:0 "$@" </dev/null >/dev/null 2>"$log" &
		echo $! >"$log.pid"
		wait $!
		echo $? >"$log.status"
	) & } &&
	test_wait_for "$log.pid" &&
	SERVE_PID=$(cat "$log.pid") &&
	SERVE_LOG=$log &&
	echo "$SERVE_PID" >>"$TRASH/.servers" &&
	while ! grep -q "^turnout: serve: listening on " "$log"; do
		if [ "$tenths" -le 0 ] || ! kill -0 "$SERVE_PID" 2>/dev/null; then
			echo "turnout serve did not start; its stderr:" >&2
			cat "$log" >&2
			return 1
		fi
		sleep 0.1 &&
		tenths=$((tenths - 1))
	done &&
	SERVE_URL=$(sed -n 's/^turnout: serve: listening on //p' "$log")
}

# serve_wait [LOG]: waits (60 s at most) until the server of LOG (default
# $SERVE_LOG) has exited; its exit status must be 0.
serve_wait() {
	local log=${1:-$SERVE_LOG}
	test_wait_for "$log.status" 60 &&
	if [ "$(cat "$log.status")" != 0 ]; then
		echo "turnout serve exited with $(cat "$log.status"); its stderr:" >&2
		cat "$log" >&2
		return 1
	fi
}

# serve_stop: SIGTERM to the server of $SERVE_PID and $SERVE_LOG, which
# must then exit 0 (serve_wait).
serve_stop() {
	kill -TERM "$SERVE_PID" &&
	serve_wait
}

# http_status WANT CURL-ARGS...: curl must get status WANT; the body is
# left in $TRASH/.body, the headers in $TRASH/.headers.
http_status() {
	local want=$1 got
	shift &&
	got=$(curl -sS -o "$TRASH/.body" -D "$TRASH/.headers" -w "%{http_code}" "$@") &&
	if [ "$got" != "$want" ]; then
		echo "expected HTTP $want, got $got: curl $*" >&2
		cat "$TRASH/.body" >&2
		return 1
	fi
}

# header_has REGEX: a header line of the last http_status matches REGEX
# (extended, case-insensitive, CR removed).
header_has() {
	tr -d '\r' <"$TRASH/.headers" | grep -E -i -q -- "$1" || {
		echo "no header matches /$1/:" >&2
		cat "$TRASH/.headers" >&2
		return 1
	}
}

# body_has TEXT: the body of the last http_status holds TEXT (fixed string).
body_has() {
	grep -F -q -- "$1" "$TRASH/.body" || {
		echo "body lacks '$1':" >&2
		cat "$TRASH/.body" >&2
		return 1
	}
}

serve_kill_all() {
	local pid
	[ -f "$TRASH/.servers" ] || return 0
	while read -r pid; do
		kill -KILL "$pid" 2>/dev/null
	done <"$TRASH/.servers"
	rm -f "$TRASH/.servers"
}

eval "serve_prev_exit=$(trap -p EXIT | sed -e 's/^trap -- //' -e 's/ EXIT$//')"
trap "serve_kill_all; $serve_prev_exit" EXIT
