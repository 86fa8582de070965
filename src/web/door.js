// src/web/door.js - the door page's script (web/door.c inlines it after
// npm's jsQR). It scans ticket codes with the camera (BarcodeDetector
// where the browser has a working one, else jsQR) and from the focused
// input (a keyboard-wedge scanner types the code and Enter), sends each
// to the JSON API with the gate's token as a Bearer token, and shows the
// verdict over the whole screen in its colour, with a vibration and a
// sound; a walk-in form, and the admitted / expected counter. Everything
// the server or a visitor wrote is put in with textContent, never as
// HTML. The token stays in this page only: the address bar loses it.
(function () {
	'use strict';
	const main = document.getElementById('door');
	const token = main.dataset.token;
	const api = '/api/v1/events/' + encodeURIComponent(main.dataset.event);
	const $ = (id) => document.getElementById(id);
	const input = $('code'), verdictBox = $('verdict'), cameraState = $('camera-state');
	const SAME_CODE_MS = 2000;   // a code in front of the camera is sent once
	const STATS_MS = 10000;
	const SHOW_MS = 4000;        // a verdict covers the screen this long

	// The link's token leaves the address bar (and so the history and
	// any screenshot of it); the page keeps it.
	history.replaceState(null, '', '/door');

	async function call(method, path, body) {
		const opts = { method, headers: { Authorization: 'Bearer ' + token },
			cache: 'no-store', credentials: 'omit' };
		if (body !== undefined) {
			opts.headers['Content-Type'] = 'application/json';
			opts.body = JSON.stringify(body);
		}
		const r = await fetch(api + path, opts);
		let data = null;
		try { data = await r.json(); } catch (e) { /* no JSON body */ }
		return { status: r.status, data };
	}

	// ---- feedback: sound and vibration --------------------------------

	let audio = null;
	function beep(ok) {
		try {
			audio = audio || new (window.AudioContext || window.webkitAudioContext)();
			if (audio.state === 'suspended')
				audio.resume();
			const o = audio.createOscillator(), g = audio.createGain(), t = audio.currentTime;
			o.type = ok ? 'sine' : 'square';
			o.frequency.setValueAtTime(ok ? 880 : 220, t);
			if (ok)
				o.frequency.setValueAtTime(1320, t + 0.08);
			g.gain.setValueAtTime(0.2, t);
			g.gain.exponentialRampToValueAtTime(0.001, t + (ok ? 0.2 : 0.45));
			o.connect(g).connect(audio.destination);
			o.start(t);
			o.stop(t + (ok ? 0.2 : 0.45));
		} catch (e) { /* no sound here: the colour says it */ }
		if (navigator.vibrate)
			navigator.vibrate(ok ? 80 : [200, 100, 200]);
	}

	// ---- the verdict --------------------------------------------------

	const WORDS = { admit: 'ADMIT', duplicate: 'ALREADY IN', invalid: 'INVALID',
		wrong_event: 'WRONG EVENT', revoked: 'REVOKED', cancelled: 'CANCELLED' };
	let hideTimer = 0, shown = 0;

	function localTime(utc) {
		// "YYYY-MM-DDTHH:MM:SSZ" (or with a space) as the browser's own clock
		const d = new Date(/[zZ]$/.test(utc) ? utc.replace(' ', 'T') : utc.replace(' ', 'T') + 'Z');
		return isNaN(d) ? utc : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
	}

	function show(kind, word, name, detail) {
		verdictBox.className = kind;
		verdictBox.dataset.verdict = kind === 'refused' ? '' : kind;
		$('verdict-word').textContent = word;
		$('verdict-name').textContent = name || '';
		$('verdict-detail').textContent = detail || '';
		verdictBox.dataset.n = String(++shown);
		verdictBox.hidden = false;
		clearTimeout(hideTimer);
		hideTimer = setTimeout(hide, SHOW_MS);
		refocus();
	}
	function hide() {
		verdictBox.hidden = true;
		refocus();
	}
	// the scanner's input, unless someone is typing a walk-in's name
	function refocus() {
		if (!$('walkin-box').open)
			input.focus();
	}
	verdictBox.addEventListener('click', hide);

	function showVerdict(v) {
		const word = WORDS[v.verdict] || String(v.verdict).toUpperCase();
		let detail = '';
		if (v.verdict === 'duplicate')
			detail = 'admitted at ' + localTime(v.admitted_at || '') +
				(v.admitted_gate ? ', gate ' + v.admitted_gate : '');
		else if (v.walkin)
			detail = 'walk-in';
		const name = v.name || (v.ticket ? 'ticket ' + v.ticket : '');
		show(v.verdict === 'admit' ? 'admit' : v.verdict === 'duplicate' ? 'duplicate' : 'refused',
			word, name, detail);
		verdictBox.dataset.verdict = v.verdict;
		beep(v.verdict === 'admit');
		refreshStats();
	}

	// A scan that got no verdict was not recorded: it may be scanned again.
	function showFailure(r) {
		if (r && r.status === 401)
			show('offline', 'GATE CLOSED', '', 'this gate no longer works: open its login link again');
		else
			show('offline', 'NOT RECORDED', '', r && r.data && r.data.error
				? r.data.error : 'no answer from the server: scan again');
		verdictBox.dataset.verdict = 'error';
		beep(false);
	}

	// ---- scanning -----------------------------------------------------

	let inFlight = 0;
	async function checkin(code) {
		inFlight++;
		try {
			const r = await call('POST', '/checkins', { code });
			if (r.status === 200 && r.data && r.data.verdict)
				showVerdict(r.data);
			else
				showFailure(r);
			return r.status === 200;
		} catch (e) {
			showFailure(null);
			return false;
		} finally {
			inFlight--;
		}
	}

	$('scan').addEventListener('submit', (e) => {
		e.preventDefault();
		const code = input.value;
		input.value = '';
		input.focus();
		if (code.trim())
			checkin(code);
	});
	// A wedge scanner types into whatever has the focus: give it back to
	// the input whenever it falls to nothing.
	document.addEventListener('focusout', () => setTimeout(() => {
		if (!document.activeElement || document.activeElement === document.body)
			input.focus();
	}, 0));

	// ---- the camera ---------------------------------------------------

	const video = $('video');
	const canvas = document.createElement('canvas');
	const g = canvas.getContext('2d', { willReadFrequently: true });
	let detector = null, last = { code: '', at: 0 }, decoded = 0;

	async function readFrame() {
		if (detector) {
			try {
				const found = await detector.detect(video);
				return found.length ? found[0].rawValue : null;
			} catch (e) {
				detector = null;   // NotSupportedError and the like: jsQR from now on
			}
		}
		const w = video.videoWidth, h = video.videoHeight;
		if (!w || !h)
			return null;
		const scale = Math.min(1, 800 / Math.max(w, h));
		canvas.width = Math.round(w * scale);
		canvas.height = Math.round(h * scale);
		g.drawImage(video, 0, 0, canvas.width, canvas.height);
		const img = g.getImageData(0, 0, canvas.width, canvas.height);
		const r = window.jsQR(img.data, img.width, img.height, { inversionAttempts: 'attemptBoth' });
		return r ? r.data : null;
	}

	async function tick() {
		let code = null;
		try {
			code = await readFrame();
		} catch (e) { /* a frame that cannot be read: the next one */ }
		const now = Date.now();
		if (code) {
			video.dataset.decoded = String(++decoded);
			// the same code still in view is not sent again; another
			// code, or the same after ~2 s with no code in view, is
			// (once the scan before has its answer)
			const fresh = code !== last.code || now - last.at > SAME_CODE_MS;
			if (!fresh || !inFlight)
				last = { code, at: now };
			if (fresh && !inFlight)
				checkin(code).then((ok) => { if (!ok) last = { code: '', at: 0 }; });
		}
		setTimeout(tick, code ? 250 : 120);
	}

	async function startCamera() {
		if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
			cameraState.textContent = 'No camera here (a phone needs the https link): use a scanner or type the code.';
			return;
		}
		cameraState.textContent = 'Starting the camera…';
		try {
			const stream = await navigator.mediaDevices.getUserMedia(
				{ video: { facingMode: 'environment' }, audio: false });
			video.srcObject = stream;
			$('camera').hidden = false;
			await video.play();
		} catch (e) {
			cameraState.textContent = 'No camera (' + e.name + '): use a scanner or type the code.';
			return;
		}
		if ('BarcodeDetector' in window) {
			try {
				const formats = await window.BarcodeDetector.getSupportedFormats();
				if (formats.includes('qr_code'))
					detector = new window.BarcodeDetector({ formats: ['qr_code'] });
			} catch (e) { detector = null; }
		}
		cameraState.textContent = 'Hold a ticket’s QR code in front of the camera.';
		cameraState.dataset.ready = '1';
		tick();
	}

	// ---- walk-ins -----------------------------------------------------

	$('walkin').addEventListener('submit', async (e) => {
		e.preventDefault();
		const err = $('walkin-error');
		const body = { name: $('walkin-name').value.trim() };
		const email = $('walkin-email').value.trim();
		if (email)
			body.email = email;
		err.textContent = '';
		try {
			const r = await call('POST', '/walkins', body);
			if (r.status === 200 && r.data && r.data.verdict) {
				$('walkin').reset();
				$('walkin-box').open = false;
				showVerdict(r.data);
			} else if (r.status === 401) {
				showFailure(r);
			} else {
				err.textContent = (r.data && r.data.error) || ('refused (' + r.status + ')');
			}
		} catch (e2) {
			err.textContent = 'no answer from the server: try again';
		}
	});

	// ---- the counter --------------------------------------------------

	let statsTimer = 0;
	async function refreshStats() {
		clearTimeout(statsTimer);
		statsTimer = setTimeout(refreshStats, STATS_MS);
		try {
			const r = await call('GET', '/stats');
			if (r.status === 200 && r.data) {
				$('admitted').textContent = String(r.data.admitted);
				$('expected').textContent = String(r.data.expected);
			}
		} catch (e) { /* offline for now: the next refresh */ }
	}

	input.focus();
	refreshStats();
	startCamera();
})();
