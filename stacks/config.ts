import * as fs from "fs";
import { validateDatabaseSettings } from "../components/control-plane/database";
import { validateAdminAllowedCidrs } from "../components/control-plane/admin-bootstrap";
import { validateCertificateWindow } from "../components/private-ca";
import { problemLine } from "../components/problems";
import { validateDataPlaneScaling, validateDataPlaneVersion } from "../components/data-plane";
import { parseDataPlanes, type DataPlaneGroupConfig } from "./data-planes-config";
import { parseEksKeys, type EksKeys } from "./eks-config";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { z } from "zod";
import { contains, defaultSubnetPlan, isIpv6Cidr, overlaps, parseIpv4Cidr, type Ipv4Cidr } from "./cidr";
import { needsLicence, parseKongImage, type KongImage } from "../components/kong/image";
import { supportsZeroAcu } from "../components/control-plane/database";
import { DECK_IMAGE } from "../components/control-plane/admin-bootstrap";
import { pullableWithoutInternet, resolveImageSource, type ImageSource } from "../components/ecs/image-source";
import { coveredShare, wholeInternetFamilies } from "../policy/lib/cidr";
import { subscriptionProblems, type Subscription } from "../components/observability";
import type { CpuArchitecture } from "../components/ecs/container";
import { pluginSetProblems, readPluginFolder } from "../components/kong/plugins";
import { SETTING_KEYS } from "../components/cp-scaler/config";
import { DEFAULT_SETTINGS, type ScalerSettings } from "../components/cp-scaler/decision";

// One typed, frozen view of a stack's config. Pulumi.yaml declares every key (type, default,
// description); this module applies those defaults itself, so the program behaves the same under
// `pulumi up`, the Automation API and the offline plan, then checks each value and the relations
// between them. Every problem becomes one line naming the key, the value and what is allowed.

export const PROJECT = "kong-hybrid";
export const PROJECT_FILE = path.join(__dirname, "..", "Pulumi.yaml");

export type NatMode = "gateway-per-az" | "gateway-single" | "instance" | "none";
export type CaMode = "self-managed" | "acm-pca";

export interface StackConfig {
    stack: string;
    region: string;
    /** Prefix of AWS resource names, e.g. kong-dev. */
    name: string;
    production: boolean;
    tags: Readonly<Record<string, string>>;
    network: {
        vpcCidr: string;
        azCount: number;
        publicSubnetCidrs: readonly string[];
        privateSubnetCidrs: readonly string[];
        isolatedSubnetCidrs: readonly string[];
        natMode: NatMode;
        natInstanceType: string;
        interfaceEndpoints: readonly string[];
        flowLogs: boolean;
    };
    kong: {
        controlPlane: KongImage;
        dataPlane: KongImage;
        /** Secrets Manager ARN of KONG_LICENSE_DATA (Enterprise). */
        licenseSecretArn?: string;
        /** Where tasks pull images from (imageSource, `auto` resolved). */
        imageSource: ImageSource;
        /** The CP's decK sidecar image. */
        deckImage: string;
        /** Custom plugins (kongPluginsDir): the folder, absolute, and the plugin names in it. */
        plugins?: { dir: string; names: readonly string[] };
    };
    /** CPU of every Fargate task (kong and kong/deck publish linux/arm64 and linux/amd64). */
    cpuArchitecture: CpuArchitecture;
    alarms: { subscriptions: readonly Subscription[] };
    controlPlane: {
        cpu: number;
        memory: number;
        desiredCount: number;
        /** The scale-to-zero controller's timings (cpScaleToZero*; desiredCount = cpDesiredCount), or undefined when off. */
        scaleToZero?: ScalerSettings;
    };
    database: {
        engineVersion: string;
        minCapacity: number;
        maxCapacity: number;
        secondsUntilAutoPause: number;
        backupRetentionDays: number;
        reader: boolean;
    };
    ca: {
        mode: CaMode;
        pcaUsageMode: "GENERAL_PURPOSE" | "SHORT_LIVED_CERTIFICATE";
        validityDays: number;
        renewBeforeDays: number;
    };
    /** What every DP group shares; each group's size, count and Spot share are in dataPlanes (the dp* keys are their defaults). */
    dataPlane: {
        upstreamEgressCidrs: readonly string[];
        upstreamEgressPorts: readonly number[];
    };
    /** The DP groups (kong-hybrid:dataPlanes; absent: one public group sized by the dp* keys). */
    dataPlanes: readonly DataPlaneGroupConfig[];
    edge: {
        domain: string;
        /** Empty: a self-signed certificate is imported into ACM and no DNS record is made. */
        hostedZoneName?: string;
        adminAllowedCidrs: readonly string[];
        sslPolicy: string;
        httpRedirect: boolean;
        /** A WAF web ACL on the public ALB; only non-production stacks may turn it off. */
        waf: boolean;
        wafRateLimit: number;
        accessLogRetentionDays: number;
    };
    logs: { retentionDays: number };
    /** Where the CP runs; the EKS cluster's settings when anything runs on EKS; the DP Redis when asked for. */
    controlPlaneRuntime: EksKeys["controlPlaneRuntime"];
    eks?: EksKeys["eks"];
    redis?: EksKeys["redis"];
}

