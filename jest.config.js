/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	testEnvironmentOptions: { globalsCleanup: 'off' },
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts', '**/*.test.js'],
	// Transpile only: `npm run typecheck` type-checks, which is ~5x cheaper than ts-jest doing it.
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }] },
};
