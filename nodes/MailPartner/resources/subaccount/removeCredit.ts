import { creditOperation } from './creditMove';

/** `POST /subaccount/credit/remove`: euros taken back from a subaccount to the main account. */
export const removeCredit = creditOperation('remove', {
	name: 'Remove Credit',
	value: 'removeCredit',
	action: 'Remove credit from a subaccount',
	description: 'Move euros from a subaccount back to the main account’s balance',
});
