// "A DP that starts while the CP sleeps still serves": the last configuration, exported by the CP
// to S3 and loaded by every new DP before Kong starts. Pure pieces only: the object layout, the
// shell the containers run, the container fragments and the task-role statements, so wiring
// them into the CP and DP task definitions is a splice.
//
// Open source 3.9.x, verified in Kong's source at tag 3.9.3:
//  - `kong config db_export` refuses an existing file, so it writes a fresh temp file, never stdout
//    (https://github.com/Kong/kong/blob/3.9.3/kong/cmd/config.lua#L15-L17), and needs a database
//    (same file, L69-L70): it runs in the CP task while Aurora is awake.
//  - The export is YAML with `_format_version: "3.0"` and `_transform: false`, so hashed
//    basic-auth passwords stay hashed (https://github.com/Kong/kong/blob/3.9.3/kong/db/declarative/export.lua#L142-L146).
//  - A missing or invalid `declarative_config` stops Kong at start (https://github.com/Kong/kong/blob/3.9.3/kong/init.lua#L714-L735):
//    the DP fetch step always leaves a parseable file; the name ends .yaml because the loader picks
//    the parser by extension (https://github.com/Kong/kong/blob/3.9.3/kong/db/declarative/init.lua#L106-L139).
//  - `_format_version` alone loads an empty configuration: /status/ready answers 503 and the ALB
//    target is unhealthy, which wakes the CP (https://github.com/Kong/kong/blob/3.9.3/kong/status/ready.lua#L28-L51).
//  - When the CP returns, it pushes its full config on connect (https://github.com/Kong/kong/blob/3.9.3/kong/clustering/control_plane.lua#L299-L318);
//    the DP reloads unless the hash is equal, which md5(file) never is (https://github.com/Kong/kong/blob/3.9.3/kong/clustering/config_helper.lua#L314-L318),
//    and the load drops everything first (https://github.com/Kong/kong/blob/3.9.3/kong/db/declarative/import.lua#L436-L442):
//    the CP's configuration replaces the file's entirely.
// Enterprise uses Kong's own fallback configuration instead (cluster_fallback_config_*,
// https://developer.konghq.com/gateway/cp-outage/): the CP exports, DPs import, identical tags.
//
// The export holds credentials in clear text (key-auth keys, certificate private keys): the bucket
// is SSE-KMS, TLS-only, private and versioned (export-bucket.ts); only task roles get S3/KMS grants.

import { unknownKongEnvNames, type KongEdition, type KongImage } from "../kong/image";
import type { ContainerDefinition } from "../ecs/container";
import type { PolicyDocument } from "../ecs/task-iam";

/** aws-cli v2 from ECR Public (pulled in-region, no Docker Hub limits); has sh and sha256sum. */
export const AWS_CLI_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.32.9";
/** Where the DP task's init container leaves the file Kong loads (a task-scoped volume). */
export const FALLBACK_DIR = "/kong-fallback";
export const FALLBACK_FILE = `${FALLBACK_DIR}/kong.yaml`;
/** The CP task's shared volume between the exporter and the uploader. */
export const EXPORT_DIR = "/export";
/** Enterprise: the storage prefix; Kong writes <prefix>/<full version>/config.json under it. */
export const ENTERPRISE_PREFIX = "kong-fallback";
/** A file with only this loads an empty configuration: Kong starts, not ready, and waits for the CP. */
export const EMPTY_CONFIG = '_format_version: "3.0"';

export interface KongVersionRef {
    edition: KongEdition;
    /** The exact image version: 3.9.3 or 3.9.1.1. A DP reads only the export of its own version. */
    version: string;
}

/**
 * The export object's key. Keyed by the exact Kong version: an export from a newer CP can fail an
 * older DP at start, so each DP reads only its own version's object (none: it starts empty).
 */
export function exportObjectKey(k: KongVersionRef): string {
    if (!/^\d+\.\d+\.\d+(\.\d+)?$/.test(k.version)) throw new Error(`export: Kong version "${k.version}" is not a 3- or 4-part version`);
    return k.edition === "oss" ? `kong/${k.version}/kong.yaml` : `${ENTERPRISE_PREFIX}/${k.version}/config.json`;
}

