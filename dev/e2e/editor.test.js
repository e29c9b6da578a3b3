'use strict';
/**
 * Part 3 of the e2e run: n8n's editor in Chromium (editor.js), on its own n8n with what `npm start`
 * gives a newcomer: the demo credential and the examples, and a Send and Wait for Response workflow
 * run from the editor as a user tries it first. Each step is a test, in order, sharing one page; a
 * step that needs an earlier one's state fails with a clear message when that one failed. The same
 * n8n (sqlite) then runs the Send and Wait cases of send-and-wait.js, which part 4 runs in queue mode.
 */
const path = require('node:path');
const assert = require('node:assert/strict');
const { setTimeout: sleep } = require('node:timers/promises');
const { describe, it, after } = require('node:test');
const rt = require('../n8n/runtime');
const h = require('./helpers');
const { openEditor, PICKER_ITEM } = require('./editor');
const sendAndWaitCases = require('./send-and-wait');

const OWN_NODE = `[data-test-id="canvas-node"][data-node-type="${rt.NODE_TYPE}"]`;
/** Send and Wait run from the editor: Manual Trigger → Send and Wait → No Op "After". */
const sendAndWait = sendAndWaitCases.askWorkflow('editor', {}, { name: 'Start', type: 'n8n-nodes-base.manualTrigger' });
const server = h.lazy(async () => {
	const workflows = [...rt.loadExamples().map((e) => e.workflow), sendAndWait.workflow, ...sendAndWaitCases.WORKFLOWS];
	const { env, sandbox } = await h.prepareN8n({ workflows });
	return { ...(await h.startServer(env)), sandbox };
});

