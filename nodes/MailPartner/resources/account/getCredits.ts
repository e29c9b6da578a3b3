import type { INodeProperties } from 'n8n-workflow';

import { optionsCollection } from '../../shared/transport';
import { number, object, text } from '../../shared/shape';

/** `GET /me`: the account's user and its credits. `balance` is a string of euros, 3 decimals. */
export const getCreditsShape = object({
	user: object({ username: text }),
	credits: object({ creditMail: number, currency: text, balance: text }),
});

export const getCreditsFields: INodeProperties[] = [
	optionsCollection({ resource: ['account'], operation: ['getCredits'] }, 'query'),
];
