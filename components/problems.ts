// A rule's finding, written once by the component that owns the rule and shown in the words of
// whoever called it: the component's own argument names (`minCapacity = 4: must not exceed
// maxCapacity (2)`) or the stack's config keys (`kong-hybrid:dbMinCapacity = 4: must not exceed
// kong-hybrid:dbMaxCapacity (2)`, stacks/config.ts).

export interface Problem {
    /** The argument at fault. */
    field: string;
    value: unknown;
    /** What is wrong and what is allowed; `name` renders any argument it mentions. */
    message: (name: (field: string) => string) => string;
}

/** One line: `<name> = <value as written>: <message>`. */
export function problemLine(p: Problem, name: (field: string) => string = f => f): string {
    const shown = typeof p.value === "number" || typeof p.value === "boolean" ? String(p.value) : JSON.stringify(p.value);
    return `${name(p.field)} = ${shown}: ${p.message(name)}`;
}
