// npm run plan -- (--stack <name> | --config <file>) [options]     (npm run check = plan --validate-only)
//
// Runs the real program in-process against the mock cloud (no Pulumi CLI, no AWS credentials)
// and prints what `pulumi up` would create: the key choices, resources by component and type,
// the outputs, and the policy pack's verdict on the plan. The stack file is validated first,
// completely, so a bad file costs a second, not a plan. Pulumi loads only after the arguments
// are read: --help and usage errors answer at once.

import { exportObjectKey } from "../components/cp-scaler/export";
import * as fs from "fs";
import * as path from "path";
import { checkWritable, EXIT, EXIT_CODES_HELP, guarded, parseArgs, readJsonFile, run, shownPath, stackFilesIn, stackNameFromFile, UsageError, userPath, type Io } from "./cli";
import { policyConfigFor } from "../policy/stack-config";
import type { PlannedResource, ProgramRun } from "../offline/harness";
import type { StackConfig } from "../stacks/config";
import type { Plan } from "../policy/offline";
import type { EstimateJson } from "./estimate";
import type { CostOptions } from "./estimate/cost";
import { regionLine } from "./estimate/prices";

const ROOT = path.join(__dirname, "..");

export const PLAN_HELP = `usage: npm run plan -- (--stack <name> | --config <file>) [options]
       npm run check -- (--stack <name> | --config <file>) [--stack-name <name>]

Plans the program offline, under Pulumi's mock runtime: no Pulumi CLI, no AWS account. Prints the
key choices, the resources by component, the outputs and the policy pack's verdict.
npm run check validates the stack file only (a few seconds), the same checks the plan makes first.

  --stack <name>          the stack file Pulumi.<name>.yaml in the repository (dev, prod, trial, …;
                          an unknown name lists them all)
  --config <file>         any stack file, e.g. a copy you edit: it plans like the stack it is a copy of
  --stack-name <name>     the stack name for --config (default: <name> of Pulumi.<name>.yaml, else the file name);
                          it names the resources (kong-<name>-…) as pulumi up on that stack would
  --policy-config <file>  policy pack config (default: policy/config/prod.json when the stack sets
                          production: true, else policy/config/dev.json)
  --json <file>           also write the plan in the shape of pulumi preview --json (secrets as "[secret]")
  --estimate <file>       also write the cost and deploy-time estimate as JSON
                          ({"monthlyUsd":{"idle","load"},"firstDeployMinutes","dpRollingUpdateMinutes","lines":[…]})
                          (dpRollingUpdateMinutes null: not estimated, the terminal output says why)
  --diagram <file>        also write the architecture as a Mermaid flowchart, drawn from the plan
  --validate-only         validate the stack file and stop (what npm run check runs)
  -h, --help              this help

Paths are relative to the directory you run npm from.

${EXIT_CODES_HELP}`;

/** The stacks the repository holds: Pulumi.<name>.yaml next to Pulumi.yaml. */
export function existingStacks(): string[] {
    return stackFilesIn(ROOT);
}

/**
 * Property names a real preview shows as "[secret]": secret in the provider schemas (tls PrivateKey,
 * CertRequest, LocallySignedCert; aws acm Certificate, Secrets Manager, RDS; random RandomPassword).
 */
const SECRET_PROPERTIES = new Set([
    "privateKeyPem", "privateKeyOpenssh", "privateKeyPemPkcs8", "caPrivateKeyPem", "privateKey",
    "secretString", "secretBinary", "password", "masterPassword",
]);
/** Secret properties whose names are too common to redact everywhere. */
const SECRET_PROPERTIES_OF: Record<string, string[]> = { "random:index/randomPassword:RandomPassword": ["result", "bcryptHash"] };

function redact(value: any, type = ""): any {
    // Key material under any other name is a secret all the same.
    if (typeof value === "string" && /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) return "[secret]";
    if (Array.isArray(value)) return value.map(v => redact(v));
    if (value && typeof value === "object") {
        const secret = (k: string) => SECRET_PROPERTIES.has(k) || (SECRET_PROPERTIES_OF[type] ?? []).includes(k);
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secret(k) && v !== undefined && v !== "" ? "[secret]" : redact(v)]));
    }
    return value;
}