/**
 * Invalid configuration: one line per problem. Thrown before any resource is registered.
 * A RunError, so `pulumi up` prints the message without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(`Invalid configuration:\n${problems.map(p => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

// ── The project file's declarations ─────────────────────────────────────────────────────────

interface KeyDeclaration {
    type: "string" | "integer" | "boolean" | "array";
    items?: { type: "string" | "integer" | "object" };
    default?: unknown;
    description?: string;
}

let declarations: Record<string, KeyDeclaration> | undefined;

export function projectDeclarations(): Record<string, KeyDeclaration> {
    if (!declarations) {
        const doc = YAML.parse(fs.readFileSync(PROJECT_FILE, "utf8"));
        declarations = doc.config as Record<string, KeyDeclaration>;
    }
    return declarations;
}

/** Pulumi stores top-level config values as strings; structured ones as JSON. */
export function configString(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

// ── Raw text → typed values, by the declared type ───────────────────────────────────────────

function describe(value: unknown): string {
    return typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
}

function typed(key: string, decl: KeyDeclaration, text: string, problems: string[]): unknown {
    const bad = (allowed: string) => {
        problems.push(`${PROJECT}:${key} = ${JSON.stringify(text)}: ${allowed}`);
        return undefined;
    };
    switch (decl.type) {
        case "string":
            return text;
        case "integer":
            return /^-?\d+$/.test(text.trim()) ? Number(text) : bad("must be a whole number");
        case "boolean":
            return text === "true" ? true : text === "false" ? false : bad("must be true or false");
        case "array": {
            let value: unknown;
            try {
                value = JSON.parse(text);
            } catch {
                return bad("must be a list, e.g. [\"a\", \"b\"]");
            }
            if (!Array.isArray(value)) return bad("must be a list");
            const itemType = decl.items?.type ?? "string";
            // Lists of mappings (dataPlanes) are checked field by field by their own parser.
            if (itemType === "object") return value;
            const wrong = value.filter(v => (itemType === "integer" ? !Number.isInteger(v) : typeof v !== "string"));
            if (wrong.length > 0) return bad(`must be a list of ${itemType === "integer" ? "whole numbers" : "strings"}`);
            return value;
        }
    }
}

function levenshtein(a: string, b: string): number {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++)
        for (let j = 1; j <= b.length; j++)
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
    return d[a.length][b.length];
}

/** The candidate closest to a misspelt word, if it is close enough to be what was meant. */
function nearest(word: string, candidates: readonly string[], maxDistance = 3): string | undefined {
    const best = candidates.map(c => [c, levenshtein(c, word)] as const).sort((a, b) => a[1] - b[1])[0];
    return best && best[1] <= maxDistance ? best[0] : undefined;
}

// ── Value rules (zod): ranges and enums per key ─────────────────────────────────────────────

// One refine, not .int().min().max(): zod's int() reports an unsafe integer as "<= 9007199254740991".
const int = (min: number, max: number) =>
    z.number().refine(n => Number.isInteger(n) && n >= min && n <= max, `must be a whole number from ${min} to ${max}`);
const oneOf = <T extends string>(...values: [T, ...T[]]) =>
    z.enum(values, { message: `must be one of ${values.join(", ")}` });
const acu = (min: number) =>
    z.string().refine(s => /^\d+(\.[05])?$/.test(s) && Number(s) >= min && Number(s) <= 256,
        `must be a number of ACUs from ${min} to 256 in steps of 0.5`);
/** CloudWatch Logs accepts only these retention values (PutRetentionPolicy). */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
const INTERFACE_ENDPOINTS = ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "kms", "sts", "ssm", "ssmmessages", "ec2messages"] as const;
const DOMAIN = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

const RULES: Record<string, z.ZodType> = {
    namePrefix: z.string().regex(/^$|^[a-z][a-z0-9-]{2,15}$/, "must be 3-16 lowercase letters, digits or dashes, starting with a letter"),
    azCount: int(2, 6),
    natMode: oneOf("gateway-per-az", "gateway-single", "instance", "none"),
    cpuArchitecture: oneOf("ARM64", "X86_64"),
    imageSource: oneOf("auto", "ecr-pull-through", "docker-hub"),
    deckImage: z.string().regex(/^$|^[^\s:@]+(:[A-Za-z0-9_.-]+|@sha256:[0-9a-f]{64})$/, "must be a pinned image such as kong/deck:v1.65.1 or an ECR copy of it"),
    natInstanceType: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as t4g.nano"),
    interfaceEndpoints: z.array(z.enum(INTERFACE_ENDPOINTS, { message: `items must be among ${INTERFACE_ENDPOINTS.join(", ")}` })),
    cpDesiredCount: int(0, 10),
    // The controller's timings: ranges from components/cp-scaler/config.ts (cpDesiredCount is the CP's own key above).
    ...Object.fromEntries(Object.entries(SETTING_KEYS).filter(([key]) => key !== "cpDesiredCount").map(([key, { min, max }]) => [key, int(min, max)])),
    dbEngineVersion: z.string().regex(/^\d+\.\d+$/, "must be an Aurora PostgreSQL version such as 16.6"),
    dbMinCapacity: acu(0),
    dbMaxCapacity: acu(1),
    dbSecondsUntilAutoPause: int(300, 86400),
    dbBackupRetentionDays: int(1, 35),
    caMode: oneOf("self-managed", "acm-pca"),
    caPcaUsageMode: oneOf("GENERAL_PURPOSE", "SHORT_LIVED_CERTIFICATE"),
    certValidityDays: int(1, 3650),
    certRenewBeforeDays: int(1, 365),
    dpMinCount: int(1, 100),
    dpMaxCount: int(1, 100),
    dpDesiredCount: int(0, 100),
    dpSpotPercent: int(0, 100),
    dpUpstreamEgressPorts: z.array(int(1, 65535)).min(1, "must list at least one port"),
    domain: z.string().regex(DOMAIN, "must be a DNS name such as kong-gw.example.com"),
    hostedZoneName: z.string().regex(/^$|^([a-z0-9-]+\.)+[a-z]{2,63}\.?$/, "must be a DNS zone name such as example.com"),
    adminAllowedCidrs: z.array(z.string()),
    albSslPolicy: z.string().regex(/^ELBSecurityPolicy-(TLS13-1-[23]-.*|TLS-1-2-.*)$/, "must be a TLS 1.2+ ELB policy such as ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"),
    wafRateLimit: int(100, 2_000_000_000),
    accessLogRetentionDays: int(1, 3650),
    logRetentionDays: z.number().refine(n => LOG_RETENTION_DAYS.includes(n), `must be a CloudWatch retention: ${LOG_RETENTION_DAYS.join(", ")}`),
};

// ── Fargate sizes (docs/facts/aws.md §2) ─────────────────────────────────────────────────────────

