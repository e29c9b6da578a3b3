'use strict';

/** The generated workflows, plain n8n JSON imported once: Manual Trigger → Code node making N items → the measured node(s). */

const rt = require('../../n8n/runtime');
const { FIRST_MESSAGE_ID } = require('./sandbox');

const QUERY_AUTH_CREDENTIAL = { id: 'benchQueryAuth01', name: 'Bench query auth', type: 'httpQueryAuth' };
const MAILPARTNER_CREDENTIAL = { mailPartnerApi: { id: rt.CREDENTIAL_ID, name: rt.CREDENTIAL_NAME } };
const MEASURED = 'Measured';
const XML_NODE = 'XML';
const ITEMS_NODE = 'Items';
/** Prefix of the first-run copies of the measured nodes (`First run: Measured`). */
const FIRST_RUN = 'First run: ';

let counter = 0;
const node = (name, type, typeVersion, parameters, extra = {}) => ({ parameters, id: `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`, name, type, typeVersion, ...extra });
const link = (to) => ({ node: to, type: 'main', index: 0 });
/** The connections of `nodes`, each feeding the next. */
const links = (nodes) => Object.fromEntries(nodes.slice(0, -1).map((from, i) => [from.name, { main: [[link(nodes[i + 1].name)]] }]));

/** A workflow of `nodes` in a row, left to right. */
function chain(name, nodes) {
	nodes = nodes.map((n, i) => ({ ...n, position: [220 * i, 0] }));
	return { id: `benchWf${String(++counter).padStart(9, '0')}`, name, active: false, nodes, connections: links(nodes), settings: { executionOrder: 'v1' }, pinData: {} };
}

const trigger = () => node("When clicking 'Execute workflow'", 'n8n-nodes-base.manualTrigger', 1, {});
/** A Code node making `n` items `json` (an expression of `i`). */
const items = (n, json) => node(ITEMS_NODE, 'n8n-nodes-base.code', 2, { jsCode: `const out = [];\nfor (let i = 0; i < ${n}; i++) out.push({ json: ${json} });\nreturn out;` });
/** Items with distinct messageIds (the bench sandbox seeds each of them). */
const messageIds = (n) => items(n, `{ messageId: String(${FIRST_MESSAGE_ID} + i) }`);
const mailPartner = (name, parameters, extra = {}) => node(name, rt.NODE_TYPE, 1, parameters, { credentials: MAILPARTNER_CREDENTIAL, ...extra });
const onError = (continueOnError) => (continueOnError ? { onError: 'continueRegularOutput' } : {});

/** (a) this node's Get Status; `requestsPerMinute`, `itemsInFlight` null: its defaults; `continueOnError`: a 429 reaching the user is an output item. */
function mailPartnerStatus({ n, format, requestsPerMinute, itemsInFlight, continueOnError = false }) {
	const options = { responseFormat: format, ...(requestsPerMinute && { requestsPerMinute }), ...(itemsInFlight && { itemsInFlight }) };
	// Simplify off: MailPartner's answer as it is, one item per input, as HTTP Request outputs it.
	const measured = mailPartner(MEASURED, { resource: 'message', operation: 'getStatus', messageId: '={{ $json.messageId }}', simplify: false, options }, onError(continueOnError));
	return chain(`bench a ${format} ${n}`, [trigger(), messageIds(n), measured]);
}

/**
 * (b) HTTP Request v4.2 making the same GET with the key in the URL (its fastest form), (b′) with an
 * httpQueryAuth credential. XML: the answer as text, then n8n's XML node, as a user needs to read it.
 */
function httpRequestStatus({ n, format, baseUrl, apiKey, queryAuth, continueOnError = false }) {
	const keyPart = queryAuth ? '' : `apiKey=${encodeURIComponent(apiKey)}&`;
	const parameters = {
		url: `=${baseUrl}/bulk-status?${keyPart}messageId={{ $json.messageId }}${format === 'xml' ? '&_format=xml' : ''}`,
		options: format === 'xml' ? { response: { response: { responseFormat: 'text' } } } : {},
	};
	const extra = onError(continueOnError);
	if (queryAuth) {
		Object.assign(parameters, { authentication: 'genericCredentialType', genericAuthType: 'httpQueryAuth' });
		extra.credentials = { httpQueryAuth: { id: QUERY_AUTH_CREDENTIAL.id, name: QUERY_AUTH_CREDENTIAL.name } };
	}
	const nodes = [trigger(), messageIds(n), node(MEASURED, 'n8n-nodes-base.httpRequest', 4.2, parameters, extra)];
	if (format === 'xml') nodes.push(node(XML_NODE, 'n8n-nodes-base.xml', 1, { mode: 'xmlToJson', dataPropertyName: 'data', options: {} }));
	return chain(`bench ${queryAuth ? 'bq' : 'b'} ${format} ${n}`, nodes);
}

