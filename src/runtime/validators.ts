import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { MAX_NESTING, tooDeep } from '../util/nesting.js';
import { requireVendored } from '../util/vendored.js';

export { MAX_NESTING, tooDeep };

interface AjvModules {
  Ajv2020: typeof Ajv2020;
  addFormats: (ajv: Ajv2020) => void;
}
let modules: AjvModules | undefined;

/**
 * ajv loads on first use (~40 ms of start-up otherwise): schemas compile lazily anyway, and
 * `warmUpValidators` loads it once the sidecar is serving, before the first call needs it.
 */
function ajvModules(): AjvModules {
  // After a build, one bundle of ajv and ajv-formats (scripts/ajv-entry.cjs); from source, the packages.
  modules ??= requireVendored('ajv', (req): AjvModules => ({
    Ajv2020: (req('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020 }).Ajv2020,
    addFormats: (req('ajv-formats') as { default: AjvModules['addFormats'] }).default,
  }));
  return modules;
}

export function warmUpValidators(): void {
  ajvModules();
}

export interface FieldError {
  /** Argument path, e.g. `limit` or `tags/0`. */
  field: string;
  message: string;
}

export type Validator = (value: unknown) => FieldError[] | undefined;

/** A validator that compiles on first use; `compile()` forces it (validate, tests). */
export type LazyValidator = Validator & { compile(): void };

/**
 * One ajv per server runtime. Schemas compile on first use and stay compiled for the life of
 * the snapshot: a spec with a thousand operations is ready at once, and each tool pays once.
 */
export function createAjv(): Ajv2020 {
  const { Ajv2020, addFormats } = ajvModules();
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false, validateFormats: true });
  addFormats(ajv);
  return ajv;
}

/** The same, made on first use. */
export function lazyAjv(): () => Ajv2020 {
  let ajv: Ajv2020 | undefined;
  return () => (ajv ??= createAjv());
}

export function createLazyValidator(ajv: () => Ajv2020, schema: object): LazyValidator {
  let fn: ValidateFunction | undefined;
  const compile = () => {
    fn ??= ajv().compile(schema);
  };
  const validate = (value: unknown) => {
    // Before ajv and before anything serialises the value: both recurse, and thousands of levels overflow the stack.
    const deep = tooDeep(value, MAX_NESTING);
    if (deep !== undefined) return [{ field: deep, message: `is nested more than ${MAX_NESTING} levels deep` }];
    compile();
    return fn!(value) ? undefined : (fn!.errors ?? []).map(toFieldError);
  };
  return Object.assign(validate, { compile });
}

function toFieldError(e: ErrorObject): FieldError {
  const base = e.instancePath.slice(1).replace(/~1/g, '/').replace(/~0/g, '~');
  switch (e.keyword) {
    case 'required':
      return { field: join(base, String(e.params.missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return { field: join(base, String(e.params.additionalProperty)), message: 'is not a known argument' };
    case 'enum':
      return { field: base || '(arguments)', message: `must be one of ${JSON.stringify(e.params.allowedValues)}` };
    default:
      return { field: base || '(arguments)', message: e.message ?? 'is invalid' };
  }
}

function join(base: string, name: string): string {
  return base ? `${base}/${name}` : name;
}
