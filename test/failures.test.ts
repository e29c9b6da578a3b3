import nock from 'nock';

import { runNode } from './harness/engine';
import { apiKey, credentials, failureJson, failureXml, origin, pageSample } from './harness/fixtures';
import { everythingIn, expectNoApiKey } from './harness/leaks';
import { operations } from './harness/operations';

/** What reaches the user when MailPartner, or what stands in front of it, misbehaves. */

const getCredits = operations.getCredits.parameters;
const getStatus = { resource: 'message', operation: 'getStatus' };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.restore());

describe('HTTP errors and bodies that are not MailPartner answers', () => {
	it.each<[string, number, string, RegExp]>([
		['an HTML error page', 502, '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>', /^MailPartner answered with an HTML page \(HTTP 502\)$/],
		['a truncated JSON body', 200, pageSample('me.json').slice(0, 70), /^MailPartner’s JSON answer is incomplete or malformed \(HTTP 200\)$/],
		['a truncated XML body', 200, pageSample('me.xml').slice(0, 120), /^MailPartner’s XML answer is not well-formed .* \(HTTP 200\)$/],
		['a body of plain text', 503, 'Service Unavailable', /^MailPartner’s answer is neither JSON nor XML \(HTTP 503\)$/],
		['an empty body', 500, '', /^MailPartner sent an empty answer \(HTTP 500\)$/],
	])('%s gives a clear error, not a parse exception', async (_case, status, body, message) => {
		// A read answered 5xx is retried (here at once, as Retry-After: 0 asks) up to 5 times.
		const attempts = status >= 500 ? 5 : 1;
		const scope = nock(origin).get('/v1/me').query(true).times(attempts).reply(status, body, { 'Retry-After': '0' });
		const result = await runNode({ parameters: getCredits, credentials });
		expect(scope.isDone()).toBe(true);
		expect(result.items).toBeUndefined();
		expect(result.error?.message).toMatch(message);
		expect(result.error).toMatchObject({ httpCode: String(status) });
		expect(result.error?.description).toContain('Start of the answer');
		expectNoApiKey(result.run);
	});

	it('an XML error body with an HTTP error status reaches the user', async () => {
		nock(origin).get('/v1/me').query(true).reply(401, pageSample('error-10.xml'));
		const result = await runNode({ parameters: { ...getCredits, options: { responseFormat: 'xml' } }, credentials });
		expect(result.error?.message).toBe('Invalid API key (MailPartner code 10: Clé API incorrecte)');
		expect(result.error).toMatchObject({ httpCode: '10' });
		expect(result.error?.description).toContain('HTTP 401');
	});

	it('the list XML sample as published gives a clear error that suggests JSON', async () => {
		nock(origin).get('/v1/subaccount/list').query(true).reply(200, pageSample('list.xml'));
		const result = await runNode({
			parameters: { resource: 'subaccount', operation: 'getAll', returnAll: true, options: { responseFormat: 'xml' } },
			credentials,
		});
		expect(result.error?.message).toMatch(/^MailPartner’s XML answer is not well-formed/);
		expect(result.error?.description).toMatch(/Response Format to JSON/);
	});

	it('a success body with an HTTP error status is not used', async () => {
		nock(origin).get('/v1/me').query(true).times(5).reply(500, pageSample('me.json'), { 'Retry-After': '0' });
		const result = await runNode({ parameters: getCredits, credentials });
		expect(result.error?.message).toBe('MailPartner answered HTTP 500 with a success body');
	});

	it('a dropped connection fails with the network error, and the key is not in it', async () => {
		nock(origin)
			.get('/v1/me')
			.query(true)
			.replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
		const result = await runNode({ parameters: getCredits, credentials });
		expect(result.items).toBeUndefined();
		expect(result.error?.message).toMatch(/connection .*closed unexpectedly|socket hang up|ECONNRESET/i);
		expectNoApiKey(result.run);
	});
});

