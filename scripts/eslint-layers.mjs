// The `layers/allowed-imports` lint rule: each folder of src/ names what it may import (other
// folders of src/, `node:` modules, npm packages), so the imports point one way
// (docs/architecture.md, "Layers"). An import outside the folder's allowlist is an error that
// names the file, the import and what the folder may use.
import path from 'node:path';

/** The folder of src/ a file belongs to (`cli.ts` for the entry point), or null outside src/. */
function folderOf(srcRoot, file) {
  const rel = path.relative(srcRoot, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  const [first] = rel.split(path.sep);
  return first ?? null;
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'each src/ folder imports only what its allowlist names' },
    schema: [{ type: 'object' }],
    messages: {
      folder: '{{from}}/ may not import {{to}}/ ({{source}}); it may import: {{allowed}}',
      module: '{{from}}/ may not import {{source}}; its modules: {{allowed}}',
      unknown: '{{from}} is not a folder the layering knows: add it to LAYERS in eslint.config.js',
    },
  },
  create(context) {
    const { srcRoot, layers } = context.options[0];
    const file = context.filename;
    const from = folderOf(srcRoot, file);
    if (from === null) return {};
    const layer = layers[from];
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      if (!layer) {
        context.report({ node, messageId: 'unknown', data: { from } });
        return;
      }
      if (source.startsWith('.')) {
        const to = folderOf(srcRoot, path.resolve(path.dirname(file), source));
        if (to === null || to === from || layer.folders.includes(to)) return;
        context.report({
          node,
          messageId: 'folder',
          data: { from, to, source, allowed: layer.folders.join(', ') || 'nothing' },
        });
        return;
      }
      // A package by its name (`pino`, `@scope/name`), a node module by its full `node:` name.
      const name = source.startsWith('node:')
        ? source
        : source
            .split('/')
            .slice(0, source.startsWith('@') ? 2 : 1)
            .join('/');
      if (layer.modules.includes(name)) return;
      context.report({
        node,
        messageId: 'module',
        data: { from, source, allowed: layer.modules.join(', ') || 'none' },
      });
    };
    const fromSource = (node) => check(node, node.source?.value);
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source.value : undefined),
    };
  },
};

export default { rules: { 'allowed-imports': rule } };
