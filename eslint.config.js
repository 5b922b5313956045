// Lint rules that keep the layering of docs/architecture.md true.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "native/build/", "bin/"] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          allowForKnownSafeCalls: [
            { from: "package", name: ["test", "it", "describe", "suite", "before", "after"], package: "node:test" },
          ],
        },
      ],
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/restrict-template-expressions": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/only-throw-error": "off",
      "@typescript-eslint/prefer-promise-reject-errors": "off",
    },
  },
  {
    // api/ speaks HTTP only: no filesystem, no processes.
    files: ["src/api/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: ["node:fs", "node:fs/promises", "node:child_process"] }],
    },
  },
  {
    // Only engine/host spawns processes or loads native code.
    files: ["src/**/*.ts"],
    ignores: ["src/engine/host/**", "src/daemon/**", "src/cli/daemonAutostart.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: ["node:child_process"] }],
    },
  },
);
