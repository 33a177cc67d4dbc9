import * as fs from "fs";
import * as os from "os";
import * as path from "path";

// A stand-in `pulumi` executable for Automation API tests without a CLI: a small node script at
// <root>/bin/pulumi that appends each invocation (argv, stdin for `config set`, a few env vars)
// to a JSON-lines log, answers what the SDK asks (version, stack select, outputs, history), and
// for preview/up/refresh/destroy writes engine events to the --event-log file. Like the real CLI,
// an operation whose events hold a mandatory policy violation exits 255 (cmdutil.RunFunc bails
// with os.Exit(-1): https://github.com/pulumi/pulumi/blob/master/sdk/go/common/util/cmdutil/exit.go).
// With FAKE_PULUMI_HANG set, an operation waits for SIGINT, records it and exits as the CLI does;
// FAKE_PULUMI_NO_STACK makes `stack select` fail as for a stack the backend does not have;
// FAKE_PULUMI_CONFIG is what `pulumi config --json` prints.

export interface Call {
    argv: string[];
    stdin?: string;
    env: Record<string, string | undefined>;
    signal?: string;
}

const SCRIPT = String.raw`#!/usr/bin/env node
const fs = require("fs");
const log = process.env.FAKE_PULUMI_LOG;
const argv = process.argv.slice(2);
const env = {};
for (const k of ["PULUMI_CONFIG_PASSPHRASE", "PULUMI_BACKEND_URL", "PULUMI_AUTOMATION_API", "KONG_TEST_SECRET_IN_ENV"]) env[k] = process.env[k];
const record = (extra) => fs.appendFileSync(log, JSON.stringify({ argv, env, ...extra }) + "\n");
const flag = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const events = JSON.parse(process.env.FAKE_PULUMI_EVENTS || "[]");
const op = argv[0];
if (op === "version") { record({}); console.log("v3.200.0"); process.exit(0); }
if (op === "config" && argv[1] === "set" && argv.includes("--secret")) {
  let stdin = "";
  process.stdin.on("data", d => (stdin += d));
  process.stdin.on("end", () => { record({ stdin }); process.exit(0); });
  return;
}
if (op === "stack" && argv[1] === "select" && process.env.FAKE_PULUMI_NO_STACK) {
  record({}); console.error("error: no stack named '" + flag("--stack") + "' found"); process.exit(255);
}
if (op === "config" && argv.includes("--json")) { record({}); console.log(process.env.FAKE_PULUMI_CONFIG || "{}"); process.exit(0); }
if (op === "stack" && argv[1] === "output") { record({}); console.log(process.env.FAKE_PULUMI_OUTPUTS || "{}"); process.exit(0); }
if (op === "stack" && argv[1] === "history") {
  record({});
  console.log(JSON.stringify([{ kind: "update", startTime: "2026-01-01T00:00:00.000Z", message: "", environment: {}, config: {}, result: "succeeded", resourceChanges: {} }]));
  process.exit(0);
}
if (["preview", "up", "refresh", "destroy"].includes(op)) {
  const file = flag("--event-log");
  let seq = 0;
  const emit = (e) => fs.appendFileSync(file, JSON.stringify({ sequence: seq++, timestamp: 0, ...e }) + "\n");
  if (process.env.FAKE_PULUMI_HANG) {
    process.on("SIGINT", () => { record({ signal: "SIGINT" }); console.error("error: update canceled"); process.exit(255); });
    setInterval(() => {}, 1000);
  }
  console.log(op + ": progress line 1");
  if (process.env.FAKE_PULUMI_HANG) return;
  emit({ preludeEvent: { config: {} } });
  for (const e of events) emit(e);
  console.log(op + ": progress line 2");
  record({});
  const blocked = events.some(e => e.policyEvent && e.policyEvent.enforcementLevel === "mandatory");
  if (blocked) console.error("error: " + op + " failed");
  setTimeout(() => process.exit(blocked ? 255 : Number(process.env.FAKE_PULUMI_EXIT || 0)), 600);
  return;
}
record({});
process.exit(0);
`;

export interface FakePulumi {
    root: string;
    log: string;
    calls(): Call[];
}

export function fakePulumi(): FakePulumi {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
    fs.mkdirSync(path.join(root, "bin"));
    const bin = path.join(root, "bin", "pulumi");
    // The script's `return` at top level needs a function body: wrap it.
    fs.writeFileSync(bin, SCRIPT.replace(/^#!.*\n/, "#!/usr/bin/env node\n(() => {\n") + "})();\n", { mode: 0o755 });
    const log = path.join(root, "calls.jsonl");
    fs.writeFileSync(log, "");
    return {
        root, log,
        calls: () => fs.readFileSync(log, "utf8").split("\n").filter(Boolean).map(l => JSON.parse(l)),
    };
}