/** Valid Linux Fargate memory (MiB) for each CPU value. */
export function fargateMemoryOptions(cpu: number): number[] | undefined {
    const gb = (from: number, to: number, step: number) =>
        Array.from({ length: (to - from) / step + 1 }, (_, i) => (from + i * step) * 1024);
    switch (cpu) {
        case 256: return [512, 1024, 2048];
        case 512: return gb(1, 4, 1);
        case 1024: return gb(2, 8, 1);
        case 2048: return gb(4, 16, 1);
        case 4096: return gb(8, 30, 1);
        case 8192: return gb(16, 60, 4);
        case 16384: return gb(32, 120, 8);
        default: return undefined;
    }
}

/** `cpuKey`/`memoryKey` name where the values were written (dpCpu, dataPlanes[1].cpu, ...). */
function checkFargate(cpuKey: string, memoryKey: string, cpu: number, memory: number, problems: string[]) {
    const options = fargateMemoryOptions(cpu);
    if (!options) {
        problems.push(`${cpuKey} = ${cpu}: must be a Fargate CPU value: 256, 512, 1024, 2048, 4096, 8192 or 16384`);
    } else if (!options.includes(memory)) {
        const shown = options.length > 6 ? `${options[0]} to ${options[options.length - 1]} in steps of ${options[1] - options[0]}` : options.join(", ");
        problems.push(`${memoryKey} = ${memory}: Fargate does not run ${cpu} CPU units with ${memory} MiB; allowed: ${shown} MiB`);
    }
}

/** Aurora PostgreSQL versions that scale to 0 ACU: one rule, shared with the ControlPlane component. */
export { supportsZeroAcu };

// ── parse: raw config map → StackConfig ─────────────────────────────────────────────────────

/**
 * Validates a stack's config. `raw` maps full keys (`kong-hybrid:domain`, `aws:region`) to the
 * string values Pulumi stores. Throws ConfigError listing every problem.
 */
export function parseConfig(raw: Readonly<Record<string, string>>, stack: string): StackConfig {
    const problems: string[] = [];
    const decls = projectDeclarations();
    const v: Record<string, any> = {};

    for (const fullKey of Object.keys(raw)) {
        if (!fullKey.startsWith(`${PROJECT}:`)) continue;
        const key = fullKey.slice(PROJECT.length + 1);
        if (!decls[key]) {
            const near = nearest(key, Object.keys(decls));
            const hint = near ? ` (did you mean ${PROJECT}:${near}?)` : "";
            problems.push(`${fullKey}: unknown key${hint}; the keys are declared in Pulumi.yaml`);
        }
    }
    const written: Record<string, string> = {};
    for (const [key, decl] of Object.entries(decls)) {
        // An empty value means "not set": the default applies (or the key is required).
        const given = raw[`${PROJECT}:${key}`];
        const text = given === undefined || given.trim() === "" ? undefined : given;
        if (text !== undefined) written[key] = text;
        if (text === undefined && decl.default === undefined) {
            if (decl.type !== "array" || !(key.endsWith("SubnetCidrs") || key === "dataPlanes")) {
                problems.push(`${PROJECT}:${key} is required: ${decl.description ?? ""}`.trim());
            }
            continue;
        }
        v[key] = typed(key, decl, text ?? configString(decl.default), problems);
    }
    for (const [key, rule] of Object.entries(RULES)) {
        if (v[key] === undefined) continue;
        const r = rule.safeParse(v[key]);
        if (!r.success) {
            const shown = decls[key].type === "string" || written[key] === undefined ? describe(v[key]) : written[key];
            problems.push(`${PROJECT}:${key} = ${shown}: ${r.error.issues[0].message}`);
            v[key] = undefined;
        }
    }
    const region = raw["aws:region"]?.trim() ? raw["aws:region"] : undefined;
    if (!region) problems.push("aws:region is required: the AWS region to deploy to, e.g. eu-west-1");
    else if (region !== region.trim()) problems.push(`aws:region = ${JSON.stringify(region)}: has ${/^\s/.test(region) ? "a leading" : "a trailing"} space; write ${JSON.stringify(region.trim())}`);
    else if (!/^[a-z]{2,4}(-[a-z]+)+-\d+$/.test(region)) problems.push(`aws:region = ${JSON.stringify(region)}: must be an AWS region code such as eu-west-1`);

    const plan = parseNetwork(v, problems);
    const { cpImage, dpImage, licence } = parseImages(v, problems);
    const { dataPlanes, minAcu, maxAcu, imageSource, deckImage } = parseRelations(v, { cpImage, dpImage }, problems);
    const plugins = parsePlugins(v, { cpImage, dataPlanes }, problems);
    const subscriptions = parseAlarmSubscriptions(v.alarmSubscriptions, problems);
    const eksKeys = parseEksKeys(v, dataPlanes, v.production === true, problems);
    if (eksKeys.controlPlaneRuntime === "eks") problems.push(...ecsOnlyKeyProblems(written));

    if (problems.length > 0) throw new ConfigError(problems);

    const name = v.namePrefix || `kong-${stack}`.toLowerCase().replace(/[^a-z0-9-]/g, "-").slice(0, 16).replace(/-$/, "");
    return deepFreeze<StackConfig>({
        stack,
        region: region!,
        name,
        production: v.production,
        tags: { Project: PROJECT, Stack: stack, ManagedBy: "pulumi" },
        network: {
            vpcCidr: v.vpcCidr,
            azCount: v.azCount,
            publicSubnetCidrs: plan.public,
            privateSubnetCidrs: plan.private,
            isolatedSubnetCidrs: plan.isolated,
            natMode: v.natMode,
            natInstanceType: v.natInstanceType,
            interfaceEndpoints: v.interfaceEndpoints,
            flowLogs: v.flowLogs,
        },
        kong: { controlPlane: cpImage!, dataPlane: dpImage!, licenseSecretArn: licence || undefined, imageSource, deckImage, ...(plugins ? { plugins } : {}) },
        cpuArchitecture: v.cpuArchitecture,
        alarms: { subscriptions },
        controlPlane: { cpu: v.cpCpu, memory: v.cpMemory, desiredCount: v.cpDesiredCount, scaleToZero: v.cpScaleToZero ? scalerSettings(v) : undefined },
        database: {
            engineVersion: v.dbEngineVersion,
            minCapacity: minAcu!,
            maxCapacity: maxAcu!,
            secondsUntilAutoPause: v.dbSecondsUntilAutoPause,
            backupRetentionDays: v.dbBackupRetentionDays,
            reader: v.dbReader,
        },
        ca: { mode: v.caMode, pcaUsageMode: v.caPcaUsageMode, validityDays: v.certValidityDays, renewBeforeDays: v.certRenewBeforeDays },
        dataPlane: {
            upstreamEgressCidrs: v.dpUpstreamEgressCidrs,
            upstreamEgressPorts: v.dpUpstreamEgressPorts,
        },
        dataPlanes,
        edge: {
            domain: v.domain,
            hostedZoneName: v.hostedZoneName ? v.hostedZoneName.replace(/\.$/, "") : undefined,
            adminAllowedCidrs: v.adminAllowedCidrs,
            sslPolicy: v.albSslPolicy,
            httpRedirect: v.albHttpRedirect,
            waf: v.waf,
            wafRateLimit: v.wafRateLimit,
            accessLogRetentionDays: v.accessLogRetentionDays,
        },
        logs: { retentionDays: v.logRetentionDays },
        ...eksKeys,
    });
}