/** A first-run copy of the measured chain, fed first by the Items node (placed above it: n8n's v1 order runs branches top to bottom). */
function withFirstRun(workflow) {
	const copies = workflow.nodes
		.filter((n) => n.name === MEASURED || n.name === XML_NODE)
		.map(({ id, name, parameters, position, ...rest }) => node(FIRST_RUN + name, rest.type, rest.typeVersion, structuredClone(parameters), { ...rest, position: [position[0], -240] }));
	const connections = { ...workflow.connections, ...links(copies), [ITEMS_NODE]: { main: [[link(FIRST_RUN + MEASURED), link(MEASURED)]] } };
	return { ...workflow, name: `${workflow.name} (first and repeated run)`, nodes: [...workflow.nodes, ...copies], connections };
}

/** The nodes whose run is measured in a throughput workflow: HTTP Request's XML variants add the XML node. */
const measuredNodes = (v, format) => (format === 'xml' && v !== 'a' ? [MEASURED, XML_NODE] : [MEASURED]);

/** Return All: every subaccount, all pages. */
const mailPartnerListAll = () => chain('bench list all', [trigger(), mailPartner(MEASURED, { resource: 'subaccount', operation: 'getAll', returnAll: true, options: {} })]);

/** Case 5: `n` recipients `{email}`, each address once; (a) Send with One Recipient per Item and its defaults, then Get Status (Simplify on). */
const recipientEmail = (i) => `recipient-${i}@campaign.example`;
const recipients = (n) => items(n, `{ email: \`${recipientEmail('${i}')}\` }`);
const CAMPAIGN = { subject: 'Bench campaign', htmlContent: '<p>Hello</p><p>#UNSUBSCRIBE_LINK#</p>' };
const mailPartnerCampaign = (n) =>
	chain(`bench campaign a ${n}`, [
		trigger(),
		recipients(n),
		mailPartner('Send', { resource: 'message', operation: 'send', ...CAMPAIGN, recipientsFrom: 'items' }),
		mailPartner('Status', { resource: 'message', operation: 'getStatus', messageId: '={{ $json.messageId }}' }),
	]);

/** (b) what a user builds without it: a Code node making batches of 500, HTTP Request POST /send and GET /bulk-status, Split Out. */
function httpRequestCampaign({ n, baseUrl, apiKey }) {
	const batches = 'const all = $input.all();\nconst out = [];\nfor (let i = 0; i < all.length; i += 500) out.push({ json: { to: all.slice(i, i + 500).map((item) => ({ email: item.json.email })) } });\nreturn out;';
	const body = `={{ { apiKey: ${JSON.stringify(apiKey)}, subject: ${JSON.stringify(CAMPAIGN.subject)}, htmlContent: ${JSON.stringify(CAMPAIGN.htmlContent)}, params: { to: $json.to } } }}`;
	const http = (name, parameters) => node(name, 'n8n-nodes-base.httpRequest', 4.2, { options: {}, ...parameters });
	return chain(`bench campaign b ${n}`, [
		trigger(),
		recipients(n),
		node('Batches', 'n8n-nodes-base.code', 2, { jsCode: batches }),
		http('Send', { method: 'POST', url: `${baseUrl}/send`, sendBody: true, specifyBody: 'json', jsonBody: body }),
		http('Status', { url: `=${baseUrl}/bulk-status?apiKey=${encodeURIComponent(apiKey)}&messageId={{ $json.messageId }}` }),
		node('Split Out', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'StatutResponseList', options: {} }),
	]);
}
/** The nodes whose run is measured in case 5: the sends, then Get Status. */
const campaignNodes = { a: { send: ['Send'], status: ['Status'] }, b: { send: ['Batches', 'Send'], status: ['Status', 'Split Out'] } };

const queryAuthCredential = (apiKey) => ({ ...QUERY_AUTH_CREDENTIAL, data: { name: 'apiKey', value: apiKey } });

module.exports = { MEASURED, FIRST_RUN, withFirstRun, measuredNodes, mailPartnerStatus, httpRequestStatus, mailPartnerListAll, queryAuthCredential, mailPartnerCampaign, httpRequestCampaign, campaignNodes, recipientEmail };
