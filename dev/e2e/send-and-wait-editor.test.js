'use strict';
/**
 * Send and Wait for Response run from n8n's editor, as a user tries it first: "Execute workflow" in
 * Chromium on a Manual Trigger → Send and Wait (sandbox mode) → No Op "After". The execution waits;
 * the mail the sandbox kept gives the link; a GET of it does not resume; the page's button (a POST)
 * does, and the editor shows After's item `data.approved: true`. Its own n8n with sqlite.
 */
const path = require('node:path');
const assert = require('node:assert/strict');
const { setTimeout: sleep } = require('node:timers/promises');
const { describe, it, after } = require('node:test');
const rt = require('../n8n/runtime');
const h = require('./helpers');
const { openEditor } = require('./editor');

const SUBJECT = 'Question from the editor';
const workflow = h.chain('mpSawEditor01', 'e2e send and wait from the editor', [
	{ name: 'Start', type: 'n8n-nodes-base.manualTrigger' },
	{
		name: 'Ask',
		type: rt.NODE_TYPE,
		credentials: h.CREDENTIALS,
		parameters: { resource: 'message', operation: 'sendAndWait', to: 'ada@example.com', subject: SUBJECT, message: 'Go?', sandbox: true },
	},
	{ name: 'After', type: 'n8n-nodes-base.noOp' },
]);
const server = h.lazy(async () => {
	const { env, sandbox } = await h.prepareN8n({ workflows: [workflow] });
	return { n8n: await h.startServer(env, 'n8n-saw-editor.log'), sandbox };
});

describe('Send and Wait for Response from the editor', () => {
	let ed = null;
	after(() => ed?.close());

	it('setup: n8n with the package, the sandbox and the workflow', async () => {
		await server();
	});

	it('Execute workflow waits; a GET of the mail’s link does not resume; its page’s button does', async () => {
		const { n8n, sandbox } = await server();
		ed = await openEditor(n8n.url, path.join(await h.root(), 'chromium-profile-saw'));
		const { page } = ed;
		await ed.open('/signin');
		await page.locator('[data-test-id="emailOrLdapLoginId"] input').fill(rt.LOCAL_OWNER.email, { timeout: 180000 });
		await page.locator('[data-test-id="password"] input').fill(rt.LOCAL_OWNER.password);
		await page.locator('[data-test-id="form-submit-button"]').click();
		await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
		await ed.open(`/workflow/${workflow.id}`);
		const afterNode = ed.canvasNode('After');
		await afterNode.waitFor({ timeout: 180000 });
		await page.locator('[data-test-id="execute-workflow-button"]').first().click();

		let mail;
		await h.until(async () => {
			const messages = Object.values((await h.sandboxState(sandbox.baseUrl)).accounts[rt.SANDBOX_KEYS.demo].messages);
			return (mail = messages.find((m) => m.subject === SUBJECT));
		}, 'the mail in the sandbox', 120000, 500);
		const link = /href="([^"]+)"/.exec(mail.htmlContent)[1].replaceAll('&amp;', '&');
		assert.match(link, /\/webhook-waiting\/.+signature=/, 'the button links to n8n’s signed resume URL');
		await ed.shot('15-send-and-wait-waiting.png');

		const opened = await fetch(link, { redirect: 'manual', signal: AbortSignal.timeout(60000) });
		assert.equal(opened.status, 200, 'the link opens a page');
		await sleep(3000);
		assert.equal(await afterNode.locator('[data-test-id="canvas-node-status-success"]').count(), 0, 'a GET resumed the execution');

		const answered = await fetch(link, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '', signal: AbortSignal.timeout(60000) });
		assert.equal(answered.status, 200, 'the page’s button is answered');
		await afterNode.locator('[data-test-id="canvas-node-status-success"]').waitFor({ timeout: 120000 });
		await afterNode.dblclick();
		const output = page.locator('[data-test-id="output-panel"]');
		await output.locator('[data-test-id="ndv-data-container"]').waitFor();
		// The panel fills its table after the container appears.
		await output.getByText('approved').first().waitFor({ timeout: 30000 }).catch(() => {});
		const shown = await output.innerText();
		await ed.shot('16-send-and-wait-answered.png');
		assert.match(shown, /approved\s*:?\s*true/i, `After shows the answer: ${shown.replace(/\s+/g, ' ').slice(0, 300)}`);
	});
});
