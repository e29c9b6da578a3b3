import { resourceDescription } from '../../lib/resource';
import { add } from './add';
import { getAll } from './getAll';
import { remove } from './remove';

export const unsubscribe = resourceDescription({ name: 'Unsubscribe', value: 'unsubscribe' }, [add, getAll, remove], 'getAll');
