import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { byType, runProgram, type ProgramRun } from "../offline/harness";
import { ADMIN_REFUSED_PATTERN, ADMIN_WRITES_PATTERN, ConfigExportBucket, CpScaler } from "../components/cp-scaler";
import { bundleHandler } from "../components/cp-scaler/bundle";
import { DEFAULT_SETTINGS } from "../components/cp-scaler/decision";

// The controller and the export bucket as AWS receives them, built on their own under the mock
// runtime from stand-in ARNs (what issue 10's CP and DP components will hand them).

const ACCOUNT = "123456789012";
const CLUSTER = `arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/kong-dev`;
const CP_SERVICE = `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/kong-dev/kong-dev-cp`;
const DP_SERVICE = `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/kong-dev/kong-dev-dp-public`;
const DP_INTERNAL = `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/kong-dev/kong-dev-dp-internal`;
const TG = `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:targetgroup/kong-dev-dp/0123456789abcdef`;
const TG2 = `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:targetgroup/kong-dev-dp-int/fedcba9876543210`;
const KMS = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1111aaaa-2222-bbbb-3333-cccc4444dddd`;
const KEY = "kong/3.9.3/kong.yaml";

let planned: Promise<ProgramRun> | undefined;
function plan(): Promise<ProgramRun> {
    planned ??= runProgram(() => {
        const bucket = new ConfigExportBucket("config-export", { kmsKeyArn: KMS, tags: { stack: "dev" } });
        const scaler = new CpScaler("cp-scaler", {
            namePrefix: "kong-dev",
            controlPlane: { clusterArn: CLUSTER, serviceName: "kong-dev-cp", serviceArn: CP_SERVICE, logGroupName: "/kong-dev/control-plane" },
            dataPlanes: [
                { clusterArn: CLUSTER, serviceName: "kong-dev-dp-public", serviceArn: DP_SERVICE, targetGroupArn: TG, logGroupName: "/kong-dev/data-plane/dp-public" },
                { clusterArn: CLUSTER, serviceName: "kong-dev-dp-internal", serviceArn: DP_INTERNAL, targetGroupArn: TG2, logGroupName: "/kong-dev/data-plane/dp-internal" },
            ],
            export: { bucketName: bucket.bucketName, bucketArn: bucket.bucketArn, key: KEY },
            settings: { cooldownMinutes: 20 },
            kmsKeyArn: KMS,
            logRetentionDays: 14,
        });
        return { functionName: scaler.functionName, bucketName: bucket.bucketName, bucketArn: bucket.bucketArn };
    }, { stack: "dev", config: { "aws:region": "eu-west-1" } });
    return planned;
}
const one = (run: ProgramRun, type: string) => {
    const found = byType(run, type);
    assert.strictEqual(found.length, 1, `one ${type}`);
    return found[0];
};

describe("CpScaler component (mock runtime)", () => {
    it("a Node.js 22 arm64 Lambda, one invocation at a time, configured through its environment", async () => {
        const run = await plan();
        const fn = one(run, "aws:lambda/function:Function");
        assert.strictEqual(fn.inputs.name, "kong-dev-cp-scaler");
        assert.strictEqual(fn.inputs.runtime, "nodejs22.x");
        assert.deepStrictEqual(fn.inputs.architectures, ["arm64"]);
        assert.strictEqual(fn.inputs.handler, "index.handler");
        assert.strictEqual(fn.inputs.reservedConcurrentExecutions, 1);
        assert.deepStrictEqual(fn.inputs.loggingConfig, { logFormat: "Text", logGroup: "/kong-dev/cp-scaler" });
        const env = fn.inputs.environment.variables;
        assert.deepStrictEqual(JSON.parse(env.CP_SERVICE), { cluster: CLUSTER, service: "kong-dev-cp" });
        assert.deepStrictEqual(JSON.parse(env.DP_SERVICES), [{ cluster: CLUSTER, service: "kong-dev-dp-public" }, { cluster: CLUSTER, service: "kong-dev-dp-internal" }]);
        assert.deepStrictEqual(JSON.parse(env.DP_TARGET_GROUP_ARNS), [TG, TG2]);
        assert.strictEqual(env.STATE_PARAMETER, "/kong-dev/cp-scaler/state");
        assert.strictEqual(env.METRIC_NAMESPACE, "KongHybrid/kong-dev");
        assert.strictEqual(env.EXPORT_BUCKET, run.outputs.bucketName);
        assert.strictEqual(env.EXPORT_KEY, KEY);
        assert.deepStrictEqual(JSON.parse(env.SETTINGS), { ...DEFAULT_SETTINGS, cooldownMinutes: 20 });
    });

    it("its role may do exactly what the controller does; only the two unscoped reads use *", async () => {
        const run = await plan();
        const role = one(run, "aws:iam/role:Role");
        assert.deepStrictEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement, [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]);
        const policy = one(run, "aws:iam/rolePolicy:RolePolicy");
        assert.strictEqual(policy.inputs.role, role.id);
        const bucketArn = run.outputs.bucketArn;
        assert.deepStrictEqual(JSON.parse(policy.inputs.policy).Statement, [
            { Sid: "ReadServices", Effect: "Allow", Action: "ecs:DescribeServices", Resource: [CP_SERVICE, DP_SERVICE, DP_INTERNAL] },
            { Sid: "ScaleControlPlane", Effect: "Allow", Action: "ecs:UpdateService", Resource: CP_SERVICE },
            { Sid: "ReadTargetHealthAndActivity", Effect: "Allow", Action: ["elasticloadbalancing:DescribeTargetHealth", "cloudwatch:GetMetricData"], Resource: "*" },
            { Sid: "State", Effect: "Allow", Action: ["ssm:GetParameter", "ssm:PutParameter"], Resource: `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/kong-dev/cp-scaler/state` },
            { Sid: "ExportTime", Effect: "Allow", Action: "s3:GetObject", Resource: `${bucketArn}/${KEY}` },
            { Sid: "ExportMissingIs404", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn },
            { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/kong-dev/cp-scaler:*` },
        ]);
        assert.strictEqual(one(run, "aws:lambda/function:Function").inputs.role, role.outputs.arn);
    });

    it("runs every minute and when a DP task reaches RUNNING (the pattern as EventBridge receives it)", async () => {
        const run = await plan();
        const fn = one(run, "aws:lambda/function:Function");
        const rules = byType(run, "aws:cloudwatch/eventRule:EventRule");
        const tick = rules.find(r => r.name === "cp-scaler-tick")!;
        assert.strictEqual(tick.inputs.scheduleExpression, "rate(1 minute)");
        const task = rules.find(r => r.name === "cp-scaler-dp-task-running")!;
        assert.strictEqual(typeof task.inputs.eventPattern, "string");
        assert.deepStrictEqual(JSON.parse(task.inputs.eventPattern), {
            source: ["aws.ecs"],
            "detail-type": ["ECS Task State Change"],
            detail: { clusterArn: [CLUSTER], group: ["service:kong-dev-dp-public", "service:kong-dev-dp-internal"], lastStatus: ["RUNNING"] },
        });
        for (const rule of [tick, task]) {
            const target = byType(run, "aws:cloudwatch/eventTarget:EventTarget").find(t => t.inputs.rule === rule.outputs.name)!;
            assert.strictEqual(target.inputs.arn, fn.outputs.arn);
            const permission = byType(run, "aws:lambda/permission:Permission").find(p => p.inputs.sourceArn === rule.outputs.arn)!;
            assert.deepStrictEqual([permission.inputs.action, permission.inputs.principal, permission.inputs.function], ["lambda:InvokeFunction", "events.amazonaws.com", fn.outputs.name]);
        }
    });

    it("state in one standard SSM parameter the controller owns (pulumi up leaves its value alone)", async () => {
        const param = one(await plan(), "aws:ssm/parameter:Parameter");
        assert.deepStrictEqual([param.inputs.name, param.inputs.type, param.inputs.tier, param.inputs.value], ["/kong-dev/cp-scaler/state", "String", "Standard", '{"cp":"stopped"}']);
        assert.deepStrictEqual(param.ignoreChanges, ["value"]);
    });

    it("metric filters: admin writes on the CP log group, refused /kong-admin on every DP log group, 1 per match, nothing otherwise (billed only in hours with a match)", async () => {
        const filters = byType(await plan(), "aws:cloudwatch/logMetricFilter:LogMetricFilter").map(f => [f.inputs.logGroupName, f.inputs.pattern, f.inputs.metricTransformation]);
        const t = (name: string) => ({ name, namespace: "KongHybrid/kong-dev", value: "1", unit: "Count" });
        assert.deepStrictEqual(filters, [
            ["/kong-dev/control-plane", ADMIN_WRITES_PATTERN, t("AdminWrites")],
            ["/kong-dev/data-plane/dp-public", ADMIN_REFUSED_PATTERN, t("AdminRequestsRefused")],
            ["/kong-dev/data-plane/dp-internal", ADMIN_REFUSED_PATTERN, t("AdminRequestsRefused")],
        ]);
    });

    it("the code is the esbuild bundle; it runs on its own (no node_modules) and exports handler", async () => {
        const fn = one(await plan(), "aws:lambda/function:Function");
        const code = JSON.stringify(fn.inputs.code);
        assert.ok(code.includes(JSON.stringify(bundleHandler()).slice(1, 200)), "the archive holds the bundle as index.js");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cp-scaler-bundle-"));
        try {
            const file = path.join(dir, "index.js");
            fs.writeFileSync(file, bundleHandler());
            const mod = require(file);
            assert.strictEqual(typeof mod.handler, "function");
            await assert.rejects(mod.handler({ action: "status" }), /^Error: cp-scaler: environment variable CP_SERVICE is not set$/);
            const saved = { ...process.env };
            Object.assign(process.env, fn.inputs.environment.variables);
            try {
                // The configuration as the component writes it parses; the event is checked before any AWS call.
                await assert.rejects(mod.handler({ action: "reboot" }), /action "reboot" is not allowed/);
            } finally {
                process.env = saved;
            }
            assert.ok(bundleHandler().length < 2_000_000, `bundle ${bundleHandler().length} bytes`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses a controller with no DP service to watch", async () => {
        await assert.rejects(runProgram(() => {
            new CpScaler("x", { namePrefix: "k", controlPlane: { clusterArn: CLUSTER, serviceName: "cp", serviceArn: CP_SERVICE, logGroupName: "g" }, dataPlanes: [], export: { bucketName: "b", bucketArn: "arn:aws:s3:::b", key: KEY } });
            return {};
        }), /dataPlanes must list at least one DP service/);
    });
});

