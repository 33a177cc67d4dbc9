import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { adminBootstrapScript, adminBootstrapState } from "../components/control-plane/admin-bootstrap";
import { MIGRATIONS_SCRIPT, migrationsFinishCommand } from "../components/control-plane/task";

// The shell the CP containers run, executed here against fake `kong` and `deck` binaries that
// record their arguments: what the init container and the sidecar will actually do.

function fakeBin(dir: string, name: string, body: string) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `#!/bin/sh\n${body}\n`);
    fs.chmodSync(file, 0o755);
}

function runScript(script: string, bins: Record<string, string>, env: Record<string, string> = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cp-script-"));
    const log = path.join(dir, "calls.log");
    fs.writeFileSync(log, "");
    for (const [name, body] of Object.entries(bins)) fakeBin(dir, name, body);
    const r = spawnSync("sh", ["-c", script], {
        env: { PATH: `${dir}:/usr/bin:/bin`, CALLS: log, ...env },
        encoding: "utf8",
    });
    const calls = fs.readFileSync(log, "utf8").split("\n").filter(Boolean);
    fs.rmSync(dir, { recursive: true, force: true });
    return { status: r.status, calls, stderr: r.stderr, stdout: r.stdout };
}

describe("migrations init container script", () => {
    // A fake kong: records each call; `migrations list` exits with $LIST_EXIT, `bootstrap` with $BOOTSTRAP_EXIT.
    const kong = [
        `echo "$*" >> "$CALLS"`,
        `case "$2" in list) exit \${LIST_EXIT:-0} ;; bootstrap) exit \${BOOTSTRAP_EXIT:-0} ;; up) exit \${UP_EXIT:-0} ;; esac`,
    ].join("\n");

    const cases: { state: string; env: Record<string, string>; calls: string[]; ok: boolean }[] = [
        { state: "fresh or up to date (list 0)", env: { LIST_EXIT: "0" }, calls: ["migrations bootstrap", "migrations list"], ok: true },
        { state: "new migrations after an upgrade (list 5)", env: { LIST_EXIT: "5" }, calls: ["migrations bootstrap", "migrations list", "migrations up"], ok: true },
        { state: "pending migrations awaiting finish (list 4): the CP must still start", env: { LIST_EXIT: "4" }, calls: ["migrations bootstrap", "migrations list"], ok: true },
        { state: "database unreachable (list 1)", env: { LIST_EXIT: "1" }, calls: ["migrations bootstrap", "migrations list"], ok: false },
        { state: "bootstrap fails", env: { BOOTSTRAP_EXIT: "1" }, calls: ["migrations bootstrap"], ok: false },
        { state: "up fails", env: { LIST_EXIT: "5", UP_EXIT: "1" }, calls: ["migrations bootstrap", "migrations list", "migrations up"], ok: false },
    ];
    for (const c of cases) {
        it(`${c.state}: runs ${c.calls.join(", ")} and ${c.ok ? "succeeds" : "fails"}`, () => {
            const r = runScript(MIGRATIONS_SCRIPT, { kong }, c.env);
            assert.deepStrictEqual(r.calls, c.calls);
            assert.strictEqual(r.status === 0, c.ok, `exit ${r.status}: ${r.stderr}`);
        });
    }

    it("never passes -f to bootstrap (it resets the database)", () => {
        assert.doesNotMatch(MIGRATIONS_SCRIPT, /bootstrap\s+(-f|--force)/);
        assert.doesNotMatch(MIGRATIONS_SCRIPT, /migrations reset/);
    });
});

describe("admin bootstrap sidecar script", () => {
    const state = adminBootstrapState({ controlPlaneHostname: "cp.kong-dev.internal", adminAllowedCidrs: ["203.0.113.0/24"] });
    // A fake deck: records its arguments and the stdin it got; fails while $FAILS_LEFT file says so.
    const deck = [
        `echo "ARGS $*" >> "$CALLS"`,
        `echo "STDIN $(cat)" >> "$CALLS"`,
        `n=$(cat "$CALLS.fails" 2>/dev/null || echo 0)`,
        `if [ "$n" -gt 0 ]; then echo $((n - 1)) > "$CALLS.fails"; exit 1; fi`,
    ].join("\n");

    it("pipes ADMIN_BOOTSTRAP_STATE to `deck gateway sync --select-tag kong-hybrid-admin -` once when it succeeds", () => {
        const r = runScript(adminBootstrapScript(3, 0), { deck }, { ADMIN_BOOTSTRAP_STATE: JSON.stringify(state) });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.deepStrictEqual(r.calls, [
            "ARGS gateway sync --select-tag kong-hybrid-admin -",
            `STDIN ${JSON.stringify(state)}`,
        ]);
    });

    it("retries a failed sync and gives up with a non-zero exit after the last attempt", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cp-deck-"));
        const calls = path.join(dir, "calls.log");
        fs.writeFileSync(calls, "");
        fs.writeFileSync(`${calls}.fails`, "5");
        fakeBin(dir, "deck", deck);
        const r = spawnSync("sh", ["-c", adminBootstrapScript(3, 0)], {
            env: { PATH: `${dir}:/usr/bin:/bin`, CALLS: calls, ADMIN_BOOTSTRAP_STATE: "{}" }, encoding: "utf8",
        });
        const syncs = fs.readFileSync(calls, "utf8").split("\n").filter(l => l.startsWith("ARGS"));
        fs.rmSync(dir, { recursive: true, force: true });
        assert.strictEqual(syncs.length, 3);
        assert.notStrictEqual(r.status, 0);
        assert.match(r.stderr, /attempt 1 of 3/);
    });
});

describe("migrations finish command", () => {
    const command = migrationsFinishCommand({
        region: "eu-west-1",
        clusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/kong-dev",
        taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/kong-dev-cp:7",
        subnetIds: ["subnet-0aaa", "subnet-0bbb"],
        securityGroupId: "sg-0ccc",
    });

    it("is one shell command a user can paste: the JSON arguments survive shell quoting", () => {
        // Let a real shell split it (with `aws` replaced by a printer) and read the arguments back.
        const argv = JSON.parse(execFileSync("sh", ["-c", `aws() { node -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- "$@"; }; ${command}`], { encoding: "utf8" }));
        const flag = (name: string) => argv[argv.indexOf(name) + 1];
        assert.deepStrictEqual(argv.slice(0, 2), ["ecs", "run-task"]);
        assert.strictEqual(flag("--region"), "eu-west-1");
        assert.strictEqual(flag("--cluster"), "arn:aws:ecs:eu-west-1:123456789012:cluster/kong-dev");
        assert.strictEqual(flag("--task-definition"), "arn:aws:ecs:eu-west-1:123456789012:task-definition/kong-dev-cp:7");
        assert.strictEqual(flag("--launch-type"), "FARGATE");
        assert.deepStrictEqual(JSON.parse(flag("--network-configuration")), {
            awsvpcConfiguration: { subnets: ["subnet-0aaa", "subnet-0bbb"], securityGroups: ["sg-0ccc"], assignPublicIp: "DISABLED" },
        });
        const overrides = JSON.parse(flag("--overrides")).containerOverrides;
        assert.deepStrictEqual(overrides.find((o: any) => o.name === "kong").command, ["kong", "migrations", "finish"]);
        // The init container must not run bootstrap/up in this task: it only succeeds.
        const init = overrides.find((o: any) => o.name === "migrations").command.join(" ");
        assert.doesNotMatch(init, /kong migrations/);
    });
});
