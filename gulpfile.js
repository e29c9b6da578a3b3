/**
 * Build steps after `tsc`: n8n loads the node from dist/ with only n8n-workflow resolvable, so
 * what the node imports at run time (fast-xml-parser) is bundled into its file, and the icons and
 * the codex file are copied next to the code that points at them.
 */
const { src, dest, series } = require('gulp');
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const nodeEntryPoints = ['nodes/MailPartner/MailPartner.node.ts', 'nodes/MailPartnerTrigger/MailPartnerTrigger.node.ts'];

async function bundleNodes() {
	for (const entryPoint of nodeEntryPoints) {
		await esbuild.build({
			entryPoints: [entryPoint],
			outfile: path.join('dist', entryPoint.replace(/\.ts$/, '.js')),
			bundle: true,
			platform: 'node',
			format: 'cjs',
			target: 'node20',
			// The trigger uses the node's client through the node's own file, loaded once by n8n.
			external: ['n8n-workflow', '../MailPartner/MailPartner.node'],
			logLevel: 'warning',
		});
	}
}

/** tsc's per-file output of the node's modules is inside the bundle now; drop the duplicates. */
async function removeBundledModules() {
	for (const entryPoint of nodeEntryPoints) {
		const nodeFolder = path.join('dist', path.dirname(entryPoint));
		for (const entry of fs.readdirSync(nodeFolder, { withFileTypes: true })) {
			if (entry.isDirectory()) fs.rmSync(path.join(nodeFolder, entry.name), { recursive: true });
		}
	}
}

function copyIcons() {
	return src('icons/*.svg').pipe(dest('dist/icons'));
}

function copyCodex() {
	return src('nodes/**/*.node.json').pipe(dest('dist/nodes'));
}

exports.build = series(bundleNodes, removeBundledModules, copyIcons, copyCodex);
exports.default = exports.build;
