import * as assert from "assert";
import fc from "fast-check";
import { decide, DEFAULT_SETTINGS, INITIAL_STATE, type Observation, type ScalerState } from "../components/cp-scaler/decision";

// The controller's flowchart, branch by branch, then its invariants as properties over random
// minute-by-minute histories. Times in minutes from T0; the expected values are written out.

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const min = (m: number) => T0 + m * 60_000;
const quiet: Observation = { cpDesired: 0, dpDesired: 1, dpTargets: { healthy: 1, unhealthy: 0, other: 0 }, exportAt: min(-100) };
const obs = (o: Partial<Observation>): Observation => ({ ...quiet, ...o });
const running = (o: Partial<ScalerState> = {}): ScalerState => ({ cp: "running", startedAt: min(0), holdUntil: min(35), dpDesired: 1, ...o });
const up = (o: Partial<Observation> = {}) => obs({ cpDesired: 1, ...o });

describe("CP scaler decision: every branch of the flowchart", () => {
    const cases: { branch: string; state: ScalerState; obs: Observation; at: number; action: string; reason: RegExp; cp: "running" | "stopped"; holdUntil?: number }[] = [
        // A → B: triggers start a sleeping CP, with sync wait + cooldown ahead (D, E).
        { branch: "asleep, nothing happens", state: { cp: "stopped", dpDesired: 1 }, obs: quiet, at: 0, action: "none", reason: /^CP asleep, no trigger$/, cp: "stopped" },
        { branch: "asleep, DP scale-up starts it", state: { cp: "stopped", dpDesired: 1 }, obs: obs({ dpDesired: 2, dpTargets: { healthy: 1, unhealthy: 0, other: 1 } }), at: 0, action: "start", reason: /^start: DP scale-up 1→2$/, cp: "running", holdUntil: min(35) },
        { branch: "asleep, first tick ever: no scale-up is inferred", state: { ...INITIAL_STATE }, obs: obs({ dpDesired: 3, dpTargets: { healthy: 3, unhealthy: 0, other: 0 } }), at: 0, action: "none", reason: /no trigger/, cp: "stopped" },
        { branch: "asleep, DP scale-in is no trigger", state: { cp: "stopped", dpDesired: 3 }, obs: quiet, at: 0, action: "none", reason: /no trigger/, cp: "stopped" },
        { branch: "asleep, admin write seen", state: { cp: "stopped", dpDesired: 1 }, obs: obs({ lastAdminWriteAt: min(0) }), at: 0, action: "start", reason: /^start: admin write$/, cp: "running", holdUntil: min(35) },
        { branch: "asleep, an admin write already accounted for is no new trigger", state: { cp: "stopped", dpDesired: 1, lastAdminWriteAt: min(-3) }, obs: obs({ lastAdminWriteAt: min(-3) }), at: 0, action: "none", reason: /no trigger/, cp: "stopped" },
        { branch: "asleep, /kong-admin answered 5xx", state: { cp: "stopped", dpDesired: 1 }, obs: obs({ lastAdminRefusedAt: min(0) }), at: 0, action: "start", reason: /^start: admin request refused while the CP slept/, cp: "running", holdUntil: min(35) },
        { branch: "asleep, a DP target without configuration", state: { cp: "stopped", dpDesired: 1 }, obs: obs({ dpTargets: { healthy: 0, unhealthy: 1, other: 0 } }), at: 0, action: "start", reason: /^start: 1 DP target\(s\) unhealthy/, cp: "running", holdUntil: min(35) },
        { branch: "asleep, explicit wake", state: { cp: "stopped", dpDesired: 1 }, obs: obs({ request: "wake" }), at: 0, action: "start", reason: /^start: explicit wake$/, cp: "running", holdUntil: min(35) },
        { branch: "asleep, explicit sleep", state: { cp: "stopped", dpDesired: 1 }, obs: obs({ request: "sleep" }), at: 0, action: "none", reason: /already asleep/, cp: "stopped" },
        { branch: "asleep, several triggers in one tick: one start naming all", state: { cp: "stopped", dpDesired: 1 }, obs: obs({ dpDesired: 2, lastAdminRefusedAt: min(0), request: "wake" }), at: 0, action: "start", reason: /^start: explicit wake; DP scale-up 1→2; admin request refused/, cp: "running" },
        // Reality changed behind the controller's back.
        { branch: "asleep per state, but a deploy set the CP running: adopted with a full hold", state: { cp: "stopped", dpDesired: 1 }, obs: up(), at: 0, action: "none", reason: /found running \(desired 1\).*adopted/, cp: "running", holdUntil: min(35) },
        { branch: "running per state, but stopped outside: adopted", state: running(), obs: quiet, at: 50, action: "none", reason: /found stopped outside the controller: adopted/, cp: "stopped" },
        { branch: "running per state, stopped outside, with a trigger: started again", state: running(), obs: obs({ request: "wake" }), at: 50, action: "start", reason: /^start: explicit wake/, cp: "running", holdUntil: min(85) },
        // D: the sync wait.
        { branch: "up, inside the sync wait", state: running(), obs: up(), at: 4, action: "none", reason: /^stay up: DP sync wait until 2026-01-05T09:05:00Z$/, cp: "running" },
        // E/F/G: cooldown and its extension.
        { branch: "up, in cooldown, no trigger (F: no → H: not over)", state: running(), obs: up(), at: 20, action: "none", reason: /^stay up: cooldown until 2026-01-05T09:35:00Z$/, cp: "running", holdUntil: min(35) },
        { branch: "up, trigger late in the cooldown extends it to now + 15 (G)", state: running(), obs: up({ lastAdminWriteAt: min(30) }), at: 30, action: "extend", reason: /^extend: admin write; hold until 2026-01-05T09:45:00Z$/, cp: "running", holdUntil: min(45) },
        { branch: "up, trigger early in the cooldown keeps the longer hold", state: running(), obs: up({ dpDesired: 2, dpTargets: { healthy: 1, unhealthy: 0, other: 1 } }), at: 10, action: "extend", reason: /DP scale-up 1→2; hold until 2026-01-05T09:35:00Z$/, cp: "running", holdUntil: min(35) },
        { branch: "up, explicit wake after the cooldown: extended", state: running(), obs: up({ request: "wake" }), at: 40, action: "extend", reason: /explicit wake; hold until 2026-01-05T09:55:00Z/, cp: "running", holdUntil: min(55) },
        { branch: "up, an unhealthy DP target extends", state: running(), obs: up({ dpTargets: { healthy: 0, unhealthy: 1, other: 0 } }), at: 40, action: "extend", reason: /unhealthy/, cp: "running", holdUntil: min(55) },
        // H: stable and idle after the cooldown?
        { branch: "up, cooldown over, all healthy, export fresh: stop (I)", state: running(), obs: up(), at: 35, action: "stop", reason: /^stop: sync wait and cooldown over; 1 DP target\(s\) healthy; export newer than the last admin write$/, cp: "stopped" },
        { branch: "up, cooldown over, a target still initial (H: no)", state: running(), obs: up({ dpTargets: { healthy: 1, unhealthy: 0, other: 1 }, dpDesired: 1 }), at: 40, action: "none", reason: /DP targets not all healthy \(1 healthy, 0 unhealthy, 1 other, 1 desired\)/, cp: "running" },
        { branch: "up, cooldown over, fewer healthy targets than desired tasks", state: running({ dpDesired: 2 }), obs: up({ dpDesired: 2 }), at: 40, action: "none", reason: /DP targets not all healthy \(1 healthy, 0 unhealthy, 0 other, 2 desired\)/, cp: "running" },
        { branch: "up, cooldown over, export older than the last write", state: running({ lastAdminWriteAt: min(18) }), obs: up({ exportAt: min(18) + 30_000 }), at: 40, action: "none", reason: /export 2026-01-05T09:18:30Z not newer than the last admin write 2026-01-05T09:18:00Z \+ 60s/, cp: "running" },
        { branch: "up, cooldown over, export newer than the last write + margin", state: running({ lastAdminWriteAt: min(18) }), obs: up({ exportAt: min(19) }), at: 40, action: "stop", reason: /^stop:/, cp: "stopped" },
        { branch: "up, cooldown over, no export at all", state: running(), obs: up({ exportAt: undefined }), at: 40, action: "none", reason: /no configuration export yet/, cp: "running" },
        // Operator sleep: skips the timers, never the safety checks.
        { branch: "up, sleep requested inside the cooldown, safe: stop", state: running(), obs: up({ request: "sleep" }), at: 10, action: "stop", reason: /^stop: sleep requested/, cp: "stopped" },
        { branch: "up, sleep requested, export stale: refused", state: running({ lastAdminWriteAt: min(9) }), obs: up({ request: "sleep", exportAt: min(8) }), at: 10, action: "none", reason: /^sleep refused: export .* not newer/, cp: "running" },
    ];
    for (const c of cases) {
        it(`${c.branch} → ${c.action}`, () => {
            const d = decide(c.state, c.obs, min(c.at), DEFAULT_SETTINGS);
            assert.strictEqual(d.action, c.action, d.reason);
            assert.match(d.reason, c.reason);
            assert.strictEqual(d.state.cp, c.cp);
            if (c.holdUntil !== undefined) assert.strictEqual(new Date(d.state.holdUntil!).toISOString(), new Date(c.holdUntil).toISOString());
            assert.deepStrictEqual(d.state.last, { at: min(c.at), action: c.action, reason: d.reason });
        });
    }

    it("a stop records when (the handler reads late admin writes for a while after); a start clears it", () => {
        const stopped = decide(running(), up(), min(40)).state;
        assert.deepStrictEqual([stopped.cp, stopped.stoppedAt], ["stopped", min(40)]);
        const started = decide(stopped, obs({ request: "wake" }), min(50)).state;
        assert.deepStrictEqual([started.cp, "stoppedAt" in started], ["running", false]);
    });

    it("the state survives JSON (it lives in an SSM parameter)", () => {
        const d = decide({ cp: "stopped", dpDesired: 1 }, obs({ request: "wake" }), min(0));
        assert.deepStrictEqual(JSON.parse(JSON.stringify(d.state)), d.state);
        assert.ok(JSON.stringify(d.state).length < 4096, "fits a standard-tier parameter");
    });

    it("settings change the timings: sync 2, cooldown 10", () => {
        const settings = { ...DEFAULT_SETTINGS, syncWaitMinutes: 2, cooldownMinutes: 10 };
        const start = decide({ cp: "stopped", dpDesired: 1 }, obs({ request: "wake" }), min(0), settings);
        assert.strictEqual(start.state.holdUntil, min(12));
        assert.strictEqual(decide(start.state, up(), min(11), settings).action, "none");
        assert.strictEqual(decide(start.state, up(), min(12), settings).action, "stop");
    });
});

