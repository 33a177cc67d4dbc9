import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    controlPlaneExport, controlPlaneExportWritePolicy, cpExportScript, cpUploadScript, dataPlaneExportReadPolicy, dataPlaneFallback,
    dataPlaneWakeEnvironment, dpFetchScript, exportObjectKey, FALLBACK_FILE, spliceTaskAdditions, type FallbackArgs,
} from "../components/cp-scaler/export";
import { kongImage } from "../components/kong/image";

// The shell the export containers run, executed against fake `kong` and `aws` binaries (a local
// directory stands in for the bucket), and the container fragments and grants for both editions.

const BUCKET = "kong-dev-config-export";
const KMS = "arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-bbbb-3333-cccc4444dddd";
const EXPORT = '_format_version: "3.0"\n_transform: false\nservices:\n- name: orders\n  url: http://orders.internal\n';

// aws s3 cp SRC DST …: s3://bucket/key ↔ $BUCKET_DIR/key. $AWS_FAIL=1 fails after writing half the file.
const AWS = [
    'echo "aws $*" >> "$CALLS"',
    'src="$3"; dst="$4"',
    'case "$src" in s3://*) k="${src#s3://*/}"; [ -f "$BUCKET_DIR/$k" ] || { echo "fatal error: Not Found (404)" >&2; exit 1; }',
    '  if [ "${AWS_FAIL:-0}" = 1 ]; then head -c 10 "$BUCKET_DIR/$k" > "$dst"; exit 1; fi',
    '  cp "$BUCKET_DIR/$k" "$dst" ;;',
    '*) k="${dst#s3://*/}"; mkdir -p "$(dirname "$BUCKET_DIR/$k")"; cp "$src" "$BUCKET_DIR/$k" ;; esac',
].join("\n");
// kong config db_export F: refuses an existing F (as Kong does), writes $WORK/db (the database's state).
// kong config parse F: needs database=off and role traditional, rejects a file without _format_version.
const KONG = [
    'echo "kong $* role=$KONG_ROLE db=${KONG_DATABASE:-postgres}" >> "$CALLS"',
    'case "$2" in',
    '  db_export) [ -e "$3" ] && { echo "$3 already exists. Will not overwrite it." >&2; exit 1; }; cp "$WORK/db" "$3" ;;',
    '  parse) [ "$KONG_DATABASE" = off ] && [ "$KONG_ROLE" = traditional ] && grep -q "^_format_version" "$3" ;;',
    "esac",
].join("\n");

function sandbox() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cp-export-"));
    for (const sub of ["bin", "bucket", "export", "fallback"]) fs.mkdirSync(path.join(dir, sub));
    for (const [name, body] of [["aws", AWS], ["kong", KONG]]) {
        fs.writeFileSync(path.join(dir, "bin", name), `#!/bin/sh\n${body}\n`);
        fs.chmodSync(path.join(dir, "bin", name), 0o755);
    }
    fs.writeFileSync(path.join(dir, "calls"), "");
    const env = { PATH: `${dir}/bin:/usr/bin:/bin`, CALLS: path.join(dir, "calls"), BUCKET_DIR: path.join(dir, "bucket"), WORK: dir };
    const calls = () => fs.readFileSync(path.join(dir, "calls"), "utf8").split("\n").filter(Boolean);
    return { dir, env, calls, done: () => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }) };
}
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
/** Runs a script as its own process group, so cleanup can kill its `sleep` and `aws` children too. */
function start(script: string, env: Record<string, string>) {
    const p = spawn("sh", ["-c", script], { env, detached: true, stdio: "ignore" });
    const exited = new Promise<number | null>(r => p.on("exit", code => r(code)));
    const kill = async () => {
        try { process.kill(-p.pid!, "SIGKILL"); } catch { /* already gone */ }
        await sleep(100);
    };
    return { p, exited, kill };
}
async function until(what: string, check: () => boolean, ms = 5000) {
    for (const start = Date.now(); !check();) {
        if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
        await sleep(50);
    }
}

