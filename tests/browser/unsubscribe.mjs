// tests/browser/unsubscribe.mjs URL - the unsubscribe page in a real
// browser: Debian's chromium, headless, driven by playwright-core. Opens
// URL (a /u/TOKEN page of a running 'turnout serve'), checks what it
// shows, clicks the button and waits for the confirmation. Every request
// is watched: any that leaves for another origin fails the test (and is
// aborted). Prints one JSON line with what it saw; exits 1 on a failure.
import { guarded, text as textOf } from './guarded.mjs';

const url = process.argv[2];
if (!url) {
	console.error('usage: unsubscribe.mjs URL');
	process.exit(2);
}
await guarded('unsubscribe.mjs', url, {}, async (page, seen) => {
	const first = await page.goto(url);
	const asked = await textOf(page, 'main');
	await Promise.all([page.waitForURL(url), page.getByRole('button', { name: 'Unsubscribe' }).click()]);
	await page.waitForSelector('#done');
	const done = (await page.textContent('#done')).trim();
	return {
		status: first.status(),
		csp: first.headers()['content-security-policy'] || '',
		asked, done, requests: seen.length,
	};
});