// ── Properties over random histories ───────────────────────────────────────────────────────

interface Tick {
    dpDesired: number;
    healthy: number;
    unhealthy: number;
    other: number;
    write: boolean;
    refused: boolean;
    exported: boolean;
    request?: "wake" | "sleep";
}

const tick = (requests: ("wake" | "sleep")[]) => fc.record({
    dpDesired: fc.integer({ min: 1, max: 4 }),
    healthy: fc.integer({ min: 0, max: 4 }),
    unhealthy: fc.constantFrom(0, 0, 0, 0, 1),
    other: fc.constantFrom(0, 0, 0, 1),
    write: fc.boolean(),
    refused: fc.constantFrom(false, false, false, true),
    exported: fc.boolean(),
    request: fc.constantFrom(undefined, undefined, undefined, ...requests),
}, { requiredKeys: ["dpDesired", "healthy", "unhealthy", "other", "write", "refused", "exported"] });

/** Replays ticks one minute apart against a CP service that follows the controller. */
function replay(ticks: Tick[]) {
    let state: ScalerState = { cp: "stopped", dpDesired: 1 };
    let exportAt: number | undefined = min(-1000);
    const steps: { at: number; obs: Observation; before: ScalerState; after: ScalerState; action: string; triggered: boolean }[] = [];
    ticks.forEach((t, i) => {
        const at = min(i);
        if (t.exported) exportAt = at - 30_000;
        const o: Observation = {
            cpDesired: state.cp === "running" ? 1 : 0,
            dpDesired: t.dpDesired,
            dpTargets: { healthy: Math.min(t.healthy, t.dpDesired), unhealthy: t.unhealthy, other: t.other },
            lastAdminWriteAt: t.write ? at : undefined,
            lastAdminRefusedAt: t.refused ? at : undefined,
            exportAt,
            ...(t.request ? { request: t.request } : {}),
        };
        const triggered = o.request === "wake" || (state.dpDesired !== undefined && o.dpDesired > state.dpDesired) || t.write || t.refused || t.unhealthy > 0;
        const d = decide(state, o, at, DEFAULT_SETTINGS);
        steps.push({ at, obs: o, before: state, after: d.state, action: d.action, triggered });
        state = d.state;
    });
    return steps;
}