/**
 * Keys only an ECS Control Plane or ECS tasks read: with controlPlaneRuntime eks every Kong role is
 * a pod (stacks/eks-config.ts), so a written value would be ignored. One line each, naming the EKS
 * key to use instead.
 */
function ecsOnlyKeyProblems(written: Readonly<Record<string, string>>): string[] {
    const instead: Record<string, string> = {
        cpCpu: "size the CP pods with eksCpCpuMillis", cpMemory: "size the CP pods with eksCpMemoryMiB and eksCpMemoryLimitMiB",
        cpDesiredCount: "use eksCpReplicas",
        deckImage: "the /kong-admin bootstrap (decK) runs only beside an ECS Control Plane",
        imageSource: "the EKS nodes pull Kong from its own registry",
        cpuArchitecture: "the EKS nodes' architecture follows eksNodeInstanceType",
        ...Object.fromEntries(["dpCpu", "dpMemory", "dpDesiredCount", "dpSpotPercent"].map(k => [k, "every DP group runs on EKS; size its pods in dataPlanes (cpuMillis, memoryMiB, memoryLimitMiB)"])),
        ...Object.fromEntries(["cpScaleToZero", ...Object.keys(SETTING_KEYS).filter(k => k !== "cpDesiredCount")].map(k => [k, "a CP on EKS does not sleep (the scale-to-zero controller drives an ECS service)"])),
    };
    return Object.entries(instead).filter(([key]) => written[key] !== undefined)
        .map(([key, hint]) => `${PROJECT}:${key} = ${written[key]}: applies to ECS only, and with controlPlaneRuntime eks nothing runs on ECS; ${hint}`);
}

/** The controller's settings from the cpScaleToZero* keys (validated by RULES); the awake size is cpDesiredCount. */
function scalerSettings(v: Record<string, any>): ScalerSettings {
    const settings: ScalerSettings = { ...DEFAULT_SETTINGS };
    for (const [key, { setting }] of Object.entries(SETTING_KEYS)) if (v[key] !== undefined) settings[setting] = v[key];
    return settings;
}

/** Network keys: CIDR syntax, the VPC block and the subnet plan (given or carved from vpcCidr). */
function parseNetwork(v: Record<string, any>, problems: string[]): Record<string, string[]> {
    // CIDRs
    const cidr = (key: string, text: string, allowV6 = false): Ipv4Cidr | undefined => {
        if (allowV6 && isIpv6Cidr(text)) return undefined;
        const c = parseIpv4Cidr(text);
        if ("error" in c) {
            problems.push(`${PROJECT}:${key}: ${JSON.stringify(text)} ${c.error}`);
            return undefined;
        }
        return c;
    };
    const vpc = v.vpcCidr !== undefined ? cidr("vpcCidr", v.vpcCidr) : undefined;
    if (vpc && (vpc.prefix < 16 || vpc.prefix > 24)) {
        problems.push(`${PROJECT}:vpcCidr = ${JSON.stringify(v.vpcCidr)}: a VPC block must be /16 to /24`);
    }
    for (const key of ["adminAllowedCidrs", "dpUpstreamEgressCidrs"]) {
        for (const c of (v[key] as string[] | undefined) ?? []) cidr(key, c, true);
    }

    // Subnet plan
    const azCount: number | undefined = v.azCount;
    const plan: Record<string, string[]> = {};
    if (vpc && azCount !== undefined && vpc.prefix >= 16 && vpc.prefix <= 24) {
        const derived = vpc.prefix <= 20 ? defaultSubnetPlan(vpc, azCount) : undefined;
        const tiers = [["public", "publicSubnetCidrs"], ["private", "privateSubnetCidrs"], ["isolated", "isolatedSubnetCidrs"]] as const;
        const all: { key: string; text: string; c: Ipv4Cidr }[] = [];
        for (const [tier, key] of tiers) {
            const given = v[key] as string[] | undefined;
            if (!given && !derived) {
                problems.push(`${PROJECT}:${key} is required: a ${v.vpcCidr} VPC is too small for the default plan (/20 or larger); list one block per AZ`);
                continue;
            }
            const list = given ?? derived![tier];
            if (list.length !== azCount) {
                problems.push(`${PROJECT}:${key} = ${JSON.stringify(list)}: must list exactly one block per AZ (azCount = ${azCount})`);
            }
            plan[tier] = list;
            for (const text of list) {
                const c = cidr(key, text);
                if (!c) continue;
                if (c.prefix > 28) problems.push(`${PROJECT}:${key}: ${text} is smaller than /28, the smallest subnet AWS allows`);
                else if (!contains(vpc, c)) problems.push(`${PROJECT}:${key}: ${text} does not fit in vpcCidr ${v.vpcCidr}`);
                for (const other of all) {
                    if (overlaps(other.c, c)) problems.push(`${PROJECT}:${key}: ${text} overlaps ${other.text} (${PROJECT}:${other.key})`);
                }
                all.push({ key, text, c });
            }
        }
    }
    return plan;
}

