import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { byType, type ProgramRun } from "../offline/harness";
import { plan } from "./support";

// Snapshots of what crosses a boundary, for dev and prod, as the next program reads it: the CP and
// DP container definitions ECS receives (Kong env, commands, secrets), the decK state string the
// sidecar pipes to decK, the Step Functions definition and the EventBridge event patterns. A change
// that alters any of them shows up as a diff of test/snapshots/<stack>/*, for a reviewer to read.
//
//   UPDATE_SNAPSHOTS=1 npm test     rewrites the files from the current plans
//
// Values the offline cloud derives from hashes (ids, random name suffixes, secret suffixes, version
// ids) are masked, so a snapshot changes only when what the program sends changes.

const DIR = path.join(__dirname, "snapshots");
const UPDATE = process.env.UPDATE_SNAPSHOTS === "1";

/** Masks generated parts; each rule names what it hides. */
export function mask(text: string): string {
    return text
        // Version ids, key ids, Private CA ids.
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>")
        // Secrets Manager's 6-character suffix of a secret ARN.
        .replace(/(:secret:[^:"\s]+?)-[A-Za-z0-9]{6}(?=[:"\s]|$)/g, "$1-<suffix>")
        // Aurora endpoints: <id>.cluster-c<hash>.<region>.rds.amazonaws.com.
        .replace(/\.cluster-c[0-9a-z]{11}\./g, ".cluster-<id>.")
        // Pulumi's random suffix of an auto-named resource.
        .replace(/-[0-9a-f]{7}(?=[-"/:.\s]|$)/g, "-<random>");
}

function writeOrCompare(file: string, actual: string): void {
    const full = path.join(DIR, file);
    if (UPDATE) {
        fs.mkdirSync(path.dirname(full), { recursive: true });
        fs.writeFileSync(full, actual);
        return;
    }
    assert.ok(fs.existsSync(full), `no snapshot ${path.relative(process.cwd(), full)}: run UPDATE_SNAPSHOTS=1 npm test and review the new file`);
    const expected = fs.readFileSync(full, "utf8");
    // A line diff reads better than a 10 kB string comparison.
    assert.deepStrictEqual(actual.split("\n"), expected.split("\n"),
        `${file} differs from the snapshot; if the change is intended, run UPDATE_SNAPSHOTS=1 npm test and commit the diff`);
}

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

function containers(run: ProgramRun, name: string): any[] {
    const td = byType(run, "aws:ecs/taskDefinition:TaskDefinition").find(r => r.name === name);
    assert.ok(td, `no task definition ${name}`);
    // Parsed back as ECS parses the string it receives.
    return JSON.parse(td!.inputs.containerDefinitions);
}

describe("snapshots of what crosses a boundary (test/snapshots/<stack>/)", () => {
    for (const stack of ["dev", "prod"] as const) {
        describe(stack, () => {
            let run: ProgramRun;
            before(async () => { run = await plan(stack); });

            it("CP container definitions (Kong env, commands, secrets)", () => {
                writeOrCompare(`${stack}/cp-containers.json`, mask(json(containers(run, `kong-${stack}-cp-task`))));
            });
            it("DP container definitions", () => {
                writeOrCompare(`${stack}/dp-containers.json`, mask(json(containers(run, "dp-public-task"))));
            });
            it("the decK state string the admin bootstrap pipes to decK (verbatim)", () => {
                const sidecar = containers(run, `kong-${stack}-cp-task`).find(c => c.name === "admin-bootstrap");
                const state: string = sidecar.environment.find((e: any) => e.name === "ADMIN_BOOTSTRAP_STATE").value;
                writeOrCompare(`${stack}/deck-state.txt`, `${mask(state)}\n`);
            });
            it("the Step Functions definitions", () => {
                const machines = Object.fromEntries(byType(run, "aws:sfn/stateMachine:StateMachine").map(m => [m.name, JSON.parse(m.inputs.definition)]));
                assert.ok(Object.keys(machines).length > 0);
                writeOrCompare(`${stack}/state-machines.json`, mask(json(machines)));
            });
            // Pattern rules only: dev's controller also has a schedule (rate(1 minute)), which has none.
            it("the EventBridge event patterns", () => {
                const rules = Object.fromEntries(byType(run, "aws:cloudwatch/eventRule:EventRule").filter(r => r.inputs.eventPattern).map(r => [r.name, JSON.parse(r.inputs.eventPattern)]));
                assert.ok(Object.keys(rules).length > 0);
                writeOrCompare(`${stack}/event-patterns.json`, mask(json(rules)));
            });
        });
    }

    describe("masking", () => {
        const table: [string, string][] = [
            ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:kong-dev-cp-admin-key-b926ddc-b926dd:::0f1e2d3c-4b5a-4697-a887-96a5b4c3d2e1",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:kong-dev-cp-admin-key-<random>-<suffix>:::<uuid>"],
            ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-0f1e2d3c-4b5a-4697-a887-96a5b4c3d2e1-a1B2c3:password::",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-<uuid>-<suffix>:password::"],
            ["kong-dev-cp-db-1a2b3c4.cluster-c0123456789a.eu-west-1.rds.amazonaws.com", "kong-dev-cp-db-<random>.cluster-<id>.eu-west-1.rds.amazonaws.com"],
            // What the program writes itself stays.
            ["/kong-hybrid/kong-dev-cp/kong", "/kong-hybrid/kong-dev-cp/kong"],
            ["kong:3.9.3", "kong:3.9.3"],
        ];
        for (const [input, output] of table) it(input, () => assert.strictEqual(mask(input), output));
    });
});
