// The Control Plane's running hours for the estimate. A stack with the scale-to-zero controller on
// (kong-hybrid:cpScaleToZero) runs its CP, and keeps Aurora awake, only while the controller says
// so: the hours come from replaying a recorded business week through the controller's own decision
// (components/cp-scaler/simulate.ts), not from a guessed share.

import * as fs from "fs";
import * as path from "path";
import { scalerConfig } from "../../components/cp-scaler/config";
import { parseTrace, simulate } from "../../components/cp-scaler/simulate";
import type { CostOptions } from "./cost";
import { HOURS_PER_MONTH } from "./prices";

/** A recorded business week (one row per minute: DP tasks, ready DPs, admin writes), in the repository. */
export const BUSINESS_WEEK_TRACE = "test/fixtures/traces/business-week.csv";
const ROOT = path.join(__dirname, "..", "..");

/** The estimate's CP hours for a stack's raw config (`kong-hybrid:key` → string); all month when the controller is off. */
export function cpHoursOptions(raw: Readonly<Record<string, string | undefined>>, trace = BUSINESS_WEEK_TRACE): Pick<CostOptions, "cpRunningHoursPerMonth" | "cpHoursSource"> {
    const scaler = scalerConfig({ ...raw });
    if (!scaler.enabled) return {};
    const result = simulate(parseTrace(fs.readFileSync(path.resolve(ROOT, trace), "utf8"), trace), scaler.settings);
    const share = result.cpMinutes / result.totalMinutes;
    return {
        cpRunningHoursPerMonth: Math.round(HOURS_PER_MONTH * share * 10) / 10,
        cpHoursSource: `CP and Aurora awake ${(share * 100).toFixed(1)}% of the time: ${trace} replayed through the scale-to-zero controller (cpScaleToZero on)`,
    };
}