/** Kong image keys: parsing, the DP's version against the CP's, and the Enterprise licence. */
function parseImages(v: Record<string, any>, problems: string[]): { cpImage?: KongImage; dpImage?: KongImage; licence: string } {
    // Kong images
    const image = (key: string, text: string): KongImage | undefined => {
        const k = parseKongImage(text);
        if ("error" in k) {
            problems.push(`${PROJECT}:${key} = ${JSON.stringify(text)}: ${k.error}`);
            return undefined;
        }
        return k;
    };
    const cpImage = v.kongImage !== undefined ? image("kongImage", v.kongImage) : undefined;
    const dpImage = v.dataPlaneKongImage ? image("dataPlaneKongImage", v.dataPlaneKongImage) : cpImage;
    const versionKey: Record<string, string> = { kong: `${PROJECT}:dataPlaneKongImage`, controlPlaneKong: "kongImage" };
    if (cpImage && dpImage && dpImage !== cpImage) {
        problems.push(...validateDataPlaneVersion(dpImage, cpImage).map(p => problemLine(p, f => versionKey[f])));
    }
    const licence: string = v.kongLicenseSecretArn ?? "";
    if (licence && !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(licence)) {
        problems.push(`${PROJECT}:kongLicenseSecretArn = ${JSON.stringify(licence)}: must be a Secrets Manager secret ARN`);
    }
    for (const [key, k] of [["kongImage", cpImage], ["dataPlaneKongImage", dpImage]] as const) {
        if (k && needsLicence(k) && !licence && (key === "kongImage" || k !== cpImage)) {
            problems.push(`${PROJECT}:kongLicenseSecretArn is required with ${k.image}: Enterprise ${k.version} without a licence runs as expired (Admin API read-only from 3.15)`);
        }
    }
    return { cpImage, dpImage, licence };
}

/** Sizes, DP groups and the rules between keys (the components' validate… rules, named by config key). */
function parseRelations(v: Record<string, any>, images: { cpImage?: KongImage; dpImage?: KongImage }, problems: string[]) {
    const { cpImage, dpImage } = images;
    // Sizes and relations
    if (v.cpCpu !== undefined && v.cpMemory !== undefined) checkFargate(`${PROJECT}:cpCpu`, `${PROJECT}:cpMemory`, v.cpCpu, v.cpMemory, problems);
    if (v.dpCpu !== undefined && v.dpMemory !== undefined) checkFargate(`${PROJECT}:dpCpu`, `${PROJECT}:dpMemory`, v.dpCpu, v.dpMemory, problems);
    const dataPlanes = parseDataPlanes(v.dataPlanes, {
        cpu: v.dpCpu, memory: v.dpMemory, minCount: v.dpMinCount, maxCount: v.dpMaxCount,
        desiredCount: v.dpDesiredCount || v.dpMinCount, spotPercent: v.dpSpotPercent, kong: dpImage!,
    }, `${PROJECT}:dataPlanes`, problems, (at, cpu, memory) => checkFargate(`${at}.cpu`, `${at}.memory`, cpu, memory, problems));
    for (const [i, g] of dataPlanes.entries()) {
        if (!cpImage || g.kong === dpImage) continue;
        const key: Record<string, string> = { kong: `${PROJECT}:dataPlanes[${i}].image`, controlPlaneKong: "kongImage" };
        problems.push(...validateDataPlaneVersion(g.kong, cpImage).map(p => problemLine(p, f => key[f])));
    }
    if (v.dpMinCount !== undefined && v.dpMaxCount !== undefined) {
        const key: Record<string, string> = { minCount: "dpMinCount", maxCount: "dpMaxCount", desiredCount: "dpDesiredCount" };
        problems.push(...validateDataPlaneScaling({ minCount: v.dpMinCount, maxCount: v.dpMaxCount, desiredCount: v.dpDesiredCount })
            .map(p => problemLine(p, f => `${PROJECT}:${key[f]}`)));
    }
    // Rules between keys are the components' own (validate…): mapped onto the config keys here.
    const minAcu = v.dbMinCapacity !== undefined ? Number(v.dbMinCapacity) : undefined;
    const maxAcu = v.dbMaxCapacity !== undefined ? Number(v.dbMaxCapacity) : undefined;
    if (minAcu !== undefined && maxAcu !== undefined && v.dbEngineVersion) {
        const key: Record<string, string> = { minCapacity: "dbMinCapacity", maxCapacity: "dbMaxCapacity", engineVersion: "dbEngineVersion" };
        problems.push(...validateDatabaseSettings({ engineVersion: v.dbEngineVersion, minCapacity: minAcu, maxCapacity: maxAcu })
            .map(p => problemLine(p, f => `${PROJECT}:${key[f]}`)));
    }
    if (v.certRenewBeforeDays !== undefined && v.certValidityDays !== undefined) {
        const key: Record<string, string> = { validityDays: "certValidityDays", renewBeforeDays: "certRenewBeforeDays" };
        problems.push(...validateCertificateWindow({ validityDays: v.certValidityDays, renewBeforeDays: v.certRenewBeforeDays, mode: v.caMode, pcaUsageMode: v.caPcaUsageMode })
            .map(p => problemLine(p, f => `${PROJECT}:${key[f]}`)));
    }
    if (v.cpScaleToZero === true && v.cpDesiredCount === 0) {
        problems.push(`${PROJECT}:cpDesiredCount = 0: with cpScaleToZero the controller starts the CP at cpDesiredCount tasks; use 1 or more (the controller stops it when idle)`);
    }
    // Enterprise DPs import the fallback export of their own exact version, which only a CP of that version writes.
    if (v.cpScaleToZero === true && cpImage?.edition === "enterprise") {
        const reported = new Set<KongImage>();
        for (const [i, g] of dataPlanes.entries()) {
            if (g.kong.version === cpImage.version || reported.has(g.kong)) continue;
            reported.add(g.kong);
            const key = g.kong === dpImage ? "dataPlaneKongImage" : `dataPlanes[${i}].image`;
            problems.push(`${PROJECT}:${key} = ${JSON.stringify(g.kong.image)}: with cpScaleToZero an Enterprise DP must run the CP's exact version ${cpImage.version}; it imports only the fallback configuration its own version exports`);
        }
    }
    if (v.adminAllowedCidrs) problems.push(...validateAdminAllowedCidrs(v.adminAllowedCidrs).map(p => problemLine(p, f => `${PROJECT}:${f}`)));
    if (v.production === true && v.adminAllowedCidrs) problems.push(...productionAdminProblems(v.adminAllowedCidrs));
    if (v.production === true) problems.push(...productionEdgeAndSpotProblems(v, dataPlanes));
    // Without NAT, tasks reach only what the VPC endpoints serve: images from private ECR (or the
    // pull-through cache), secrets and logs. Anything else would fail every task at start.
    const imageSource = resolveImageSource(v.imageSource ?? "auto", v.production === true);
    const deckImage: string = v.deckImage || DECK_IMAGE;
    if (v.natMode === "none") {
        const endpoints = ["ecr.api", "ecr.dkr", "logs", "secretsmanager"].filter(e => !((v.interfaceEndpoints as string[] | undefined) ?? []).includes(e));
        const images = [...new Set([cpImage?.image, dpImage?.image, deckImage])].filter((i): i is string => !!i && !pullableWithoutInternet(i, imageSource));
        const missing = [
            ...(endpoints.length ? [`interfaceEndpoints ${endpoints.join(", ")}`] : []),
            ...(images.length ? [`a private ECR copy of ${images.join(", ")} (imageSource ecr-pull-through serves Docker official images such as kong:3.9.3; deckImage may name an ECR mirror)`] : []),
        ];
        if (missing.length) problems.push(`${PROJECT}:natMode = "none": tasks could not pull their images or read their secrets without ${missing.join(" and ")}`);
    }
    if (v.hostedZoneName && v.domain && !`.${v.domain}`.endsWith(`.${v.hostedZoneName.replace(/\.$/, "")}`)) {
        problems.push(`${PROJECT}:hostedZoneName = ${JSON.stringify(v.hostedZoneName)}: the domain ${v.domain} is not in this zone`);
    }
    return { dataPlanes, minAcu, maxAcu, imageSource, deckImage };
}

