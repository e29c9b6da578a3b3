import { resourceDescription } from '../../lib/resource';
import { addCredit } from './addCredit';
import { create } from './create';
import { getAll } from './getAll';
import { removeCredit } from './removeCredit';

export const subaccount = resourceDescription({ name: 'Subaccount', value: 'subaccount' }, [addCredit, create, getAll, removeCredit], 'getAll');
