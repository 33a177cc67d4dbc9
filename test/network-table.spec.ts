import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../offline/harness";

// The README's security-group table and stacks/network.ts, the one module that draws the arrows,
// match line for line: same arrows, same order.

const arrowsInCode = (): string[] => fs.readFileSync(path.join(ROOT, "stacks/network.ts"), "utf8").split("\n")
    .map(l => /^\s*\/\/ ([A-Za-z ]+?) ─[^>]*─> ([A-Za-z]+(?: ALB)?)/.exec(l))
    .filter((m): m is RegExpExecArray => !!m)
    .map(m => `${m[1]} → ${m[2]}`);

const arrowsInReadme = (): string[] => {
    const text = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const table = text.slice(text.indexOf("| Arrow | Port (tcp) | Notes |")).split("\n\n")[0];
    return table.split("\n").slice(2).map(l => {
        const [from, to] = l.split("|")[1].split(" → ").map(x => x.replace(/\(.*\)/, "").trim());
        return `${from} → ${to.split(" / ")[0].trim()}`;
    });
};

describe("the security-group table: README and stacks/network.ts", () => {
    it("list the same arrows in the same order", () => {
        const code = arrowsInCode();
        assert.ok(code.length >= 9, code.join("\n"));
        assert.deepStrictEqual(arrowsInReadme(), code);
    });
});