/** The project's folder: kongPluginsDir is relative to it, whichever folder pulumi runs from. */
export const PROJECT_ROOT = path.dirname(PROJECT_FILE);

/**
 * kongPluginsDir: the folder must hold Kong plugins (readPluginFolder), and every DP group must run
 * the CP's plugins: the plugin image is built from kongImage, so a group with its own image would
 * run without them and stop syncing as soon as the CP configures one (pluginSetProblems).
 */
function parsePlugins(v: Record<string, any>, roles: { cpImage?: KongImage; dataPlanes: readonly DataPlaneGroupConfig[] }, problems: string[]) {
    const written: string = v.kongPluginsDir ?? "";
    if (!written) return undefined;
    const dir = path.resolve(PROJECT_ROOT, written);
    const folder = readPluginFolder(dir, written);
    if ("problems" in folder) {
        // A problem with the folder itself starts with its name, which the key's line already shows.
        problems.push(...folder.problems.map(p => `${PROJECT}:kongPluginsDir = ${JSON.stringify(written)}: ${p.startsWith(`${written}: `) ? p.slice(written.length + 2) : p}`));
        return undefined;
    }
    const withoutPlugins = (g: DataPlaneGroupConfig) => !!roles.cpImage && g.kong.image !== roles.cpImage.image;
    problems.push(...pluginSetProblems(folder.names, roles.dataPlanes.map(g => ({ group: `dp-${g.name}`, plugins: withoutPlugins(g) ? [] : folder.names })))
        .map(p => `${PROJECT}:kongPluginsDir = ${JSON.stringify(written)}: ${p} (the plugin image is built from kongImage; drop this group's own image or dataPlaneKongImage)`));
    return { dir, names: folder.names };
}

/** alarmSubscriptions: a list of {protocol, endpoint}, one line per problem naming alarmSubscriptions[i].field. */
function parseAlarmSubscriptions(value: unknown, problems: string[]): Subscription[] {
    const key = `${PROJECT}:alarmSubscriptions`;
    const list: unknown[] = Array.isArray(value) ? value : [];
    const isMapping = (s: unknown): s is Record<string, unknown> => !!s && typeof s === "object" && !Array.isArray(s);
    const notMappings = new Set<string>();
    list.forEach((s, i) => {
        if (!isMapping(s)) {
            notMappings.add(`${key}[${i}]`);
            problems.push(`${key}[${i}] = ${JSON.stringify(s)}: must be a mapping {protocol, endpoint}`);
            return;
        }
        const unknown = Object.keys(s).filter(k => k !== "protocol" && k !== "endpoint");
        if (unknown.length) problems.push(`${key}[${i}]: unknown field${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; the fields are protocol and endpoint`);
    });
    // The component's rule, for the mappings (a non-mapping is reported once, above).
    problems.push(...subscriptionProblems(list.map(s => (isMapping(s) ? s : {})), key).filter(p => !notMappings.has(p.slice(0, p.indexOf("]") + 1))));
    return list.filter(isMapping).map(s => ({ protocol: String(s.protocol), endpoint: String(s.endpoint) }));
}

/** An allow-list is judged by the addresses it covers, not by how it is spelled. */
const MAX_PRODUCTION_ADMIN_SHARE = 0.5;

