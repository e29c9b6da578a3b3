import { resourceDescription } from '../../lib/resource';
import * as operations from './operations';

export const unsubscribe = resourceDescription({ name: 'Unsubscribe', value: 'unsubscribe' }, operations, 'getAll');
