'use strict';
/**
 * This package as an n8n user gets it: built, packed with `npm pack`, and installed from the
 * tarball where n8n looks for community packages (<user folder>/.n8n/nodes/node_modules).
 */
const fs = require('node:fs');
const path = require('node:path');
const { log, formatSeconds } = require('./log');
const { REPO_DIR, runChecked } = require('./processes');
const { PACKAGE_NAME } = require('./install');

/** `npm run build`, then `npm pack` into `outDir`; returns the tarball's path. */
async function buildAndPack(outDir) {
	fs.mkdirSync(outDir, { recursive: true });
	let started = Date.now();
	log('building the package (npm run build) ...');
	await runChecked('npm run build', 'npm', ['run', 'build'], { timeoutMs: 10 * 60 * 1000 });
	const nodeFile = path.join(REPO_DIR, 'dist', 'nodes', 'MailPartner', 'MailPartner.node.js');
	if (!fs.existsSync(nodeFile)) throw new Error(`the build did not produce ${nodeFile}`);
	log(`built (${formatSeconds(Date.now() - started)}); packing ...`);
	started = Date.now();
	const packed = await runChecked('npm pack', 'npm', ['pack', '--pack-destination', outDir, '--json'], { timeoutMs: 5 * 60 * 1000 });
	const tarball = path.join(outDir, JSON.parse(packed.stdout)[0].filename);
	if (!fs.existsSync(tarball)) throw new Error(`npm pack left no ${tarball}`);
	log(`packed ${path.basename(tarball)} (${(fs.statSync(tarball).size / 1024).toFixed(0)} KB)`);
	return tarball;
}

/**
 * Install the tarball into `userFolder`'s community packages. `--legacy-peer-deps`: the
 * n8n-workflow peer comes from n8n itself; `--ignore-scripts`: like n8n's own installs.
 */
async function installPackage(userFolder, tarball) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const manifest = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(manifest)) fs.writeFileSync(manifest, JSON.stringify({ name: 'installed-nodes', private: true }, null, 2));
	const args = ['install', tarball, '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund'];
	await runChecked(`npm install ${path.basename(tarball)}`, 'npm', args, { cwd: nodesDir, timeoutMs: 5 * 60 * 1000 });
	const installed = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	if (!fs.existsSync(path.join(installed, 'package.json'))) throw new Error(`${installed} missing after npm install`);
	return installed;
}

module.exports = { buildAndPack, installPackage };