function productionAdminProblems(cidrs: readonly string[]): string[] {
    const problems: string[] = [];
    const family = (c: string) => (c.includes(":") ? "ipv6" : "ipv4");
    for (const f of ["ipv4", "ipv6"] as const) {
        const mine = cidrs.filter(c => family(c) === f);
        const share = coveredShare(mine, f);
        if (share < MAX_PRODUCTION_ADMIN_SHARE) continue;
        const whole = wholeInternetFamilies(mine).includes(f);
        const single = mine.filter(c => /\/0$/.test(c.trim()));
        const shown = (single.length > 0 ? single : mine).join(", ");
        const what = whole
            ? single.length > 0 ? "" : ` (together they cover every ${f === "ipv4" ? "IPv4" : "IPv6"} address)`
            : ` (together they cover ${Math.round(share * 100)}% of all ${f === "ipv4" ? "IPv4" : "IPv6"} addresses)`;
        problems.push(`${PROJECT}:adminAllowedCidrs contains ${shown}${what}: a production stack must name the admin networks, not the whole internet`);
    }
    return problems;
}

/**
 * What only a cheap stack may give up: the WAF in front of the public ALB (its managed rules, the
 * per-IP rate limit and the edge allow-list on /kong-admin), and the one on-demand task of an ECS
 * DP group (at spotPercent 100 a Spot reclaim or shortage leaves the group without tasks).
 */
function productionEdgeAndSpotProblems(v: Record<string, any>, dataPlanes: readonly DataPlaneGroupConfig[]): string[] {
    const problems: string[] = [];
    if (v.waf === false) problems.push(`${PROJECT}:waf = false: a production stack keeps the WAF in front of its public load balancer; only non-production stacks may turn it off`);
    const written = Array.isArray(v.dataPlanes) ? v.dataPlanes : undefined;
    dataPlanes.forEach((g, i) => {
        if (g.runtime !== "ecs" || g.spotPercent < 100) return;
        const key = written?.[i]?.spotPercent !== undefined ? `dataPlanes[${i}].spotPercent` : "dpSpotPercent";
        problems.push(`${PROJECT}:${key} = 100: a production DP group keeps one task on FARGATE (Spot can reclaim every task at once); use 0-99`);
    });
    // The flat key is the groups' default: one line for it, not one per group that inherits it.
    return [...new Set(problems)];
}

/** The running stack's config, validated (under `pulumi up`, the Automation API or the offline plan). */
export function loadConfig(): StackConfig {
    return parseConfig(pulumi.runtime.allConfig(), pulumi.getStack());
}

/** Checks that need the region's facts (an invoke), still before any resource is registered. */
export function checkAgainstRegion(cfg: StackConfig, availabilityZones: readonly string[]): void {
    if (cfg.network.azCount > availabilityZones.length) {
        throw new ConfigError([`${PROJECT}:azCount = ${cfg.network.azCount}: ${cfg.region} has only ${availabilityZones.length} availability zones (${availabilityZones.join(", ")})`]);
    }
}

function deepFreeze<T>(o: T): T {
    if (o && typeof o === "object" && !Object.isFrozen(o)) {
        Object.freeze(o);
        for (const value of Object.values(o as object)) deepFreeze(value);
    }
    return o;
}

// ── Stack files (Pulumi.<stack>.yaml), read as the offline tools read them ──────────────────
// The Pulumi CLI reads stack files itself; this reader is for the offline plan and check, and it
// reports every mistake a user can make in one, with the line and column where YAML says so.

/** Top-level sections a stack settings file may hold: https://www.pulumi.com/docs/iac/concepts/projects/stack-settings-file/ */
const STACK_FILE_SECTIONS = ["config", "environment", "secretsprovider", "encryptedkey", "encryptionsalt"];

/** Namespaces whose keys this project reads: its own, the AWS provider's, and Pulumi's. */
const NAMESPACES = [PROJECT, "aws", "pulumi"];

/** The AWS provider's config keys (aws:region, aws:profile, …), from the installed @pulumi/aws. */
function awsProviderKeys(): string[] {
    const text = fs.readFileSync(require.resolve("@pulumi/aws/config/vars.d.ts"), "utf8");
    return [...text.matchAll(/export declare const (\w+)/g)].map(m => m[1]);
}

export interface StackFile {
    /** `kong-hybrid:key` / `aws:region` → the string Pulumi would store. Empty values are left out (not set). */
    raw: Record<string, string>;
    /** Keys given as `secure:` ciphertext: the offline tools plan them with a placeholder. */
    secureKeys: string[];
    /** One line per problem in the file itself (syntax, sections, namespaces, quoting). */
    problems: string[];
}

/** A stand-in for a `secure:` value the offline tools cannot decrypt, shaped so validation passes. */
export function securePlaceholder(key: string, region = "eu-west-1"): string {
    const decl = key.startsWith(`${PROJECT}:`) ? projectDeclarations()[key.slice(PROJECT.length + 1)] : undefined;
    if (key.endsWith("SecretArn")) return `arn:aws:secretsmanager:${region}:123456789012:secret:offline-placeholder-AbCdEf`;
    if (decl?.default !== undefined && decl.default !== "") return configString(decl.default);
    return "offline-placeholder";
}