/** `pulumi preview --json` shape: one create step per registered resource, components included. */
export function previewJson(run: ProgramRun, opts: { redactSecrets?: boolean } = {}) {
    const shown = (v: any, type: string) => (opts.redactSecrets ? redact(v, type) : v);
    return {
        steps: run.resources.map(r => ({
            op: "create",
            urn: r.urn,
            newState: {
                urn: r.urn,
                type: r.type,
                id: r.id ?? "",
                parent: r.parent ?? "",
                custom: r.custom,
                protect: r.protect,
                aliases: r.aliases,
                inputs: shown(r.inputs, r.type),
                outputs: shown(r.outputs, r.type),
                dependencies: r.dependencies,
                propertyDependencies: r.propertyDependencies,
            },
        })),
    };
}

/** The components the README names, by type: resources are grouped under the nearest one. */
const COMPONENTS: Record<string, string> = {
    "kong:network:Vpc": "Vpc",
    "kong:security:StackKey": "StackKey",
    "kong:pki:PrivateCa": "PrivateCa",
    "kong:database:Database": "Database",
    "kong:controlplane:AdminKey": "AdminKey",
    "kong:controlplane:ControlPlane": "ControlPlane",
    "kong:dataplane:DataPlane": "DataPlane",
    "kong:edge:Edge": "Edge",
    "kong:edge:InternalLoadBalancer": "InternalLoadBalancer",
    "kong:eks:EksCluster": "EksCluster",
    "kong:eks:ClusterAddons": "ClusterAddons",
    "kong:eks:KongRelease": "KongRelease",
    "kong:eks:DataPlaneRedis": "DataPlaneRedis",
    "kong:cpScaler:CpScaler": "CpScaler",
    "kong:cpScaler:ConfigExportBucket": "ConfigExportBucket",
};

function groupOf(r: PlannedResource, byUrn: Map<string, PlannedResource>): string {
    for (let node = r.parent ? byUrn.get(r.parent) : undefined; node; node = node.parent ? byUrn.get(node.parent) : undefined) {
        if (COMPONENTS[node.type]) return `${COMPONENTS[node.type]} ${node.name}`;
    }
    return "(stack: shared)";
}