describe("CP scaler decision: invariants (fast-check)", () => {
    const histories = (requests: ("wake" | "sleep")[]) => fc.array(tick(requests), { minLength: 1, maxLength: 240 });

    it("a trigger always leaves the CP running after that very tick", () => {
        fc.assert(fc.property(histories(["wake", "sleep"]), ticks => {
            for (const s of replay(ticks)) {
                if (s.triggered) {
                    assert.strictEqual(s.after.cp, "running", `minute ${(s.at - T0) / 60_000}: ${s.action}`);
                    assert.ok(s.action === "start" || s.action === "extend" || s.before.cp === "running" || s.obs.cpDesired > 0, s.action);
                }
            }
        }), { numRuns: 300 });
    });

    it("no stop inside the sync wait plus cooldown, nor within 15 minutes of a trigger (without an operator sleep)", () => {
        const { syncWaitMinutes, cooldownMinutes, extendMinutes } = DEFAULT_SETTINGS;
        fc.assert(fc.property(histories(["wake"]), ticks => {
            let startedAt: number | undefined;
            let lastTrigger: number | undefined;
            for (const s of replay(ticks)) {
                if (s.after.cp === "running" && s.before.cp === "stopped") startedAt = s.at;
                if (s.triggered) lastTrigger = s.at;
                if (s.action === "stop") {
                    assert.ok(startedAt !== undefined && s.at >= startedAt + (syncWaitMinutes + cooldownMinutes) * 60_000, "stopped inside sync wait + cooldown");
                    assert.ok(lastTrigger === undefined || s.at >= lastTrigger + extendMinutes * 60_000, "stopped within 15 minutes of a trigger");
                }
            }
        }), { numRuns: 300 });
    });

    it("no stop while a DP lacks configuration or the export is older than the last admin write", () => {
        fc.assert(fc.property(histories(["wake", "sleep"]), ticks => {
            let lastWrite: number | undefined;
            for (const s of replay(ticks)) {
                if (s.obs.lastAdminWriteAt !== undefined) lastWrite = Math.max(lastWrite ?? 0, s.obs.lastAdminWriteAt);
                if (s.action !== "stop") continue;
                const t = s.obs.dpTargets;
                assert.strictEqual(t.unhealthy, 0);
                assert.strictEqual(t.other, 0);
                assert.ok(t.healthy >= s.obs.dpDesired);
                assert.ok(s.obs.exportAt !== undefined);
                if (lastWrite !== undefined) assert.ok(s.obs.exportAt! >= lastWrite + DEFAULT_SETTINGS.exportMarginSeconds * 1000);
            }
        }), { numRuns: 300 });
    });

    it("a quiet, healthy, exported system always goes back to sleep", () => {
        fc.assert(fc.property(histories(["wake"]), ticks => {
            const calm: Tick = { dpDesired: 1, healthy: 1, unhealthy: 0, other: 0, write: false, refused: false, exported: true };
            const steps = replay([...ticks, ...Array.from({ length: 60 }, () => calm)]);
            assert.strictEqual(steps[steps.length - 1].after.cp, "stopped");
        }), { numRuns: 200 });
    });
});
