// tests/browser/register.mjs URL NAME EMAIL - the public registration
// page in a real browser: Debian's chromium, headless, driven by
// playwright-core. Opens URL (a /r/CODE page of a running 'turnout
// serve'), fills in the form as a person would (typing, then the
// Register button) and waits for the confirmation. Every request is
// watched: any that leaves for another origin fails the test (and is
// aborted). Prints one JSON line with what it saw; exits 1 on a failure.
import { guarded, text as textOf } from './guarded.mjs';

const [url, name, email] = process.argv.slice(2);
if (!email) {
	console.error('usage: register.mjs URL NAME EMAIL');
	process.exit(2);
}
await guarded('register.mjs', url, { viewport: { width: 390, height: 844 } }, async (page, seen) => {
	const first = await page.goto(url);
	const text = (sel) => textOf(page, sel);
	const title = await text('h1');
	await page.getByLabel('Name').fill(name);
	await page.getByLabel('E-mail').fill(email);
	await Promise.all([page.waitForURL(url), page.getByRole('button', { name: 'Register' }).click()]);
	await page.waitForSelector('#done');
	const done = await text('#done');
	return {
		status: first.status(),
		csp: first.headers()['content-security-policy'] || '',
		title, done, requests: seen,
	};
});