describe("DP config-fetch init container script", () => {
    const key = "kong/3.9.3/kong.yaml";
    const cases: { state: string; object?: string; env?: Record<string, string>; file: string }[] = [
        { state: "the last export is in the bucket", object: EXPORT, file: EXPORT },
        { state: "no export yet (404)", file: '_format_version: "3.0"\n' },
        { state: "the object is not a declarative file", object: "<html>gateway timeout</html>\n", file: '_format_version: "3.0"\n' },
        { state: "the download breaks off", object: EXPORT, env: { AWS_FAIL: "1" }, file: '_format_version: "3.0"\n' },
        { state: "the object is empty", object: "", file: '_format_version: "3.0"\n' },
    ];
    for (const c of cases) {
        it(`${c.state}: exits 0 and leaves ${c.file === EXPORT ? "the export" : "an empty configuration"}`, () => {
            const s = sandbox();
            try {
                if (c.object !== undefined) {
                    fs.mkdirSync(path.join(s.dir, "bucket", "kong/3.9.3"), { recursive: true });
                    fs.writeFileSync(path.join(s.dir, "bucket", key), c.object);
                }
                const file = path.join(s.dir, "fallback", "kong.yaml");
                const r = spawnSync("sh", ["-c", dpFetchScript({ bucket: BUCKET, key, region: "eu-west-1", file })], { env: { ...s.env, ...c.env }, encoding: "utf8" });
                assert.strictEqual(r.status, 0, r.stderr);
                assert.strictEqual(fs.readFileSync(file, "utf8"), c.file);
                assert.deepStrictEqual(fs.readdirSync(path.join(s.dir, "fallback")), ["kong.yaml"], "no partial download left behind");
                assert.deepStrictEqual(s.calls(), [`aws s3 cp s3://${BUCKET}/${key} ${file}.download --region eu-west-1 --only-show-errors`]);
            } finally {
                s.done();
            }
        });
    }
});