describe('part 3: the editor in Chromium', () => {
	let ed = null;
	let panelOpen = false;
	let sendNodeName = null;
	let statusNodeName = null;
	const signedIn = () => assert.ok(ed && !ed.page.url().includes('/signin'), 'not signed in');
	const assertPanelOpen = () => assert.ok(panelOpen, 'the node panel is not open');
	after(() => ed?.close());

	it('setup: build and pack, n8n installed, package, sandbox, imports, n8n start answers', async () => {
		await server();
	});

	it('editor: Chromium starts (playwright-core)', async () => {
		ed = await openEditor((await server()).url, path.join(await h.root(), 'chromium-profile'));
	});

	it('editor: sign in as the preset owner', async () => {
		assert.ok(ed, 'no browser');
		const { page } = ed;
		await ed.open('/signin');
		await page.locator('[data-test-id="emailOrLdapLoginId"] input').fill(rt.LOCAL_OWNER.email, { timeout: 180000 });
		await page.locator('[data-test-id="password"] input').fill(rt.LOCAL_OWNER.password);
		await ed.shot('01-signin.png');
		await page.locator('[data-test-id="form-submit-button"]').click();
		await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
	});

	it('editor: the example workflow opens with the MailPartner node and its icon', async () => {
		signedIn();
		await ed.open('/workflow/mpCheckCredits01');
		const node = ed.canvasNode('Get credits');
		await node.waitFor({ timeout: 180000 });
		assert.equal(await node.getAttribute('data-node-type'), rt.NODE_TYPE);
		const names = await ed.nodeNames('[data-test-id="canvas-node"]');
		assert.ok(names.length >= 4, `canvas shows ${JSON.stringify(names)}`);
		const shown = await ed.icon(node, 'img', true);
		await ed.shot('02-workflow-canvas.png');
		assert.ok(shown.ok, `node icon on the canvas does not render: ${JSON.stringify(shown)}`);
		if (shown.kind === 'img') assert.match(shown.src, /mailpartner/i, 'the icon is the package’s own SVG');
	});

	it('editor: the MailPartner node panel opens with credential, resource and operation', async () => {
		assert.ok(ed, 'no browser');
		await ed.canvasNode('Get credits').dblclick();
		await ed.param('resource').waitFor();
		panelOpen = true;
		const credential = await ed.ndv.locator('[data-test-id="node-credentials-select"] input').inputValue().catch(() => '');
		await ed.shot('03-node-panel.png');
		assert.equal(credential, 'MailPartner sandbox', 'the imported credential is selected');
		const headerIcon = await ed.icon(ed.ndv, 'img[src*="mailpartner" i]', false);
		assert.ok(headerIcon.ok, `node icon in the panel header does not render: ${JSON.stringify(headerIcon)}`);
	});

	it('editor: the resource and operation selectors offer the examples’ operations', async () => {
		assertPanelOpen();
		const resources = await ed.optionsOf(ed.param('resource'), '04-resource-options.png');
		for (const r of ['Account', 'Message', 'Subaccount']) assert.ok(resources.includes(r), `resource ${r} in ${JSON.stringify(resources)}`);
		const operations = {};
		for (const resource of ['Account', 'Message', 'Subaccount']) {
			await ed.choose(ed.param('resource'), resource);
			operations[resource] = await ed.optionsOf(ed.param('operation'), resource === 'Subaccount' && '05-operation-options.png');
		}
		// Back to what the workflow had (the panel edits the open workflow; it is never saved).
		await ed.choose(ed.param('resource'), 'Account');
		await ed.choose(ed.param('operation'), 'Get Credits');
		// The operations the examples use must be offered; the node may offer more.
		assert.ok(operations.Account.includes('Get Credits'), JSON.stringify(operations));
		assert.ok(operations.Message.includes('Get Status'), JSON.stringify(operations));
		assert.ok(operations.Subaccount.includes('Create'), JSON.stringify(operations));
		assert.ok(operations.Subaccount.some((o) => o === 'List' || o === 'Get Many'), JSON.stringify(operations));
	});

	it('editor: Execute step shows the credits in the output table', async () => {
		assertPanelOpen();
		await ed.ndv.locator('[data-test-id="node-execute-button"]').first().click();
		const output = await ed.output();
		const tableButton = output.locator('[data-test-id="radio-button-table"]');
		if (await tableButton.count()) await tableButton.first().click();
		await output.getByText(/1 item/i).first().waitFor().catch(() => {});
		const text = await output.locator('table').first().innerText();
		await ed.shot('06-output-table.png');
		assert.match(text, /credits/i, `output table: ${text.slice(0, 500)}`);
		assert.match(text, /EUR/, 'currency in the table');
		assert.match(text, /5000/, 'creditMail in the table');
		// The balance in euros is a number: 250, not MailPartner's text "250.000".
		assert.match(text, /\b250\b/, 'balance in the table');
		assert.doesNotMatch(text, /250\.000/, 'the balance is a number, not MailPartner’s text');
		assert.match(text, /demo@sandbox\.mailpartner\.invalid/, 'username in the table');
		const summary = await output.innerText();
		assert.match(summary, /1 item/i, `one item: ${summary.slice(0, 300)}`);
	});

	it('editor: a MailPartner refusal shows its MailPartner code in the error panel', async () => {
		assertPanelOpen();
		// Message → Get Status of a message the sandbox does not have: MailPartner's code 4.
		await ed.choose(ed.param('resource'), 'Message');
		await ed.choose(ed.param('operation'), 'Get Status');
		// Message ID starts as the expression {{ $json.messageId }} (the previous Send's): typed over
		// in n8n's inline expression editor, it becomes "=999999", which n8n reads as 999999.
		await ed.param('messageId').locator('[contenteditable="true"], input, textarea').first().waitFor();
		const expression = ed.param('messageId').locator('[data-test-id="inline-expression-editor-input"] [contenteditable="true"], .cm-content[contenteditable="true"]');
		if (await expression.count()) {
			await expression.first().click();
			await ed.page.keyboard.press('ControlOrMeta+A');
			await ed.page.keyboard.type('999999');
		} else {
			await ed.param('messageId').locator('input, textarea').first().fill('999999');
		}
		// n8n takes a typed value in after a short debounce, which no element shows: executing at once
		// would run the old value.
		await ed.page.waitForTimeout(500);
		await ed.ndv.locator('[data-test-id="node-execute-button"]').first().click();
		const output = ed.page.locator('[data-test-id="output-panel"]');
		await output.getByText('Message not found (MailPartner code 4').first().waitFor();
		const details = output.locator('details').first();
		if (await details.count()) await details.locator('summary').first().click();
		await output.getByText(/Error code/).first().waitFor().catch(() => {});
		const text = await output.innerText();
		await ed.shot('07-error-panel.png');
		assert.match(text, /Error code\s*4\b/, `the error panel shows MailPartner's code: ${text.slice(0, 800)}`);
	});

	it('editor: Add Credit’s Subaccount field offers the modes From List and By Token', async () => {
		assertPanelOpen();
		await ed.choose(ed.param('resource'), 'Subaccount');
		await ed.choose(ed.param('operation'), 'Add Credit');
		const modes = await ed.optionsOf(ed.ndv.locator('[data-test-id="rlc-mode-selector"]').first(), '11-subaccount-modes.png');
		// n8n labels a mode named "list" "From list" whatever its displayName; the token mode's own name shows.
		assert.deepEqual(modes.map((t) => t.toLowerCase()), ['from list', 'by token'], `the Subaccount field's modes: ${JSON.stringify(modes)}`);
		const panel = await ed.ndv.innerText();
		assert.match(panel, /Subaccount/, 'the field is labelled Subaccount');
		assert.match(panel, /Amount \(€\)/, 'Add Credit shows its Amount (€) field');
	});

	it('editor: the send-and-follow example runs: Send in sandbox mode, Wait, Get Status per recipient, IF Delivered', async () => {
		signedIn();
		if (panelOpen) await ed.page.keyboard.press('Escape');
		const delivered = await ed.executeWorkflow('mpSendFollow0001', 'Delivered');
		// The sandbox delivers two of the three recipients (the third bounces): the IF routes them apart.
		await ed.succeeded(delivered).waitFor({ timeout: 120000 });
		await ed.shot('10-send-and-follow-run.png');
		const text = await (await ed.output(delivered)).innerText();
		await ed.page.keyboard.press('Escape');
		assert.match(text, /2 items/i, `Delivered gets two recipients: ${text.slice(0, 300)}`);
	});

	it('editor: searching "mail partner" finds the package, and its new trigger gets the demo credential', async () => {
		signedIn();
		// A new workflow's first step is a trigger: the search finds the MailPartner Trigger, which
		// takes the same credential as the node.
		await ed.searchFirstStep('mail partner');
		const entry = ed.page.locator(PICKER_ITEM).filter({ hasText: 'MailPartner' }).first();
		await entry.waitFor();
		await ed.shot('08-node-search.png');
		await entry.click();
		// The package's page in the node creator: its triggers, then its actions.
		await ed.page.getByText('On credits below', { exact: true }).first().click();
		const select = ed.ndv.locator('[data-test-id="node-credentials-select"]');
		await ed.found(select, 'credential select in the new node', '09-new-node-credential.png');
		// n8n fills the select in once it has looked the credentials up.
		await ed.page.waitForFunction(() => document.querySelector('[data-test-id="ndv"] [data-test-id="node-credentials-select"] input')?.value, null, { timeout: 10000 }).catch(() => {});
		const credential = await select.locator('input').inputValue().catch(() => '');
		await ed.shot('09-new-node-credential.png');
		assert.equal(credential, 'MailPartner sandbox', 'a new MailPartner Trigger gets the demo credential');
	});

	// A new workflow built as a newcomer would: Manual Trigger, then MailPartner → Send an e-mail from
	// the trigger's plus, then MailPartner → Get Status from the Send node's plus (n8n offers a plus
	// only on an output that is not connected yet, so the examples' Send cannot serve).
	it('editor: the node picker’s MailPartner entry shows the action node’s description', async () => {
		signedIn();
		await ed.page.keyboard.press('Escape');
		await ed.searchFirstStep('manual');
		const manual = ed.page.locator('[data-test-id="node-creator-node-item"]').filter({ hasText: /Trigger manually/i }).first();
		await (await ed.found(manual, 'Manual Trigger in the picker', '12-picker-entry.png')).click();
		// Some n8n versions open the new trigger's panel: closed, or it would cover the canvas.
		await ed.ndv.waitFor({ timeout: 3000 }).then(() => ed.page.keyboard.press('Escape'), () => {});
		// The trigger's free output: the picker in the actions' context, as a second step is added.
		await ed.page.locator('[data-test-id="canvas-node-output-handle"] [data-test-id="canvas-handle-plus"]').first().click();
		const entry = await ed.searchMailPartner('12-picker-entry.png');
		// The entry as shown: its name and, below it, the description (the nearest ancestor with more text).
		const text = await entry.evaluate((name) => {
			let node = name;
			while (node.parentElement && node.innerText.trim() === name.innerText.trim()) node = node.parentElement;
			return node.innerText;
		});
		await ed.shot('12-picker-entry.png');
		// n8n shows one "MailPartner" entry for both nodes, with the trigger's description, which says
		// what the whole package does, actions first.
		assert.match(text, /Send e-mail and follow its delivery/, `the entry shows the actions: ${text}`);
		assert.doesNotMatch(text, /^Starts the workflow/m, `the entry does not read as a trigger only: ${text}`);
		await ed.addAction(entry, 'Send an e-mail');
		await ed.page.keyboard.press('Escape');
		await ed.page.locator(OWN_NODE).first().waitFor();
		[sendNodeName] = await ed.nodeNames(OWN_NODE);
		assert.ok(sendNodeName, 'the Send node is on the canvas');
	});

	it('editor: a new Get Status after Send has Message ID filled with {{ $json.messageId }}', async () => {
		assert.ok(sendNodeName, 'no Send node on the canvas');
		await ed.page.locator(`[data-test-id="canvas-node-output-handle"][data-node-name="${sendNodeName}"] [data-test-id="canvas-handle-plus"]`).first().click();
		await ed.addAction(await ed.searchMailPartner('13-get-status-after-send.png'), 'Get the delivery status of a message');
		await ed.param('messageId').getByText(/messageId/).first().waitFor().catch(() => {});
		const value = await ed.param('messageId').innerText();
		const preview = ed.ndv.locator('[data-test-id="parameter-expression-preview-messageId"]');
		const previewText = (await preview.count()) ? await preview.first().innerText() : '';
		await ed.shot('13-get-status-after-send.png');
		assert.match(value, /\{\{\s*\$json\.messageId\s*\}\}/, `Message ID starts as the Send's messageId: ${JSON.stringify(value)} (preview ${JSON.stringify(previewText)})`);
		await ed.page.keyboard.press('Escape');
		await ed.page.locator(OWN_NODE).nth(1).waitFor();
		const names = await ed.nodeNames(OWN_NODE);
		statusNodeName = names.find((name) => name !== sendNodeName) || null;
		assert.ok(statusNodeName, `the Get Status node is on the canvas: ${JSON.stringify(names)}`);
	});

	it('editor: the canvas subtitles say the operation and resource ("Send · Message")', async () => {
		assert.ok(sendNodeName && statusNodeName, 'the new workflow has no Send and Get Status nodes');
		await ed.canvasNode(statusNodeName).getByText(/Get Status · Message/).first().waitFor().catch(() => {});
		const send = await ed.canvasNode(sendNodeName).first().innerText();
		const status = await ed.canvasNode(statusNodeName).first().innerText();
		await ed.shot('14-canvas-subtitles.png');
		assert.match(send, /Send · Message/, `the Send node's subtitle: ${JSON.stringify(send)}`);
		assert.match(status, /Get Status · Message/, `the Get Status node's subtitle: ${JSON.stringify(status)}`);
		assert.doesNotMatch(`${send}\n${status}`, /send: message|getStatus: message/, 'no internal values');
	});

	it('editor: Send and Wait for Response: Execute workflow waits; a GET of the mail’s link does not resume; its page’s button does', async () => {
		signedIn();
		const afterNode = await ed.executeWorkflow(sendAndWait.workflow.id, 'After');
		const mail = await h.sentMail((await server()).sandbox.baseUrl, sendAndWait.subject);
		const link = /href="([^"]+)"/.exec(mail.htmlContent)[1].replaceAll('&amp;', '&');
		assert.match(link, /\/webhook-waiting\/.+signature=/, 'the button links to n8n’s signed resume URL');
		await ed.shot('15-send-and-wait-waiting.png');

		assert.equal((await sendAndWaitCases.request(link)).status, 200, 'the link opens a page');
		await sleep(3000);
		assert.equal(await ed.succeeded(afterNode).count(), 0, 'a GET resumed the execution');

		assert.equal((await sendAndWaitCases.post(link)).status, 200, 'the page’s button is answered');
		await ed.succeeded(afterNode).waitFor({ timeout: 120000 });
		const output = await ed.output(afterNode);
		// The panel fills its table after the container appears.
		await output.getByText('approved').first().waitFor({ timeout: 30000 }).catch(() => {});
		const shown = await output.innerText();
		await ed.shot('16-send-and-wait-answered.png');
		assert.match(shown, /approved\s*:?\s*true/i, `After shows the answer: ${shown.replace(/\s+/g, ' ').slice(0, 300)}`);
	});
});

sendAndWaitCases.registerCases('Send and Wait for Response in n8n 2.41.1, sqlite', async () => {
	const { url, sandbox } = await server();
	const session = await h.restLogin(url);
	await h.publish(url, session, sendAndWaitCases.WORKFLOWS);
	return { url, sandbox, session };
});
