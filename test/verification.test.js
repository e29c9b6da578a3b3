/**
 * n8n's own verification scan (the rules n8n runs before listing a community package), run
 * offline, on both legs the scanner checks: the packed tarball's contents (instead of a registry
 * download) and the sources (instead of the GitHub checkout the provenance attestation points
 * at). Plus what a provenance release needs from this repository. Needs `npm run build`.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/**
 * Runs the scanner's exported functions in a child process (they are ES modules and the scanner
 * prints through `console`). `leg` is 'tarball' or 'source', as in the scanner's own
 * analyzePackageByName: the tarball with ['**\/*.js', 'package.json'], the sources found with
 * findPackageRoot and linted with SOURCE_FILE_PATTERNS.
 */
function scan(leg, dir) {
	const script = `
		import { analyzePackage, findPackageRoot, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';
		const [leg, dir, name] = process.argv.slice(1);
		const packageRoot = leg === 'source' ? findPackageRoot(dir, name) : dir;
		const patterns = leg === 'source' ? SOURCE_FILE_PATTERNS : ['**/*.js', 'package.json'];
		const result = packageRoot ? await analyzePackage(packageRoot, patterns) : { passed: false, message: 'package root not found' };
		console.log(JSON.stringify({ passed: result.passed, message: result.message, details: result.details, packageRoot }));
	`;
	// Not under jest's NODE_ENV=test: n8n's lint plugin then takes every file for a trigger node.
	const { NODE_ENV, ...env } = process.env;
	const output = execFileSync(process.execPath, ['--input-type=module', '-e', script, leg, dir, manifest.name], {
		cwd: root,
		encoding: 'utf8',
		env,
	});
	return JSON.parse(output.trim().split('\n').pop());
}

describe('n8n’s community-package scan', () => {
	it('passes on the packed package', () => {
		const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mailpartner-scan-'));
		try {
			execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', folder], { cwd: root, stdio: 'ignore' });
			const [tarball] = fs.readdirSync(folder).filter((name) => name.endsWith('.tgz'));
			execFileSync('tar', ['xzf', tarball], { cwd: folder });
			const { packageRoot, ...result } = scan('tarball', path.join(folder, 'package'));
			expect(result).toEqual({ passed: true });
		} finally {
			fs.rmSync(folder, { recursive: true, force: true });
		}
	}, 120000);

	it('passes on the sources, as the scanner reads the repository the provenance points at', () => {
		// The files a commit of this working tree would hold (tracked, and new files git does not
		// ignore), as the scanner's GitHub download holds a commit's files.
		const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mailpartner-scan-src-'));
		try {
			const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' })
				.split('\0')
				.filter((f) => f && fs.existsSync(path.join(root, f)));
			expect(files).toEqual(expect.arrayContaining(['package.json', ...manifest.n8n.nodes.map((f) => f.replace(/^dist\//, '').replace(/\.js$/, '.ts'))]));
			for (const file of files) {
				fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
				fs.copyFileSync(path.join(root, file), path.join(folder, file));
			}
			const { packageRoot, ...result } = scan('source', folder);
			expect(packageRoot).toBe(fs.realpathSync(folder));
			expect(result).toEqual({ passed: true });
		} finally {
			fs.rmSync(folder, { recursive: true, force: true });
		}
	}, 120000);
});

describe('release with npm provenance', () => {
	// npm refuses a provenance publish whose repository.url is not the repository that built it.
	it('package.json names one GitHub repository in repository, bugs and homepage', () => {
		const match = /^git\+https:\/\/github\.com\/([^/]+\/[^/]+)\.git$/.exec(manifest.repository && manifest.repository.url);
		expect(match).not.toBeNull();
		const repo = match[1];
		expect(manifest.repository.type).toBe('git');
		expect(manifest.bugs.url).toBe(`https://github.com/${repo}/issues`);
		expect(manifest.homepage.startsWith(`https://github.com/${repo}`)).toBe(true);
		expect(manifest.author && manifest.author.name).toBeTruthy();
		expect(manifest.author.email).toMatch(/^[^@\s]+@[^@\s]+$/);
	});

	it('the publish workflow publishes from a version tag with an OIDC token, after the tests', () => {
		// Read as text: no YAML parser is a dependency of this package. Comments are dropped first.
		const text = fs
			.readFileSync(path.join(root, '.github/workflows/publish.yml'), 'utf8')
			.split('\n')
			.filter((line) => !/^\s*#/.test(line))
			.join('\n');
		expect(text).toMatch(/^on:\n {2}push:\n {4}tags:\n(?: {6}#.*\n)* {6}- '\*\.\*\.\*'$/m);
		expect(text).toMatch(/^ {4}permissions:\n {6}id-token: write\n {6}contents: read$/m);
		expect(text.indexOf('run: npm test')).toBeGreaterThan(0);
		expect(text.indexOf('run: npm test')).toBeLessThan(text.indexOf('n8n-node release'));
		// The template of @n8n/node-cli 0.48.3 renders the secret as a bare `$`.
		expect(text).toMatch(/NPM_TOKEN: \$\{\{ secrets\.NPM_TOKEN \}\}/);
	});

	it('CHANGELOG.md has an entry for the version in package.json', () => {
		const changelog = fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
		const headings = [...changelog.matchAll(/^## \[?(\d+\.\d+\.\d+[^\]\s]*)\]?/gm)].map((m) => m[1]);
		expect(headings).toContain(manifest.version);
	});
});