describe("CP config-export and config-upload scripts", () => {
    it("exports, validates with `kong config parse` (database off, role traditional), replaces the file; keeps the last good one on a bad export; exports once more on SIGTERM", async () => {
        const s = sandbox();
        const exportDir = path.join(s.dir, "export");
        fs.writeFileSync(path.join(s.dir, "db"), EXPORT);
        const { p, exited, kill } = start(cpExportScript({ intervalSeconds: 1, dir: exportDir }), s.env);
        try {
            await until("the first export", () => fs.existsSync(path.join(exportDir, "kong.yaml")));
            assert.strictEqual(fs.readFileSync(path.join(exportDir, "kong.yaml"), "utf8"), EXPORT);
            const [dbExport, parse] = s.calls();
            assert.strictEqual(dbExport, `kong config db_export ${exportDir}/.export.yaml role=traditional db=postgres`);
            assert.strictEqual(parse, `kong config parse ${exportDir}/.export.yaml role=traditional db=off`);

            fs.writeFileSync(path.join(s.dir, "db"), "not: a declarative file\n");
            const before = s.calls().length;
            await until("a failed export", () => s.calls().length >= before + 2);
            await sleep(100);
            assert.strictEqual(fs.readFileSync(path.join(exportDir, "kong.yaml"), "utf8"), EXPORT, "the previous export stays");
            assert.ok(!fs.existsSync(path.join(exportDir, ".export.yaml")), "the temp file is removed, so db_export can run again");

            const changed = EXPORT.replace("orders", "payments");
            fs.writeFileSync(path.join(s.dir, "db"), changed);
            p.kill("SIGTERM");
            assert.strictEqual(await exited, 0);
            assert.strictEqual(fs.readFileSync(path.join(exportDir, "kong.yaml"), "utf8"), changed, "final export on stop");
            assert.ok(fs.existsSync(path.join(exportDir, ".final")));
        } finally {
            await kill();
            s.done();
        }
    });

    it("uploads with SSE-KMS when the file changes, not when it does not, and once more at the end after the final export", async () => {
        const s = sandbox();
        const exportDir = path.join(s.dir, "export");
        const key = "kong/3.9.3/kong.yaml";
        const script = cpUploadScript({ bucket: BUCKET, key, kmsKeyArn: KMS, region: "eu-west-1", intervalSeconds: 1, refreshSeconds: 3600, finalWaitSeconds: 5, dir: exportDir });
        const { p, exited, kill } = start(script, s.env);
        const uploaded = () => fs.existsSync(path.join(s.dir, "bucket", key)) ? fs.readFileSync(path.join(s.dir, "bucket", key), "utf8") : undefined;
        try {
            await sleep(300);
            assert.deepStrictEqual(s.calls(), [], "nothing to upload before the first export");
            fs.writeFileSync(path.join(exportDir, "kong.yaml"), EXPORT);
            await until("the first upload", () => uploaded() === EXPORT);
            assert.deepStrictEqual(s.calls(), [`aws s3 cp ${exportDir}/kong.yaml s3://${BUCKET}/${key} --sse aws:kms --sse-kms-key-id ${KMS} --region eu-west-1 --only-show-errors`]);
            await sleep(1500);
            assert.strictEqual(s.calls().length, 1, "unchanged: no second upload");

            const changed = EXPORT.replace("orders", "payments");
            fs.writeFileSync(path.join(exportDir, "kong.yaml"), changed);
            await until("the changed upload", () => uploaded() === changed);

            const last = EXPORT.replace("orders", "billing");
            p.kill("SIGTERM");
            await sleep(300);
            fs.writeFileSync(path.join(exportDir, "kong.yaml"), last);
            fs.writeFileSync(path.join(exportDir, ".final"), "");
            assert.strictEqual(await exited, 0);
            assert.strictEqual(uploaded(), last, "the final export reaches S3 before the task stops");
        } finally {
            await kill();
            s.done();
        }
    });

    it("refreshes an unchanged export after refreshSeconds (an admin write that changed nothing still lets the CP sleep)", async () => {
        const s = sandbox();
        const exportDir = path.join(s.dir, "export");
        fs.writeFileSync(path.join(exportDir, "kong.yaml"), EXPORT);
        const { kill } = start(cpUploadScript({ bucket: BUCKET, key: "k.yaml", kmsKeyArn: KMS, region: "eu-west-1", intervalSeconds: 1, refreshSeconds: 1, dir: exportDir }), s.env);
        try {
            await until("two uploads of the same file", () => s.calls().length >= 2, 6000);
        } finally {
            await kill();
            s.done();
        }
    });

    it("shellcheck finds nothing in the three scripts (skipped without shellcheck)", function () {
        if (spawnSync("shellcheck", ["--version"]).status !== 0) this.skip();
        const scripts = {
            fetch: dpFetchScript({ bucket: BUCKET, key: "kong/3.9.3/kong.yaml", region: "eu-west-1" }),
            export: cpExportScript(),
            upload: cpUploadScript({ bucket: BUCKET, key: "kong/3.9.3/kong.yaml", kmsKeyArn: KMS, region: "eu-west-1" }),
        };
        for (const [name, script] of Object.entries(scripts)) {
            const r = spawnSync("shellcheck", ["-s", "sh", "-"], { input: script, encoding: "utf8" });
            assert.strictEqual(r.status, 0, `${name}:\n${r.stdout}`);
        }
    });
});

