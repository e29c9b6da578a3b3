import nock from 'nock';
import { NodeHelpers, type INode, type INodeParameters, type INodeProperties } from 'n8n-workflow';

import { MailPartner } from '../nodes/MailPartner/MailPartner.node';
import { runNode } from './harness/engine';
import { apiKey, credentials, origin } from './harness/fixtures';

/**
 * Adding an operation touches its own module and one line of its resource's `operations.ts`:
 * `test/harness/ping-operation.ts` is such a module (test-only, not a MailPartner call), and the
 * Message resource's list gets that one line, through the same builder as the real ones.
 */
jest.mock('../nodes/MailPartner/resources/message/operations', () =>
	// An ES module's namespace, as tsc compiles the real list (`__esModule` is not one of its entries).
	Object.defineProperty(
		{ ...jest.requireActual('../nodes/MailPartner/resources/message/operations'), ping: jest.requireActual('./harness/ping-operation').ping },
		'__esModule',
		{ value: true },
	),
);

const node = new MailPartner();
const properties = node.description.properties;
const editorNode: INode = { id: '1', name: 'MailPartner', type: 'mailPartner', typeVersion: 1, position: [0, 0], parameters: {} };

/** The parameters the editor shows for these values, in panel order. */
function shown(values: INodeParameters): string[] {
	return properties
		.filter((property: INodeProperties) => NodeHelpers.displayParameter(values, property, editorNode, node.description))
		.map((property) => property.name);
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.restore());

describe('an operation added to its resource’s operations list', () => {
	it('is listed in its resource’s Operation selector, and in no other', () => {
		const selectors = properties.filter((property) => property.name === 'operation');
		const listing = selectors.filter((selector) => selector.options?.some((option) => 'value' in option && option.value === 'ping'));
		expect(listing.map((selector) => selector.displayOptions?.show?.resource)).toEqual([['message']]);
	});

	it('has its fields shown for it only, its own scoping kept, and the Options collection after them', () => {
		expect(shown({ resource: 'message', operation: 'ping', times: 1 })).toEqual(['resource', 'operation', 'times', 'options']);
		expect(shown({ resource: 'message', operation: 'ping', times: 2 })).toEqual(['resource', 'operation', 'times', 'loud', 'options']);
		expect(shown({ resource: 'message', operation: 'cancel', times: 2 })).not.toContain('times');
		expect(shown({ resource: 'unsubscribe', operation: 'ping', times: 2 })).not.toContain('times');
	});

	it('gets a canvas subtitle from its name', () => {
		expect(node.description.subtitle).toContain('"message:ping":"Ping · Message"');
	});

	it('is run by the node when chosen, through the one client', async () => {
		const scope = nock(origin).get('/v1/ping').query({ apiKey, times: 3 }).reply(200, { success: true, code: 200, pong: 7 });
		const result = await runNode({ parameters: { resource: 'message', operation: 'ping', times: 3 }, credentials });
		expect(scope.isDone()).toBe(true);
		expect(result.error).toBeUndefined();
		expect(result.items?.map((item) => item.json)).toEqual([{ pong: 7, times: 3 }]);
	});

	it('is named "Message → Ping" in the node’s messages', async () => {
		nock(origin).get('/v1/ping').query({ apiKey, times: 1, _format: 'xml' }).reply(200, '<result><entry>true</entry></result>');
		const result = await runNode({ parameters: { resource: 'message', operation: 'ping', times: 1, options: { responseFormat: 'xml' } }, credentials });
		expect(result.error?.description).toMatch(/Response Format to JSON for Message → Ping\./);
	});
});
