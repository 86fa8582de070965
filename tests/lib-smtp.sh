# tests/lib-smtp.sh - a real SMTP server for the shell tests: start and
# stop tests/smtp_sink.py (aiosmtpd on a loopback port it picks itself;
# its header lists the modes). Source it after lib.sh:
#
#   . "$(dirname "$0")/lib.sh"
#   . "$TN_TOP/tests/lib-smtp.sh"     # lib.sh has left the script's directory
#
# A sink may be started at the top of the script or inside a case body
# (a subshell: what it exports is gone after the body, so use and stop it
# there). Every sink that is not stopped is stopped when the script exits,
# before the trash directory goes, whichever shell started it and however
# the test ended.

: "${TRASH:?source lib.sh before lib-smtp.sh}"

# smtp_sink_start DIR [ARGS...]: starts the sink with ARGS (--mode M,
# --auth U:P, --delay S, --starttls, --smtps) in the background. Each
# accepted message goes to DIR/NNN.eml with its envelope in DIR/NNN.env
# (DIR is created); the log is DIR.log, the sink's stderr DIR.err. Waits
# (30 s at most) for the port and exports SMTP_PORT, SMTP_URL
# (smtp://127.0.0.1:PORT/turnout.test), SMTP_SINK_LOG and SMTP_SINK_PID.
# Fails, showing the sink's stderr, if it does not come up.
smtp_sink_start() {
	local dir=$1 tenths=300
	shift &&
	mkdir -p "$dir" &&
	rm -f "$dir.port" &&
	{ "$PY" "$TN_TOP/tests/smtp_sink.py" --port-file "$dir.port" --dir "$dir" \
		--log "$dir.log" "$@" </dev/null >"$dir.err" 2>&1 & } &&
	SMTP_SINK_PID=$! &&
	echo "$SMTP_SINK_PID" >>"$TRASH/.smtp-sinks" &&
	while [ ! -e "$dir.port" ]; do
		if [ "$tenths" -le 0 ] || ! kill -0 "$SMTP_SINK_PID" 2>/dev/null; then
			echo "smtp_sink.py did not start; its stderr:" >&2
			cat "$dir.err" >&2
			smtp_sink_stop
			return 1
		fi
		sleep 0.1 &&
		tenths=$((tenths - 1))
	done &&
	SMTP_PORT=$(cat "$dir.port") &&
	SMTP_URL="smtp://127.0.0.1:$SMTP_PORT/turnout.test" &&
	SMTP_SINK_LOG="$dir.log" &&
	export SMTP_PORT SMTP_URL SMTP_SINK_LOG SMTP_SINK_PID
}

# smtp_sink_kill PID: ends that sink (SIGTERM; SIGKILL if it is still
# there after 10 s) and waits until it is gone.
smtp_sink_kill() {
	local pid=$1 tenths=100
	kill -TERM "$pid" 2>/dev/null
	# our own child is reaped by wait; another shell's is polled
	wait "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$tenths" -le 0 ]; then
			kill -KILL "$pid" 2>/dev/null
			tenths=100
		fi
		sleep 0.1
		tenths=$((tenths - 1))
	done
	return 0
}

# smtp_sink_stop [PID]: stops the sink smtp_sink_start started last (or
# PID) and forgets it. Always succeeds.
smtp_sink_stop() {
	local pid=${1:-$SMTP_SINK_PID}
	[ -n "$pid" ] || return 0
	smtp_sink_kill "$pid"
	if [ -f "$TRASH/.smtp-sinks" ]; then
		grep -vx "$pid" "$TRASH/.smtp-sinks" >"$TRASH/.smtp-sinks.new"
		mv "$TRASH/.smtp-sinks.new" "$TRASH/.smtp-sinks"
	fi
	[ "$pid" != "$SMTP_SINK_PID" ] || unset SMTP_SINK_PID
	return 0
}

# Stops every sink still listed; run at exit.
smtp_sink_stop_all() {
	local pid
	[ -f "$TRASH/.smtp-sinks" ] || return 0
	while read -r pid; do
		smtp_sink_kill "$pid"
	done <"$TRASH/.smtp-sinks"
	rm -f "$TRASH/.smtp-sinks"
}

# smtp_sink_count PATTERN: how many lines of the sink's log match PATTERN
# (an extended regex over whole lines: "connect", "data [0-9]+ 250").
smtp_sink_count() {
	grep -E -c -x -- "$1" "$SMTP_SINK_LOG" || true
}

# Stop the sinks before whatever ran at exit already (lib.sh removes the
# trash directory, where the list of sinks is).
eval "smtp_sink_prev_exit=$(trap -p EXIT | sed -e 's/^trap -- //' -e 's/ EXIT$//')"
trap "smtp_sink_stop_all; $smtp_sink_prev_exit" EXIT
