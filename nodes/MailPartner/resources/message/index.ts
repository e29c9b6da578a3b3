import { resourceDescription } from '../../shared/resource';
import { getStatus } from './getStatus';

export const message = resourceDescription('message', { getStatus }, 'getStatus');