describe('the API key stays secret', () => {
	it('is sent in the query string on GET and nowhere else', async () => {
		let url = '';
		nock(origin)
			.get('/v1/me')
			.query(true)
			.reply(function () {
				url = this.req.path;
				return [200, pageSample('me.json')];
			});
		await runNode({ parameters: getCredits, credentials });
		expect(new URL(url, origin).searchParams.get('apiKey')).toBe(apiKey);
	});

	it('is put in the request by the credential’s authenticate, through n8n’s httpRequestWithAuthentication: query on GET, JSON body on POST; decrypted once per execution', async () => {
		const queries: string[] = [];
		const bodies: unknown[] = [];
		nock(origin)
			.get('/v1/me')
			.query(true)
			.times(3)
			.reply(function () {
				queries.push(new URL(this.req.path, origin).search);
				return [200, pageSample('me.json')];
			});
		nock(origin)
			.post('/v1/unsubscribe/add', (body: unknown) => bodies.push(body) > 0)
			.reply(200, JSON.stringify({ success: true, code: 200, stopId: 7 }));
		const read = await runNode({ parameters: getCredits, items: [{}, {}, {}], credentials: { ...credentials, apiKey: ` ${apiKey}\n` } });
		const added = await runNode({ parameters: { resource: 'unsubscribe', operation: 'add', email: 'gone@example.com' }, credentials });
		expect(read.error).toBeUndefined();
		// A pasted key's spaces and newline are trimmed by the credential, as MailPartner would refuse them.
		expect(queries.map((search) => new URLSearchParams(search).get('apiKey'))).toEqual([apiKey, apiKey, apiKey]);
		expect(bodies).toEqual([{ email: 'gone@example.com', apiKey }]);
		expect(added.error).toBeUndefined();
		// Three items, three requests, each authenticated by n8n with the credential read once.
		expect(read.credentialAuthentications).toBe(3);
		expect(added.credentialAuthentications).toBe(1);
		expect(read.credentialDecryptions).toBe(1);
		expectNoApiKey([read.run, added.run]);
	});

	it('is removed from anything MailPartner or a proxy echoes back in an error', async () => {
		const echo = `<html><body>Bad request: GET /v1/me?apiKey=${apiKey}</body></html>`;
		nock(origin).get('/v1/me').query(true).reply(400, echo);
		nock(origin).get('/v1/bulk-status').query(true).reply(200, failureJson(4, `Message introuvable pour ${apiKey}`));
		const html = await runNode({ parameters: getCredits, credentials });
		const coded = await runNode({ parameters: { ...getStatus, messageId: '1' }, credentials });
		expect(html.error?.description).toContain('apiKey=[API key]');
		expect(coded.error?.message).toBe('Message not found (MailPartner code 4: Message introuvable pour [API key])');
		expectNoApiKey([html.run, coded.run]);
	});
});

describe('a key with characters that change when encoded', () => {
	const oddKey = 'k+y/1=2&3"<4>$,:x9Q7';
	const odd = { ...credentials, apiKey: oddKey };
	const forms = [
		oddKey,
		encodeURIComponent(oddKey),
		JSON.stringify(oddKey).slice(1, -1).replace(/\//g, '\\/'),
		oddKey.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
	];

	it.each(forms)('is removed when echoed back as %s', async (echoed) => {
		nock(origin).get('/v1/me').query(true).reply(400, `<html><body>Bad request: ?apiKey=${echoed}</body></html>`);
		const result = await runNode({ parameters: getCredits, credentials: odd });
		expect(result.error?.description).toContain('?apiKey=[API key]');
		expect(everythingIn(result.run)).not.toContain(echoed);
	});

	it('is removed even where the excerpt would cut it in two', async () => {
		const body = `<html><body>${'x'.repeat(150)}${oddKey}</body></html>`;
		nock(origin).get('/v1/me').query(true).reply(400, body);
		const result = await runNode({ parameters: getCredits, credentials: odd });
		expect(everythingIn(result.run)).not.toContain(oddKey.slice(0, 8));
	});

	it('is sent as MailPartner needs it, trimmed of what a paste adds', async () => {
		let sent: string | null = null;
		nock(origin)
			.get('/v1/me')
			.query(true)
			.reply(function () {
				sent = new URL(this.req.path, origin).searchParams.get('apiKey');
				return [200, pageSample('me.json')];
			});
		await runNode({ parameters: getCredits, credentials: { ...odd, apiKey: `${oddKey}\n` } });
		expect(sent).toBe(oddKey);
	});
});

describe('Continue On Fail', () => {
	it('gives an error item for the failing input and keeps every other item, in order', async () => {
		const xml = { apiKey, _format: 'xml' };
		nock(origin).get('/v1/bulk-status').query({ ...xml, messageId: '1' }).reply(200, pageSample('status.xml'));
		nock(origin).get('/v1/bulk-status').query({ ...xml, messageId: '2' }).reply(200, failureXml(4, 'Message introuvable'));
		nock(origin).get('/v1/bulk-status').query({ ...xml, messageId: '4' }).reply(200, pageSample('status.xml'));
		const result = await runNode({
			// MailPartner's answer as it is: one output item per input item.
			parameters: { ...getStatus, messageId: '={{ $json.id }}', simplify: false, options: { responseFormat: 'xml' } },
			items: [{ id: 1 }, { id: 2 }, { id: 'three' }, { id: 4 }],
			credentials,
			continueOnFail: true,
		});
		expect(result.error).toBeUndefined();
		const items = result.items ?? [];
		expect(items).toHaveLength(4);
		expect(items[0].json).toMatchObject({ messageId: 'xxx' });
		expect(items[1].json.error).toBe('Message not found (MailPartner code 4: Message introuvable)');
		expect(items[2].json.error).toBe('Message ID must be a number, got "three"');
		expect(items[3].json).toMatchObject({ messageId: 'xxx' });
		expectNoApiKey(result.run);
	});

	it('without it, one failing item fails the node and outputs nothing', async () => {
		nock(origin).get('/v1/bulk-status').query({ apiKey, messageId: '1' }).reply(200, pageSample('status.json'));
		nock(origin).get('/v1/bulk-status').query({ apiKey, messageId: '2' }).reply(200, failureJson(4, 'Message introuvable'));
		const result = await runNode({
			parameters: { ...getStatus, messageId: '={{ $json.id }}' },
			items: [{ id: 1 }, { id: 2 }],
			credentials,
		});
		expect(result.items).toBeUndefined();
		expect(result.error?.message).toBe('Message not found (MailPartner code 4: Message introuvable)');
		expect(everythingIn(result.error)).not.toContain(apiKey);
	});
});
