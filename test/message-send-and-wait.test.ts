import { WebhookContext } from 'n8n-core';
import {
	NodeConnectionTypes,
	WAIT_INDEFINITELY,
	Workflow,
	type IDataObject,
	type INode,
	type INodeParameters,
	type IRunExecutionData,
	type IWebhookData,
	type IWebhookResponseData,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { DEMO_KEY } from '../dev/sandbox/server';
import { startDemoSandbox, type Sandbox } from './harness/sandbox';
import { MailPartner } from '../nodes/MailPartner/MailPartner.node';
import { nodeTypeName, runNode } from './harness/engine';

/**
 * Message → Send and Wait for Response through n8n's engine against the local sandbox: the one
 * mail MailPartner receives, the execution put to wait, and the node's webhook as n8n calls it
 * when a link is opened (GET: a page, nothing resumes) or the page's button is pressed (POST).
 * n8n's own part (signature check, resuming, "already answered") is in dev/e2e/send-and-wait.js (run by dev/e2e/editor.test.js and queue.test.js).
 */

let sandbox: Sandbox;
let credentials: { apiKey: string; baseUrl: string };

beforeAll(async () => {
	({ sandbox, credentials } = await startDemoSandbox());
});
afterEach(() => sandbox.setFaults({}));
afterAll(async () => await sandbox.close());

interface SentMail {
	subject: string;
	htmlContent: string;
	sandbox: boolean;
	recipients: Array<{ email: string }>;
}

function mails(): SentMail[] {
	return Object.values(sandbox.state.accounts[DEMO_KEY].messages as Record<string, SentMail>);
}

/** The mail the last run sent, and the run. */
async function sendAndWait(parameters: INodeParameters, items?: IDataObject[]) {
	const before = mails().length;
	const result = await runNode({
		parameters: { resource: 'message', operation: 'sendAndWait', sandbox: true, ...parameters },
		credentials,
		items,
	});
	const sent = mails().slice(before);
	return { result, sent, mail: sent[0] };
}

const base = { to: 'ada@example.com', subject: 'Approval required', message: 'Publish the October newsletter?' };

/** The links of a mail, in order, with `&amp;` read back as `&`. */
function links(html: string): string[] {
	return [...html.matchAll(/href="([^"]*)"/g)].map((match) => match[1].replace(/&amp;/g, '&'));
}

const resumeUrl = /^http:\/\/localhost:5678\/webhook-waiting\/test-execution\/b5f1b1f4-5c1a-4d53-9d3e-0a5d1c2e7f01\?/;

describe('the mail and the wait', () => {
	it('sends one mail in sandbox mode with the question and a link to the signed resume URL, then waits', async () => {
		const { result, sent, mail } = await sendAndWait(base);
		expect(result.error).toBeUndefined();
		expect(sent).toHaveLength(1);
		expect(mail).toEqual(expect.objectContaining({ subject: 'Approval required', sandbox: true, recipients: [expect.objectContaining({ email: 'ada@example.com' })] }));
		expect(mail.htmlContent).toContain('Publish the October newsletter?');
		const [approve] = links(mail.htmlContent);
		expect(approve).toMatch(resumeUrl);
		const url = new URL(approve);
		expect(url.searchParams.get('approved')).toBe('true');
		expect(url.searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/);
		expect(mail.htmlContent).toMatch(/>Approve<\/a>/);
		expect(result.run.waitTill).toEqual(WAIT_INDEFINITELY);
		expect(result.run.status).toBe('waiting');
	});

	it('Approve and Decline: two links, with the labels given, true and false in the signed URL', async () => {
		const { mail } = await sendAndWait({
			...base,
			approvalOptions: { values: { approvalType: 'double', approveLabel: 'Yes, publish', disapproveLabel: 'No' } },
		});
		expect(links(mail.htmlContent).map((link) => new URL(link).searchParams.get('approved'))).toEqual(['true', 'false']);
		expect(mail.htmlContent).toMatch(/>Yes, publish<\/a>/);
		expect(mail.htmlContent).toMatch(/>No<\/a>/);
	});

	it('Free Text: one link, labelled Respond unless set, without an approval in it', async () => {
		const { mail } = await sendAndWait({ ...base, responseType: 'freeText', options: { messageButtonLabel: 'Answer here' } });
		const all = links(mail.htmlContent);
		expect(all).toHaveLength(1);
		expect(new URL(all[0]).searchParams.has('approved')).toBe(false);
		expect(mail.htmlContent).toMatch(/>Answer here<\/a>/);
	});

	it('escapes the message and the labels in the mail', async () => {
		const { mail } = await sendAndWait({
			...base,
			message: 'Pay <b>"Acme"</b> & co?\n<script>alert(1)</script>',
			approvalOptions: { values: { approvalType: 'single', approveLabel: '<img src=x onerror=alert(1)>' } },
		});
		expect(mail.htmlContent).toContain('Pay &lt;b&gt;&quot;Acme&quot;&lt;/b&gt; &amp; co?<br>&lt;script&gt;alert(1)&lt;/script&gt;');
		expect(mail.htmlContent).toContain('&lt;img src=x onerror=alert(1)&gt;');
		expect(mail.htmlContent).not.toMatch(/<script|<img|<b>/);
	});

	it('sends without the sandbox flag when Sandbox is off', async () => {
		const { mail } = await sendAndWait({ ...base, sandbox: false });
		expect(mail.sandbox).toBe(false);
	});

	it('sends one mail whatever the number of items', async () => {
		const { sent, result } = await sendAndWait(base, [{ a: 1 }, { a: 2 }, { a: 3 }]);
		expect(sent).toHaveLength(1);
		expect(result.run.status).toBe('waiting');
	});

	it('Limit Wait Time: waits until the interval ends', async () => {
		const before = Date.now();
		const { result } = await sendAndWait({
			...base,
			options: { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 2, resumeUnit: 'hours' } } },
		});
		const waitTill = result.run.waitTill?.getTime() ?? 0;
		expect(waitTill).toBeGreaterThanOrEqual(before + 2 * 3_600_000);
		expect(waitTill).toBeLessThan(Date.now() + 2 * 3_600_000 + 1);
	});

	it('Limit Wait Time: waits until the date given', async () => {
		const { result } = await sendAndWait({
			...base,
			options: { limitWaitTime: { values: { limitType: 'atSpecifiedTime', maxDateAndTime: '2099-01-02T03:04:00Z' } } },
		});
		expect(result.run.waitTill?.toISOString()).toBe('2099-01-02T03:04:00.000Z');
	});

	it('leaves an explicit "no answer" item for n8n to pass on if the wait runs out (n8n resumes a timed-out wait without running the node)', async () => {
		const { result } = await sendAndWait(
			{ ...base, options: { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 1, resumeUnit: 'minutes' } } } },
			[{ a: 1 }, { a: 2 }],
		);
		const [waiting] = result.run.data.executionData?.nodeExecutionStack ?? [];
		expect(waiting.node.name).toBe('MailPartner');
		expect(waiting.data.main).toEqual([[{ json: { data: { answered: false, timedOut: true } }, pairedItem: { item: 0 } }]]);
	});

	it('does not wait when the send fails', async () => {
		const result = await runNode({
			parameters: { resource: 'message', operation: 'sendAndWait', sandbox: true, ...base },
			credentials: { ...credentials, apiKey: 'wrong-key' },
		});
		expect(result.error?.message).toMatch(/^Invalid API key/);
		expect(result.run.waitTill).toBeUndefined();
		expect(result.run.status).not.toBe('waiting');
	});
});

