import { createSandbox, DEMO_KEY } from '../../dev/sandbox/server';

export type Sandbox = ReturnType<typeof createSandbox>;

/** The local sandbox in its demo state on 127.0.0.1, and the credentials of its demo account. */
export async function startDemoSandbox(): Promise<{ sandbox: Sandbox; credentials: { apiKey: string; baseUrl: string } }> {
	const sandbox = createSandbox({ state: 'demo' });
	const { baseUrl } = await sandbox.listen(0, '127.0.0.1');
	return { sandbox, credentials: { apiKey: DEMO_KEY, baseUrl } };
}
