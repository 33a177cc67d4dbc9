import { byType, planStack, type PlannedResource, type ProgramRun } from "../../offline/harness";
import { plan as sharedPlan } from ".";

// The real program (stacks/program.ts) planned per stack variant, once per mocha process; specs
// share the runs (the suite must stay fast). `plan()` is the DP slice's view (resources of the
// public DP group, named dp-public*); `planFull()` is the whole stack.

export const LICENCE_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:kong-licence-QwErTy";
const VARIANTS: Record<string, [string, Record<string, string | undefined>]> = {
    dev: ["dev", {}],
    prod: ["prod", {}],
    "prod-redirect": ["prod", { "kong-hybrid:albHttpRedirect": "true" }],
    "prod-endpoints": ["prod", { "kong-hybrid:interfaceEndpoints": JSON.stringify(["ecr.api", "ecr.dkr", "logs", "secretsmanager", "kms"]) }],
    "dev-self-signed": ["dev", { "kong-hybrid:hostedZoneName": "" }],
    "dev-enterprise": ["dev", { "kong-hybrid:kongImage": "kong/kong-gateway:3.15.0.4", "kong-hybrid:kongLicenseSecretArn": LICENCE_ARN }],
    // dev runs without a WAF (Pulumi.dev.yaml); these variants turn it back on.
    "dev-waf": ["dev", { "kong-hybrid:waf": "true" }],
    "dev-ipv6-admin": ["dev", { "kong-hybrid:waf": "true", "kong-hybrid:adminAllowedCidrs": JSON.stringify(["203.0.113.0/24", "2001:db8:1::/48"]) }],
    "dev-upstreams": ["dev", {
        "kong-hybrid:dpUpstreamEgressCidrs": JSON.stringify(["10.50.0.0/16"]),
        "kong-hybrid:dpUpstreamEgressPorts": JSON.stringify([443, 8443]),
    }],
};
const cache = new Map<string, Promise<ProgramRun>>();

export function planFull(variant: string): Promise<ProgramRun> {
    if (!cache.has(variant)) {
        const [stack, overrides] = VARIANTS[variant];
        // dev and prod as the stack files define them: the runs every spec shares.
        const run = Object.keys(overrides).length === 0 ? sharedPlan(stack as "dev" | "prod") : planStack(stack, overrides);
        cache.set(variant, run.then(run => {
            // Mocks accept a URN twice; a real preview fails.
            if (run.duplicateUrns.length > 0) throw new Error(`duplicate URNs: ${run.duplicateUrns.join(", ")}`);
            return run;
        }));
    }
    return cache.get(variant)!;
}

export async function plan(variant: string): Promise<ProgramRun> {
    const run = await planFull(variant);
    return { ...run, resources: run.resources.filter(r => r.name.startsWith("dp-public")) };
}

export function one(run: ProgramRun, type: string, name?: string): PlannedResource {
    const found = byType(run, type).filter(r => name === undefined || r.name === name);
    if (found.length !== 1) throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
    return found[0];
}

/** What the rest of the stack hands the DP group, read from the whole run. */
export async function contracts(variant: string) {
    const run = await planFull(variant);
    const prefix = `kong-${VARIANTS[variant][0]}`;
    const dpTls = run.resources.find(r => r.type === "aws:secretsmanager/secret:Secret" && r.name === `${prefix}-ca-dp-tls`)!;
    const dpTlsVersion = run.resources.find(r => r.type === "aws:secretsmanager/secretVersion:SecretVersion" && r.name === `${prefix}-ca-dp-tls`)!;
    return {
        stackKeyArn: run.outputs.kmsKeyArn as string,
        publicSubnetIds: run.outputs.publicSubnetIds as string[],
        privateSubnetIds: run.outputs.privateSubnetIds as string[],
        vpcId: run.outputs.vpcId as string,
        clusterName: String(run.outputs.ecsClusterArn).split("/").pop()!,
        caPem: run.outputs.caCertificatePem as string,
        dpTlsSecretArn: dpTls.outputs.arn as string,
        dpTlsVersionId: dpTlsVersion.outputs.versionId as string,
        /** The configuration export bucket, where the CP sleeps (cpScaleToZero). */
        exportBucket: run.resources.find(r => r.type === "aws:s3/bucket:Bucket" && r.name === `${prefix}-config-export-bucket`)?.outputs as { bucket: string; arn: string } | undefined,
    };
}

export function containerOf(run: ProgramRun): any {
    return JSON.parse(one(run, "aws:ecs/taskDefinition:TaskDefinition").inputs.containerDefinitions)[0];
}
export function envOf(run: ProgramRun): Record<string, string> {
    return Object.fromEntries(containerOf(run).environment.map((e: any) => [e.name, e.value]));
}
export function secretsOf(run: ProgramRun): Record<string, string> {
    return Object.fromEntries(containerOf(run).secrets.map((e: any) => [e.name, e.valueFrom]));
}
