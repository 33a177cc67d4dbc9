// A stack's config as a typed object, and the one pure mapping from it to what Pulumi stores:
// `kong-hybrid:<key>` → string (lists as JSON, as `pulumi config set --path` would not), `aws:region`.
// Secrets are kept apart: the facade hands them to the CLI on standard input, never in argv.

import { PROJECT, projectDeclarations } from "../stacks/config";

/** The declared type of each key (Pulumi.yaml `config:`); a test keeps the two in step. */
export const KEY_TYPES = {
    production: "boolean", namePrefix: "string", vpcCidr: "string", azCount: "integer",
    publicSubnetCidrs: "string[]", privateSubnetCidrs: "string[]", isolatedSubnetCidrs: "string[]",
    natMode: "string", natInstanceType: "string", interfaceEndpoints: "string[]", flowLogs: "boolean",
    imageSource: "string", deckImage: "string",
    kongImage: "string", dataPlaneKongImage: "string", kongLicenseSecretArn: "string",
    cpCpu: "integer", cpMemory: "integer", cpDesiredCount: "integer",
    cpScaleToZero: "boolean", cpScaleToZeroSyncWaitMinutes: "integer", cpScaleToZeroCooldownMinutes: "integer",
    cpScaleToZeroExtendMinutes: "integer", cpScaleToZeroExportMarginSeconds: "integer", cpScaleToZeroStartTimeoutMinutes: "integer",
    dbEngineVersion: "string", dbMinCapacity: "string", dbMaxCapacity: "string", dbSecondsUntilAutoPause: "integer",
    dbBackupRetentionDays: "integer", dbReader: "boolean",
    caMode: "string", caPcaUsageMode: "string", certValidityDays: "integer", certRenewBeforeDays: "integer",
    dpCpu: "integer", dpMemory: "integer", dpMinCount: "integer", dpMaxCount: "integer", dpDesiredCount: "integer",
    dpSpotPercent: "integer", dpUpstreamEgressCidrs: "string[]", dpUpstreamEgressPorts: "integer[]", dataPlanes: "object[]",
    domain: "string", hostedZoneName: "string", adminAllowedCidrs: "string[]", albSslPolicy: "string",
    albHttpRedirect: "boolean", waf: "boolean", wafRateLimit: "integer", accessLogRetentionDays: "integer", logRetentionDays: "integer",
    cpuArchitecture: "string", kongPluginsDir: "string", alarmSubscriptions: "object[]",
    controlPlaneRuntime: "string", eksPublicAccessCidrs: "string[]", eksAdminPrincipalArns: "string[]",
    eksNodeInstanceType: "string", eksNodeMinSize: "integer", eksNodeMaxSize: "integer",
    eksCpReplicas: "integer", eksCpCpuMillis: "integer", eksCpMemoryMiB: "integer", eksCpMemoryLimitMiB: "integer",
    redisNodes: "integer", redisNodeType: "string",
} as const;

type TypeOf<T> = T extends "boolean" ? boolean : T extends "integer" ? number : T extends "string[]" ? readonly string[]
    : T extends "integer[]" ? readonly number[] : T extends "object[]" ? readonly Readonly<Record<string, unknown>>[] : string;

export type KongSettings = { -readonly [K in keyof typeof KEY_TYPES]?: TypeOf<(typeof KEY_TYPES)[K]> };

export interface StackInputs {
    /** aws:region */
    region: string;
    /** kong-hybrid:* keys; unset keys take Pulumi.yaml's defaults. */
    kong: KongSettings & { domain: string; adminAllowedCidrs: readonly string[] };
    /**
     * Secret values by full key (`kong-hybrid:<key>`, or a provider's such as `aws:secretKey`).
     * Stored encrypted in the stack file; handed to the CLI on standard input.
     */
    secrets?: Readonly<Record<string, string>>;
}

export interface MappedConfig {
    /** Full key → the string Pulumi stores. Safe to show. */
    plain: Record<string, string>;
    /** Full key → secret value. Never to be printed or put on a command line. */
    secrets: Record<string, string>;
}

/** Bad input: one line per problem, naming the key, the value as written and what is allowed. */
export class StackInputError extends Error {
    constructor(readonly problems: string[]) {
        super(problems.join("\n"));
        this.name = "StackInputError";
    }
}

const WHAT: Record<string, string> = {
    boolean: "must be true or false",
    integer: "must be a whole number",
    string: "must be a string",
    "string[]": "must be a list of strings",
    "integer[]": "must be a list of whole numbers",
    "object[]": "must be a list of mappings",
};

/** Typed inputs → stack config. Pure; throws StackInputError listing every problem. */
export function toStackConfig(inputs: StackInputs): MappedConfig {
    const problems: string[] = [];
    const plain: Record<string, string> = {};
    const declared = projectDeclarations();
    if (typeof inputs.region !== "string" || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(inputs.region)) {
        problems.push(`aws:region = ${JSON.stringify(inputs.region)}: must be an AWS region such as eu-west-1`);
    } else {
        plain["aws:region"] = inputs.region;
    }
    for (const [key, value] of Object.entries(inputs.kong ?? {})) {
        if (value === undefined) continue;
        const full = `${PROJECT}:${key}`;
        const type = (KEY_TYPES as Record<string, string>)[key];
        if (!type || !declared[key]) {
            problems.push(`${full}: unknown key; the keys are declared in Pulumi.yaml`);
            continue;
        }
        const ok = type === "boolean" ? typeof value === "boolean"
            : type === "integer" ? Number.isInteger(value)
            : type === "string" ? typeof value === "string"
            : Array.isArray(value) && value.every(v => (type === "string[]" ? typeof v === "string"
                : type === "object[]" ? typeof v === "object" && v !== null && !Array.isArray(v) : Number.isInteger(v)));
        if (!ok) {
            problems.push(`${full} = ${JSON.stringify(value)}: ${WHAT[type]}`);
            continue;
        }
        plain[full] = Array.isArray(value) ? JSON.stringify(value) : String(value);
    }
    const secrets: Record<string, string> = {};
    for (const [key, value] of Object.entries(inputs.secrets ?? {})) {
        const full = key.includes(":") ? key : `${PROJECT}:${key}`;
        // Never echo a secret's value, not even in an error.
        if (typeof value !== "string" || value === "") problems.push(`${full} (secret): must be a non-empty string`);
        else if (full in plain) problems.push(`${full}: given both as a setting and as a secret; give it once`);
        else if (full.startsWith(`${PROJECT}:`) && !declared[full.slice(PROJECT.length + 1)]) problems.push(`${full} (secret): unknown key; the keys are declared in Pulumi.yaml`);
        else secrets[full] = value;
    }
    if (problems.length > 0) throw new StackInputError(problems);
    return { plain, secrets };
}
