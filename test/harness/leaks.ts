import { apiKey } from './fixtures';

/**
 * Everything a run hands back — output items, the stored error, the whole run data — as one
 * string, including non-enumerable error fields, so that a leak check sees what n8n could persist.
 */
export function everythingIn(value: unknown): string {
	const seen = new WeakSet<object>();
	return JSON.stringify(value, function (_key, current: unknown) {
		if (typeof current === 'object' && current !== null) {
			if (seen.has(current)) return '[seen]';
			seen.add(current);
			if (current instanceof Error) {
				const copy: Record<string, unknown> = {};
				for (const name of Object.getOwnPropertyNames(current)) {
					copy[name] = (current as unknown as Record<string, unknown>)[name];
				}
				return copy;
			}
		}
		return current;
	});
}

export function expectNoApiKey(value: unknown): void {
	const text = everythingIn(value);
	expect(text).not.toContain(apiKey);
	expect(text).not.toContain(encodeURIComponent(apiKey));
}