describe('checks before anything is sent', () => {
	it.each<[string, INodeParameters, RegExp]>([
		// Empty required fields are refused by n8n itself: an expression gives an empty value.
		['no recipient', { to: '={{ "" }}' }, /^To has no recipient/],
		['an invalid address', { to: 'not-an-address' }, /^To: "not-an-address" is not a valid e-mail address/],
		['no subject', { subject: ' ' }, /^Subject is empty/],
		['no message', { message: '={{ "  " }}' }, /^Message is empty/],
		['an unknown response type', { responseType: 'customForm' }, /^Response Type must be Approval or Free Text/],
		['a date in the past', { options: { limitWaitTime: { values: { limitType: 'atSpecifiedTime', maxDateAndTime: '2001-01-01T00:00:00Z' } } } }, /^Limit Wait Time: Max Date and Time is not in the future/],
		['an amount of 0', { options: { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 0, resumeUnit: 'hours' } } } }, /^Limit Wait Time: the amount must be more than 0/],
	])('%s', async (_case, parameters, message) => {
		const { result, sent } = await sendAndWait({ ...base, ...parameters });
		expect(result.error?.message).toMatch(message);
		expect(result.error?.description).toMatch(/Nothing was sent/);
		expect(sent).toHaveLength(0);
		expect(result.run.waitTill).toBeUndefined();
	});
});

