import { describe, expect, it } from "vitest";
import { mimeAddress } from "../../shared/aws/mime.ts";
import { escapeHtml } from "../../shared/notifications/html.ts";

describe("email helpers", () => {
  it("quote display names and escape HTML", () => {
    expect(mimeAddress({ email: "a@b.test", name: 'Ann "The" \\ Boss' })).toBe('"Ann \\"The\\" \\\\ Boss" <a@b.test>');
    expect(mimeAddress({ email: "a@b.test", name: "Line\r\nBreak" })).toBe('"Line Break" <a@b.test>');
    expect(escapeHtml(`<script>alert('x') & "y"</script>`)).toBe("&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
  });
});
