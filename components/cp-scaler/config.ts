// The controller's stack config keys (`kong-hybrid:cpScaleToZero*`) → ScalerSettings, with the
// defaults from decision.ts. Raw values are strings, as Pulumi stores them; every bad value is
// one line naming the key, the value as written and what is allowed.

import { DEFAULT_SETTINGS, type ScalerSettings } from "./decision";

/** Stack config key → setting, with the allowed integer range. `cpDesiredCount` is the CP's own key. */
export const SETTING_KEYS: Readonly<Record<string, { setting: keyof ScalerSettings; min: number; max: number }>> = Object.freeze({
    cpScaleToZeroSyncWaitMinutes: { setting: "syncWaitMinutes", min: 1, max: 60 },
    cpScaleToZeroCooldownMinutes: { setting: "cooldownMinutes", min: 0, max: 1440 },
    cpScaleToZeroExtendMinutes: { setting: "extendMinutes", min: 1, max: 240 },
    cpScaleToZeroExportMarginSeconds: { setting: "exportMarginSeconds", min: 0, max: 3600 },
    cpScaleToZeroStartTimeoutMinutes: { setting: "startTimeoutMinutes", min: 1, max: 60 },
    cpDesiredCount: { setting: "desiredCount", min: 1, max: 10 },
});

/** The on/off key. Off by default; the dev stack turns it on. */
export const ENABLED_KEY = "cpScaleToZero";

export class ScalerConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(problems.join("\n"));
        this.name = "ScalerConfigError";
    }
}

export interface ScalerConfig {
    enabled: boolean;
    settings: ScalerSettings;
}

/**
 * Reads the controller's keys from a stack's raw config (`kong-hybrid:key` or bare `key` → string).
 * Throws ScalerConfigError listing every bad value.
 */
export function scalerConfig(raw: Record<string, string | undefined>, project = "kong-hybrid"): ScalerConfig {
    const get = (key: string) => raw[`${project}:${key}`] ?? raw[key];
    const problems: string[] = [];
    const settings: ScalerSettings = { ...DEFAULT_SETTINGS };
    for (const [key, { setting, min, max }] of Object.entries(SETTING_KEYS)) {
        const value = get(key);
        if (value === undefined) continue;
        const n = Number(value);
        if (!/^\s*-?\d+\s*$/.test(value) || n < min || n > max) {
            problems.push(`${project}:${key}: "${value}" is not allowed; expected an integer from ${min} to ${max}`);
        } else {
            settings[setting] = n;
        }
    }
    const enabledRaw = get(ENABLED_KEY);
    let enabled = false;
    if (enabledRaw !== undefined) {
        if (enabledRaw === "true" || enabledRaw === "false") enabled = enabledRaw === "true";
        else problems.push(`${project}:${ENABLED_KEY}: "${enabledRaw}" is not allowed; expected true or false`);
    }
    if (problems.length > 0) throw new ScalerConfigError(problems);
    return { enabled, settings };
}
