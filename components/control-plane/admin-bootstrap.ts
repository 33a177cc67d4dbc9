// The admin bootstrap: what makes https://<domain>/kong-admin work (docs/facts/design.md §3).
//
// Mechanism: a non-essential decK sidecar in the CP task. ECS starts it once the Kong container is
// HEALTHY; it runs `deck gateway sync --select-tag kong-hybrid-admin` against the local Admin API.
//  - Idempotent: sync converges to the state; repeating it changes nothing.
//  - Scoped: with --select-tag decK tags every entity it creates and only ever reads, updates or
//    deletes entities carrying that tag (docs/facts/kong-hybrid.md §10: a plain sync deletes everything
//    else), so whatever admins configure through /kong-admin is never touched.
//  - Runs on every CP start (deploy, scale from 0, replacement), so the stack config stays the
//    source of truth for the allow-list, with no Lambda, no custom provider and no CP reachable
//    from the machine running `pulumi up`.
// The state travels as plain JSON in ADMIN_BOOTSTRAP_STATE (it holds no secret) and reaches decK on
// stdin (`gateway sync` reads "-" from stdin). The consumer's key is a decK env placeholder filled
// from DECK_ADMIN_KEY, an ECS secret. decK renders the raw text as a Go text/template (delimiters
// ${{ }}) before it parses YAML/JSON, so the placeholder must survive JSON escaping: a Go raw string
// in backticks has no quote to escape, where "DECK_ADMIN_KEY" would arrive as \"DECK_ADMIN_KEY\" and
// fail the template parse (https://github.com/Kong/go-database-reconciler/blob/main/pkg/file/template.go).
// It also gives the CP its first entities, so DPs leave "empty configuration" 503 (docs/facts/kong-hybrid.md §3).

import { problemLine, type Problem } from "../problems";
import { PORTS } from "../network/ports";

/** Every entity the bootstrap owns carries this tag; decK manages nothing else. */
export const ADMIN_BOOTSTRAP_TAG = "kong-hybrid-admin";
/** Env var (an ECS secret) holding the admin consumer's key; decK only substitutes DECK_* names. */
export const ADMIN_KEY_ENV = "DECK_ADMIN_KEY";
/** Env var carrying the decK state (a fixed contract: the policy pack reads it). */
export const ADMIN_BOOTSTRAP_STATE_ENV = "ADMIN_BOOTSTRAP_STATE";
/** The route prefix on the DPs that proxies to the CP Admin API. */
export const ADMIN_ROUTE_PATH = "/kong-admin";
/**
 * The route's path: a Kong regex path, which Kong 3.x anchors at the start of the request path
 * (https://github.com/Kong/kong/blob/3.9.3/kong/router/transform.lua, regex paths become `^…`), so it
 * matches /kong-admin and /kong-admin/… but not /kong-adminservices, which the prefix path
 * "/kong-admin" would. With strip_path the matched text is removed: /kong-admin/status → /status.
 */
export const ADMIN_ROUTE_REGEX_PATH = `~${ADMIN_ROUTE_PATH}(/|$)`;
/** The decK template action that reads the admin key at sync time (a Go raw string: no quote to escape). */
export const ADMIN_KEY_PLACEHOLDER = `\${{ env \`${ADMIN_KEY_ENV}\` }}`;
/** The header clients put the key in: key-auth's default name (the query string is refused, see below). */
export const ADMIN_KEY_NAME = "apikey";
/**
 * decK v1.65.1 is the last Alpine-based kong/deck image (the main branch is distroless, no shell; docs/facts/kong-hybrid.md §10);
 * the sidecar needs `sh` to pipe the state and retry.
 */
export const DECK_IMAGE = "kong/deck:v1.65.1";

export interface AdminBootstrapIntent {
    /** The CP's private DNS name: the DPs proxy /kong-admin to its Admin API. */
    controlPlaneHostname: string;
    /** Client networks allowed on /kong-admin (ip-restriction `allow`). */
    adminAllowedCidrs: readonly string[];
}

/**
 * ip-restriction requires allow or deny; an empty list would fail the sync (docs/facts/kong-hybrid.md §8).
 * The one source of the rule: stacks/config.ts maps it onto kong-hybrid:adminAllowedCidrs.
 */
export function validateAdminAllowedCidrs(cidrs: readonly string[]): Problem[] {
    return cidrs.length === 0 ? [{ field: "adminAllowedCidrs", value: cidrs, message: () => "must list at least one client network" }] : [];
}

/** The decK state (format 3.0) the sidecar syncs. Pure: tests assert exactly what it will send. */
export function adminBootstrapState(i: AdminBootstrapIntent): Record<string, unknown> {
    const problems = validateAdminAllowedCidrs(i.adminAllowedCidrs);
    if (problems.length) throw new Error(`admin bootstrap: ${problems.map(p => problemLine(p)).join("; ")}`);
    return {
        _format_version: "3.0",
        // Also passed as --select-tag by the script: decK accepts both only when they match, and the
        // state then says on its own which entities it owns.
        _info: { select_tags: [ADMIN_BOOTSTRAP_TAG] },
        services: [{
            name: "kong-admin",
            url: `http://${i.controlPlaneHostname}:${PORTS.admin}`,
            routes: [{
                name: "kong-admin",
                paths: [ADMIN_ROUTE_REGEX_PATH],
                // /kong-admin/services → CP:8001/services.
                strip_path: true,
            }],
            plugins: [
                // The key never reaches the Admin API (hide_credentials), and only a header carries it:
                // key_in_query defaults to true, and the DP access log and the ALB's S3 logs record
                // the request line with its query string (kong/plugins/key-auth/schema.lua).
                { name: "key-auth", config: { key_names: [ADMIN_KEY_NAME], hide_credentials: true, key_in_query: false } },
                // Matches the client address after realip (DP trusted_ips + X-Forwarded-For, docs/facts/kong-hybrid.md §8).
                { name: "ip-restriction", config: { allow: [...i.adminAllowedCidrs] } },
            ],
        }],
        consumers: [{
            username: "kong-admin",
            keyauth_credentials: [{ key: ADMIN_KEY_PLACEHOLDER }],
        }],
    };
}

/**
 * The sidecar's shell script: pipe the state into `deck gateway sync` on stdin, retrying while the
 * Admin API or the database (Aurora resuming from 0 ACU) is not ready, or while a second CP task
 * races to create the same entities. Exits non-zero after the last attempt (visible in ECS).
 */
export function adminBootstrapScript(attempts = 10, delaySeconds = 15): string {
    return [
        `for attempt in $(seq 1 ${attempts}); do`,
        `  printf '%s' "$${ADMIN_BOOTSTRAP_STATE_ENV}" | deck gateway sync --select-tag ${ADMIN_BOOTSTRAP_TAG} - && exit 0`,
        `  echo "admin bootstrap: deck sync failed (attempt $attempt of ${attempts}), retrying in ${delaySeconds}s" >&2`,
        `  sleep ${delaySeconds}`,
        "done",
        "exit 1",
    ].join("\n");
}
