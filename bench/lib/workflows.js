'use strict';

/**
 * The generated workflows: Manual Trigger → Code node making N items `{messageId}` → the measured
 * node(s). Every workflow is plain n8n JSON, imported once with `n8n import:workflow`.
 */

const rt = require('../../scripts/n8n-runtime');
const { FIRST_MESSAGE_ID } = require('./seed');

const QUERY_AUTH_CREDENTIAL = { id: 'benchQueryAuth01', name: 'Bench query auth', type: 'httpQueryAuth' };
const MEASURED = 'Measured';
const XML_NODE = 'XML';
const ITEMS_NODE = 'Items';

/** Variants of the throughput case, in the order they run in each round. */
const VARIANTS = {
	a: 'MailPartner node',
	b: 'HTTP Request, key in the URL',
	bq: "HTTP Request, query-auth credential (b')",
	c: 'raw axios loop',
};

let counter = 0;
const nextId = () => `benchWf${String(++counter).padStart(9, '0')}`;

function node(name, type, typeVersion, parameters, x, extra = {}) {
	return { parameters, id: `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`, name, type, typeVersion, position: [x, 0], ...extra };
}

function chain(name, nodes) {
	const connections = {};
	for (let i = 0; i < nodes.length - 1; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { id: nextId(), name, active: false, nodes, connections, settings: { executionOrder: 'v1' }, pinData: {} };
}

const trigger = () => node("When clicking 'Execute workflow'", 'n8n-nodes-base.manualTrigger', 1, {}, 0);

/** A Code node making `n` items with distinct messageIds (the bench sandbox seeds each of them). */
const items = (n) =>
	node(
		ITEMS_NODE,
		'n8n-nodes-base.code',
		2,
		{ jsCode: `const out = [];\nfor (let i = 0; i < ${n}; i++) out.push({ json: { messageId: String(${FIRST_MESSAGE_ID} + i) } });\nreturn out;` },
		220,
	);

/**
 * (a) this node's Get Status. `requestsPerMinute` and `itemsInFlight` null leave the node's defaults;
 * `continueOnError` turns a failing item into an output item so the 429s that reach the user can be counted.
 */
function mailPartnerStatus({ n, format, requestsPerMinute, itemsInFlight, continueOnError = false }) {
	const options = { responseFormat: format };
	if (requestsPerMinute) options.requestsPerMinute = requestsPerMinute;
	if (itemsInFlight) options.itemsInFlight = itemsInFlight;
	const measured = node(
		MEASURED,
		rt.NODE_TYPE,
		1,
		// Simplify off: MailPartner's answer as it is, one item per input, as HTTP Request outputs it.
		{ resource: 'message', operation: 'getStatus', messageId: '={{ $json.messageId }}', simplify: false, options },
		440,
		{
			credentials: { mailPartnerApi: { id: rt.CREDENTIAL_ID, name: rt.CREDENTIAL_NAME } },
			...(continueOnError ? { onError: 'continueRegularOutput' } : {}),
		},
	);
	return chain(`bench a ${format} ${n}`, [trigger(), items(n), measured]);
}

/**
 * (b) and (b′): the HTTP Request node v4.2 making the same GET. (b) has the key written in the URL
 * (one expression per item, the fastest form); (b′) gets it from an httpQueryAuth credential.
 * XML: the answer as text, then n8n's XML node, which is what a user needs to read it.
 */
function httpRequestStatus({ n, format, baseUrl, apiKey, queryAuth, continueOnError = false }) {
	const xml = format === 'xml' ? '&_format=xml' : '';
	const keyPart = queryAuth ? '' : `apiKey=${encodeURIComponent(apiKey)}&`;
	const parameters = {
		url: `=${baseUrl}/bulk-status?${keyPart}messageId={{ $json.messageId }}${xml}`,
		options: format === 'xml' ? { response: { response: { responseFormat: 'text' } } } : {},
	};
	const extra = continueOnError ? { onError: 'continueRegularOutput' } : {};
	if (queryAuth) {
		Object.assign(parameters, { authentication: 'genericCredentialType', genericAuthType: 'httpQueryAuth' });
		extra.credentials = { httpQueryAuth: { id: QUERY_AUTH_CREDENTIAL.id, name: QUERY_AUTH_CREDENTIAL.name } };
	}
	const nodes = [trigger(), items(n), node(MEASURED, 'n8n-nodes-base.httpRequest', 4.2, parameters, 440, extra)];
	if (format === 'xml') nodes.push(node(XML_NODE, 'n8n-nodes-base.xml', 1, { mode: 'xmlToJson', dataPropertyName: 'data', options: {} }, 660));
	return chain(`bench ${queryAuth ? 'bq' : 'b'} ${format} ${n}`, nodes);
}

/** Return All: every subaccount, all pages. */
function mailPartnerListAll() {
	const measured = node(MEASURED, rt.NODE_TYPE, 1, { resource: 'subaccount', operation: 'getAll', returnAll: true, options: {} }, 220, {
		credentials: { mailPartnerApi: { id: rt.CREDENTIAL_ID, name: rt.CREDENTIAL_NAME } },
	});
	return chain('bench list all', [trigger(), measured]);
}

function queryAuthCredential(apiKey) {
	return { ...QUERY_AUTH_CREDENTIAL, data: { name: 'apiKey', value: apiKey } };
}

module.exports = { VARIANTS, MEASURED, XML_NODE, ITEMS_NODE, mailPartnerStatus, httpRequestStatus, mailPartnerListAll, queryAuthCredential };
