import { resourceDescription } from '../../shared/resource';
import { cancel } from './cancel';
import { getStatus } from './getStatus';
import { send } from './send';

export const message = resourceDescription({ name: 'Message', value: 'message' }, [send, getStatus, cancel], 'getStatus');
