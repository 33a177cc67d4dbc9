// The Control Plane scale-to-zero decision: one pure function, used by the Lambda every minute
// and by `npm run simulate:cp` to replay a trace. It implements the primary design's last
// flowchart:
//
//   trigger ─> start CP (desired N) ─> wait for DPs to sync ─> cooldown ─┬─ trigger? ─> extend ─┐
//                 ^                                                      │   <──────────────────┘
//                 │                                                      └─ DPs stable, export fresh? ─> stop (0)
//                 └──────────────────── next trigger ────────────────────────────────────────────┘
//
// Triggers: a DP scale-up, an admin write, an admin request that hit the sleeping CP (a DP answered
// /kong-admin with 5xx), an unhealthy DP target (a task without configuration), an explicit wake.
// The CP stops only when the sync wait and the cooldown have run out, every DP target is healthy,
// and the last configuration export is newer than the last admin write: a DP that starts while
// the CP sleeps loads that export, so it must hold every write.
//
// Times are epoch milliseconds. The state is small JSON (it lives in one SSM parameter).

export interface ScalerSettings {
    /** Minutes after a start during which the CP never stops: the DPs connect and sync. @default 5 */
    syncWaitMinutes: number;
    /** Minutes of cooldown after the sync wait. @default 30 */
    cooldownMinutes: number;
    /** A trigger while the CP is up keeps it up at least this many minutes more. @default 15 */
    extendMinutes: number;
    /** CP tasks when awake. @default 1 */
    desiredCount: number;
    /**
     * The export must be at least this much newer than the end of the minute of the last admin
     * write: the exporter snapshots every 30 s and uploads within seconds, so a newer object holds
     * the write. @default 60
     */
    exportMarginSeconds: number;
    /** The alarm fires when a start has not produced a running CP task within this. @default 5 */
    startTimeoutMinutes: number;
}

/** The one source of the controller's defaults (the primary design's timings). */
export const DEFAULT_SETTINGS: Readonly<ScalerSettings> = Object.freeze({
    syncWaitMinutes: 5,
    cooldownMinutes: 30,
    extendMinutes: 15,
    desiredCount: 1,
    exportMarginSeconds: 60,
    startTimeoutMinutes: 5,
});

/** What the controller sees at one tick. */
export interface Observation {
    /** Desired count of the CP service as ECS reports it (someone else may have changed it). */
    cpDesired: number;
    /** Sum of the desired counts of the DP services. */
    dpDesired: number;
    /** The DP load-balancer targets by health: `other` is initial, draining, unused or unavailable. */
    dpTargets: { healthy: number; unhealthy: number; other: number };
    /** End of the latest minute with a successful admin write (CP access log, 2xx POST/PUT/PATCH/DELETE). */
    lastAdminWriteAt?: number;
    /** End of the latest minute in which a DP answered /kong-admin with a 5xx (the CP was asleep). */
    lastAdminRefusedAt?: number;
    /** When the configuration export object was last written; undefined while there is none. */
    exportAt?: number;
    /** An operator's explicit request. `sleep` skips the timers, never the safety checks. */
    request?: "wake" | "sleep";
}

export type Action = "start" | "stop" | "extend" | "none";

export interface ScalerState {
    /** What the controller last set the CP to. */
    cp: "stopped" | "running";
    /** When the CP was last started (or found running). */
    startedAt?: number;
    /** The CP does not stop before this: sync wait + cooldown, pushed out by triggers. */
    holdUntil?: number;
    /** DP desired count at the previous tick: a rise is a scale-up. */
    dpDesired?: number;
    /** Latest admin write already accounted for. */
    lastAdminWriteAt?: number;
    /**
     * When the controller last stopped the CP: an admin write logged just before the stop reaches its
     * metric minutes later, so the handler keeps reading that metric for a while after (handler.ts).
     */
    stoppedAt?: number;
    /** Latest refused admin request already accounted for. */
    lastAdminRefusedAt?: number;
    /** The last decision, for `npm run cp -- status`. */
    last?: { at: number; action: Action; reason: string };
}

export interface Decision {
    action: Action;
    reason: string;
    state: ScalerState;
}

/** The state before the controller has ever run: CP stopped, nothing seen. */
export const INITIAL_STATE: Readonly<ScalerState> = Object.freeze({ cp: "stopped" });

const MINUTE = 60_000;
const iso = (t: number) => new Date(t).toISOString().replace(/\.000Z$/, "Z");
const newer = (seen: number | undefined, known: number | undefined) => seen !== undefined && (known === undefined || seen > known);
const later = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.max(a, b));

