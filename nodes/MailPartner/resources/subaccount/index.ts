import { resourceDescription } from '../../lib/resource';
import * as operations from './operations';

export const subaccount = resourceDescription({ name: 'Subaccount', value: 'subaccount' }, operations, 'getAll');
