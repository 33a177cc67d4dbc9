import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../offline/harness";
import { INVOKES } from "../offline/mock-cloud";
import { REGION_AZS } from "../offline/regions";
import { main as plan } from "../tools/plan";
import { main as policy } from "../tools/policy";
import type { Io } from "../tools/cli";

// The newcomer's path: every stack file a user may write goes through the same entry point as
// `npm run plan -- --config <file>` (tools/plan.ts main, with the user's cwd), and every mistake
// comes back as one line naming the key and the value as written, with exit 1 and no stack frame.

const DIR = fs.mkdtempSync(path.join(os.tmpdir(), "newcomer-"));
const DIGEST = `sha256:${"ab12".repeat(16)}`;

interface Result { code: number; out: string; err: string }

async function call(main: (argv: string[], io: Io) => Promise<number>, argv: string[], cwd = DIR): Promise<Result> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: l => out.push(l), err: l => err.push(l), cwd });
    return { code, out: out.join("\n"), err: err.join("\n") };
}

/** A minimal valid stack, as lines of YAML under config:. */
const BASE = [
    "  aws:region: eu-west-1",
    "  kong-hybrid:domain: kong.example.com",
    "  kong-hybrid:adminAllowedCidrs:",
    "    - 203.0.113.0/24",
];
const stack = (...lines: string[]) => ["config:", ...BASE, ...lines].join("\n") + "\n";
const without = (key: string, ...lines: string[]) => ["config:", ...BASE.filter(l => !l.includes(key)), ...lines].join("\n") + "\n";

interface Case {
    name: string;
    /** The stack file's text (written as Pulumi.<slug>.yaml in a temporary directory). */
    file: string;
    /** Extra arguments; --validate-only keeps a case that needs no plan fast. */
    args?: string[];
    code: 0 | 1 | 2;
    /** Each must match a line of stderr (problems) or stdout (a passing plan). */
    says?: RegExp[];
    /** Number of problem lines ("  - ") when the file is invalid. */
    problems?: number;
}

