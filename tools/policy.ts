// npm run policy -- <plan.json> [--config <policy-config.json>]
// Evaluates the policy pack (policy/) against a plan written by `npm run plan -- --json <file>` or
// by `pulumi preview --json`. Validates the policy config first, prints what it checked, each
// violation and a verdict. The pack (and Pulumi) load only after the arguments are read.

import { EXIT, EXIT_CODES_HELP, guarded, parseArgs, readJsonFile, run, UsageError, type Io } from "./cli";
import type { Plan, Violation } from "../policy/offline";

export const POLICY_HELP = `usage: npm run policy -- <plan.json> [--config <policy-config.json>]

Runs the CrossGuard pack in policy/ over a plan file offline, as
pulumi preview --policy-pack policy --policy-pack-config <config> would.

arguments:
  <plan.json>           a plan in the shape of pulumi preview --json (npm run plan -- --json plan.json writes one)
options:
  --config <file>       policy pack config: {"<policy>": "<level>" | {"enforcementLevel"?: "<level>", <parameter>: value}, "all"?: "<level>"}
                        levels: advisory, mandatory, remediate, disabled (e.g. policy/config/prod.json)
  -h, --help            this help

Paths are relative to the directory you run npm from.

${EXIT_CODES_HELP}`;

const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];

interface PolicyLike { name: string; configSchema?: { properties?: Record<string, any> } }

function typeProblem(schema: any, value: unknown): string | undefined {
    const t = schema?.type;
    const ok = (type: string, v: unknown): boolean =>
        type === "array" ? Array.isArray(v) : type === "integer" ? Number.isInteger(v) : type === "object" ? !!v && typeof v === "object" && !Array.isArray(v) : typeof v === type;
    if (t && !ok(t, value)) return `must be ${t === "array" ? "a list" : t === "integer" ? "a whole number" : `a ${t}`}`;
    if (t === "array" && schema.items?.type && !(value as unknown[]).every(v => ok(schema.items.type, v))) return `must be a list of ${schema.items.type}s`;
    if (schema?.enum && !schema.enum.includes(value)) return `must be one of ${schema.enum.join(", ")}`;
    return undefined;
}

/** Every problem of a policy pack config: unknown policies, levels and parameters, wrong types. One line each. */
export function validatePolicyConfig(config: unknown, policies: readonly PolicyLike[], label: string): string[] {
    if (!config || typeof config !== "object" || Array.isArray(config)) return [`${label}: must be a JSON object of policy names, e.g. {"database-isolated": {"requireDeletionProtection": true}}`];
    const byName = new Map(policies.map(p => [p.name, p]));
    const problems: string[] = [];
    const levelProblem = (where: string, level: unknown) =>
        typeof level === "string" && LEVELS.includes(level) ? undefined : `${label}: ${where} = ${JSON.stringify(level)}: the enforcement levels are ${LEVELS.join(", ")}`;
    for (const [name, value] of Object.entries(config)) {
        if (name === "all") {
            const p = levelProblem("all", value);
            if (p) problems.push(p);
            continue;
        }
        const policy = byName.get(name);
        if (!policy) {
            const near = [...byName.keys()].find(n => n.includes(name) || name.includes(n));
            problems.push(`${label}: ${JSON.stringify(name)} is not a policy of the pack${near ? ` (did you mean ${near}?)` : ""}; the policies are ${[...byName.keys()].join(", ")}`);
            continue;
        }
        if (typeof value === "string") {
            const p = levelProblem(name, value);
            if (p) problems.push(p);
            continue;
        }
        if (!value || typeof value !== "object" || Array.isArray(value)) {
            problems.push(`${label}: ${name} = ${JSON.stringify(value)}: must be an enforcement level or an object of parameters`);
            continue;
        }
        const params = policy.configSchema?.properties ?? {};
        for (const [param, v] of Object.entries(value as Record<string, unknown>)) {
            if (param === "enforcementLevel") {
                const p = levelProblem(`${name}.enforcementLevel`, v);
                if (p) problems.push(p);
            } else if (!(param in params)) {
                const known = Object.keys(params);
                problems.push(`${label}: ${name}.${param}: not a parameter of ${name}; ${known.length ? `its parameters are ${known.join(", ")}` : "it takes none"}`);
            } else {
                const p = typeProblem(params[param], v);
                if (p) problems.push(`${label}: ${name}.${param} = ${JSON.stringify(v)}: ${p}`);
            }
        }
    }
    return problems;
}