describe("ConfigExportBucket (mock runtime)", () => {
    it("SSE-KMS with the stack key and a bucket key, versioned, old versions expire, public access blocked, ACLs off", async () => {
        const run = await plan();
        const bucket = one(run, "aws:s3/bucket:Bucket");
        assert.strictEqual(bucket.inputs.forceDestroy, true);
        assert.deepStrictEqual(one(run, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules,
            [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KMS }, bucketKeyEnabled: true }]);
        assert.deepStrictEqual(one(run, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration, { status: "Enabled" });
        const [rule] = one(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules;
        assert.deepStrictEqual(rule.noncurrentVersionExpiration, { noncurrentDays: 30, newerNoncurrentVersions: 10 });
        assert.deepStrictEqual(rule.abortIncompleteMultipartUpload, { daysAfterInitiation: 1 });
        const pab = one(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs;
        assert.deepStrictEqual([pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets], [true, true, true, true]);
        assert.deepStrictEqual(one(run, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule, { objectOwnership: "BucketOwnerEnforced" });
    });

    it("bucket policy: TLS only; uploads only SSE-KMS with this key", async () => {
        const run = await plan();
        const arn = run.outputs.bucketArn;
        assert.deepStrictEqual(JSON.parse(one(run, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy).Statement, [
            { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
            { Sid: "DenyOtherEncryption", Effect: "Deny", Principal: "*", Action: "s3:PutObject", Resource: `${arn}/*`, Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption": "aws:kms" } } },
            { Sid: "DenyOtherKmsKey", Effect: "Deny", Principal: "*", Action: "s3:PutObject", Resource: `${arn}/*`, Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption-aws-kms-key-id": KMS } } },
        ]);
    });

    it("production: protected and not force-destroyed", async () => {
        const run = await runProgram(() => {
            new ConfigExportBucket("prod-export", { kmsKeyArn: KMS, production: true });
            return {};
        }, { stack: "prod", config: { "aws:region": "eu-west-1" } });
        const bucket = one(run, "aws:s3/bucket:Bucket");
        assert.strictEqual(bucket.inputs.forceDestroy, false);
        assert.strictEqual(bucket.protect, true);
    });
});

// ── The filter patterns against Kong's log lines ───────────────────────────────────────────
// A matcher for the subset of CloudWatch's space-delimited syntax the patterns use: named fields,
// `name=value` with `*` wildcards, `||` between conditions on one field, a trailing `...`.
// Anything else in a pattern throws, so a pattern change cannot slip past it.

function logFields(line: string): string[] {
    const out: string[] = [];
    for (let i = 0; i < line.length;) {
        if (line[i] === " ") { i++; continue; }
        const close = line[i] === "[" ? "]" : line[i] === '"' ? '"' : undefined;
        if (close) {
            const j = line.indexOf(close, i + 1);
            out.push(line.slice(i + 1, j < 0 ? line.length : j));
            i = j < 0 ? line.length : j + 1;
        } else {
            const j = line.indexOf(" ", i);
            out.push(line.slice(i, j < 0 ? line.length : j));
            i = j < 0 ? line.length : j;
        }
    }
    return out;
}

function filterMatches(pattern: string, line: string): boolean {
    const m = /^\[(.*)\]$/.exec(pattern);
    if (!m) throw new Error(`not a space-delimited pattern: ${pattern}`);
    const specs = m[1].split(",").map(s => s.trim());
    const open = specs[specs.length - 1] === "...";
    if (specs.slice(0, -1).includes("...")) throw new Error("matcher supports a trailing ... only");
    const named = open ? specs.slice(0, -1) : specs;
    const fields = logFields(line);
    if (open ? fields.length < named.length : fields.length !== named.length) return false;
    return named.every((spec, i) => {
        if (/^\w+$/.test(spec)) return true;
        return spec.split("||").some(condition => {
            const c = /^\s*(\w+)=([^\s"]+)\s*$/.exec(condition);
            if (!c) throw new Error(`matcher does not support condition "${condition}"`);
            const glob = new RegExp(`^${c[2].split("*").map(s => s.replace(/[.+?^${}()|[\]\\/]/g, "\\$&")).join(".*")}$`);
            return glob.test(fields[i]);
        });
    });
}

describe("metric filter patterns against Kong access log lines", () => {
    const ts = "[05/Jan/2026:10:15:02 +0000]";
    const cp = (request: string, status: number, agent = "decK/1.65.1") => `10.0.1.25 - - ${ts} "${request}" ${status} 412 "-" "${agent}"`;
    const dp = (request: string, status: number) => `203.0.113.9 - - ${ts} "${request}" ${status} 58 "-" "curl/8.5.0" kong_request_id: "3b0f4c1e6a7d4b0c9a1e2f3a4b5c6d7e"`;
    const writes: [string, boolean][] = [
        [cp("POST /services HTTP/1.1", 201), true],
        [cp("PATCH /routes/6f1c HTTP/1.1", 200), true],
        [cp("PUT /consumers/ops HTTP/1.1", 200), true],
        [cp("DELETE /plugins/9a2b HTTP/1.1", 204, "curl/8.5.0"), true],
        [`10.0.1.25 - admin ${ts} "POST /certificates HTTP/2.0" 201 0 "https://kong-gw.dev.example.com/" "Mozilla/5.0 (X11; Linux x86_64)"`, true],
        [cp("GET /services HTTP/1.1", 200), false],
        [cp("POST /services HTTP/1.1", 409), false],
        [cp("PUT /routes/x HTTP/1.1", 400), false],
        [cp("GET /v1/outlet?node_id=1b2c&node_hostname=ip-10-0-3-7 HTTP/1.1", 101, "lua-resty-http"), false],
        ["2026/01/05 10:15:02 [warn] 1#0: *3 [lua] data_plane.lua:152: connection to control plane broken", false],
    ];
    for (const [line, expected] of writes) {
        it(`admin writes ${expected ? "counts" : "ignores"}: ${line.slice(0, 90)}`, () => assert.strictEqual(filterMatches(ADMIN_WRITES_PATTERN, line), expected));
    }
    const refused: [string, boolean][] = [
        [dp("GET /kong-admin/services HTTP/1.1", 503), true],
        [dp("POST /kong-admin/routes HTTP/2.0", 502), true],
        [dp("GET /kong-admin HTTP/1.1", 504), true],
        [dp("GET /kong-admin/services HTTP/1.1", 200), false],
        [dp("GET /kong-admin/services HTTP/1.1", 401), false],
        [dp("GET /orders HTTP/1.1", 503), false],
    ];
    for (const [line, expected] of refused) {
        it(`refused admin requests ${expected ? "counts" : "ignores"}: ${line.slice(0, 90)}`, () => assert.strictEqual(filterMatches(ADMIN_REFUSED_PATTERN, line), expected));
    }
    it("the matcher parses nginx combined into CloudWatch's fields (as the AWS example extracts them)", () => {
        assert.deepStrictEqual(logFields('127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'),
            ["127.0.0.1", "-", "frank", "10/Oct/2000:13:25:15 -0700", "GET /index.html HTTP/1.0", "404", "1534"]);
    });
});
