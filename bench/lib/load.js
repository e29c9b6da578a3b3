'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/**
 * Loads the TypeScript the benchmark needs (the engine harness, the decoder, the shapes and the
 * fixture XML writer) by bundling it on the fly with esbuild into a temp file. Packages stay
 * external and are required by absolute path, so n8n-core, n8n-workflow and fast-xml-parser load
 * from this checkout's node_modules even though the bundle lives under os.tmpdir().
 */

const root = path.resolve(__dirname, '..', '..');

const entry = `
export { runNode } from './test/harness/engine';
export { decodeAnswer } from './nodes/MailPartner/shared/decode';
export { listPageShape } from './nodes/MailPartner/resources/subaccount/list';
export { getCreditsShape } from './nodes/MailPartner/resources/account/getCredits';
export { toPositionalXml } from './test/harness/fixtures';
`;

/** Bare imports (packages) resolve from the importing file's folder and stay out of the bundle. */
const packagesFromCheckout = {
	name: 'packages-from-checkout',
	setup(build) {
		build.onResolve({ filter: /^[^./]/ }, (args) => {
			if (args.kind === 'entry-point') return undefined;
			return { path: require.resolve(args.path, { paths: [args.resolveDir || root] }), external: true };
		});
	},
};

/** @returns {Promise<{ modules: object, dir: string, cleanup: () => void }>} */
async function loadHarness() {
	const esbuild = require(require.resolve('esbuild', { paths: [root] }));
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailpartner-bench-'));
	const outfile = path.join(dir, 'harness.cjs');
	await esbuild.build({
		stdin: { contents: entry, resolveDir: root, loader: 'ts', sourcefile: 'bench-entry.ts' },
		bundle: true,
		platform: 'node',
		format: 'cjs',
		target: 'node20',
		packages: 'external',
		plugins: [packagesFromCheckout],
		outfile,
		logLevel: 'silent',
	});
	const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
	try {
		const modules = require(outfile);
		for (const name of ['runNode', 'decodeAnswer', 'listPageShape', 'getCreditsShape', 'toPositionalXml']) {
			if (modules[name] === undefined) throw new Error(`the bundled harness does not export ${name}`);
		}
		return { modules, dir, outfile, cleanup };
	} catch (error) {
		cleanup();
		throw error;
	}
}

module.exports = { loadHarness, root };
