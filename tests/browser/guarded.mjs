// tests/browser/guarded.mjs - what every browser test shares: Debian's
// chromium, headless, driven by playwright-core, with every request to
// another origin than the page's aborted and recorded (a route for
// requests and WebSockets, and a resolver rule so that no other host name
// resolves should one slip past), and each request the page makes listed.
//
// guarded(name, url, contextOptions, body[, launchArgs]): opens a context
// with contextOptions, calls body(page, seen) where seen lists the
// requests as "METHOD /path", and prints what body returns as one JSON
// line with `external` (the requests that tried to leave). Exits 1 with
// name and the reason when body throws or anything tried to leave.
// launchArgs are more chromium flags (a fake camera).
import { chromium } from 'playwright-core';

export async function guarded(name, url, contextOptions, body, launchArgs = []) {
	const origin = new URL(url).origin;
	const seen = [], external = [];
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: ['--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1', ...launchArgs],
	});
	let failed = null;
	try {
		const ctx = await browser.newContext(contextOptions);
		await ctx.route('**', (r) => {
			const u = r.request().url();
			if (new URL(u).origin === origin || u.startsWith('data:'))
				return r.continue();
			external.push(u);
			return r.abort();
		});
		await ctx.routeWebSocket((u) => true, (ws) => { external.push(ws.url()); ws.close(); });
		const page = await ctx.newPage();
		page.on('request', (r) => seen.push(r.method() + ' ' + new URL(r.url()).pathname));
		const result = await body(page, seen);
		console.log(JSON.stringify({ ...result, external }));
		if (external.length)
			failed = 'requests left for another origin: ' + external.join(' ');
	} catch (e) {
		failed = String(e);
	} finally {
		await browser.close();
	}
	if (failed) {
		console.error(name + ': ' + failed);
		process.exit(1);
	}
}

// The text of the first element matching sel, blanks collapsed.
export async function text(page, sel) {
	return (await page.textContent(sel)).replace(/\s+/g, ' ').trim();
}
