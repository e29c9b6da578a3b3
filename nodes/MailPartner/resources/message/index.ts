import { resourceDescription } from '../../lib/resource';
import * as operations from './operations';

export const message = resourceDescription({ name: 'Message', value: 'message' }, operations, 'getStatus');
