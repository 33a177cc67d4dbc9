import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

// Snapshot files under test/snapshots/: a reviewer sees in the diff what a change renders.
// UPDATE_SNAPSHOTS=1 npm test rewrites them; otherwise a difference fails the test.

const DIR = path.join(__dirname, "..", "snapshots");

export function matchesSnapshot(relative: string, value: unknown): void {
    const file = path.join(DIR, relative);
    const text = YAML.stringify(JSON.parse(JSON.stringify(value)), { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false });
    if (process.env.UPDATE_SNAPSHOTS === "1") {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
        return;
    }
    if (!fs.existsSync(file)) assert.fail(`no snapshot ${path.relative(process.cwd(), file)}: run UPDATE_SNAPSHOTS=1 npm test and review it`);
    assert.equal(text, fs.readFileSync(file, "utf8"), `${relative} differs from its snapshot (UPDATE_SNAPSHOTS=1 to accept)`);
}
