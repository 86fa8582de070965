// tests/browser/door.mjs BASE TOKEN TOKEN2 CODE2 Y4M SHOT - the door page
// in a real browser: Debian's chromium, headless, driven by
// playwright-core, with a fake camera that shows the file Y4M (a
// ticket's QR code) and every request to another origin aborted and
// failing the test (guarded.mjs). BASE is a running 'turnout serve',
// TOKEN and TOKEN2 the tokens of two gates of the event, CODE2 the code
// of another ticket, typed as a keyboard-wedge scanner does. In order:
// /door and /door/WRONG are refused (401, no scanner); the gate's page
// reads the camera's ticket and shows its verdict; the same code in
// front of the camera is not sent again; CODE2 typed and Enter gives its
// verdict, and again ALREADY IN; a walk-in is admitted; the counter;
// the second gate's page sees the camera's ticket ALREADY IN. Saves
// screenshots to SHOT (a verdict) and SHOT-scanner.png. Prints one JSON line with what it saw; exits 1
// on a failure.
import { guarded, text as textOf } from './guarded.mjs';

const [base, token, token2, code2, y4m, shot] = process.argv.slice(2);
if (!shot) {
	console.error('usage: door.mjs BASE TOKEN TOKEN2 CODE2 Y4M SHOT');
	process.exit(2);
}
const camera = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
	'--use-file-for-fake-video-capture=' + y4m];
const WAIT = { timeout: 30000 };

await guarded('door.mjs', base, { viewport: { width: 390, height: 844 } }, async (page, seen) => {
	const out = { refused: [], verdicts: [] };
	const auth = [];   // the Authorization header of each API call
	const watch = (p) => p.on('request', (r) => {
		if (new URL(r.url()).pathname.startsWith('/api/'))
			auth.push(r.headers().authorization || '');
	});
	watch(page);

	// without a valid token: refused, and no scanner on the page
	for (const path of ['/door', '/door/AAAAAAAAAAAAAAAAAAAAAAAA']) {
		const r = await page.goto(base + path);
		out.refused.push({
			path, status: r.status(),
			words: await textOf(page, 'main'),
			scanner: (await page.$$('video, input, script')).length,
		});
	}

	// verdict(p, n): waits for the n-th verdict shown on page p and reads it
	const verdict = async (p, n) => {
		await p.waitForSelector(`#verdict[data-n="${n}"]`, { ...WAIT, state: 'attached' });
		return {
			verdict: await p.getAttribute('#verdict', 'data-verdict'),
			className: await p.getAttribute('#verdict', 'class'),
			word: await textOf(p, '#verdict-word'),
			name: await textOf(p, '#verdict-name'),
			detail: await textOf(p, '#verdict-detail'),
			markup: await p.$$eval('#verdict *', (els) => els.map((e) => e.tagName).join(' ')),
			background: await p.$eval('#verdict', (e) => getComputedStyle(e).backgroundColor),
		};
	};
	const posts = () => seen.filter((s) => s.endsWith('/checkins')).length;

	// the gate's page: the camera's ticket admitted
	const first = await page.goto(base + '/door/' + token);
	out.status = first.status();
	out.csp = first.headers()['content-security-policy'] || '';
	out.cacheControl = first.headers()['cache-control'] || '';
	out.title = await textOf(page, '#title');
	out.gate = await textOf(page, '#gate');
	out.path = await page.evaluate(() => location.pathname);
	out.focused = await page.evaluate(() => document.activeElement.id);
	out.verdicts.push(await verdict(page, 1));
	out.focusedAfter = await page.evaluate(() => document.activeElement.id);

	// the same ticket stays in front of the camera: decoded again and
	// again, sent once
	const decoded = Number(await page.getAttribute('#video', 'data-decoded'));
	await page.waitForFunction((d) => Number(document.getElementById('video').dataset.decoded) >= d + 5,
		decoded, WAIT);
	out.cameraPosts = posts();

	// a keyboard-wedge scanner: the code typed, then Enter
	await page.keyboard.type(code2);
	await page.keyboard.press('Enter');
	out.verdicts.push(await verdict(page, 2));
	await page.keyboard.type('  ' + code2.toLowerCase() + ' ');   // blanks, lower case
	await page.keyboard.press('Enter');
	out.verdicts.push(await verdict(page, 3));
	out.typedPosts = posts() - out.cameraPosts;

	// a walk-in
	await page.click('#walkin-box summary');
	await page.fill('#walkin-name', 'Walk <i>In</i>');
	await page.click('#walkin button');
	out.verdicts.push(await verdict(page, 4));
	await page.waitForFunction(() => document.getElementById('admitted').textContent === '3', null, WAIT);
	out.counter = await textOf(page, '.count');
	out.overflow = await page.evaluate(() =>
		document.documentElement.scrollWidth > window.innerWidth);
	await page.screenshot({ path: shot, fullPage: true });
	await page.click('#verdict');   // a tap dismisses the verdict: the scanner
	out.hiddenAfterTap = await page.$eval('#verdict', (e) => e.hidden);
	await page.screenshot({ path: shot.replace(/\.png$/, '') + '-scanner.png', fullPage: true });
	await page.close();

	// the second gate: the camera's ticket again, ALREADY IN
	const page2 = await page.context().newPage();
	watch(page2);
	await page2.goto(base + '/door/' + token2);
	out.gate2 = await textOf(page2, '#gate');
	out.verdicts.push(await verdict(page2, 1));

	out.auth = [...new Set(auth)];
	out.requests = seen;
	return out;
}, camera);
