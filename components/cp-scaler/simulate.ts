// Replays a minute-by-minute trace through the controller's decision function (decision.ts), the
// way the Lambda would see it, starting with the CP stopped. Pure: text in, numbers out.
//
// Trace: CSV `minute,dpDesired,dpReady,adminWrites`, one row per minute, consecutive minutes.
//   dpDesired    DP tasks desired (a rise is a scale-up)
//   dpReady      DP tasks serving; missing ones count as starting targets in the minute the count
//                rose, else as unhealthy targets (tasks without configuration)
//   adminWrites  admin write requests in that minute. While the CP runs they are writes (2xx on
//                the CP); while it sleeps, a DP answers them 5xx (the refused-admin trigger).
// The model of the world around the decision:
//   - the CP service follows the controller (desired count = what it last set);
//   - the CP's export is current as of 30 s ago once the CP has run for 3 minutes (exporter loop
//     every 30 s after Kong is healthy), and an export exists from before the trace starts.

import { decide, type Observation, type ScalerSettings, type ScalerState } from "./decision";

export interface TraceRow {
    minute: number;
    dpDesired: number;
    dpReady: number;
    adminWrites: number;
}

export const TRACE_COLUMNS = ["minute", "dpDesired", "dpReady", "adminWrites"] as const;

export class TraceError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "TraceError";
    }
}

/** Parses a trace; the first bad value is one line naming the line, the column and the value. */
export function parseTrace(text: string, source = "trace"): TraceRow[] {
    const lines = text.split(/\r?\n/);
    const header = lines[0]?.trim() ?? "";
    if (header !== TRACE_COLUMNS.join(",")) {
        throw new TraceError(`${source} line 1: expected the header ${TRACE_COLUMNS.join(",")}, found "${header}"`);
    }
    const rows: TraceRow[] = [];
    lines.slice(1).forEach((line, i) => {
        const n = i + 2;
        if (line.trim() === "") return;
        const cells = line.split(",").map(c => c.trim());
        if (cells.length !== TRACE_COLUMNS.length) {
            throw new TraceError(`${source} line ${n}: expected ${TRACE_COLUMNS.length} columns (${TRACE_COLUMNS.join(",")}), found ${cells.length}: "${line}"`);
        }
        const row = {} as TraceRow;
        TRACE_COLUMNS.forEach((column, c) => {
            if (!/^\d+$/.test(cells[c])) throw new TraceError(`${source} line ${n}, column ${column}: "${cells[c]}" is not allowed; expected a whole number ≥ 0`);
            row[column] = Number(cells[c]);
        });
        const previous = rows[rows.length - 1];
        if (previous && row.minute !== previous.minute + 1) {
            throw new TraceError(`${source} line ${n}, column minute: "${cells[0]}" is not allowed; expected ${previous.minute + 1} (one row per minute, in order)`);
        }
        if (row.dpReady > row.dpDesired) {
            throw new TraceError(`${source} line ${n}, column dpReady: "${cells[2]}" is not allowed; expected at most dpDesired (${row.dpDesired})`);
        }
        rows.push(row);
    });
    if (rows.length === 0) throw new TraceError(`${source}: no rows after the header`);
    return rows;
}

export interface SimulationEvent {
    minute: number;
    action: "start" | "stop";
    reason: string;
}

export interface SimulationResult {
    events: SimulationEvent[];
    /** Minutes the CP was running (desired > 0 after that minute's decision). */
    cpMinutes: number;
    totalMinutes: number;
}

const MINUTE = 60_000;
/** Minutes after a start before the CP's exporter has published (Kong healthy + first loop). */
export const EXPORT_READY_MINUTES = 3;

export function simulate(rows: TraceRow[], settings: ScalerSettings): SimulationResult {
    let state: ScalerState = { cp: "stopped", dpDesired: rows[0].dpDesired };
    let exportAt = (rows[0].minute - 1) * MINUTE;
    const events: SimulationEvent[] = [];
    let cpMinutes = 0;
    let previousDesired = rows[0].dpDesired;
    for (const row of rows) {
        // Tasks added this minute are still starting (target "initial"); other missing ones are unhealthy.
        const starting = Math.min(Math.max(0, row.dpDesired - previousDesired), row.dpDesired - row.dpReady);
        previousDesired = row.dpDesired;
        const now = row.minute * MINUTE;
        const up = state.cp === "running";
        if (up && state.startedAt !== undefined && now - state.startedAt >= EXPORT_READY_MINUTES * MINUTE) exportAt = now - MINUTE / 2;
        const minuteEnd = now + MINUTE;
        const observation: Observation = {
            cpDesired: up ? settings.desiredCount : 0,
            dpDesired: row.dpDesired,
            dpTargets: { healthy: row.dpReady, unhealthy: row.dpDesired - row.dpReady - starting, other: starting },
            ...(row.adminWrites > 0 ? (up ? { lastAdminWriteAt: minuteEnd } : { lastAdminRefusedAt: minuteEnd }) : {}),
            exportAt,
        };
        const d = decide(state, observation, now, settings);
        if (d.action === "start" || d.action === "stop") events.push({ minute: row.minute, action: d.action, reason: d.reason });
        state = d.state;
        if (state.cp === "running") cpMinutes++;
    }
    return { events, cpMinutes, totalMinutes: rows.length };
}