/** The triggers in an observation, each as a short reason. Pure. */
export function triggersOf(state: ScalerState, obs: Observation): string[] {
    const triggers: string[] = [];
    if (obs.request === "wake") triggers.push("explicit wake");
    if (state.dpDesired !== undefined && obs.dpDesired > state.dpDesired) triggers.push(`DP scale-up ${state.dpDesired}→${obs.dpDesired}`);
    if (newer(obs.lastAdminWriteAt, state.lastAdminWriteAt)) triggers.push("admin write");
    if (newer(obs.lastAdminRefusedAt, state.lastAdminRefusedAt)) triggers.push("admin request refused while the CP slept (/kong-admin 5xx)");
    if (obs.dpTargets.unhealthy > 0) triggers.push(`${obs.dpTargets.unhealthy} DP target(s) unhealthy (no configuration)`);
    return triggers;
}

/** Why the running CP must stay up now; empty when it may stop. Pure. */
export function stopBlockers(state: ScalerState, obs: Observation, now: number, settings: ScalerSettings): string[] {
    const blockers: string[] = [];
    if (obs.request !== "sleep") {
        const syncEnd = (state.startedAt ?? now) + settings.syncWaitMinutes * MINUTE;
        if (now < syncEnd) blockers.push(`DP sync wait until ${iso(syncEnd)}`);
        else if (state.holdUntil !== undefined && now < state.holdUntil) blockers.push(`cooldown until ${iso(state.holdUntil)}`);
    }
    const t = obs.dpTargets;
    if (t.unhealthy > 0 || t.other > 0 || t.healthy < obs.dpDesired) {
        blockers.push(`DP targets not all healthy (${t.healthy} healthy, ${t.unhealthy} unhealthy, ${t.other} other, ${obs.dpDesired} desired)`);
    }
    if (obs.exportAt === undefined) {
        blockers.push("no configuration export yet");
    } else if (state.lastAdminWriteAt !== undefined && obs.exportAt < state.lastAdminWriteAt + settings.exportMarginSeconds * 1000) {
        blockers.push(`export ${iso(obs.exportAt)} not newer than the last admin write ${iso(state.lastAdminWriteAt)} + ${settings.exportMarginSeconds}s`);
    }
    return blockers;
}

/**
 * One tick of the controller: (state, observation, now, settings) → {action, reason, state}.
 * `start` and `stop` mean: set the CP service's desired count to settings.desiredCount / 0.
 */
export function decide(state: ScalerState, obs: Observation, now: number, settings: ScalerSettings = DEFAULT_SETTINGS): Decision {
    const triggers = triggersOf(state, obs);
    // What is seen is accounted for whatever the action, so one write is one trigger.
    const seen: ScalerState = {
        ...state,
        dpDesired: obs.dpDesired,
        lastAdminWriteAt: later(state.lastAdminWriteAt, obs.lastAdminWriteAt),
        lastAdminRefusedAt: later(state.lastAdminRefusedAt, obs.lastAdminRefusedAt),
    };
    // No undefined keys: the state is stored as JSON and read back equal.
    const done = (action: Action, reason: string, next: ScalerState): Decision => ({
        action, reason,
        state: Object.fromEntries(Object.entries({ ...next, last: { at: now, action, reason } }).filter(([, v]) => v !== undefined)) as unknown as ScalerState,
    });
    const firstHold = now + (settings.syncWaitMinutes + settings.cooldownMinutes) * MINUTE;

    // Someone else (a deploy, an operator in the console) changed the CP: follow reality.
    if (state.cp === "stopped" && obs.cpDesired > 0) {
        return done("none", `CP found running (desired ${obs.cpDesired}) outside the controller: adopted, hold until ${iso(firstHold)}`,
            { ...seen, cp: "running", startedAt: now, holdUntil: firstHold, stoppedAt: undefined });
    }
    const cp = state.cp === "running" && obs.cpDesired === 0 ? "stopped" : state.cp;

    if (cp === "stopped") {
        if (triggers.length > 0) {
            return done("start", `start: ${triggers.join("; ")}`, { ...seen, cp: "running", startedAt: now, holdUntil: firstHold, stoppedAt: undefined });
        }
        const why = state.cp === "running" ? "CP found stopped outside the controller: adopted" : "CP asleep, no trigger";
        return done("none", obs.request === "sleep" ? `${why} (already asleep)` : why, { ...seen, cp: "stopped" });
    }

    if (triggers.length > 0) {
        const holdUntil = Math.max(state.holdUntil ?? now, now + settings.extendMinutes * MINUTE);
        return done("extend", `extend: ${triggers.join("; ")}; hold until ${iso(holdUntil)}`, { ...seen, holdUntil });
    }
    const blockers = stopBlockers(seen, obs, now, settings);
    if (blockers.length > 0) {
        return done("none", `${obs.request === "sleep" ? "sleep refused" : "stay up"}: ${blockers.join("; ")}`, seen);
    }
    const why = obs.request === "sleep" ? "sleep requested" : "sync wait and cooldown over";
    return done("stop", `stop: ${why}; ${obs.dpTargets.healthy} DP target(s) healthy; export newer than the last admin write`, { ...seen, cp: "stopped", stoppedAt: now });
}
