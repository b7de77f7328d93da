/**
 * Which fields of the validated `Config` (src/config/model.ts) the code reads, found with the
 * TypeScript compiler: one Program over src/, a walk of every property of `Config` (through nested
 * interfaces, arrays and unions of object types), then a walk of every source file for
 * expressions that read one of them.
 *
 * A read is a property access (`inst.priority`, `inst?.priority`, `inst['priority']`) or an
 * object destructuring (`const { priority } = inst`) that resolves to the field's declaration.
 * Writing the field in an object literal is not a read. A field shared by several places (the
 * fields of `GarpSettings`, `ScriptSpec`, `IpAddressSpec`...) is one declaration: a read of it
 * anywhere counts for every place, and the places themselves (`globalDefs.garp`,
 * `vrrpInstances[].garp`) are fields of their own.
 *
 * Values also flow into the code's own types (`newScriptState(script)` with a parameter of
 * `ScriptCounterConfig`): where an expression whose type has a `Config` field is passed, returned,
 * assigned or placed where the compiler expects another object type, that type's property of the
 * same name stands for the field, so reading it reads the field.
 */
import path from 'node:path';
import ts from 'typescript';

export interface FieldReads {
  /** Where the field sits in `Config`, first place found: `vrrpInstances[].garp.masterDelayMs`. */
  readonly path: string;
  /** Every place the same declaration sits, `path` first. */
  readonly paths: readonly string[];
  /** Files (relative to the repository, `ignored` left out) that read the field. */
  readonly readers: readonly string[];
}

export interface FieldReadOptions {
  readonly root: string;
  /** Folders (ending in '/') or files under src/ whose reads count for nothing. */
  readonly ignored: readonly string[];
}

