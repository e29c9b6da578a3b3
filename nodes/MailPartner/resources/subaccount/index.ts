import { resourceDescription } from '../../shared/resource';
import { create } from './create';
import { getAll } from './getAll';

export const subaccount = resourceDescription('subaccount', { create, getAll }, 'getAll');