/** What n8n's response object receives from the webhook. */
interface Reply {
	status?: number;
	headers: Record<string, string>;
	body?: string;
}

const node: INode = {
	id: 'b5f1b1f4-5c1a-4d53-9d3e-0a5d1c2e7f01',
	name: 'MailPartner',
	type: nodeTypeName,
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/**
 * Calls the node's webhook as n8n's waiting-webhook handler does (after its signature check),
 * through n8n-core's WebhookContext, with the request a browser sends.
 */
async function openLink(
	parameters: INodeParameters,
	request: { method: 'GET' | 'POST'; query?: IDataObject; body?: IDataObject },
): Promise<{ reply: Reply; result: IWebhookResponseData }> {
	const mailPartner = new MailPartner();
	const withParameters = { ...node, parameters: { resource: 'message', operation: 'sendAndWait', ...base, ...parameters } };
	const workflow = new Workflow({
		id: 'test-workflow',
		nodes: [withParameters],
		connections: {},
		active: false,
		nodeTypes: { getByName: () => mailPartner, getByNameAndVersion: () => mailPartner, getKnownTypes: () => ({}) },
	});
	const reply: Reply = { headers: {} };
	const response = {
		status(code: number) {
			reply.status = code;
			return response;
		},
		setHeader(name: string, value: string) {
			reply.headers[name.toLowerCase()] = value;
			return response;
		},
		end(body: string) {
			reply.body = body;
			return response;
		},
	};
	const additionalData = {
		httpRequest: { method: request.method, query: request.query ?? {}, body: request.body ?? {}, headers: {}, params: {} },
		httpResponse: response,
		executionId: 'test-execution',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		variables: {},
	} as unknown as IWorkflowExecuteAdditionalData;
	const webhookData = {
		httpMethod: request.method,
		node: node.name,
		path: node.id,
		webhookDescription: mailPartner.description.webhooks?.find((webhook) => webhook.httpMethod === request.method),
		workflowId: workflow.id,
	} as unknown as IWebhookData;
	const context = new WebhookContext(workflow, withParameters, additionalData, 'manual', webhookData, [], null as unknown as IRunExecutionData);
	const result = await mailPartner.webhook.call(context);
	return { reply, result };
}

describe('the webhook: a link opens a page, its button answers', () => {
	it('declares GET and POST resume webhooks on the node id, as n8n’s Send and Wait nodes do', () => {
		const webhooks = new MailPartner().description.webhooks ?? [];
		expect(webhooks.map(({ httpMethod, path, restartWebhook, isFullPath }) => ({ httpMethod, path, restartWebhook, isFullPath }))).toEqual([
			{ httpMethod: 'GET', path: '={{ $nodeId }}', restartWebhook: true, isFullPath: true },
			{ httpMethod: 'POST', path: '={{ $nodeId }}', restartWebhook: true, isFullPath: true },
		]);
	});

	it('GET shows the question and a button that POSTs, and does not resume', async () => {
		const { reply, result } = await openLink({}, { method: 'GET', query: { approved: 'true', signature: 'x' } });
		expect(result).toEqual({ noWebhookResponse: true });
		expect(result.workflowData).toBeUndefined();
		expect(reply.status).toBe(200);
		expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
		expect(reply.headers['cache-control']).toBe('no-store');
		expect(reply.headers['content-security-policy']).toMatch(/default-src 'none'/);
		expect(reply.body).toContain('<h1>Approval required</h1>');
		expect(reply.body).toContain('Publish the October newsletter?');
		expect(reply.body).toMatch(/<form method="post">\s*<button type="submit">Approve<\/button>/);
		expect(reply.body).not.toMatch(/<script/);
	});

	it('GET of the Decline link shows the Decline button', async () => {
		const approvalOptions = { values: { approvalType: 'double', disapproveLabel: 'Refuse' } };
		const { reply } = await openLink({ approvalOptions }, { method: 'GET', query: { approved: 'false' } });
		expect(reply.body).toMatch(/<button type="submit">Refuse<\/button>/);
	});

	it.each([
		['true', true],
		['false', false],
	])('POST of the approved=%s link resumes with approved %s', async (approved, expected) => {
		const { reply, result } = await openLink({}, { method: 'POST', query: { approved } });
		expect(result.workflowData).toEqual([[{ json: { data: { approved: expected, respondedAt: expect.any(String) } } }]]);
		expect(Number.isNaN(Date.parse(String((result.workflowData?.[0][0].json.data as IDataObject).respondedAt)))).toBe(false);
		expect(reply.status).toBe(200);
		expect(reply.body).toContain('Got it, thanks');
	});

	it('escapes the question and the labels on the page', async () => {
		const { reply } = await openLink(
			{ subject: '<i>Sub</i>', message: '<script>x</script> & "q"', approvalOptions: { values: { approveLabel: '<b>OK</b>' } } },
			{ method: 'GET', query: { approved: 'true' } },
		);
		expect(reply.body).toContain('<title>&lt;i&gt;Sub&lt;/i&gt;</title>');
		expect(reply.body).toContain('&lt;script&gt;x&lt;/script&gt; &amp; &quot;q&quot;');
		expect(reply.body).toContain('<button type="submit">&lt;b&gt;OK&lt;/b&gt;</button>');
		expect(reply.body).not.toMatch(/<script|<b>|<i>/);
	});

	it('Free Text: GET shows a form with a text box, and does not resume', async () => {
		const { reply, result } = await openLink({ responseType: 'freeText', options: { responseFormButtonLabel: 'Send answer' } }, { method: 'GET' });
		expect(result.workflowData).toBeUndefined();
		expect(reply.body).toMatch(/<form method="post">\s*<textarea name="text" required/);
		expect(reply.body).toContain('<button type="submit">Send answer</button>');
	});

	it('Free Text: POST resumes with the text', async () => {
		const { result, reply } = await openLink({ responseType: 'freeText' }, { method: 'POST', body: { text: '  Not before Monday <b>please</b>  ' } });
		expect(result.workflowData).toEqual([[{ json: { data: { text: 'Not before Monday <b>please</b>', respondedAt: expect.any(String) } } }]]);
		expect(reply.body).toContain('Got it, thanks');
	});

	it('Free Text: an empty answer shows the form again with a message, and does not resume', async () => {
		const { result, reply } = await openLink({ responseType: 'freeText' }, { method: 'POST', body: { text: '   ' } });
		expect(result.workflowData).toBeUndefined();
		expect(reply.status).toBe(400);
		expect(reply.body).toContain('Please write an answer.');
	});
});

describe('the node description', () => {
	it('names the operation with n8n’s constant, so the editor and AI agents treat it as human-in-the-loop', () => {
		const selector = new MailPartner().description.properties.find(
			(property) => property.name === 'operation' && property.displayOptions?.show?.resource?.includes('message'),
		);
		expect(selector?.options).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Send and Wait for Response', value: 'sendAndWait' })]));
		expect(new MailPartner().description.inputs).toEqual([NodeConnectionTypes.Main]);
	});

	it('tells the editor what the waiting node waits for, on Send and Wait only', () => {
		const tooltip = new MailPartner().description.waitingNodeTooltip ?? '';
		const mailPartner = new MailPartner();
		const nodeTypes = { getByName: () => mailPartner, getByNameAndVersion: () => mailPartner, getKnownTypes: () => ({}) };
		const evaluate = (operation: string) => {
			const withOperation = { ...node, parameters: { resource: 'message', operation } };
			const workflow = new Workflow({ nodes: [withOperation], connections: {}, active: false, nodeTypes });
			return workflow.expression.getSimpleParameterValue(withOperation, tooltip, 'internal', {});
		};
		expect(evaluate('sendAndWait')).toBe('The execution goes on when the person answers the mail');
		expect(evaluate('send')).toBe('');
	});
});