function descendants(run: ProgramRun, root: PlannedResource): PlannedResource[] {
    const children = new Map<string, PlannedResource[]>();
    for (const r of run.resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    const out: PlannedResource[] = [];
    const walk = (urn: string) => (children.get(urn) ?? []).forEach(c => (out.push(c), walk(c.urn)));
    walk(root.urn);
    return out;
}

/** The choices a reader checks first: where, how it reaches the internet, which CA and Kong, how big. */
export function keyChoices(run: ProgramRun, cfg: StackConfig): string[] {
    const zones = run.resources.find(r => r.type === "aws:ec2/subnet:Subnet")
        ? [...new Set(run.resources.filter(r => r.type === "aws:ec2/subnet:Subnet").map(r => r.inputs.availabilityZone).filter(Boolean))].sort()
        : [];
    const groups = run.resources.filter(r => r.type === "kong:dataplane:DataPlane").map(g => {
        const own = descendants(run, g);
        const task = own.find(r => r.type === "aws:ecs/taskDefinition:TaskDefinition");
        const scaling = own.find(r => r.type === "aws:appautoscaling/target:Target");
        const group = cfg.dataPlanes.find(d => `dp-${d.name}` === g.name);
        const exposure = group?.exposure;
        const edge = exposure === "public" ? ", behind the ALB" : exposure === "internal" ? ", behind an internal ALB" : "";
        const size = task ? `${task.inputs.cpu} CPU units / ${task.inputs.memory} MiB` : "?";
        const count = scaling ? `${scaling.inputs.minCapacity}-${scaling.inputs.maxCapacity} tasks` : "";
        // The group's own share (dataPlanes[i].spotPercent, else dpSpotPercent), not the stack default.
        return `${g.name} (${size}, ${count}${group?.spotPercent ? `, ${group.spotPercent}% on Spot` : ""}${edge})`;
    });
    // EKS groups: pods sized by the config, replicas by the HPA (the release's values say the same).
    for (const d of cfg.dataPlanes.filter(d => d.runtime === "eks" && d.eks)) {
        groups.push(`dp-${d.name} (EKS, ${d.eks!.cpuMillis}m CPU / ${d.eks!.memoryMiB}-${d.eks!.memoryLimitMiB} MiB, ${d.minCount}-${d.maxCount} pods at ${d.eks!.targetCpuPercent}% CPU, behind the ALB, weight ${d.weight})`);
    }
    const eksCp = cfg.controlPlaneRuntime === "eks" && cfg.eks ? cfg.eks.controlPlane : undefined;
    const cpLine = eksCp
        ? `EKS, ${eksCp.replicas} pod(s), ${eksCp.cpuMillis}m CPU / ${eksCp.memoryMiB}-${eksCp.memoryLimitMiB} MiB`
        : `${cfg.controlPlane.desiredCount} task(s), ${cfg.controlPlane.cpu} CPU units / ${cfg.controlPlane.memory} MiB`;
    const image = (k: { image: string; edition: string }) => `${k.image} (${k.edition === "oss" ? "open source" : "Enterprise"})`;
    return [
        `  region      ${cfg.region}, ${zones.length} AZs: ${zones.join(", ")}`,
        `  NAT         ${cfg.network.natMode}${cfg.network.natMode === "instance" ? ` (${cfg.network.natInstanceType})` : ""}`,
        `  CA          ${cfg.ca.mode}${cfg.ca.mode === "acm-pca" ? ` (${cfg.ca.pcaUsageMode})` : ""}`,
        `  images      CP ${image(cfg.kong.controlPlane)}, DP ${cfg.kong.dataPlane.image === cfg.kong.controlPlane.image ? "the same" : image(cfg.kong.dataPlane)}`,
        `  CP          ${cpLine}; Aurora ${cfg.database.minCapacity}-${cfg.database.maxCapacity} ACU${cfg.database.reader ? " + reader" : ""}`,
        `  CP sleeps   ${scaleToZeroChoice(cfg)}`,
        `  DP groups   ${groups.join("; ") || "none"}`,
        ...(cfg.eks ? [`  EKS         ${cfg.eks.nodeGroup.minSize}-${cfg.eks.nodeGroup.maxSize} × ${cfg.eks.nodeGroup.instanceTypes.join(", ")} (${cfg.eks.nodeGroup.amiType}), API ${cfg.eks.publicAccessCidrs.length ? `public for ${cfg.eks.publicAccessCidrs.join(", ")}` : "private only"}`] : []),
        ...(cfg.redis ? [`  Redis       ${cfg.redis.nodes} × ${cfg.redis.nodeType}, TLS and AUTH, from the DP groups only`] : []),
        `  edge        https://${cfg.edge.domain}/ (${cfg.edge.hostedZoneName ? `ACM certificate, zone ${cfg.edge.hostedZoneName}` : "self-signed certificate, no DNS record"}${cfg.edge.waf ? "" : "; no WAF"})`,
    ];
}

/** Whether the controller runs, its timings, and where new DPs find the last configuration. */
function scaleToZeroChoice(cfg: StackConfig): string {
    const s = cfg.controlPlane.scaleToZero;
    if (!s) return "no (cpScaleToZero off: the CP runs all the time)";
    const from = cfg.kong.controlPlane.edition === "oss" ? "an init container loads" : "Kong's cluster_fallback_config import loads";
    return `when idle (controller: sync wait ${s.syncWaitMinutes} min, cooldown ${s.cooldownMinutes} min, +${s.extendMinutes} min per trigger); ` +
        `the CP exports its configuration to S3 (${exportObjectKey(cfg.kong.controlPlane)}) and ${from} it in new DPs`;
}

export function summary(run: ProgramRun, cfg?: StackConfig): string {
    const byUrn = new Map(run.resources.map(r => [r.urn, r]));
    const groups = new Map<string, Map<string, number>>();
    for (const r of run.resources) {
        if (!r.custom) continue;
        const group = groupOf(r, byUrn);
        const types = groups.get(group) ?? new Map<string, number>();
        types.set(r.type, (types.get(r.type) ?? 0) + 1);
        groups.set(group, types);
    }
    const custom = run.resources.filter(r => r.custom).length;
    const components = run.resources.filter(r => !r.custom && r.type !== "pulumi:pulumi:Stack").length;
    const lines = [`Plan for stack ${run.stack}: ${custom} resources in ${components} components (offline, mock cloud)`];
    if (cfg) lines.push(...keyChoices(run, cfg));
    lines.push(
        "",
        `Resources are the cloud objects pulumi up creates; components only group them. pulumi preview lists`,
        `${run.resources.length} steps: one per resource (${custom}), per component (${components}) and the stack itself.`,
        "",
    );
    for (const [group, types] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
        const total = [...types.values()].reduce((a, b) => a + b, 0);
        lines.push(`${group}  (${total})`);
        for (const [type, n] of [...types].sort(([a], [b]) => a.localeCompare(b))) lines.push(`    ${String(n).padStart(3)}  ${type}`);
    }
    lines.push("", "Outputs:");
    const width = Math.max(...Object.keys(run.outputs).map(k => k.length), 0);
    for (const [key, value] of Object.entries(run.outputs)) {
        let text = typeof value === "string" ? value : JSON.stringify(value);
        if (text.includes("-----BEGIN")) text = `${text.split("\n")[0]} … (PEM, ${text.length} bytes)`;
        lines.push(`    ${key.padEnd(width)}  ${text}`);
    }
    return lines.join("\n");
}

interface Source {
    /** The file's path for messages, as the user should read it. */
    label: string;
    file: string;
    stack: string;
}

function resolveSource(io: Io, options: Record<string, string>): Source {
    const [stack, config] = [options["--stack"], options["--config"]];
    if (stack && config) throw new UsageError("give --stack or --config, not both");
    if (!stack && !config) throw new UsageError("which stack? give --stack <name> or --config <file>");
    if (stack) {
        if (options["--stack-name"]) throw new UsageError("--stack-name goes with --config (--stack already names the stack)");
        const file = path.join(ROOT, `Pulumi.${stack}.yaml`);
        if (!fs.existsSync(file)) throw new UsageError(`no stack "${stack}": the stacks are ${existingStacks().join(", ")} (Pulumi.<name>.yaml next to Pulumi.yaml); for another file use --config <file>`);
        return { label: shownPath(io, file), file, stack };
    }
    const file = userPath(io, config!);
    if (!fs.existsSync(file)) throw new UsageError(`--config ${config}: no such file (paths are relative to ${io.cwd})`);
    if (fs.statSync(file).isDirectory()) throw new UsageError(`--config ${config}: is a directory; give a stack file`);
    const name = options["--stack-name"] ?? stackNameFromFile(file);
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new UsageError(`--stack-name ${JSON.stringify(name)}: a stack name is letters, digits, _, . and -`);
    return { label: config!, file, stack: name };
}

/** Validates a stack file completely: the file, every key, and what the offline cloud knows of the region. */
async function validate(io: Io, source: Source): Promise<{ cfg?: StackConfig; raw: Record<string, string>; problems: string[] }> {
    const { ConfigError, offlineRegionProblems, parseConfig, readStackFile } = await import("../stacks/config");
    const { REGION_AZS } = await import("../offline/regions");
    const file = readStackFile(fs.readFileSync(source.file, "utf8"), source.label);
    if (file.secureKeys.length > 0) {
        io.err(`note: ${file.secureKeys.join(", ")} ${file.secureKeys.length === 1 ? "is a secure value" : "are secure values"} only the Pulumi CLI can decrypt; the offline plan uses a placeholder`);
    }
    // YAML errors make the keys unknowable: report those alone.
    if (file.problems.some(p => p.includes(": invalid YAML: "))) return { raw: file.raw, problems: file.problems };
    const problems = [...file.problems];
    let cfg: StackConfig | undefined;
    try {
        cfg = parseConfig(file.raw, source.stack);
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        problems.push(...e.problems);
    }
    problems.push(...offlineRegionProblems(file.raw, REGION_AZS));
    return { cfg: problems.length ? undefined : cfg, raw: file.raw, problems };
}

/** The options that write a file next to the printed plan. */
const OUTPUT_FILES = ["--json", "--estimate", "--diagram"] as const;

/** The issue's targets, met by configuration and design (issue 13). One source for the plan and the README test. */
export const TARGETS = Object.freeze({
    /** A non-production stack idle, per month. */
    devIdleUsd: 45,
    /** A production (highly available) stack idle, per month, without the ACM Private CA. */
    prodIdleWithoutPcaUsd: 350,
    /** A DP rolling update, without dropped requests. */
    dpRollingUpdateMinutes: 3,
});

const isPca = (item: string) => item.startsWith("ACM Private CA");

/**
 * The estimate next to the targets, each marked met or missed; the PCA's price is stated apart from
 * the prod target; then the stack's own region (the targets are judged on us-east-1 list prices).
 */
export function targetLines(e: EstimateJson, production: boolean, region?: string): string[] {
    const pca = Math.round(e.lines.filter(l => isPca(l.item)).reduce((n, l) => n + l.monthlyUsd, 0) * 100) / 100;
    const mark = (ok: boolean) => (ok ? "met" : "MISSED");
    const usd = (n: number) => `$${n.toFixed(2)}`;
    const out = ["", "Targets:"];
    if (production) {
        const idle = Math.round((e.monthlyUsd.idle - pca) * 100) / 100;
        out.push(`  idle without ACM Private CA ≤ ${usd(TARGETS.prodIdleWithoutPcaUsd)}/month (production, highly available): ${usd(idle)}  ${mark(idle <= TARGETS.prodIdleWithoutPcaUsd)}`);
        out.push(pca > 0 ? `  ACM Private CA, on top: ${usd(pca)}/month` : "  ACM Private CA: none in this stack");
    } else {
        out.push(`  idle ≤ ${usd(TARGETS.devIdleUsd)}/month (not production): ${usd(e.monthlyUsd.idle)}  ${mark(e.monthlyUsd.idle <= TARGETS.devIdleUsd)}`);
        if (pca > 0) out.push(`  (includes ACM Private CA ${usd(pca)}/month)`);
    }
    const rolling = e.dpRollingUpdateMinutes;
    // Never "met" for a figure the estimator could not compute.
    out.push(`  DP rolling update ≤ ${TARGETS.dpRollingUpdateMinutes} min: ${rolling === null ? "not estimated" : `${rolling} min  ${mark(rolling <= TARGETS.dpRollingUpdateMinutes)}`}`);
    if (region !== undefined) out.push(regionLine(region, e.monthlyUsd.idle));
    return out;
}

/** What the plan prints after the resources: the estimate line by line, then the targets (the README pastes it). */
export async function estimateReport(plan: Plan, production: boolean, opts: CostOptions = {}, region?: string): Promise<string[]> {
    const { estimate, formatEstimate } = await import("./estimate");
    return [...formatEstimate(plan, opts), ...targetLines(estimate(plan, opts), production, region)];
}

/** --policy-config, else the stack's own by its production setting (the rule the Automation API facade uses too). */
export function policyConfigFile(options: Record<string, string>, cfg: Pick<StackConfig, "production">): { flag: string; file: string; label: string } {
    if (options["--policy-config"]) return { flag: "--policy-config", file: options["--policy-config"], label: options["--policy-config"] };
    const own = policyConfigFor(cfg.production);
    return { flag: "policy config", file: own.file, label: `policy/config/${own.name}.json (production: ${cfg.production})` };
}

export function main(argv: string[], io: Io): Promise<number> {
    return guarded("npm run plan", io, async () => {
        const args = parseArgs(argv, { withValue: ["--stack", "--config", "--stack-name", "--policy-config", ...OUTPUT_FILES], switches: ["--help", "--validate-only"] });
        if (args.switches.has("--help")) return (io.out(PLAN_HELP), EXIT.pass);
        const source = resolveSource(io, args.options);
        const validateOnly = args.switches.has("--validate-only");
        const outputs = OUTPUT_FILES.filter(flag => args.options[flag]);
        const planOnly = [...outputs, ...(args.options["--policy-config"] ? ["--policy-config"] : [])];
        if (validateOnly && planOnly.length > 0) throw new UsageError(`--validate-only plans nothing: ${planOnly.join(", ")} ${planOnly.length === 1 ? "does" : "do"} not apply`);
        for (const flag of outputs) checkWritable(io, flag, args.options[flag]);
        const policyFile = args.options["--policy-config"];
        const policyJson = policyFile ? readJsonFile(io, "--policy-config", policyFile) : undefined;

        io.err(`validating ${source.label} (stack ${source.stack})…`);
        const { cfg, raw, problems } = await validate(io, source);
        if (!cfg) {
            io.err(`${source.label}: invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):`);
            for (const p of problems) io.err(`  - ${p}`);
            return EXIT.fail;
        }
        if (validateOnly) {
            io.out(`${source.label}: valid configuration for stack ${source.stack} (region ${cfg.region}, ${cfg.network.azCount} AZs, NAT ${cfg.network.natMode}, CA ${cfg.ca.mode}, ${cfg.production ? "production" : "not production"})`);
            return EXIT.pass;
        }

        const { policies } = await import("../policy/policies");
        const { validatePolicyConfig, formatViolations, checkedLine } = await import("./policy");
        const policy = policyConfigFile(args.options, cfg);
        const policyConfig = policyJson ? policyJson : readJsonFile(io, policy.flag, policy.file);
        const policyProblems = policyConfig.problem ? [policyConfig.problem] : validatePolicyConfig(policyConfig.value, policies, policy.label);
        if (policyProblems.length > 0) return (policyProblems.forEach(p => io.err(p)), EXIT.fail);

        io.err(`planning stack ${source.stack} in ${cfg.region} under the mock cloud (the whole program, a few seconds)…`);
        const { runProgram } = await import("../offline/harness");
        const { loadConfig } = await import("../stacks/config");
        const { buildStack } = await import("../stacks/program");
        let result: ProgramRun;
        try {
            result = await runProgram(() => buildStack(loadConfig()), { stack: source.stack, config: raw });
        } catch (e: any) {
            io.err(`The program failed: ${e?.message ?? e} (set KONG_HYBRID_STACK_TRACES=1 for the stack trace)`);
            if (process.env.KONG_HYBRID_STACK_TRACES && e?.stack) io.err(e.stack);
            return EXIT.fail;
        }
        if (result.duplicateUrns.length > 0) {
            io.err(`Duplicate resource URNs (a real preview would fail): ${result.duplicateUrns.join(", ")}`);
            return EXIT.fail;
        }
        io.out(summary(result, cfg));
        if (args.options["--json"]) {
            fs.writeFileSync(userPath(io, args.options["--json"]), JSON.stringify(previewJson(result, { redactSecrets: true }), null, 2));
            io.out(`\nWrote ${args.options["--json"]} (${result.resources.length} steps, the shape of pulumi preview --json; secrets as "[secret]")`);
        }
        // The estimate and the diagram read the plan as a file would hold it: plain JSON.
        const planJson: Plan = JSON.parse(JSON.stringify(previewJson(result)));
        const { estimate } = await import("./estimate");
        const { cpHoursOptions } = await import("./estimate/cp-hours");
        const costOptions = cpHoursOptions(raw);
        const figures = estimate(planJson, costOptions);
        io.out("");
        for (const line of await estimateReport(planJson, cfg.production, costOptions, cfg.region)) io.out(line);
        if (args.options["--estimate"]) {
            fs.writeFileSync(userPath(io, args.options["--estimate"]), `${JSON.stringify(figures, null, 2)}\n`);
            io.out(`\nWrote ${args.options["--estimate"]} (monthly cost idle and at load, first deploy and DP rolling update minutes, ${figures.lines.length} cost lines)`);
        }
        if (args.options["--diagram"]) {
            const { diagram } = await import("./diagram");
            fs.writeFileSync(userPath(io, args.options["--diagram"]), diagram(planJson));
            io.out(`\nWrote ${args.options["--diagram"]} (Mermaid flowchart of the plan: tiers, load balancers, DP groups, CP, database, security-group arrows)`);
        }
        io.err(`running the policy pack on ${result.resources.filter(r => r.custom).length} resources…`);
        const { evaluatePlan } = await import("../policy/offline");
        // Policies see plain values, as the engine gives them; only the file a user keeps is redacted.
        const violations = evaluatePlan(previewJson(result), { config: policyConfig.value as Record<string, any> });
        io.out(`\nPolicy pack (policy/): ${checkedLine(result.resources.filter(r => r.custom).length, policies, policyConfig.value as Record<string, any>, policy.label)}`);
        for (const line of formatViolations(violations)) io.out(`    ${line}`);
        return violations.some(v => v.enforcementLevel === "mandatory") ? EXIT.fail : EXIT.pass;
    });
}

if (require.main === module) run(main, process.argv.includes("--validate-only") ? "npm run check" : "npm run plan");