describe("export object layout and container fragments, both editions", () => {
    const logConfiguration = { logDriver: "awslogs" as const, options: { "awslogs-group": "/kong-dev/data-plane/dp-public", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "dp-public" } };
    const base: Omit<FallbackArgs, "kong"> = { bucket: BUCKET, kmsKeyArn: KMS, region: "eu-west-1", logConfiguration };
    const oss = { edition: "oss" as const, version: "3.9.3" };
    const ee = { edition: "enterprise" as const, version: "3.9.1.1" };

    it("keys the object by the exact Kong version, in Kong's own layout for Enterprise", () => {
        assert.strictEqual(exportObjectKey(oss), "kong/3.9.3/kong.yaml");
        assert.strictEqual(exportObjectKey(ee), "kong-fallback/3.9.1.1/config.json");
        assert.throws(() => exportObjectKey({ edition: "oss", version: "latest" }), /Kong version "latest" is not a 3- or 4-part version/);
    });

    it("OSS DP: an init container fetches the file, Kong waits for its SUCCESS and loads it read-only with KONG_DECLARATIVE_CONFIG", () => {
        const a = dataPlaneFallback({ ...base, kong: oss });
        assert.deepStrictEqual(a.volumes, [{ name: "kong-fallback" }]);
        assert.deepStrictEqual(a.kong, {
            environment: [{ name: "KONG_DECLARATIVE_CONFIG", value: "/kong-fallback/kong.yaml" }],
            dependsOn: [{ containerName: "config-fetch", condition: "SUCCESS" }],
            mountPoints: [{ sourceVolume: "kong-fallback", containerPath: "/kong-fallback", readOnly: true }],
        });
        const [init] = a.containers;
        // As ECS receives it (JSON in containerDefinitions).
        const json = JSON.parse(JSON.stringify(init));
        assert.strictEqual(json.name, "config-fetch");
        assert.strictEqual(json.essential, false);
        assert.match(json.image, /^public\.ecr\.aws\/aws-cli\/aws-cli:2\.\d+\.\d+$/);
        assert.deepStrictEqual(json.entryPoint, ["sh", "-c"]);
        assert.strictEqual(json.command[0], dpFetchScript({ bucket: BUCKET, key: "kong/3.9.3/kong.yaml", region: "eu-west-1" }));
        assert.deepStrictEqual(json.mountPoints, [{ sourceVolume: "kong-fallback", containerPath: "/kong-fallback", readOnly: false }]);
        assert.strictEqual(json.logConfiguration.options["awslogs-stream-prefix"], "config-fetch");
        assert.strictEqual(FALLBACK_FILE, "/kong-fallback/kong.yaml");
    });

    it("Enterprise DP: Kong's own fallback import, no init container, no declarative_config", () => {
        const a = dataPlaneFallback({ ...base, kong: ee });
        assert.deepStrictEqual(a.containers, []);
        assert.deepStrictEqual(a.kong.environment, [
            { name: "KONG_CLUSTER_FALLBACK_CONFIG_IMPORT", value: "on" },
            { name: "KONG_CLUSTER_FALLBACK_CONFIG_STORAGE", value: `s3://${BUCKET}/kong-fallback` },
            { name: "AWS_REGION", value: "eu-west-1" },
            { name: "AWS_DEFAULT_REGION", value: "eu-west-1" },
        ]);
        assert.ok(!a.kong.environment.some(e => e.name === "KONG_DECLARATIVE_CONFIG"));
    });

    it("OSS CP: exporter after Kong is healthy, uploader after the exporter, sharing one volume; neither can stop the CP", () => {
        const a = controlPlaneExport({
            ...base, kong: oss, image: "kong:3.9.3",
            databaseEnvironment: [{ name: "KONG_DATABASE", value: "postgres" }, { name: "KONG_PG_HOST", value: "db.internal" }],
            databaseSecrets: [{ name: "KONG_PG_PASSWORD", valueFrom: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password::" }],
        });
        const [exporter, uploader] = JSON.parse(JSON.stringify(a.containers));
        assert.deepStrictEqual([exporter.name, exporter.image, exporter.essential], ["config-export", "kong:3.9.3", false]);
        assert.deepStrictEqual(exporter.dependsOn, [{ containerName: "kong", condition: "HEALTHY" }]);
        assert.deepStrictEqual(exporter.environment.map((e: any) => `${e.name}=${e.value}`), ["KONG_DATABASE=postgres", "KONG_PG_HOST=db.internal", "KONG_PROXY_LISTEN=off", "KONG_ADMIN_LISTEN=off", "KONG_STATUS_LISTEN=off"]);
        assert.deepStrictEqual(exporter.secrets.map((s: any) => s.name), ["KONG_PG_PASSWORD"]);
        assert.deepStrictEqual([uploader.name, uploader.essential], ["config-upload", false]);
        assert.deepStrictEqual(uploader.dependsOn, [{ containerName: "config-export", condition: "START" }]);
        assert.match(uploader.command[0], /aws s3 cp "\$dir\/kong\.yaml" s3:\/\/kong-dev-config-export\/kong\/3\.9\.3\/kong\.yaml --sse aws:kms --sse-kms-key-id arn:aws:kms:/);
        assert.deepStrictEqual([exporter.mountPoints[0].readOnly, uploader.mountPoints[0].readOnly], [false, true]);
        assert.deepStrictEqual(a.volumes, [{ name: "config-export" }]);
    });

    it("Enterprise CP: Kong exports itself, SSE-KMS merged into PutObject", () => {
        const a = controlPlaneExport({ ...base, kong: ee, image: "kong/kong-gateway:3.9.1.1", databaseEnvironment: [], databaseSecrets: [] });
        const env = Object.fromEntries(a.kong.environment.map(e => [e.name, e.value]));
        assert.deepStrictEqual(env, {
            KONG_CLUSTER_FALLBACK_CONFIG_EXPORT: "on",
            KONG_CLUSTER_FALLBACK_CONFIG_STORAGE: `s3://${BUCKET}/kong-fallback`,
            KONG_CLUSTER_FALLBACK_CONFIG_EXPORT_DELAY: "60",
            KONG_CLUSTER_FALLBACK_EXPORT_S3_CONFIG: `{"ServerSideEncryption":"aws:kms","SSEKMSKeyId":"${KMS}"}`,
            AWS_REGION: "eu-west-1",
            AWS_DEFAULT_REGION: "eu-west-1",
        });
        assert.deepStrictEqual(a.containers, []);
    });

    it("task-role grants: exactly the version's object, KMS only through S3", () => {
        const bucketArn = `arn:aws:s3:::${BUCKET}`;
        const via = { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } };
        assert.deepStrictEqual(dataPlaneExportReadPolicy({ kong: oss, bucketArn, kmsKeyArn: KMS, region: "eu-west-1" }).Statement, [
            { Sid: "ReadConfigExport", Effect: "Allow", Action: "s3:GetObject", Resource: `${bucketArn}/kong/3.9.3/kong.yaml` },
            { Sid: "DecryptConfigExport", Effect: "Allow", Action: "kms:Decrypt", Resource: KMS, Condition: via },
        ]);
        assert.deepStrictEqual(controlPlaneExportWritePolicy({ kong: oss, bucketArn, kmsKeyArn: KMS, region: "eu-west-1" }).Statement, [
            { Sid: "WriteConfigExport", Effect: "Allow", Action: "s3:PutObject", Resource: `${bucketArn}/kong/3.9.3/kong.yaml` },
            { Sid: "EncryptConfigExport", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: KMS, Condition: via },
        ]);
        assert.deepStrictEqual(dataPlaneExportReadPolicy({ kong: ee, bucketArn, kmsKeyArn: KMS, region: "eu-west-1" }).Statement.map(s => s.Resource), [
            `${bucketArn}/kong-fallback/3.9.1.1/config.json`, KMS, bucketArn,
        ]);
        assert.deepStrictEqual(controlPlaneExportWritePolicy({ kong: ee, bucketArn, kmsKeyArn: KMS, region: "eu-west-1" }).Statement[0].Resource, `${bucketArn}/kong-fallback/3.9.1.1/*`);
    });
});

describe("spliceTaskAdditions: the fragments joined to a real task's containers", () => {
    const logConfiguration = { logDriver: "awslogs" as const, options: { "awslogs-group": "/kong-dev/data-plane/dp-public", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "dp-public" } };
    const kongContainer = {
        name: "kong", image: "kong:3.9.3", essential: true, environment: [{ name: "KONG_ROLE", value: "data_plane" }], secrets: [], logConfiguration,
    };
    const fallback = (version: string, edition: "oss" | "enterprise") =>
        dataPlaneFallback({ bucket: BUCKET, kmsKeyArn: KMS, region: "eu-west-1", logConfiguration, kong: { edition, version } });

    it("appends the init container, extends kong's env, dependsOn and mounts, and returns the volume (serialised as ECS reads it)", () => {
        const add = fallback("3.9.3", "oss");
        add.kong.environment.push(...dataPlaneWakeEnvironment());
        const r = spliceTaskAdditions([kongContainer], add, kongImage("kong:3.9.3"));
        const json = JSON.parse(JSON.stringify(r.containers));
        assert.deepStrictEqual(json.map((c: any) => c.name), ["kong", "config-fetch"]);
        assert.deepStrictEqual(json[0].environment, [
            { name: "KONG_ROLE", value: "data_plane" },
            { name: "KONG_DECLARATIVE_CONFIG", value: FALLBACK_FILE },
            { name: "KONG_DNS_NOT_FOUND_TTL", value: "5" },
        ]);
        assert.deepStrictEqual(json[0].dependsOn, [{ containerName: "config-fetch", condition: "SUCCESS" }]);
        assert.deepStrictEqual(json[0].mountPoints, [{ sourceVolume: "kong-fallback", containerPath: "/kong-fallback", readOnly: true }]);
        assert.deepStrictEqual(r.volumes, [{ name: "kong-fallback" }]);
        assert.deepStrictEqual(kongContainer.environment, [{ name: "KONG_ROLE", value: "data_plane" }], "the input is not changed");
    });

    const refused: [what: string, image: string, edition: "oss" | "enterprise", version: string, extra: { name: string; value: string }[], message: RegExp][] = [
        ["an Enterprise-only key on open-source Kong", "kong:3.9.3", "enterprise", "3.9.3", [], /Kong 3\.9\.3 \(kong:3\.9\.3\) has no setting KONG_CLUSTER_FALLBACK_CONFIG_IMPORT, KONG_CLUSTER_FALLBACK_CONFIG_STORAGE; it would ignore it silently$/],
        ["a misspelt key", "kong:3.9.3", "oss", "3.9.3", [{ name: "KONG_DNS_NOTFOUND_TTL", value: "5" }], /has no setting KONG_DNS_NOTFOUND_TTL/],
        ["a key the task already sets", "kong:3.9.3", "oss", "3.9.3", [{ name: "KONG_ROLE", value: "traditional" }], /export: KONG_ROLE set twice in the kong container$/],
    ];
    for (const [what, image, edition, version, extra, message] of refused) {
        it(`refuses ${what}`, () => {
            const add = fallback(version, edition);
            add.kong.environment.push(...extra);
            assert.throws(() => spliceTaskAdditions([kongContainer], add, kongImage(image)), message);
        });
    }
    it("accepts Enterprise's fallback keys on an Enterprise image", () => {
        const r = spliceTaskAdditions([{ ...kongContainer, image: "kong/kong-gateway:3.9.1.1" }], fallback("3.9.1.1", "enterprise"), kongImage("kong/kong-gateway:3.9.1.1"));
        assert.deepStrictEqual(r.containers.map(c => c.name), ["kong"]);
        assert.deepStrictEqual(r.volumes, []);
    });
});
