import * as assert from "assert";
import { mockClient } from "aws-sdk-client-mock";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { main, type Deps } from "../tools/cp";

// `npm run cp -- wake|sleep|status --stack <name>`: the invocation it makes and what it prints.

const lambda = mockClient(LambdaClient);
const payload = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

async function cli(args: string[], deps: Deps = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const regions: (string | undefined)[] = [];
    const code = await main(args, { out: l => void out.push(l), err: l => void err.push(l) }, {
        lambda: region => (regions.push(region), new LambdaClient({ region: region ?? "eu-west-1", credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" } })),
        stackOutput: () => "kong-dev-cp-scaler",
        ...deps,
    });
    return { code, out, err, regions };
}

describe("npm run cp", () => {
    beforeEach(() => lambda.reset());

    const started = { cp: "running", startedAt: Date.UTC(2026, 0, 5, 9, 0), holdUntil: Date.UTC(2026, 0, 5, 9, 35), last: { at: Date.UTC(2026, 0, 5, 9, 0), action: "start", reason: "start: explicit wake" } };
    for (const command of ["wake", "sleep", "status"]) {
        it(`${command}: invokes the stack's function synchronously with {"action":"${command}"}`, async () => {
            lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ state: started, action: "start", reason: "start: explicit wake" }) as any });
            const r = await cli([command, "--stack", "dev"]);
            assert.strictEqual(r.code, 0, r.err.join("\n"));
            const [call] = lambda.commandCalls(InvokeCommand);
            const input = call.args[0].input;
            assert.strictEqual(input.FunctionName, "kong-dev-cp-scaler");
            assert.strictEqual(input.InvocationType, "RequestResponse");
            assert.deepStrictEqual(JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array)), { action: command });
            assert.deepStrictEqual(r.out, [
                "Control Plane: running since 2026-01-05T09:00:00Z, not stopping before 2026-01-05T09:35:00Z",
                "Last decision (2026-01-05T09:00:00Z): start: start: explicit wake",
            ]);
            assert.deepStrictEqual(r.regions, ["eu-west-1"], "the stack file's aws:region");
        });
    }

    it("--function-name and --region override the stack's", async () => {
        lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ state: { cp: "stopped" }, action: "none", reason: "no decision yet" }) as any });
        const r = await cli(["status", "--stack", "dev", "--function-name", "other-fn", "--region", "us-east-1"], { stackOutput: () => { throw new Error("must not be called"); } });
        assert.strictEqual(r.code, 0);
        assert.strictEqual(lambda.commandCalls(InvokeCommand)[0].args[0].input.FunctionName, "other-fn");
        assert.deepStrictEqual(r.regions, ["us-east-1"]);
        assert.deepStrictEqual(r.out, ["Control Plane: stopped", "Last decision: none: no decision yet"]);
    });

    it("a sleep the controller refuses is printed with its reason", async () => {
        const reason = "sleep refused: DP targets not all healthy (1 healthy, 1 unhealthy, 0 other, 2 desired)";
        lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ state: { ...started, last: { at: started.startedAt, action: "none", reason } }, action: "none", reason }) as any });
        const r = await cli(["sleep", "--stack", "dev"]);
        assert.strictEqual(r.code, 0);
        assert.match(r.out[1], /: none: sleep refused: DP targets not all healthy/);
    });

    const failures: { what: string; setup: () => void; deps?: Deps; message: RegExp }[] = [
        { what: "no Pulumi CLI and no --function-name", setup: () => undefined, deps: { stackOutput: () => { throw new Error("no Pulumi CLI on PATH"); } }, message: /^cannot read the stack output cpScalerFunctionName of stack dev: no Pulumi CLI on PATH; pass --function-name <name>$/ },
        { what: "the stack has no such output", setup: () => undefined, deps: { stackOutput: () => "" }, message: /^stack dev has no output cpScalerFunctionName \(is the controller on\?\); pass --function-name <name>$/ },
        { what: "no credentials", setup: () => lambda.on(InvokeCommand).rejects(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" })), message: /^no AWS credentials: Could not load credentials from any providers$/ },
        { what: "the function does not exist", setup: () => lambda.on(InvokeCommand).rejects(Object.assign(new Error("Function not found: arn:aws:lambda:eu-west-1:123456789012:function:kong-dev-cp-scaler"), { name: "ResourceNotFoundException" })), message: /^invoking kong-dev-cp-scaler failed: ResourceNotFoundException: Function not found/ },
        { what: "the function fails", setup: () => lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: "Unhandled", Payload: payload({ errorType: "Error", errorMessage: "cp-scaler: ECS service kong-dev-cp not found in arn:aws:ecs:eu-west-1:123456789012:cluster/kong-dev" }) as any }), message: /^kong-dev-cp-scaler failed: cp-scaler: ECS service kong-dev-cp not found/ },
    ];
    for (const f of failures) {
        it(`${f.what}: one line, exit 1`, async () => {
            f.setup();
            const r = await cli(["wake", "--stack", "dev"], f.deps);
            assert.strictEqual(r.code, 1);
            assert.strictEqual(r.err.length, 1);
            assert.match(r.err[0], f.message);
            assert.deepStrictEqual(r.out, []);
        });
    }

    for (const flag of ["--help", "-h"]) {
        it(`${flag}: the usage and the exit codes, exit 0, nothing invoked`, async () => {
            const r = await cli(["wake", flag]);
            assert.strictEqual(r.code, 0);
            assert.match(r.out.join("\n"), /^usage: npm run cp -- wake\|sleep\|status --stack <name>/);
            assert.match(r.out.join("\n"), /exit codes:\n {2}0 {2}pass/);
            assert.deepStrictEqual(r.err, []);
            assert.strictEqual(lambda.commandCalls(InvokeCommand).length, 0);
        });
    }

    for (const args of [[], ["wake"], ["reboot", "--stack", "dev"], ["wake", "--stack"], ["wake", "sleep", "--stack", "dev"]]) {
        it(`usage error (${args.join(" ") || "no arguments"}): one line naming it and where help is, exit 2`, async () => {
            const r = await cli(args);
            assert.strictEqual(r.code, 2);
            assert.strictEqual(r.err.length, 1, r.err.join("\n"));
            assert.ok(!r.err[0].includes("\n"), r.err[0]);
            assert.match(r.err[0], /^npm run cp: .* \(see npm run cp -- --help\)$/);
            assert.strictEqual(lambda.commandCalls(InvokeCommand).length, 0);
        });
    }
});
