// JSON Schemas of the TS API's hand-written result types, generated from the source
// (bindings/src/index.ts's exports, via bindings/tsconfig.json) by ts-json-schema-generator with
// `additionalProperties: false`, and an ajv check of a value against one of them.
import { Ajv } from 'ajv';
import path from 'node:path';
import {
  AnnotatedType,
  DEFAULT_CONFIG,
  SchemaGenerator,
  StringType,
  createFormatter,
  createParser,
  createProgram,
  ts,
  type BaseType,
  type CompletedConfig,
  type SubNodeParser,
} from 'ts-json-schema-generator';
import { repoRoot } from './paths.js';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `0x${string}` (Hex) as a string with a pattern: the library would widen it to any string. */
class StringTemplateParser implements SubNodeParser {
  supportsNode(node: ts.Node): boolean {
    return ts.isTemplateLiteralTypeNode(node) && node.templateSpans.every((s) => s.type.kind === ts.SyntaxKind.StringKeyword);
  }

  createType(node: ts.TemplateLiteralTypeNode): BaseType {
    const pattern = `^${escape(node.head.text)}${node.templateSpans.map((s) => `.*${escape(s.literal.text)}`).join('')}$`;
    return new AnnotatedType(new StringType(), { pattern }, false);
  }
}

/**
 * Generates the schemas of `types` (one TS program for all) and returns a checker: the ajv errors
 * of `value` against type `name` (`name[]`: a non-empty array of them), `[]` when it conforms.
 */
export function resultShapes(types: string[]): (name: string, value: unknown) => string[] {
  const config: CompletedConfig = {
    ...DEFAULT_CONFIG,
    path: path.join(repoRoot, 'bindings/src/index.ts'),
    tsconfig: path.join(repoRoot, 'bindings/tsconfig.json'),
    additionalProperties: false,
    skipTypeCheck: true, // tsc checks bindings/src; the generator only needs the types
  };
  const program = createProgram(config);
  const parser = createParser(program, config, (chain) => chain.addNodeParser(new StringTemplateParser()));
  const generator = new SchemaGenerator(program, parser, createFormatter(config), config);
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
  for (const name of types) ajv.addSchema({ ...generator.createSchema(name), $id: name });
  return (name, value) => {
    const array = name.endsWith('[]');
    const ref = { $ref: array ? name.slice(0, -2) : name };
    const validate = ajv.compile(array ? { type: 'array', minItems: 1, items: ref } : ref);
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => {
      const key = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : '';
      return `${e.instancePath || '/'} ${e.message}${key}`;
    });
  };
}
