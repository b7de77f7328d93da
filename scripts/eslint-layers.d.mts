import type { Rule } from 'eslint';

declare const plugin: { readonly rules: { readonly 'allowed-imports': Rule.RuleModule } };
export default plugin;