export function configFieldReads(opts: FieldReadOptions): FieldReads[] {
  const { root } = opts;
  const tsconfig = ts.readConfigFile(path.join(root, 'tsconfig.json'), (f) => ts.sys.readFile(f));
  const json = { ...(tsconfig.config as object), include: ['src'] };
  const parsed = ts.parseJsonConfigFileContent(json, ts.sys, root);
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const checker = program.getTypeChecker();
  const modelPath = path.join(root, 'src/config/model.ts');
  const model = program.getSourceFile(modelPath);
  if (model === undefined) throw new Error(`${modelPath} is not in the program`);
  const configDecl = model.statements.find((s) => ts.isInterfaceDeclaration(s) && s.name.text === 'Config');
  if (configDecl === undefined) throw new Error('no interface Config in src/config/model.ts');

  /** The object types in a type: through unions, arrays and tuples. */
  const objectParts = (type: ts.Type): ts.Type[] => {
    const out: ts.Type[] = [];
    const seen = new Set<ts.Type>();
    const visit = (t: ts.Type): void => {
      if (seen.has(t)) return;
      seen.add(t);
      if (t.isUnion()) t.types.forEach(visit);
      else if (checker.isArrayType(t) || checker.isTupleType(t))
        checker.getTypeArguments(t as ts.TypeReference).forEach(visit);
      else if ((t.flags & ts.TypeFlags.Object) !== 0) out.push(t);
    };
    visit(type);
    return out;
  };
  const isArray = (t: ts.Type): boolean => checker.isArrayType(checker.getNonNullableType(t));

  interface Field {
    readonly paths: string[];
    readonly readers: Set<string>;
  }
  const fields = new Map<ts.Declaration, Field>();
  // Every place of every field; `above` (the types being walked) stops a recursive type.
  const walkFields = (type: ts.Type, prefix: string, above: ReadonlySet<ts.Type>): void => {
    for (const part of objectParts(type)) {
      for (const prop of checker.getPropertiesOfType(part)) {
        const decl = prop.declarations?.[0];
        if (decl === undefined || decl.getSourceFile() !== model) continue;
        const propType = checker.getTypeOfSymbol(prop);
        const at = `${prefix}${prefix === '' ? '' : '.'}${prop.name}${isArray(propType) ? '[]' : ''}`;
        const field = fields.get(decl) ?? { paths: [], readers: new Set<string>() };
        fields.set(decl, field);
        field.paths.push(at);
        if (!above.has(propType)) walkFields(propType, at, new Set([...above, propType]));
      }
    }
  };
  walkFields(checker.getTypeAtLocation(configDecl), '', new Set());

  // Flows into the code's own types: a foreign property declaration stands for the fields whose
  // values reach it.
  const standsFor = new Map<ts.Declaration, Set<ts.Declaration>>();
  const paired = new Map<ts.Type, Set<ts.Type>>();
  const pair = (source: ts.Type, target: ts.Type, depth: number): void => {
    if (depth > 8 || source === target) return;
    const targets = paired.get(source) ?? new Set<ts.Type>();
    paired.set(source, targets);
    if (targets.has(target)) return;
    targets.add(target);
    for (const s of objectParts(source)) {
      for (const t of objectParts(target)) {
        for (const tProp of checker.getPropertiesOfType(t)) {
          const sProp = checker.getPropertyOfType(s, tProp.name);
          if (sProp === undefined) continue;
          for (const td of tProp.declarations ?? []) {
            for (const sd of sProp.declarations ?? []) {
              if (td === sd) continue;
              const set = standsFor.get(td) ?? new Set<ts.Declaration>();
              standsFor.set(td, set);
              set.add(sd);
            }
          }
          pair(checker.getTypeOfSymbol(sProp), checker.getTypeOfSymbol(tProp), depth + 1);
        }
      }
    }
  };
  const flow = (expr: ts.Expression): void => {
    const target = checker.getContextualType(expr);
    if (target !== undefined) pair(checker.getTypeAtLocation(expr), target, 0);
  };

  const rel = (sf: ts.SourceFile): string => path.relative(root, sf.fileName).split(path.sep).join('/');
  const sources = program
    .getSourceFiles()
    .filter((sf) => !sf.isDeclarationFile && rel(sf).startsWith('src/') && sf !== model)
    .filter((sf) => !opts.ignored.some((i) => rel(sf).startsWith(i)));

  const flows = (node: ts.Node): void => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) node.arguments?.forEach(flow);
    else if (ts.isVariableDeclaration(node) && node.initializer !== undefined && node.type !== undefined)
      flow(node.initializer);
    else if (ts.isReturnStatement(node) && node.expression !== undefined) flow(node.expression);
    else if (ts.isPropertyAssignment(node)) flow(node.initializer);
    else if (ts.isShorthandPropertyAssignment(node)) flow(node.name);
    else if (ts.isSpreadAssignment(node) || ts.isSpreadElement(node)) flow(node.expression);
    else if (ts.isArrowFunction(node) && !ts.isBlock(node.body)) flow(node.body);
    else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken)
      flow(node.right);
    else if (ts.isArrayLiteralExpression(node)) node.elements.forEach(flow);
    ts.forEachChild(node, flows);
  };
  for (const sf of sources) flows(sf);

  const credit = (symbol: ts.Symbol | undefined, file: string): void => {
    const todo = [...(symbol?.declarations ?? [])];
    const seen = new Set<ts.Declaration>();
    for (let d = todo.pop(); d !== undefined; d = todo.pop()) {
      if (seen.has(d)) continue;
      seen.add(d);
      const field = fields.get(d);
      field?.readers.add(file);
      todo.push(...(standsFor.get(d) ?? []));
    }
  };
  for (const sf of sources) {
    const file = rel(sf);
    const reads = (node: ts.Node): void => {
      if (ts.isPropertyAccessExpression(node)) credit(checker.getSymbolAtLocation(node.name), file);
      else if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression))
        credit(checker.getSymbolAtLocation(node.argumentExpression), file);
      else if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent) && !node.dotDotDotToken) {
        const name = node.propertyName ?? node.name;
        if (ts.isIdentifier(name) || ts.isStringLiteralLike(name)) {
          const whole = checker.getTypeAtLocation(node.parent);
          for (const part of [whole, ...objectParts(whole)])
            credit(checker.getPropertyOfType(part, name.text), file);
        }
      }
      ts.forEachChild(node, reads);
    };
    reads(sf);
  }

  return [...fields.values()].map((f) => ({
    path: f.paths[0] ?? '',
    paths: f.paths,
    readers: [...f.readers].sort(),
  }));
}
