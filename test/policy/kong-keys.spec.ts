import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

// The policy pack ships alone, so it carries its own copy of Kong's key lists; the program checks
// every KONG_* name against components/kong/keys. The two copies must never drift apart.
describe("Kong key lists: the policy pack's copy equals the program's", () => {
    const root = path.join(__dirname, "..", "..");
    const lists = (dir: string) => fs.readdirSync(path.join(root, dir)).filter(f => f.endsWith(".txt")).sort();
    it("has the same files", () => {
        assert.deepStrictEqual(lists("policy/kong-keys"), lists("components/kong/keys"));
    });
    for (const file of lists("components/kong/keys")) {
        it(`${file} is the same text`, () => {
            const read = (dir: string) => fs.readFileSync(path.join(root, dir, file), "utf8");
            assert.strictEqual(read("policy/kong-keys"), read("components/kong/keys"));
        });
    }
});