const CASES: Case[] = [
    // Malformed YAML: one line with file:line:col and what is wrong.
    { name: "bad indent", file: "config:\n  aws:region: eu-west-1\n   kong-hybrid:domain: kong.example.com\n", code: 1, says: [/^  - Pulumi\.bad-indent\.yaml:\d+:\d+: invalid YAML: /m] },
    { name: "tab indent", file: "config:\n\taws:region: eu-west-1\n", code: 1, says: [/^  - Pulumi\.tab-indent\.yaml:2:1: invalid YAML: Tabs are not allowed as indentation$/m], problems: 1 },
    { name: "duplicate key", file: stack("  kong-hybrid:azCount: 2", "  kong-hybrid:azCount: 3"), code: 1, says: [/^  - Pulumi\.duplicate-key\.yaml:7:3: invalid YAML: Map keys must be unique$/m], problems: 1 },
    { name: "unclosed quote", file: stack('  kong-hybrid:namePrefix: "kong-x'), code: 1, says: [/^  - Pulumi\.unclosed-quote\.yaml:6:\d+: invalid YAML: Missing closing "quote$/m] },
    // Regions: every commercial region is known; a typo gets "did you mean"; a stray space is named.
    { name: "misspelled region", file: without("aws:region", "  aws:region: eu-wset-1"), code: 1, says: [/^  - aws:region = "eu-wset-1": not an AWS region \(did you mean eu-west-1\?\)$/m], problems: 1 },
    { name: "unknown region", file: without("aws:region", "  aws:region: xx-moon-1"), args: ["--validate-only"], code: 1, says: [/^  - aws:region = "xx-moon-1": not an AWS commercial region the offline plan knows; it knows us-east-1, .*, sa-east-1$/m], problems: 1 },
    { name: "region of another partition", file: without("aws:region", "  aws:region: cn-north-1"), args: ["--validate-only"], code: 1, says: [/^  - aws:region = "cn-north-1": a region of another AWS partition/m], problems: 1 },
    { name: "region with trailing space", file: without("aws:region", '  aws:region: "eu-west-1 "'), code: 1, says: [/^  - aws:region = "eu-west-1 ": has a trailing space; write "eu-west-1"$/m], problems: 1 },
    { name: "region the old mock lacked", file: without("aws:region", "  aws:region: ap-south-1"), code: 0, says: [/region +ap-south-1, 2 AZs: ap-south-1a, ap-south-1b$/m] },
    { name: "too many AZs for the region", file: stack("  kong-hybrid:azCount: 4"), args: ["--validate-only"], code: 1, says: [/^  - kong-hybrid:azCount = 4: eu-west-1 has only 3 availability zones \(eu-west-1a, eu-west-1b, eu-west-1c\)$/m], problems: 1 },
    // Keys: misspelled, foreign namespace, misspelled section.
    { name: "misspelled aws key", file: without("aws:region", "  aws:regoin: eu-west-1"), args: ["--validate-only"], code: 1, says: [/^  - aws:regoin: unknown key \(did you mean aws:region\?\)/m, /^  - aws:region is required/m] },
    { name: "aws key without namespace", file: without("aws:region", "  region: eu-west-1"), args: ["--validate-only"], code: 1, says: [/^  - kong-hybrid:region: unknown key \(did you mean aws:region\?\)/m, /^  - aws:region is required/m], problems: 2 },
    { name: "foreign namespace", file: stack("  kong:logRetentionDays: 30"), args: ["--validate-only"], code: 1, says: [/^  - kong:logRetentionDays: unknown namespace "kong" \(did you mean kong-hybrid:logRetentionDays\?\)/m], problems: 1 },
    { name: "misspelled section", file: `${stack()}confg:\n  kong-hybrid:azCount: 3\n`, args: ["--validate-only"], code: 1, says: [/^  - Pulumi\.misspelled-section\.yaml:6:1: section "confg:" is not a stack file section and would be ignored \(did you mean config:\?\)/m], problems: 1 },
    { name: "misspelled project key", file: stack("  kong-hybrid:dommain: kong.example.com"), args: ["--validate-only"], code: 1, says: [/^  - kong-hybrid:dommain: unknown key \(did you mean kong-hybrid:domain\?\)/m], problems: 1 },
    // Values: empty means not set; secure values get a placeholder; numbers as written.
    { name: "empty values", file: stack("  kong-hybrid:hostedZoneName:", "  kong-hybrid:namePrefix:"), code: 0, says: [/^Vpc kong-empty-value /m, /self-signed certificate, no DNS record/] },
    { name: "empty required value", file: without("domain", "  kong-hybrid:domain:"), args: ["--validate-only"], code: 1, says: [/^  - kong-hybrid:domain is required: /m], problems: 1 },
    {
        name: "secure value", args: ["--validate-only"], code: 0,
        file: stack("  kong-hybrid:kongImage: kong/kong-gateway:3.15.0.4", "  kong-hybrid:kongLicenseSecretArn:", "    secure: v1:AAAABBBBCCCC"),
        says: [/^note: kong-hybrid:kongLicenseSecretArn is a secure value only the Pulumi CLI can decrypt; the offline plan uses a placeholder$/m],
    },
    { name: "unquoted version", file: stack("  kong-hybrid:dbEngineVersion: 16.10"), args: ["--validate-only"], code: 1, says: [/^  - kong-hybrid:dbEngineVersion = 16\.10: must be quoted, "16\.10"; unquoted, YAML reads it as the number 16\.1$/m], problems: 1 },
    { name: "huge number", file: stack("  kong-hybrid:cpDesiredCount: 99999999999999999999"), args: ["--validate-only"], code: 1, says: [/^  - kong-hybrid:cpDesiredCount = 99999999999999999999: must be a whole number from 0 to 10$/m], problems: 1 },
    { name: "negative number", file: stack("  kong-hybrid:wafRateLimit: -5"), args: ["--validate-only"], code: 1, says: [/^  - kong-hybrid:wafRateLimit = -5: must be a whole number from 100 to 2000000000$/m], problems: 1 },
    // Images: tag + digest is the strongest pin; a digest alone cannot say which Kong it is.
    { name: "tag and digest", file: stack(`  kong-hybrid:kongImage: kong:3.9.3@${DIGEST}`), args: ["--validate-only"], code: 0, says: [/valid configuration/] },
    { name: "digest only", file: stack(`  kong-hybrid:kongImage: kong@${DIGEST}`), args: ["--validate-only"], code: 1, says: [/^  - kong-hybrid:kongImage = "kong@sha256:ab12.*": is pinned by digest only: add the version tag too/m], problems: 1 },
    // Production admin allow-list: judged by coverage, not spelling.
    {
        name: "whole internet in pieces", args: ["--validate-only"], code: 1,
        file: without("203.0.113.0/24", "    - 0.0.0.0/1", "    - 128.0.0.0/1", "  kong-hybrid:production: true"),
        says: [/^  - kong-hybrid:adminAllowedCidrs contains 0\.0\.0\.0\/1, 128\.0\.0\.0\/1 \(together they cover every IPv4 address\): a production stack must name the admin networks/m], problems: 1,
    },
    {
        name: "half the internet", args: ["--validate-only"], code: 1,
        file: without("203.0.113.0/24", "    - 0.0.0.0/1", "  kong-hybrid:production: true"),
        says: [/^  - kong-hybrid:adminAllowedCidrs contains 0\.0\.0\.0\/1 \(together they cover 50% of all IPv4 addresses\)/m], problems: 1,
    },
    // The command line.
    { name: "json to a missing directory", file: stack(), args: ["--json", "no/such/dir/plan.json"], code: 2, says: [/^npm run plan: --json no\/such\/dir\/plan\.json: the directory no\/such\/dir does not exist/m] },
    { name: "unknown option", file: stack(), args: ["--jsn", "plan.json"], code: 2, says: [/^npm run plan: unknown option --jsn \(see npm run plan -- --help\)$/m] },
    { name: "bad policy config", file: stack(), args: ["--policy-config", "bad-policy.json"], code: 1, says: [/^bad-policy\.json: database-isolated\.requireDeletionProtection = "yes": must be a boolean$/m] },
];

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, "-");

describe("the newcomer's path: npm run plan -- --config <file>, one case per mistake", () => {
    before(() => fs.writeFileSync(path.join(DIR, "bad-policy.json"), JSON.stringify({ "database-isolated": { requireDeletionProtection: "yes" } })));

    for (const c of CASES) {
        it(`${c.name}: exit ${c.code}`, async () => {
            const file = `Pulumi.${slug(c.name)}.yaml`;
            fs.writeFileSync(path.join(DIR, file), c.file);
            const r = await call(plan, ["--config", file, ...(c.args ?? [])]);
            const text = `${r.err}\n${r.out}`;
            assert.strictEqual(r.code, c.code, text);
            for (const re of c.says ?? []) assert.match(text, re);
            if (c.problems !== undefined) assert.strictEqual(r.err.split("\n").filter(l => l.startsWith("  - ")).length, c.problems, r.err);
            assert.doesNotMatch(text, /^\s+at /m, "no stack frame");
            if (c.code !== 0) assert.doesNotMatch(r.out, /Plan for stack/, "nothing planned");
        });
    }

    it("a copy of Pulumi.dev.yaml plans like the dev stack: same names, dev policy config, PASS", async () => {
        fs.copyFileSync(path.join(ROOT, "Pulumi.dev.yaml"), path.join(DIR, "my-dev.yaml"));
        const r = await call(plan, ["--config", "my-dev.yaml", "--stack-name", "dev"]);
        assert.strictEqual(r.code, 0, r.err);
        assert.match(r.out, /^Plan for stack dev: /m);
        assert.match(r.out, /^Vpc kong-dev /m);
        assert.match(r.out, /config policy\/config\/dev\.json \(production: false\)/);
        assert.match(r.out, /Policy verdict: PASS/);
    });

    it("--stack nope lists the stacks that exist, exit 2", async () => {
        const r = await call(plan, ["--stack", "nope"]);
        assert.strictEqual(r.code, 2);
        assert.match(r.err, /^npm run plan: no stack "nope": the stacks are dev, eks, groups, mixed, plugins, prod, trial /);
    });

    it("the trial stack (self-signed, no hosted zone) plans clean, and --json hides secrets as a preview does", async () => {
        const r = await call(plan, ["--stack", "trial", "--json", "trial.json"]);
        assert.strictEqual(r.code, 0, r.err);
        assert.match(r.out, /Policy verdict: PASS \(0 mandatory, 0 advisory violations\)/);
        assert.match(r.out, /self-signed certificate, no DNS record/);
        const json = fs.readFileSync(path.join(DIR, "trial.json"), "utf8");
        assert.doesNotMatch(json, /PRIVATE KEY/);
        assert.match(json, /"secretString": "\[secret\]"/);
        // The file is what npm run policy reads: it checks it and passes.
        const p = await call(policy, ["trial.json", "--config", path.join(ROOT, "policy/config/dev.json")]);
        assert.strictEqual(p.code, 0, p.err);
        assert.match(p.out, /^Checked \d+ resources against \d+ policies, with config /m);
    });

    it("the README's invalid-config example prints what the README says", async () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const file = /```yaml\n# my-stack\.yaml\n([\s\S]*?)```/.exec(readme)?.[1];
        const shown = /```\n\$ npm run check -- --config my-stack\.yaml\n([\s\S]*?)```/.exec(readme)?.[1];
        assert.ok(file && shown, "the README shows a stack file and its check output");
        fs.writeFileSync(path.join(DIR, "my-stack.yaml"), file!);
        const r = await call(plan, ["--validate-only", "--config", "my-stack.yaml"]);
        assert.strictEqual(r.code, 1);
        const printed = r.err.split("\n").filter(l => !l.startsWith("validating "));
        assert.deepStrictEqual(printed, shown!.trimEnd().split("\n"));
    });

    it("the offline cloud answers every region it claims to know", () => {
        for (const [region, zones] of Object.entries(REGION_AZS)) {
            assert.deepStrictEqual(INVOKES["aws:index/getAvailabilityZones:getAvailabilityZones"]({}, region).names, zones);
            for (const z of zones) assert.match(z, new RegExp(`^${region}[a-f]$`));
        }
        assert.ok(Object.keys(REGION_AZS).length >= 34, "every commercial region");
    });
});

