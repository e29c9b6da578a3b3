/**
 * Runs `task` over `inputs` with at most `concurrency` at once; the results keep the input order.
 * After a failure no further task starts; the tasks under way are waited for (their outcome may
 * matter to the caller, e.g. a send that went through), then the first failure is thrown.
 * The node's items and the pages of a list both run through it.
 */
export async function mapInOrder<T, R>(inputs: readonly T[], concurrency: number, task: (input: T, index: number) => Promise<R>): Promise<R[]> {
	const results: R[] = new Array<R>(inputs.length);
	let next = 0;
	let failure: { error: unknown } | undefined;
	const worker = async () => {
		while (failure === undefined && next < inputs.length) {
			const index = next++;
			try {
				results[index] = await task(inputs[index], index);
			} catch (error) {
				failure ??= { error };
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker));
	if (failure) throw failure.error;
	return results;
}
