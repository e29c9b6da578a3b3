import { resourceDescription } from '../../shared/resource';
import { create } from './create';
import { list } from './list';

export const subaccount = resourceDescription('subaccount', { create, list }, 'list');
