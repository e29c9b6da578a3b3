'use strict';

/**
 * The generated workflows: Manual Trigger → Code node making N items `{messageId}` → the measured
 * node(s). Every workflow is plain n8n JSON, imported once with `n8n import:workflow`.
 *
 * A throughput workflow runs its measured chain twice in one execution (`withFirstRun`): the
 * Items node feeds a copy of the chain placed above it, then the chain itself. n8n's v1 order runs
 * sibling branches top to bottom, so the copy is the first run in a fresh n8n process (its code
 * not yet compiled by V8: what one execution started by `n8n execute` pays) and the measured chain
 * the repeated run (what a long-running n8n pays per item once it has run the node before).
 */

const rt = require('../../n8n/runtime');
const { FIRST_MESSAGE_ID } = require('./seed');

const QUERY_AUTH_CREDENTIAL = { id: 'benchQueryAuth01', name: 'Bench query auth', type: 'httpQueryAuth' };
const MEASURED = 'Measured';
const XML_NODE = 'XML';
const ITEMS_NODE = 'Items';
/** Prefix of the first-run copies of the measured nodes (`First run: Measured`). */
const FIRST_RUN = 'First run: ';

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

/**
 * The workflow with a first-run copy of everything after the Items node, which the Items node
 * feeds first (placed above the measured chain: n8n's v1 order runs sibling branches top to bottom).
 */
function withFirstRun(workflow) {
	const chain = workflow.nodes.filter((n) => n.name === MEASURED || n.name === XML_NODE);
	const copies = chain.map((n) => node(FIRST_RUN + n.name, n.type, n.typeVersion, structuredClone(n.parameters), n.position[0], { ...extraOf(n), position: [n.position[0], -240] }));
	const connections = { ...workflow.connections, [ITEMS_NODE]: { main: [[{ node: FIRST_RUN + MEASURED, type: 'main', index: 0 }, { node: MEASURED, type: 'main', index: 0 }]] } };
	for (let i = 0; i < copies.length - 1; i++) connections[copies[i].name] = { main: [[{ node: copies[i + 1].name, type: 'main', index: 0 }]] };
	return { ...workflow, name: `${workflow.name} (first and repeated run)`, nodes: [...workflow.nodes, ...copies], connections };
}

/** A node's settings besides its identity and parameters (credentials, On Error). */
function extraOf(n) {
	const { parameters, id, name, type, typeVersion, position, ...extra } = n;
	return extra;
}

/** The nodes whose run is measured in a throughput workflow: HTTP Request's XML variants add the XML node. */
function measuredNodes(v, format) {
	return format === 'xml' && v !== 'a' ? [MEASURED, XML_NODE] : [MEASURED];
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

module.exports = { VARIANTS, MEASURED, XML_NODE, ITEMS_NODE, FIRST_RUN, withFirstRun, measuredNodes, mailPartnerStatus, httpRequestStatus, mailPartnerListAll, queryAuthCredential };