export function formatViolations(violations: Violation[]): string[] {
    const lines = violations.map(v => `[${v.enforcementLevel}] ${v.policy}: ${v.message}${v.urn ? `\n    ${v.urn}` : ""}`);
    const m = violations.filter(v => v.enforcementLevel === "mandatory").length;
    const a = violations.length - m;
    lines.push(m > 0
        ? `Policy verdict: FAIL (${m} mandatory, ${a} advisory violation${a === 1 ? "" : "s"})`
        : `Policy verdict: PASS (0 mandatory, ${a} advisory violation${a === 1 ? "" : "s"})`);
    return lines;
}

/** What a run checked, for the line before the verdict. */
export function checkedLine(resources: number, policies: readonly PolicyLike[], config: Record<string, any> | undefined, configLabel: string | undefined): string {
    const disabled = policies.filter(p => (config?.[p.name]?.enforcementLevel ?? config?.[p.name] ?? config?.all) === "disabled").length;
    return `Checked ${resources} resources against ${policies.length - disabled} policies${disabled ? ` (${disabled} disabled)` : ""}, with ${configLabel ? `config ${configLabel}` : "the pack's default config"}`;
}

export function main(argv: string[], io: Io): Promise<number> {
    return guarded("npm run policy", io, async () => {
        const args = parseArgs(argv, { withValue: ["--config"], switches: ["--help"], positional: true });
        if (args.switches.has("--help")) return (io.out(POLICY_HELP), EXIT.pass);
        if (args.positional.length === 0) throw new UsageError("missing the plan file");
        if (args.positional.length > 1) throw new UsageError(`unexpected argument ${args.positional[1]}`);
        const planFile = args.positional[0];
        const configFile = args.options["--config"];
        const plan = readJsonFile(io, "plan", planFile);
        const config = configFile ? readJsonFile(io, "--config", configFile) : { value: undefined };
        for (const p of [plan.problem, config.problem]) if (p) return (io.err(p), EXIT.fail);
        if (!Array.isArray((plan.value as Plan)?.steps)) {
            io.err(`${planFile}: has no "steps" list; expected the shape of pulumi preview --json (npm run plan -- --json ${planFile} writes one)`);
            return EXIT.fail;
        }
        const { evaluatePlan, planResources } = await import("../policy/offline");
        const { policies } = await import("../policy/policies");
        if (configFile) {
            const problems = validatePolicyConfig(config.value, policies, configFile);
            if (problems.length > 0) return (problems.forEach(p => io.err(p)), EXIT.fail);
        }
        // Resources, as the plan counts them: not components, not the stack or providers.
        const custom = new Set((plan.value as Plan).steps.filter(s => (s.newState ?? s.oldState)?.custom !== false).map(s => s.urn));
        const resources = planResources(plan.value as Plan).filter(r => custom.has(r.urn) && !r.type.startsWith("pulumi:"));
        if (resources.length === 0) {
            io.err(`${planFile}: the plan has no resources, so nothing was checked`);
            return EXIT.fail;
        }
        const violations = evaluatePlan(plan.value as Plan, { config: config.value as Record<string, any> | undefined });
        io.out(checkedLine(resources.length, policies, config.value as Record<string, any> | undefined, configFile));
        for (const line of formatViolations(violations)) io.out(line);
        return violations.some(v => v.enforcementLevel === "mandatory") ? EXIT.fail : EXIT.pass;
    });
}

if (require.main === module) run(main, "npm run policy");
