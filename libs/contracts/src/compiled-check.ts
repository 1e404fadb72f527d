import { ValidationArguments, ValidationTypes, getMetadataStorage } from 'class-validator';

/** True when an object passes every class-validator rule of its class. */
export type CompiledCheck = (object: Record<string, unknown>) => boolean;

/**
 * Builds a pass/fail check from a class's own class-validator decorators, for hot paths (the
 * consumer validates every message). It calls the same constraint functions validateSync calls, but
 * without the executor's per-call metadata lookups and error objects, about 5x cheaper. Callers run
 * validateSync when it fails, for the messages, so the rules and their wording stay in the
 * decorators. Classes using anything beyond plain synchronous constraints (groups, conditions,
 * `each`, nested objects, async) get undefined: validate those with validateSync alone.
 */
export function compileCheck(cls: new () => object): CompiledCheck | undefined {
  const storage = getMetadataStorage();
  const checks: Array<{
    property: string;
    constraints: unknown[];
    validate: (value: unknown, args: ValidationArguments) => unknown;
  }> = [];
  for (const meta of storage.getTargetValidationMetadatas(cls, '', false, false)) {
    if (meta.type !== ValidationTypes.CUSTOM_VALIDATION || meta.each || meta.validateIf || meta.groups?.length) {
      return undefined;
    }
    for (const constraint of storage.getTargetValidatorConstraints(meta.constraintCls)) {
      if (constraint.async) return undefined;
      const instance = constraint.instance;
      checks.push({
        property: meta.propertyName,
        constraints: meta.constraints,
        validate: (value, args) => instance.validate(value, args),
      });
    }
  }
  if (checks.length === 0) return undefined;
  // One arguments object per constraint, refilled per call: the constraints are synchronous and keep
  // no reference to it, and the hot path is spared an allocation per field.
  const args = checks.map(({ property, constraints }): ValidationArguments => ({
    targetName: cls.name,
    property,
    object: {},
    value: undefined,
    constraints,
  }));
  return (object) => {
    for (let i = 0; i < checks.length; i++) {
      const a = args[i];
      a.object = object;
      a.value = object[a.property];
      if (checks[i].validate(a.value, a) !== true) return false;
    }
    return true;
  };
}
