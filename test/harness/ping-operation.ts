import type { Endpoint } from '../../nodes/MailPartner/lib/client';
import type { Operation } from '../../nodes/MailPartner/lib/operation';
import { number, object } from '../../nodes/MailPartner/lib/shape';

/** A test-only operation module, written as every operation is (test/resource.test.ts adds it to Message). */
const endpoint = {
	method: 'GET',
	path: '/ping',
	answer: object({ pong: number }),
	errors: {},
	spendsMoney: false,
} satisfies Endpoint;

export const ping: Operation<{ times: number }> = {
	option: { name: 'Ping', value: 'ping', action: 'Ping MailPartner', description: 'A test-only operation' },
	fields: [
		{ displayName: 'Times', name: 'times', type: 'number', default: 1 },
		{ displayName: 'Loud', name: 'loud', type: 'boolean', default: false, displayOptions: { show: { times: [2] } } },
	],
	endpoint,
	prepare: (context, itemIndex) => ({ times: context.getNodeParameter('times', itemIndex, 1) as number }),
	run: async (client, inputs, itemIndex) => [{ ...(await client.call(endpoint, inputs, itemIndex)), times: inputs.times }],
};