describe("npm run policy: what it refuses", () => {
    const cases: [string, unknown, unknown, RegExp][] = [
        ["an empty plan", { steps: [] }, undefined, /^empty\.json: the plan has no resources, so nothing was checked$/],
        ["an unknown policy", { steps: [] }, { "database-isolatd": "advisory" }, /"database-isolatd" is not a policy of the pack \(did you mean database-isolated\?\)|"database-isolatd" is not a policy of the pack; the policies are /],
        ["an unknown level", { steps: [] }, { all: "strict" }, /: all = "strict": the enforcement levels are advisory, mandatory, remediate, disabled$/],
        ["an unknown parameter", { steps: [] }, { "database-isolated": { requireSnapshot: true } }, /: database-isolated\.requireSnapshot: not a parameter of database-isolated; its parameters are /],
    ];
    for (const [name, planJson, config, says] of cases) {
        it(`refuses ${name} with one line, exit 1`, async () => {
            fs.writeFileSync(path.join(DIR, "empty.json"), JSON.stringify(planJson));
            const args = ["empty.json"];
            if (config) (fs.writeFileSync(path.join(DIR, "cfg.json"), JSON.stringify(config)), args.push("--config", "cfg.json"));
            const r = await call(policy, args);
            assert.strictEqual(r.code, 1);
            assert.strictEqual(r.err.split("\n").length, 1, r.err);
            assert.match(r.err, says);
        });
    }
});