/** A word for sh: single-quoted unless it is plainly safe. */
export function shellQuote(s: string): string {
    return /^[A-Za-z0-9_./:@=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface ExportLoopOptions {
    /** Seconds between exports. @default 30 */
    intervalSeconds?: number;
    dir?: string;
}

/**
 * The CP task's `config-export` container (CP image, the CP's database settings): every interval,
 * export to a temp file, validate it with `kong config parse`, and only then replace kong.yaml.
 * On SIGTERM (task stopping) one last export, then `.final` tells the uploader it may finish.
 * KONG_ROLE=traditional: a control_plane with database=off fails the conf loader.
 */
export function cpExportScript(o: ExportLoopOptions = {}): string {
    const dir = shellQuote(o.dir ?? EXPORT_DIR);
    return [
        `dir=${dir}`,
        "export_once() {",
        '  t="$dir/.export.yaml"',
        '  rm -f "$t"',
        '  if KONG_ROLE=traditional kong config db_export "$t" >/dev/null && KONG_ROLE=traditional KONG_DATABASE=off kong config parse "$t" >/dev/null; then',
        '    mv -f "$t" "$dir/kong.yaml"',
        "  else",
        '    rm -f "$t"',
        '    echo "config-export: export or validation failed; the previous export stays" >&2',
        "  fi",
        "}",
        `trap 'export_once; touch "$dir/.final"; exit 0' TERM INT`,
        'rm -f "$dir/.final"',
        "while :; do",
        "  export_once",
        `  sleep ${o.intervalSeconds ?? 30} & wait $!`,
        "done",
    ].join("\n");
}

export interface UploadOptions {
    bucket: string;
    key: string;
    kmsKeyArn: string;
    region: string;
    /** Seconds between checks for a changed file. @default 10 */
    intervalSeconds?: number;
    /**
     * Upload an unchanged file again after this long, so an admin write that changed nothing still
     * leaves an export newer than it (the controller's stop rule). @default 300
     */
    refreshSeconds?: number;
    /** Seconds to wait on SIGTERM for the exporter's last export. @default 25 */
    finalWaitSeconds?: number;
    dir?: string;
}

/** The CP task's `config-upload` container (aws-cli image): upload kong.yaml when it changed, SSE-KMS. */
export function cpUploadScript(o: UploadOptions): string {
    const target = shellQuote(`s3://${o.bucket}/${o.key}`);
    return [
        `dir=${shellQuote(o.dir ?? EXPORT_DIR)}`,
        'last=""',
        "last_at=0",
        "upload() {",
        '  [ -s "$dir/kong.yaml" ] || return 0',
        `  sum=$(sha256sum "$dir/kong.yaml" | cut -d ' ' -f 1)`,
        "  now=$(date +%s)",
        `  if [ "$sum" != "$last" ] || [ $((now - last_at)) -ge ${o.refreshSeconds ?? 300} ]; then`,
        `    if aws s3 cp "$dir/kong.yaml" ${target} --sse aws:kms --sse-kms-key-id ${shellQuote(o.kmsKeyArn)} --region ${shellQuote(o.region)} --only-show-errors; then`,
        '      last="$sum"',
        '      last_at="$now"',
        "    else",
        '      echo "config-upload: upload failed; retrying" >&2',
        "    fi",
        "  fi",
        "}",
        "finish() {",
        "  i=0",
        `  while [ ! -e "$dir/.final" ] && [ "$i" -lt ${o.finalWaitSeconds ?? 25} ]; do sleep 1; i=$((i + 1)); done`,
        "  upload",
        "  exit 0",
        "}",
        "trap finish TERM INT",
        "while :; do",
        "  upload",
        `  sleep ${o.intervalSeconds ?? 10} & wait $!`,
        "done",
    ].join("\n");
}

export interface FetchOptions {
    bucket: string;
    key: string;
    region: string;
    file?: string;
}

/**
 * The DP task's `config-fetch` init container (aws-cli image). Always leaves a file Kong can load
 * and always exits 0: the last export if it downloads whole and looks like a declarative file,
 * else an empty configuration (Kong starts, is not ready, and the unhealthy target wakes the CP).
 * Downloads to a temp name and renames, so Kong never sees half a file.
 */
export function dpFetchScript(o: FetchOptions): string {
    const file = shellQuote(o.file ?? FALLBACK_FILE);
    const source = shellQuote(`s3://${o.bucket}/${o.key}`);
    return [
        `f=${file}`,
        't="$f.download"',
        'rm -f "$t"',
        `if aws s3 cp ${source} "$t" --region ${shellQuote(o.region)} --only-show-errors && [ -s "$t" ] && grep -q '^_format_version' "$t"; then`,
        '  mv -f "$t" "$f"',
        `  echo "config-fetch: loaded the last export ${source.replace(/'/g, "")}"`,
        "else",
        '  rm -f "$t"',
        `  printf '%s\\n' ${shellQuote(EMPTY_CONFIG)} > "$f"`,
        '  echo "config-fetch: no usable export; Kong starts empty and waits for the Control Plane" >&2',
        "fi",
        "exit 0",
    ].join("\n");
}

// ── Container fragments for the task definitions ───────────────────────────────────────────

export interface MountPoint {
    sourceVolume: string;
    containerPath: string;
    readOnly: boolean;
}
export type TaskContainer = ContainerDefinition & { mountPoints?: MountPoint[] };
type Env = { name: string; value: string }[];

/** What a task definition gains: extra containers and volumes, and additions to the kong container. */
export interface TaskAdditions {
    volumes: { name: string }[];
    containers: TaskContainer[];
    kong: { environment: Env; dependsOn: NonNullable<ContainerDefinition["dependsOn"]>; mountPoints: MountPoint[] };
}

export interface FallbackArgs {
    kong: KongVersionRef;
    bucket: string;
    kmsKeyArn: string;
    region: string;
    /** The task's awslogs configuration, reused with another stream prefix. */
    logConfiguration: ContainerDefinition["logConfiguration"];
}

const withPrefix = (l: ContainerDefinition["logConfiguration"], prefix: string): ContainerDefinition["logConfiguration"] =>
    ({ ...l, options: { ...l.options, "awslogs-stream-prefix": prefix } });
const regionEnv = (region: string): Env => [{ name: "AWS_REGION", value: region }, { name: "AWS_DEFAULT_REGION", value: region }];

/**
 * Enterprise: Kong itself exports (CP) or imports (DP) through cluster_fallback_config_storage, so the
 * task gains only kong environment: no volume, no extra container.
 */
function enterpriseFallback(a: FallbackArgs, environment: Env): TaskAdditions {
    return {
        volumes: [],
        containers: [],
        kong: {
            environment: [
                ...environment,
                { name: "KONG_CLUSTER_FALLBACK_CONFIG_STORAGE", value: `s3://${a.bucket}/${ENTERPRISE_PREFIX}` },
                ...regionEnv(a.region),
            ],
            dependsOn: [],
            mountPoints: [],
        },
    };
}

/** Data Plane task: how a new DP gets the last configuration before Kong starts. */
export function dataPlaneFallback(a: FallbackArgs): TaskAdditions {
    const key = exportObjectKey(a.kong);
    if (a.kong.edition === "enterprise") {
        // Kong fetches from storage itself when it cannot reach the CP at start; no file, no init container.
        return enterpriseFallback(a, [{ name: "KONG_CLUSTER_FALLBACK_CONFIG_IMPORT", value: "on" }]);
    }
    const volume = "kong-fallback";
    return {
        volumes: [{ name: volume }],
        containers: [{
            name: "config-fetch",
            image: AWS_CLI_IMAGE,
            essential: false,
            entryPoint: ["sh", "-c"],
            command: [dpFetchScript({ bucket: a.bucket, key, region: a.region })],
            environment: regionEnv(a.region),
            secrets: [],
            mountPoints: [{ sourceVolume: volume, containerPath: FALLBACK_DIR, readOnly: false }],
            logConfiguration: withPrefix(a.logConfiguration, "config-fetch"),
        }],
        kong: {
            environment: [{ name: "KONG_DECLARATIVE_CONFIG", value: FALLBACK_FILE }],
            // The script always exits 0 after writing the file: SUCCESS means the file is there.
            dependsOn: [{ containerName: "config-fetch", condition: "SUCCESS" }],
            mountPoints: [{ sourceVolume: volume, containerPath: FALLBACK_DIR, readOnly: true }],
        },
    };
}

export interface ExporterArgs extends FallbackArgs {
    /** The CP image (the exporter runs `kong config db_export` with it). */
    image: string;
    /** The CP's database settings (KONG_DATABASE, KONG_PG_*), as the kong container has them. */
    databaseEnvironment: Env;
    /** The CP's database secrets (KONG_PG_PASSWORD …). */
    databaseSecrets: ContainerDefinition["secrets"];
    /** Seconds between exports. @default 30 */
    exportIntervalSeconds?: number;
}

/** Seconds Kong's Enterprise exporter waits to batch changes (cluster_fallback_config_export_delay). */
export const ENTERPRISE_EXPORT_DELAY_SECONDS = 60;

/** Control Plane task: export the configuration to S3 when it changes and before the task stops. */
export function controlPlaneExport(a: ExporterArgs): TaskAdditions {
    const key = exportObjectKey(a.kong);
    if (a.kong.edition === "enterprise") {
        return enterpriseFallback(a, [
            { name: "KONG_CLUSTER_FALLBACK_CONFIG_EXPORT", value: "on" },
            { name: "KONG_CLUSTER_FALLBACK_CONFIG_EXPORT_DELAY", value: String(ENTERPRISE_EXPORT_DELAY_SECONDS) },
            // Merged into PutObject: the object is encrypted with the stack's key, not SSE-S3.
            { name: "KONG_CLUSTER_FALLBACK_EXPORT_S3_CONFIG", value: JSON.stringify({ ServerSideEncryption: "aws:kms", SSEKMSKeyId: a.kmsKeyArn }) },
        ]);
    }
    const volume = "config-export";
    return {
        volumes: [{ name: volume }],
        containers: [
            {
                name: "config-export",
                image: a.image,
                essential: false,
                entryPoint: ["sh", "-c"],
                command: [cpExportScript({ intervalSeconds: a.exportIntervalSeconds })],
                environment: [
                    ...a.databaseEnvironment,
                    // A one-shot CLI, not a second node: no listeners.
                    { name: "KONG_PROXY_LISTEN", value: "off" },
                    { name: "KONG_ADMIN_LISTEN", value: "off" },
                    { name: "KONG_STATUS_LISTEN", value: "off" },
                ],
                secrets: a.databaseSecrets,
                dependsOn: [{ containerName: "kong", condition: "HEALTHY" }],
                mountPoints: [{ sourceVolume: volume, containerPath: EXPORT_DIR, readOnly: false }],
                stopTimeout: 30,
                logConfiguration: withPrefix(a.logConfiguration, "config-export"),
            },
            {
                name: "config-upload",
                image: AWS_CLI_IMAGE,
                essential: false,
                entryPoint: ["sh", "-c"],
                command: [cpUploadScript({ bucket: a.bucket, key, kmsKeyArn: a.kmsKeyArn, region: a.region })],
                environment: regionEnv(a.region),
                secrets: [],
                dependsOn: [{ containerName: "config-export", condition: "START" }],
                mountPoints: [{ sourceVolume: volume, containerPath: EXPORT_DIR, readOnly: true }],
                stopTimeout: 60,
                logConfiguration: withPrefix(a.logConfiguration, "config-upload"),
            },
        ],
        kong: { environment: [], dependsOn: [], mountPoints: [] },
    };
}

// ── Task-role grants (never the execution role: only ECS `secrets` injection uses that) ─────

export interface GrantArgs {
    kong: KongVersionRef;
    bucketArn: string;
    kmsKeyArn: string;
    region: string;
}

/** KMS use only through S3 in this region: the key cannot be used directly by the task. */
const viaS3 = (region: string) => ({ StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } });

/** DP task role: read exactly its version's export object and decrypt it through S3. */
export function dataPlaneExportReadPolicy(g: GrantArgs): PolicyDocument {
    const key = exportObjectKey(g.kong);
    const statements: Record<string, unknown>[] = [
        { Sid: "ReadConfigExport", Effect: "Allow", Action: "s3:GetObject", Resource: `${g.bucketArn}/${key}` },
        { Sid: "DecryptConfigExport", Effect: "Allow", Action: "kms:Decrypt", Resource: g.kmsKeyArn, Condition: viaS3(g.region) },
    ];
    if (g.kong.edition === "enterprise") {
        // Kong's fallback import lists the prefix (https://developer.konghq.com/gateway/cp-outage/).
        statements.push({ Sid: "ListConfigExport", Effect: "Allow", Action: "s3:ListBucket", Resource: g.bucketArn, Condition: { StringLike: { "s3:prefix": `${ENTERPRISE_PREFIX}/${g.kong.version}/*` } } });
    }
    return { Version: "2012-10-17", Statement: statements };
}

/** CP task role: write (and, for Enterprise, read and list) its version's export, encrypted with the key. */
export function controlPlaneExportWritePolicy(g: GrantArgs): PolicyDocument {
    const key = exportObjectKey(g.kong);
    if (g.kong.edition === "oss") {
        return {
            Version: "2012-10-17",
            Statement: [
                { Sid: "WriteConfigExport", Effect: "Allow", Action: "s3:PutObject", Resource: `${g.bucketArn}/${key}` },
                // GenerateDataKey encrypts a new object; Decrypt is needed if the CLI goes multipart.
                { Sid: "EncryptConfigExport", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: g.kmsKeyArn, Condition: viaS3(g.region) },
            ],
        };
    }
    const prefix = `${ENTERPRISE_PREFIX}/${g.kong.version}`;
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "WriteConfigExport", Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject"], Resource: `${g.bucketArn}/${prefix}/*` },
            { Sid: "ListConfigExport", Effect: "Allow", Action: "s3:ListBucket", Resource: g.bucketArn, Condition: { StringLike: { "s3:prefix": `${prefix}/*` } } },
            { Sid: "EncryptConfigExport", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: g.kmsKeyArn, Condition: viaS3(g.region) },
        ],
    };
}

