import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../tools/simulate-cp";

// `npm run simulate:cp`, called in-process: what it prints and its exit code.

const BUSINESS_WEEK = path.join(__dirname, "fixtures", "traces", "business-week.csv");

function cli(args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = main(args, { out: l => void out.push(l), err: l => void err.push(l) });
    return { code, out: out.join("\n"), err: err.join("\n") };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "simulate-cp-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function file(text: string, ext = "csv"): string {
    const f = path.join(tmp, `t${n++}.${ext}`);
    fs.writeFileSync(f, text);
    return f;
}
/** A trace of `minutes` rows: one DP, ready, no writes, with per-minute overrides. */
function trace(minutes: number, at: Record<number, [number, number, number]> = {}): string {
    const rows = ["minute,dpDesired,dpReady,adminWrites"];
    for (let m = 0; m < minutes; m++) rows.push([m, ...(at[m] ?? [1, 1, 0])].join(","));
    return `${rows.join("\n")}\n`;
}
const json = (args: string[]) => {
    const r = cli([...args, "--json"]);
    assert.strictEqual(r.code, 0, r.err);
    return JSON.parse(r.out);
};

describe("npm run simulate:cp", () => {
    it("the business week: 15 starts, 525 CP-minutes (8.75 h) of 10080", () => {
        const r = json(["--trace", BUSINESS_WEEK]);
        assert.strictEqual(r.totalMinutes, 10080);
        assert.strictEqual(r.cpMinutes, 525);
        assert.strictEqual(r.events.filter((e: any) => e.action === "start").length, 15);
        assert.deepStrictEqual(r.events.slice(0, 4), [
            { minute: 510, action: "start", reason: "start: DP scale-up 1→2" },
            { minute: 545, action: "stop", reason: "stop: sync wait and cooldown over; 2 DP target(s) healthy; export newer than the last admin write" },
            { minute: 600, action: "start", reason: "start: admin request refused while the CP slept (/kong-admin 5xx)" },
            { minute: 635, action: "stop", reason: "stop: sync wait and cooldown over; 2 DP target(s) healthy; export newer than the last admin write" },
        ]);
        assert.deepStrictEqual(Object.keys(r), ["events", "cpMinutes", "totalMinutes"]);
    });

    const cases: { what: string; text: string; events: [number, string][]; cpMinutes: number }[] = [
        { what: "nothing happens: the CP never starts", text: trace(120), events: [], cpMinutes: 0 },
        { what: "a DP scale-up: up for sync wait + cooldown (35 min)", text: trace(90, { 2: [2, 1, 0], 3: [2, 2, 0] }), events: [[2, "start"], [37, "stop"]], cpMinutes: 35 },
        { what: "a write while up, late in the cooldown: +15 min from it", text: trace(90, { 0: [1, 1, 1], 30: [1, 1, 2] }), events: [[0, "start"], [45, "stop"]], cpMinutes: 45 },
        { what: "a write early in the cooldown: no extension", text: trace(90, { 0: [1, 1, 1], 10: [1, 1, 2] }), events: [[0, "start"], [35, "stop"]], cpMinutes: 35 },
        { what: "a DP without configuration wakes it; it stays until 15 min after the DP is healthy", text: trace(120, Object.fromEntries([40, 41, 42, 43, 44, 45].map(m => [m, [1, 0, 0]]))), events: [[40, "start"], [75, "stop"]], cpMinutes: 35 },
        { what: "a DP unhealthy for 40 minutes keeps the CP up until 15 min after it heals", text: trace(120, Object.fromEntries(Array.from({ length: 40 }, (_, i) => [10 + i, [1, 0, 0]]))), events: [[10, "start"], [64, "stop"]], cpMinutes: 54 },
    ];
    for (const c of cases) {
        it(c.what, () => {
            const r = json(["--trace", file(c.text)]);
            assert.deepStrictEqual(r.events.map((e: any) => [e.minute, e.action]), c.events);
            assert.strictEqual(r.cpMinutes, c.cpMinutes);
        });
    }

    it("text output: events and CP-minutes against always-on", () => {
        const r = cli(["--trace", file(trace(90, { 2: [2, 1, 0], 3: [2, 2, 0] }))]);
        assert.strictEqual(r.code, 0);
        assert.match(r.out, /settings \(defaults\): sync wait 5 min, cooldown 30 min, \+15 min per trigger, CP desired 1/);
        assert.match(r.out, /minute {6}2 {2}start {2}start: DP scale-up 1→2/);
        assert.match(r.out, /CP running: 35 of 90 minutes \(38\.9 %\), 0\.6 h; 1 start\(s\)/);
        assert.match(r.out, /Always on: {2}90 minutes, 1\.5 h/);
        assert.match(r.out, /Saved: {6}55 CP-minutes \(61\.1 %\)/);
    });

    it("--stack reads kong-hybrid:cpScaleToZero* from the stack file", () => {
        const stack = file([
            "config:",
            "  aws:region: eu-west-1",
            "  kong-hybrid:cpScaleToZero: true",
            "  kong-hybrid:cpScaleToZeroSyncWaitMinutes: 2",
            "  kong-hybrid:cpScaleToZeroCooldownMinutes: 10",
            "  kong-hybrid:cpDesiredCount: 2",
        ].join("\n"), "yaml");
        const r = json(["--trace", file(trace(60, { 2: [2, 1, 0], 3: [2, 2, 0] })), "--stack", stack]);
        assert.deepStrictEqual(r.events.map((e: any) => [e.minute, e.action]), [[2, "start"], [14, "stop"]]);
        const text = cli(["--trace", BUSINESS_WEEK, "--stack", stack]).out;
        assert.match(text, /sync wait 2 min, cooldown 10 min, \+15 min per trigger, CP desired 2/);
        assert.doesNotMatch(text, /controller is off/);
    });

    it("--stack dev: the controller is on there, with the default timings; --stack prod notes that it is off", () => {
        const dev = cli(["--trace", BUSINESS_WEEK, "--stack", "dev"]);
        assert.strictEqual(dev.code, 0, dev.err);
        assert.match(dev.out, /sync wait 5 min, cooldown 30 min, \+15 min per trigger, CP desired 1/);
        assert.doesNotMatch(dev.out, /controller is off/);
        const prod = cli(["--trace", BUSINESS_WEEK, "--stack", "prod"]);
        assert.strictEqual(prod.code, 0, prod.err);
        assert.match(prod.out, /Note: the controller is off in stack prod \(kong-hybrid:cpScaleToZero is not true\)/);
    });

    const bad: { what: string; text?: string; stack?: string; message: string }[] = [
        { what: "wrong header", text: "min,desired\n0,1\n", message: `line 1: expected the header minute,dpDesired,dpReady,adminWrites, found "min,desired"` },
        { what: "a value that is not a whole number", text: "minute,dpDesired,dpReady,adminWrites\n0,1,1,0\n1,1,one,0\n", message: `line 3, column dpReady: "one" is not allowed; expected a whole number ≥ 0` },
        { what: "a negative value", text: "minute,dpDesired,dpReady,adminWrites\n0,1,1,-2\n", message: `line 2, column adminWrites: "-2" is not allowed; expected a whole number ≥ 0` },
        { what: "a gap in the minutes", text: "minute,dpDesired,dpReady,adminWrites\n0,1,1,0\n2,1,1,0\n", message: `line 3, column minute: "2" is not allowed; expected 1 (one row per minute, in order)` },
        { what: "more ready than desired", text: "minute,dpDesired,dpReady,adminWrites\n0,1,2,0\n", message: `line 2, column dpReady: "2" is not allowed; expected at most dpDesired (1)` },
        { what: "a short row", text: "minute,dpDesired,dpReady,adminWrites\n0,1,1\n", message: `line 2: expected 4 columns (minute,dpDesired,dpReady,adminWrites), found 3: "0,1,1"` },
        { what: "no rows", text: "minute,dpDesired,dpReady,adminWrites\n", message: ": no rows after the header" },
        { what: "a bad stack value", text: trace(5), stack: "config:\n  kong-hybrid:cpScaleToZeroCooldownMinutes: soon\n", message: `kong-hybrid:cpScaleToZeroCooldownMinutes: "soon" is not allowed; expected an integer from 0 to 1440` },
        { what: "a bad on/off value", text: trace(5), stack: "config:\n  kong-hybrid:cpScaleToZero: yes\n", message: `kong-hybrid:cpScaleToZero: "yes" is not allowed; expected true or false` },
    ];
    for (const c of bad) {
        it(`bad input, ${c.what}: one line, exit 1`, () => {
            const f = file(c.text ?? trace(5));
            const r = cli(["--trace", f, ...(c.stack ? ["--stack", file(c.stack, "yaml")] : [])]);
            assert.strictEqual(r.code, 1);
            assert.strictEqual(r.err.split("\n").length, 1, r.err);
            assert.ok(r.err.endsWith(c.message), `${r.err}\n does not end with\n${c.message}`);
            assert.strictEqual(r.out, "");
        });
    }

    // A file that is not there is a usage error, exit 2, as for every command (README exit-code table).
    const usage: [string[], RegExp][] = [
        [["--trace", "/nonexistent.csv"], /^--trace \/nonexistent\.csv: no such file$/],
        [["--trace", BUSINESS_WEEK, "--stack", "nosuchstack"], /^stack config .*Pulumi\.nosuchstack\.yaml: no such file$/],
        [[], /^--trace is required$/],
        [["--trace"], /^--trace needs a value$/],
        [["--trace", "x.csv", "--stack"], /^--stack needs a value$/],
        [["--trace", "x.csv", "--verbose"], /^unknown option --verbose$/],
        [["--trace", "a.csv", "--trace", "b.csv"], /^--trace given twice$/],
    ];
    for (const [args, message] of usage) {
        it(`usage error (${args.join(" ") || "no arguments"}): one line naming it and where help is, exit 2`, () => {
            const r = cli(args);
            assert.deepStrictEqual([r.code, r.out, r.err.split("\n").length], [2, "", 1], r.err);
            const m = /^npm run simulate:cp: (.*) \(see npm run simulate:cp -- --help\)$/.exec(r.err);
            assert.ok(m, r.err);
            assert.match(m[1], message);
        });
    }

    it("--help: exit 0", () => {
        const r = cli(["--help"]);
        assert.strictEqual(r.code, 0);
        assert.match(r.out, /columns minute,dpDesired,dpReady,adminWrites/);
    });
});