/** Reads a stack file. `label` names the file in messages (the path as the user gave it). */
export function readStackFile(text: string, label: string): StackFile {
    const problems: string[] = [];
    const raw: Record<string, string> = {};
    const secureKeys: string[] = [];
    const doc = YAML.parseDocument(text);
    if (doc.errors.length > 0) {
        for (const e of doc.errors) {
            let at = e.linePos?.[0];
            if (e.code === "MISSING_CHAR" && /quote/.test(e.message)) at = openingQuote(text, e.pos[0]) ?? at; // YAML points past the end

            const what = e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
            problems.push(`${label}${at ? `:${at.line}:${at.col}` : ""}: invalid YAML: ${what}`);
        }
        return { raw, secureKeys, problems };
    }
    const top = doc.contents;
    if (top === null || (YAML.isScalar(top) && (top.value === null || top.value === ""))) return { raw, secureKeys, problems };
    if (!YAML.isMap(top)) {
        problems.push(`${label}: a stack file is a YAML mapping with a config: section, e.g. "config:\\n  aws:region: eu-west-1"`);
        return { raw, secureKeys, problems };
    }
    const lineOf = (node: YAML.Node | null | undefined) => (node?.range ? lineAt(text, node.range[0]) : undefined);
    const where = (node: YAML.Node | null | undefined) => { const l = lineOf(node); return l ? `${label}:${l}` : label; };
    let config: YAML.YAMLMap | undefined;
    for (const pair of top.items) {
        const section = String(YAML.isScalar(pair.key) ? pair.key.value : pair.key);
        if (section === "config") {
            if (YAML.isMap(pair.value)) config = pair.value;
            else if (!(YAML.isScalar(pair.value) && pair.value.value === null)) problems.push(`${where(pair.key as YAML.Node)}: config: must be a mapping of keys to values`);
        } else if (!STACK_FILE_SECTIONS.includes(section)) {
            const near = nearest(section, STACK_FILE_SECTIONS, 2);
            problems.push(`${where(pair.key as YAML.Node)}: section "${section}:" is not a stack file section and would be ignored${near ? ` (did you mean ${near}:?)` : ""}; sections: ${STACK_FILE_SECTIONS.join(", ")}`);
        }
    }
    const decls = projectDeclarations();
    let awsKeys: string[] | undefined;
    for (const pair of config?.items ?? []) {
        const key = String(YAML.isScalar(pair.key) ? pair.key.value : pair.key);
        const full = key.includes(":") ? key : `${PROJECT}:${key}`;
        const [namespace, name] = [full.slice(0, full.indexOf(":")), full.slice(full.indexOf(":") + 1)];
        const node = pair.value as YAML.Node | null;
        if (!NAMESPACES.includes(namespace)) {
            const hint = decls[name] ? `${PROJECT}:${name}` : nearest(namespace, NAMESPACES, 2) ? `${nearest(namespace, NAMESPACES, 2)}:${name}` : undefined;
            problems.push(`${full}: unknown namespace "${namespace}"${hint ? ` (did you mean ${hint}?)` : ""}; this project reads ${NAMESPACES.map(n => `${n}:*`).join(", ")}`);
            continue;
        }
        if (namespace === "aws" && !(awsKeys ??= awsProviderKeys()).includes(name)) {
            const near = nearest(name, awsKeys);
            problems.push(`${full}: unknown key${near ? ` (did you mean aws:${near}?)` : ""}; the AWS provider's keys are listed at https://www.pulumi.com/registry/packages/aws/installation-configuration/`);
            continue;
        }
        if (namespace === PROJECT && !decls[name] && (awsKeys ??= awsProviderKeys()).includes(name)) {
            problems.push(`${full}: unknown key (did you mean aws:${name}?); a bare key belongs to ${PROJECT}, the AWS provider's keys take aws:`);
            continue;
        }
        if (node === null || (YAML.isScalar(node) && (node.value === null || node.value === ""))) continue; // empty: not set
        if (YAML.isMap(node) && node.has("secure")) {
            secureKeys.push(full);
            continue; // placeholders are set below, once the region is known
        }
        const decl = namespace === PROJECT ? decls[name] : undefined;
        if (YAML.isScalar(node) && typeof node.value === "number" && node.source !== undefined && node.source !== String(node.value)) {
            if (decl?.type === "integer" && /^-?\d+$/.test(node.source)) {
                raw[full] = node.source; // as written: the range check then quotes what the user typed
                continue;
            }
            if (!decl || decl.type === "string") {
                problems.push(`${full} = ${node.source}: must be quoted, "${node.source}"; unquoted, YAML reads it as the number ${node.value}`);
                continue;
            }
        }
        raw[full] = configString(node.toJSON());
    }
    for (const key of secureKeys) raw[key] = securePlaceholder(key, raw["aws:region"]);
    return { raw, secureKeys, problems };
}

/** Where the quote that a "missing closing quote" error is about was opened: the last quote before `end`. */
function openingQuote(text: string, end: number): { line: number; col: number } | undefined {
    const offset = Math.max(text.lastIndexOf('"', end - 1), text.lastIndexOf("'", end - 1));
    if (offset < 0) return undefined;
    const [line, col] = lineAt(text, offset).split(":").map(Number);
    return { line, col };
}

function lineAt(text: string, offset: number): string {
    const before = text.slice(0, offset).split("\n");
    return `${before.length}:${before[before.length - 1].length + 1}`;
}

/**
 * The region checks the offline tools can make with their table of regions (REGION_AZS):
 * a region they do not know (did you mean …?), and more AZs than the region has.
 */
export function offlineRegionProblems(raw: Readonly<Record<string, string>>, regionAzs: Readonly<Record<string, readonly string[]>>): string[] {
    const region = raw["aws:region"];
    if (!region || region !== region.trim()) return []; // parseConfig names these
    const zones = regionAzs[region];
    if (!zones && /^(cn|us-gov|us-iso[a-z]*|eusc)-/.test(region)) {
        return [`aws:region = ${JSON.stringify(region)}: a region of another AWS partition (China, GovCloud, ISO or the European Sovereign Cloud), which the offline plan does not model; it knows the commercial regions`];
    }
    if (!zones) {
        const near = nearest(region, Object.keys(regionAzs), 3);
        return [near
            ? `aws:region = ${JSON.stringify(region)}: not an AWS region (did you mean ${near}?)`
            : `aws:region = ${JSON.stringify(region)}: not an AWS commercial region the offline plan knows; it knows ${Object.keys(regionAzs).join(", ")}`];
    }
    const azCount = Number(raw[`${PROJECT}:azCount`] ?? projectDeclarations().azCount.default);
    if (Number.isInteger(azCount) && azCount > zones.length && azCount <= 6) {
        return [`${PROJECT}:azCount = ${azCount}: ${region} has only ${zones.length} availability zones (${zones.join(", ")})`];
    }
    return [];
}