// ── Splicing the additions into a task definition ──────────────────────────────────────────

/**
 * Seconds a DP caches "no such name" for the CP while it sleeps (Kong's dns_not_found_ttl, 30 s by
 * default: https://github.com/Kong/kong/blob/3.9.3/kong/templates/kong_defaults.lua#L170). Lowered so
 * a DP finds a woken CP within one resolver TTL and one redial.
 */
export const WAKE_DNS_NOT_FOUND_TTL_SECONDS = 5;

/** What a DP's kong container gains beside the fallback when the CP may sleep. */
export function dataPlaneWakeEnvironment(): Env {
    return [{ name: "KONG_DNS_NOT_FOUND_TTL", value: String(WAKE_DNS_NOT_FOUND_TTL_SECONDS) }];
}

/**
 * The task's containers with the additions spliced in: the extra containers appended, the kong
 * container's environment, dependsOn and mounts extended, plus the task volumes. Refuses a KONG_*
 * name that the image's Kong does not know (Kong would ignore it silently) or one set twice.
 */
export function spliceTaskAdditions(containers: readonly ContainerDefinition[], add: TaskAdditions, kong: KongImage, kongContainer = "kong"): { containers: TaskContainer[]; volumes: { name: string }[] } {
    const target = containers.find(c => c.name === kongContainer);
    if (!target) throw new Error(`export: the task has no "${kongContainer}" container to splice into`);
    const env = [...target.environment, ...add.kong.environment];
    const names = env.map(e => e.name);
    const twice = names.filter((n, i) => names.indexOf(n) !== i);
    if (twice.length) throw new Error(`export: ${[...new Set(twice)].join(", ")} set twice in the ${kongContainer} container`);
    const unknown = unknownKongEnvNames([...names, ...add.containers.flatMap(c => c.environment.map(e => e.name))], kong);
    if (unknown.length) throw new Error(`Kong ${kong.version} (${kong.image}) has no setting ${[...new Set(unknown)].join(", ")}; it would ignore it silently`);
    const spliced: TaskContainer[] = containers.map(c => c !== target ? c : {
        ...c,
        environment: env,
        ...(c.dependsOn || add.kong.dependsOn.length ? { dependsOn: [...(c.dependsOn ?? []), ...add.kong.dependsOn] } : {}),
        ...(add.kong.mountPoints.length ? { mountPoints: add.kong.mountPoints } : {}),
    });
    return { containers: [...spliced, ...add.containers], volumes: add.volumes };
}

/**
 * What the exporter takes from the CP's kong container: the database settings (KONG_DATABASE,
 * KONG_PG_*) and KONG_ANONYMOUS_REPORTS, so the sidecar reports nothing to Kong Inc. either.
 */
export function databaseSettingsOf(c: Pick<ContainerDefinition, "environment" | "secrets">): { environment: Env; secrets: ContainerDefinition["secrets"] } {
    const db = (name: string) => name === "KONG_DATABASE" || name.startsWith("KONG_PG_") || name === "KONG_ANONYMOUS_REPORTS";
    return { environment: c.environment.filter(e => db(e.name)), secrets: c.secrets.filter(e => db(e.name)) };
}