describe("the commands as a user runs them @slow", () => {
    const spawn = (tool: string, args: string[], cwd = ROOT): Promise<Result & { ms: number }> => new Promise(resolve => {
        const start = Date.now();
        execFile(process.execPath, ["-r", require.resolve("ts-node/register/transpile-only"), path.join(ROOT, "tools", `${tool}.ts`), ...args],
            { cwd, env: { ...process.env, INIT_CWD: cwd, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") } },
            (e, out, err) => resolve({ code: e ? Number((e as any).code) : 0, out, err, ms: Date.now() - start }));
    });

    for (const tool of ["plan", "policy", "bench"]) {
        it(`${tool} --help prints usage, options and exit codes at once, exit 0`, async () => {
            const r = await spawn(tool, ["--help"]);
            assert.strictEqual(r.code, 0, r.err);
            assert.match(r.out, /^usage: npm run /);
            assert.match(r.out, /^exit codes:\n  0  pass\n  1  .*\n  2  usage error/m);
            // Pulumi is not loaded for --help; the budget is generous for a loaded machine.
            assert.ok(r.ms < 3000, `${r.ms} ms`);
        });
    }

    it("reads --config relative to where the user stands (INIT_CWD), exit 1 with no stack frame", async () => {
        fs.writeFileSync(path.join(DIR, "Pulumi.cwd.yaml"), stack("  kong-hybrid:azCount: seven"));
        const r = await spawn("plan", ["--validate-only", "--config", "Pulumi.cwd.yaml"], DIR);
        assert.strictEqual(r.code, 1, r.err);
        assert.match(r.err, /^  - kong-hybrid:azCount = "seven": must be a whole number$/m);
        assert.doesNotMatch(r.err, /^\s+at /m);
    });
});
